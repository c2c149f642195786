/*
 * The vmm contract as commit 03e4c0d states it (vmm/vmm.h, vmm/backend.h):
 * protect with VMM_USER alone holds present pages; vmm_region_protect
 * over holes and several regions in one backend call; REGION_HUGE faults
 * bring in one aligned 2 MiB block and the region is cut only at 2 MiB
 * boundaries; REGION_STACK works at any address (no slot is special); the
 * accessed/dirty state a fault decided is what translate reports.
 */
#include <stdint.h>
#include <string.h>

#include "arch.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "tests/host/check.h"
#include "tests/vmm-suite/suite_util.h"
#include "tests/vmm-suite/vmm_suite.h"
#include "vmm/vmm.h"

#define AD (VMM_ACCESSED | VMM_DIRTY)

static paddr_t pa_at(struct vmm_space *s, vaddr_t va)
{
	struct vmm_mapping m = { 0 };
	CHECK_EQ(vmm_translate(s, va, &m), 0);
	return m.pa;
}

static unsigned rights_at(struct vmm_space *s, vaddr_t va)
{
	struct vmm_mapping m = { 0 };
	return vmm_translate(s, va, &m) == 0 ? m.rights : ~0u;
}

/* The page at PA is a frame of the allocator and its first bytes are TAG
 * repeated. */
static int holds_tag(paddr_t pa, uint8_t tag)
{
	if (frame_block_order(ALIGN_DOWN(pa, MEGAPAGE_SIZE)) < 0 && frame_block_order(pa) < 0)
		return diag("%#lx: no frame", pa);
	const uint8_t *b = phys_to_virt(pa);
	for (unsigned i = 0; i < 64; i++)
		if (b[i] != tag)
			return diag("%#lx byte %u: %#x, want %#x", pa, i, b[i], tag);
	return 1;
}

static void stamp(paddr_t pa, uint8_t tag)
{
	memset(phys_to_virt(pa), tag, 64);
}

static uint64_t protect_calls(void)
{
	struct vmm_stats v;
	vmm_get_stats(&v);
	return v.protect.calls;
}

/* ------------------------------------------------------------- hold --- */

/* vmm_protect with VMM_USER alone over mappings the caller made: held, then
 * brought back. */
static void hold_mapped_pages(void)
{
	struct vmm_space *s = space_new(), *k = vmm_kernel_space();
	vaddr_t u = U_BASE + 40 * MiB, h = U_BASE + 44 * MiB;
	if (!s)
		return;
	CHECK_EQ(vmm_map(s, u, P_BASE, 4 * P, URW), 0);
	uint64_t tables = table_bytes();
	/* A hole in the range: -ENOENT and nothing held. */
	CHECK_EQ(vmm_protect(s, u, 5 * P, VMM_USER), -ENOENT);
	CHECK(mapped_as(s, u, 4 * P, P_BASE, URW));
	CHECK_EQ(table_bytes(), tables);
	/* Held: still translated, same pa, rights VMM_USER alone. */
	CHECK_EQ(vmm_protect(s, u + P, 2 * P, VMM_USER), 0);
	struct vmm_mapping want[] = {
		{ u, P_BASE, P, URW },
		{ u + P, P_BASE + P, 2 * P, VMM_USER },
		{ u + 3 * P, P_BASE + 3 * P, P, URW },
	};
	CHECK(traverse_is(s, u - MiB, 2 * MiB, want, NELEM(want)));
	CHECK(mapped_as(s, u + P, 2 * P, P_BASE + P, VMM_USER));
	/* Held twice is still held; map over a held page is -EEXIST. */
	CHECK_EQ(vmm_protect(s, u + P, P, VMM_USER), 0);
	CHECK_EQ(vmm_map(s, u + 2 * P, P_BASE, P, UR), -EEXIST);
	CHECK(mapped_as(s, u + P, 2 * P, P_BASE + P, VMM_USER));
	/* Brought back with other rights than before: pa unchanged. */
	CHECK_EQ(vmm_protect(s, u, 4 * P, URX), 0);
	CHECK(mapped_as(s, u, 4 * P, P_BASE, URX));

	/* Part of a 2 MiB mapping held: the rest keeps its rights. */
	CHECK_EQ(vmm_map(s, h, P_BASE + 2 * MiB, 2 * MiB, URW), 0);
	CHECK_EQ(vmm_protect(s, h + 9 * P, 3 * P, VMM_USER), 0);
	struct vmm_mapping wanth[] = {
		{ h, P_BASE + 2 * MiB, 9 * P, URW },
		{ h + 9 * P, P_BASE + 2 * MiB + 9 * P, 3 * P, VMM_USER },
		{ h + 12 * P, P_BASE + 2 * MiB + 12 * P, 2 * MiB - 12 * P, URW },
	};
	CHECK(traverse_is(s, h, 2 * MiB, wanth, NELEM(wanth)));
	CHECK_EQ(vmm_protect(s, h, 2 * MiB, URW), 0);
	CHECK(mapped_as(s, h, 2 * MiB, P_BASE + 2 * MiB, URW));
	/* Held pages are unmapped as any. */
	CHECK_EQ(vmm_protect(s, h, 2 * MiB, VMM_USER), 0);
	CHECK_EQ(vmm_unmap(s, h, 2 * MiB), 0);
	CHECK(unmapped(s, h, 2 * MiB));

	/* Only the user half holds: the kernel half refuses VMM_USER and bare rights.
	 */
	CHECK_EQ(vmm_map(k, K_BASE, P_BASE, P, KRW), 0);
	CHECK_EQ(vmm_protect(k, K_BASE, P, VMM_USER), -EINVAL);
	CHECK_EQ(vmm_protect(k, K_BASE, P, VMM_GLOBAL), -EINVAL);
	CHECK(mapped_as(k, K_BASE, P, P_BASE, KRW));
	CHECK_EQ(vmm_unmap(k, K_BASE, P), 0);
	vmm_space_destroy(s);
}

