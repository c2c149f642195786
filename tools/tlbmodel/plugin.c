/*
 * The translation model (tlbmodel.h) as a TCG plugin of our emulator
 * (platform/riscv64-cells/qemu: QEMU 7.2 with the calls its patch adds to
 * qemu-plugin.h, for satp, the division, the fence log and guest memory).
 *
 *   -plugin build/tlbmodel/tlbmodel.so,out=FILE[,tlb_entries=N][,tlb_ways=N][,pwc_entries=N]
 *
 * At exit it writes one line to FILE: "model: insns=N key=value...".
 * Every load and store is given to the model, with the physical address
 * the emulator used; an instruction fetch is given when it may not hit the
 * entry the previous one used: at the start of a translation block, on a
 * new page, and after a system or SecureCells instruction (which may fence
 * or switch the division).  Fetches skipped are hits on the most recently
 * used entry of the instruction TLB, which change nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

#include "tools/tlbmodel/tlbmodel.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static struct tlbmodel model;
static uint64_t insns;
static uint64_t fences_seen;
static char *out_path;

static bool read_guest(void *context, uint64_t pa, void *buf, size_t len)
{
	return qemu_plugin_read_phys(pa, buf, len);
}

/* The hart's state now, after giving the model the fences made since the last look. */
static bool hart_now(struct tlbmodel_hart *hart)
{
	struct qemu_plugin_riscv_state state;

	if (!qemu_plugin_riscv_state(&state))
		return false;
	for (; fences_seen < state.fence_seq; fences_seen++) {
		struct qemu_plugin_riscv_fence fence;

		if (qemu_plugin_riscv_fence(fences_seen, &fence))
			tlbmodel_fence(&model, fence.va, fence.asid, fence.scope);
		else
			tlbmodel_fence_lost(&model);
	}
	hart->satp = state.satp;
	hart->priv = (unsigned)state.priv;
	hart->division = state.usid;
	return true;
}

static void on_fetch(unsigned int vcpu, void *udata)
{
	struct tlbmodel_hart hart;

	if (hart_now(&hart))
		tlbmodel_access(&model, &hart, (uint64_t)(uintptr_t)udata, TLBMODEL_FETCH, UINT64_MAX);
}

static void on_memory(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t va, void *udata)
{
	struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, va);
	uint64_t pa = hw && !qemu_plugin_hwaddr_is_io(hw) ? qemu_plugin_hwaddr_phys_addr(hw) : UINT64_MAX;
	struct tlbmodel_hart hart;

	if (hart_now(&hart))
		tlbmodel_access(&model, &hart, va,
				qemu_plugin_mem_is_store(info) ? TLBMODEL_STORE : TLBMODEL_LOAD, pa);
}

/* SYSTEM (sfence.vma, csrw satp, sret) or custom-0 (the SecureCells instructions). */
static bool may_change_translation(const struct qemu_plugin_insn *insn)
{
	const uint8_t *bytes = qemu_plugin_insn_data(insn);
	unsigned opcode = bytes[0] & 0x7f;

	return qemu_plugin_insn_size(insn) == 4 && (opcode == 0x73 || opcode == 0x0b);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);
	uint64_t previous_page = 0;
	bool fetch_next = true;

	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &insns, n);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t va = qemu_plugin_insn_vaddr(insn);

		if (fetch_next || va >> 12 != previous_page)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_fetch, QEMU_PLUGIN_CB_NO_REGS,
							       (void *)(uintptr_t)va);
		previous_page = va >> 12;
		fetch_next = may_change_translation(insn);
		qemu_plugin_register_vcpu_mem_cb(insn, on_memory, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW,
						 NULL);
	}
}

static void write_counts(qemu_plugin_id_t id, void *udata)
{
	char line[1024];
	FILE *out;

	tlbmodel_format(&model, line, sizeof line);
	out = fopen(out_path, "w");
	if (!out) {
		fprintf(stderr, "tlbmodel: cannot write %s\n", out_path);
		return;
	}
	fprintf(out, "model: insns=%llu %s\n", (unsigned long long)insns, line);
	fclose(out);
}

/* ARG as NAME=COUNT: 1 with *value set, 0 if ARG names something else, -1 if COUNT is no number. */
static int parse_count(const char *arg, const char *name, unsigned *value)
{
	size_t len = strlen(name);
	unsigned long n;
	char *end;

	if (strncmp(arg, name, len) != 0 || arg[len] != '=')
		return 0;
	n = strtoul(arg + len + 1, &end, 10);
	if (end == arg + len + 1 || *end != '\0' || n > 1000000) {
		fprintf(stderr, "tlbmodel: %s needs a count, not '%s'\n", name, arg + len + 1);
		return -1;
	}
	*value = (unsigned)n;
	return 1;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
					   char **argv)
{
	struct tlbmodel_config config = TLBMODEL_DEFAULTS;
	const char *why;

	for (int i = 0; i < argc; i++) {
		int known;

		if (strncmp(argv[i], "out=", 4) == 0) {
			out_path = strdup(argv[i] + 4);
			continue;
		}
		known = parse_count(argv[i], "tlb_entries", &config.tlb_entries);
		if (known == 0)
			known = parse_count(argv[i], "tlb_ways", &config.tlb_ways);
		if (known == 0)
			known = parse_count(argv[i], "pwc_entries", &config.pwc_entries);
		if (known == 0)
			fprintf(stderr, "tlbmodel: unknown argument '%s' (out=, tlb_entries=, tlb_ways=, pwc_entries=)\n",
				argv[i]);
		if (known != 1)
			return -1;
	}
	if (!out_path) {
		fprintf(stderr, "tlbmodel: out=FILE is required\n");
		return -1;
	}
	if (tlbmodel_config_check(&config, &why) != 0) {
		fprintf(stderr, "tlbmodel: %s\n", why);
		return -1;
	}
	tlbmodel_init(&model, &config, (struct tlbmodel_memory){ .read = read_guest });
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, write_counts, NULL);
	return 0;
}