/* Faulted pages made PROT_NONE keep frame, contents and A/D; back again as they
 * were; freed. */
static void hold_faulted_pages(void)
{
	struct vmm_space *s = space_new();
	vaddr_t r = R_BASE + 64 * MiB;
	paddr_t pa[4];
	unsigned ad[4];
	if (!s)
		return;
	CHECK_EQ(vmm_region_add(s, r, 8 * P, URW, REGION_ANON), 0);
	for (unsigned i = 0; i < 4; i++) {
		CHECK_EQ(vmm_fault(s, 0, r + i * P, i & 1 ? VMM_READ : VMM_WRITE), 0);
		pa[i] = pa_at(s, r + i * P);
		ad[i] = rights_at(s, r + i * P) & AD;
		stamp(pa[i], (uint8_t)(0x31 + i));
	}
	uint64_t free = free_bytes();
	CHECK_EQ(vmm_region_protect(s, r, 8 * P, VMM_USER), 0);
	CHECK_EQ(free_bytes(), free);
	for (unsigned i = 0; i < 4; i++) {
		CHECK(mapped_as(s, r + i * P, P, pa[i], VMM_USER));
		CHECK_EQ(rights_at(s, r + i * P), VMM_USER | ad[i]);
		CHECK(holds_tag(pa[i], (uint8_t)(0x31 + i)));
	}
	CHECK(unmapped(s, r + 4 * P, 4 * P));
	/* Nothing reaches them, and no fault brings anything in. */
	CHECK(!vmm_region_allows(s, r, P, VMM_READ));
	CHECK_EQ(vmm_fault(s, 0, r, VMM_READ), -EFAULT);
	CHECK_EQ(vmm_fault(s, 0, r + P, VMM_WRITE), -EFAULT);
	CHECK_EQ(vmm_fault(s, 0, r + 5 * P, VMM_READ), -EFAULT);
	CHECK(unmapped(s, r + 4 * P, 4 * P));
	CHECK_EQ(free_bytes(), free);
	/* Back, read-only: same frames, same bytes, A/D as before. */
	CHECK_EQ(vmm_region_protect(s, r, 8 * P, UR), 0);
	for (unsigned i = 0; i < 4; i++) {
		CHECK(mapped_as(s, r + i * P, P, pa[i], UR));
		CHECK_EQ(rights_at(s, r + i * P), UR | ad[i]);
		CHECK(holds_tag(pa[i], (uint8_t)(0x31 + i)));
	}
	CHECK_EQ(vmm_fault(s, 0, r, VMM_WRITE), -EFAULT);
	CHECK_EQ(vmm_fault(s, 0, r + 6 * P, VMM_READ), 0);
	/* Held again, then removed: every frame goes back. */
	CHECK_EQ(vmm_region_protect(s, r, 8 * P, VMM_USER), 0);
	CHECK_EQ(vmm_region_remove(s, r, 8 * P), 0);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(frame_block_order(pa[i]), -EINVAL);
	CHECK(free_bytes() >= free + 4 * P);
	CHECK(unmapped(s, r, 8 * P));
	vmm_space_destroy(s);
}

/* ------------------------------------------- region protect, one call --- */

/* Three regions meeting, holes among their pages: one backend call; pages
 * follow, holes stay. */
static void region_protect_over_holes(void)
{
	struct vmm_space *s = space_new();
	vaddr_t r = R_BASE + 72 * MiB;
	static const unsigned touched[] = { 1, 5, 6, 10 };
	static const unsigned rights[] = { URW, UR, URX };
	paddr_t pa[NELEM(touched)];
	if (!s)
		return;
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(vmm_region_add(s, r + i * 4 * P, 4 * P, rights[i], REGION_ANON), 0);
	for (unsigned i = 0; i < NELEM(touched); i++) {
		CHECK_EQ(vmm_fault(s, 0, r + touched[i] * P, VMM_READ), 0);
		pa[i] = pa_at(s, r + touched[i] * P);
	}
	uint64_t calls = protect_calls();
	CHECK_EQ(vmm_region_protect(s, r + P, 10 * P, UR), 0);
	CHECK_EQ(protect_calls(), calls + 1);
	for (unsigned i = 0; i < NELEM(touched); i++)
		CHECK(mapped_as(s, r + touched[i] * P, P, pa[i], UR));
	CHECK(unmapped(s, r, P));
	CHECK(unmapped(s, r + 2 * P, 3 * P));
	CHECK(unmapped(s, r + 7 * P, 3 * P));
	CHECK(unmapped(s, r + 11 * P, P));
	CHECK(vmm_region_allows(s, r, P, VMM_WRITE));
	CHECK(vmm_region_allows(s, r + P, 10 * P, VMM_READ));
	CHECK(!vmm_region_allows(s, r + P, P, VMM_WRITE));
	CHECK(!vmm_region_allows(s, r + 10 * P, P, VMM_EXEC));
	CHECK(vmm_region_allows(s, r + 11 * P, P, VMM_EXEC));
	/* Held across all three, then back: holes still holes. */
	calls = protect_calls();
	CHECK_EQ(vmm_region_protect(s, r, 12 * P, VMM_USER), 0);
	CHECK_EQ(protect_calls(), calls + 1);
	for (unsigned i = 0; i < NELEM(touched); i++)
		CHECK(mapped_as(s, r + touched[i] * P, P, pa[i], VMM_USER));
	CHECK_EQ(vmm_region_protect(s, r, 12 * P, URW), 0);
	for (unsigned i = 0; i < NELEM(touched); i++)
		CHECK(mapped_as(s, r + touched[i] * P, P, pa[i], URW));
	CHECK(unmapped(s, r + 2 * P, 3 * P));
	CHECK(unmapped(s, r + 7 * P, 3 * P));
	/* A gap between regions: -ENOMEM, nothing changed. */
	CHECK_EQ(vmm_region_remove(s, r + 8 * P, 4 * P), 0);
	CHECK_EQ(vmm_region_add(s, r + 9 * P, 3 * P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_region_protect(s, r, 12 * P, UR), -ENOMEM);
	CHECK(mapped_as(s, r + P, P, pa[0], URW));
	CHECK(vmm_region_allows(s, r, 8 * P, VMM_WRITE));
	vmm_space_destroy(s);
}

/* ------------------------------------------------------------- huge --- */

static void huge_region_faults_whole_block(void)
{
	struct vmm_space *s = space_new();
	vaddr_t h = R_BASE + GiB, b = h + 2 * MiB;
	struct vmm_mapping m;
	if (!s)
		return;
	/* Start and end 2 MiB aligned, or -EINVAL. */
	CHECK_EQ(vmm_region_add(s, h + P, 2 * MiB, URW, REGION_HUGE), -EINVAL);
	CHECK_EQ(vmm_region_add(s, h, 2 * MiB + P, URW, REGION_HUGE), -EINVAL);
	CHECK(!vmm_region_allows(s, h, P, 0));
	CHECK_EQ(vmm_region_add(s, h, 6 * MiB, URW, REGION_HUGE), 0);
	uint64_t free = free_bytes();
	CHECK_EQ(vmm_fault(s, 0, b + 5 * P + 7, VMM_WRITE), 0);
	CHECK(free_bytes() + 2 * MiB <= free);
	/* One block: 2 MiB aligned, linear, zero, translate's len to the block's end.
	 */
	CHECK_EQ(vmm_translate(s, b, &m), 0);
	paddr_t pa = m.pa;
	CHECK(IS_ALIGNED(pa, MEGAPAGE_SIZE));
	CHECK_EQ(m.len, 2 * MiB);
	CHECK_EQ(m.rights, URW | AD);
	CHECK_EQ(vmm_translate(s, b + 0x12345, &m), 0);
	CHECK_EQ(m.len, 2 * MiB - 0x12345);
	CHECK_EQ(m.pa, pa + 0x12345);
	CHECK(mapped_as(s, b, 2 * MiB, pa, URW));
	int zero = 1;
	for (uint64_t off = 0; off < 2 * MiB && zero; off += P)
		zero = page_is_zero(pa + off);
	CHECK(zero);
	CHECK(unmapped(s, h, 2 * MiB));
	CHECK(unmapped(s, h + 4 * MiB, 2 * MiB));
	/*
	 * A read fault: accessed.  Dirty too only where the backend keeps this
	 * block and the written one above as one translation with one A/D state
	 * (a cell over contiguous frames): a dirty bit may be shared, never lost.
	 */
	CHECK_EQ(vmm_fault(s, 0, h + 4 * MiB + 9, VMM_READ), 0);
	CHECK_EQ(vmm_translate(s, h + 4 * MiB, &m), 0);
	CHECK_EQ(m.rights & ~VMM_DIRTY, URW | VMM_ACCESSED);
	struct vmm_mapping below;
	int one = vmm_translate(s, h + 4 * MiB - P, &below) == 0 && below.len > P;
	if (!one)
		CHECK_EQ(m.rights, URW | VMM_ACCESSED);
	CHECK_EQ(m.len, 2 * MiB);

	/* Cut only at 2 MiB boundaries: -EINVAL otherwise, nothing changed. */
	CHECK_EQ(vmm_region_remove(s, b + P, P), -EINVAL);
	CHECK_EQ(vmm_region_remove(s, h, 2 * MiB + P), -EINVAL);
	CHECK_EQ(vmm_region_protect(s, b + P, 2 * MiB, UR), -EINVAL);
	CHECK_EQ(vmm_region_protect(s, b, MiB, VMM_USER), -EINVAL);
	CHECK_EQ(vmm_region_resize(s, h + 6 * MiB, h + 6 * MiB + P), -EINVAL);
	CHECK(mapped_as(s, b, 2 * MiB, pa, URW));
	CHECK(vmm_region_allows(s, h, 6 * MiB, VMM_READ | VMM_WRITE));
	/* At a boundary: protect, hold and back, remove. */
	stamp(pa + MiB, 0x77);
	CHECK_EQ(vmm_region_protect(s, b, 2 * MiB, UR), 0);
	CHECK(mapped_as(s, b, 2 * MiB, pa, UR));
	CHECK_EQ(vmm_region_protect(s, b, 2 * MiB, VMM_USER), 0);
	CHECK(mapped_as(s, b, 2 * MiB, pa, VMM_USER));
	CHECK_EQ(vmm_fault(s, 0, b, VMM_READ), -EFAULT);
	CHECK_EQ(vmm_region_protect(s, b, 2 * MiB, URW), 0);
	CHECK(mapped_as(s, b, 2 * MiB, pa, URW));
	CHECK(holds_tag(pa + MiB, 0x77));
	uint64_t before = free_bytes();
	CHECK_EQ(vmm_region_remove(s, b, 2 * MiB), 0);
	CHECK_EQ(free_bytes(), before + 2 * MiB);
	CHECK(unmapped(s, b, 2 * MiB));
	CHECK(!vmm_region_allows(s, b, P, 0));
	CHECK(vmm_region_allows(s, h, 2 * MiB, VMM_WRITE));
	CHECK(vmm_region_allows(s, h + 4 * MiB, 2 * MiB, VMM_WRITE));
	vmm_space_destroy(s);
	CHECK(free_bytes() >= free);
}

/* ------------------------------------------------------------ stack --- */

/* Stacks in four different 512 GiB slots of one space: guard refused, growth
 * down works. */
static void stacks_anywhere(void)
{
	struct vmm_space *s = space_new();
	const uint64_t len = 32 * P;
	const vaddr_t at[] = {
		0x0000001000000000ul,	    /* slot 0 */
		0x0000012345600000ul,	    /* slot 2 */
		0x0000400000000000ul - len, /* the top of slot 127 */
		USER_TOP - 4 * GiB - len,   /* slot 255, below the top */
	};
	if (!s)
		return;
	for (unsigned i = 0; i < NELEM(at); i++)
		CHECK_EQ(vmm_region_add(s, at[i], len, URW, REGION_STACK), 0);
	for (unsigned i = 0; i < NELEM(at); i++) {
		vaddr_t lo = at[i], top = at[i] + len;
		CHECK_EQ(vmm_fault(s, 0, top - 8, VMM_WRITE), 0);
		CHECK_EQ(rights_at(s, top - P), URW | AD);
		CHECK(page_is_zero(pa_at(s, top - P)));
		for (vaddr_t va = top - 2 * P; va >= lo + P; va -= P)
			CHECK_EQ(vmm_fault(s, 0, va + 16, VMM_WRITE), 0);
		for (vaddr_t va = lo + P; va < top; va += P)
			CHECK_EQ(rights_at(s, va) & VMM_RIGHTS_MASK, URW);
		CHECK_EQ(vmm_fault(s, 0, lo, VMM_WRITE), -EFAULT);
		CHECK_EQ(vmm_fault(s, 0, lo + P - 1, VMM_READ), -EFAULT);
		CHECK(unmapped(s, lo, P));
		CHECK(unmapped(s, lo - MiB, MiB));
	}
	vmm_space_destroy(s);
}

/* --------------------------------------------------------------- A/D --- */

/* What the fault decided (vmm/fault.c) is what translate and traverse report.
 */
static void fault_decides_accessed_dirty(void)
{
	struct vmm_space *s = space_new();
	vaddr_t r = R_BASE + 80 * MiB;
	struct vmm_mapping want[2];
	if (!s)
		return;
	CHECK_EQ(vmm_region_add(s, r, 4 * P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_fault(s, 0, r, VMM_READ), 0);
	CHECK_EQ(vmm_fault(s, 0, r + 2 * P, VMM_WRITE), 0);
	CHECK_EQ(rights_at(s, r), URW | VMM_ACCESSED);
	CHECK_EQ(rights_at(s, r + 2 * P), URW | AD);
	want[0] = (struct vmm_mapping){ r, pa_at(s, r), P, URW };
	want[1] = (struct vmm_mapping){ r + 2 * P, pa_at(s, r + 2 * P), P, URW };
	CHECK(traverse_is(s, r, 4 * P, want, 2));
	/* Protect keeps each page's A/D. */
	CHECK_EQ(vmm_region_protect(s, r, 4 * P, UR), 0);
	CHECK_EQ(rights_at(s, r), UR | VMM_ACCESSED);
	CHECK_EQ(rights_at(s, r + 2 * P), UR | AD);
	/* An executable region, faulted by a fetch. */
	CHECK_EQ(vmm_region_add(s, r + 8 * P, P, URX, REGION_ANON), 0);
	CHECK_EQ(vmm_fault(s, 0, r + 8 * P, VMM_EXEC), 0);
	CHECK_EQ(rights_at(s, r + 8 * P), URX | VMM_ACCESSED);
	vmm_space_destroy(s);
}

int vmm_suite_contract_run(void)
{
	RUN(hold_mapped_pages);
	RUN(hold_faulted_pages);
	RUN(region_protect_over_holes);
	RUN(huge_region_faults_whole_block);
	RUN(stacks_anywhere);
	RUN(fault_decides_accessed_dirty);
	return check_failures;
}
