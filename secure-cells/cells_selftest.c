/*
 * The cells backend's own self-test (ktest=map-scattered): the cost of a
 * 4 KiB map that extends no cell, the scattered case the vmm microbenchmark
 * (which maps contiguous pages) does not measure, in a user table that
 * already holds LIVE scattered cells.  Prints the medians and checks that
 * every page mapped translates, then unmaps everything.
 *
 * ktest=fault-down, ktest=fault-up: 101 MiB of anonymous memory faulted in
 * from the top down (a heap touched backwards) or from the bottom up, one
 * 4 KiB fault a page (the backend's part of each fault: frame, zeroing,
 * table), the total and the mean; then every page checked and unmapped.
 *
 * ktest=views3: the application's table gets three compartments' divisions
 * before it is loaded (below).
 */
#include "arch.h"
#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/median.h"
#include "secure-cells/cells_space.h"
#include "vmm/backend.h"

#define SCATTER_VA 0x0000300000000000ul /* as vmm/selftest.c: far from what programs map */
#define SCATTER_PA 0x80000000ul	    /* only mapped, never touched */
#define LIVE 1024
#define RUNS 256
#define SLOTS (4 * (LIVE + RUNS)) /* pages of the range; every other one mapped at most */
#define URW (VMM_USER | VMM_READ | VMM_WRITE)

static uint64_t lcg = 1;

/* A page of the range not taken yet, in random order (odd pages only: no two adjacent). */
static uint64_t next_page(uint8_t *taken)
{
	for (;;) {
		lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t page = ((lcg >> 33) % (SLOTS / 2)) * 2 + 1;
		if (!taken[page]) {
			taken[page] = 1;
			return page;
		}
	}
}


/* Map page P at its address, its frame 3 pages apart from any other (no merge). */
static int map_page(struct backend_space *s, uint64_t p)
{
	return backend_map(s, SCATTER_VA + p * PAGE_SIZE, SCATTER_PA + 3 * p * PAGE_SIZE, PAGE_SIZE, URW);
}

static int map_scattered(struct backend_space *s)
{
	static uint8_t taken[SLOTS];
	static uint64_t t_map[RUNS], t_unmap[RUNS], pages[RUNS];
	int err = 0;
	for (unsigned i = 0; i < LIVE && !err; i++)
		err = map_page(s, next_page(taken));
	for (unsigned i = 0; i < RUNS && !err; i++) {
		pages[i] = next_page(taken);
		uint64_t t0 = read_instret();
		err = map_page(s, pages[i]);
		t_map[i] = read_instret() - t0;
	}
	for (unsigned i = 0; i < RUNS && !err; i++) {
		struct vmm_mapping m;
		vaddr_t va = SCATTER_VA + pages[i] * PAGE_SIZE;
		if (backend_translate(s, va, &m) != 0 || m.pa != SCATTER_PA + 3 * pages[i] * PAGE_SIZE)
			err = -EFAULT;
	}
	for (unsigned i = 0; i < RUNS && !err; i++) {
		uint64_t t0 = read_instret();
		err = backend_unmap(s, SCATTER_VA + pages[i] * PAGE_SIZE, PAGE_SIZE);
		t_unmap[i] = read_instret() - t0;
	}
	backend_unmap(s, SCATTER_VA, SLOTS * PAGE_SIZE);
	if (!err)
		kprintf("ktest map-scattered: %u live cells: map4k_scattered_instret=%lu "
			"unmap4k_scattered_instret=%lu\n",
			LIVE, median_u64(t_map, RUNS), median_u64(t_unmap, RUNS));
	return err;
}

#define DOWN_VA 0x0000310000000000ul
#define DOWN_PAGES (101ul * 256)

static int fault_in_order(struct backend_space *s, int down)
{
	uint64_t t0 = read_instret();
	int err = 0;
	for (uint64_t n = 0; n < DOWN_PAGES && !err; n++) {
		uint64_t i = down ? DOWN_PAGES - 1 - n : n;
		struct backend_fault f = { .va = DOWN_VA + i * PAGE_SIZE, .access = VMM_WRITE,
					   .kind = REGION_ANON,
					   .rights = view_rights_all(URW | VMM_ACCESSED | VMM_DIRTY),
					   .region_start = DOWN_VA,
					   .region_end = DOWN_VA + DOWN_PAGES * PAGE_SIZE };
		err = backend_fault(s, &f);
	}
	uint64_t total = read_instret() - t0;
	for (uint64_t i = 0; i < DOWN_PAGES && !err; i++) {
		struct vmm_mapping m;
		if (backend_translate(s, DOWN_VA + i * PAGE_SIZE, &m) != 0)
			err = -EFAULT;
	}
	backend_unmap(s, DOWN_VA, DOWN_PAGES * PAGE_SIZE);
	if (!err)
		kprintf("ktest fault-%s: %lu pages %s: %lu instructions, %lu a fault\n",
			down ? "down" : "up", DOWN_PAGES, down ? "top down" : "bottom up", total,
			total / DOWN_PAGES);
	return err;
}

static int named(const char *name, const char *want)
{
	unsigned i = 0;
	while (want[i] && want[i] == name[i])
		i++;
	return want[i] == name[i];
}

/*
 * views3: the space's table gets three views' divisions (five rows) before
 * the application is loaded, which then runs as view 0 (division 1) with
 * the other compartments' rows and the witness around it: the trap path
 * with the widest rows the guest tests reach until compartments are loaded
 * from the ELF image (the vmm layer still counts one view: only view 0
 * faults; the caller's memory goes to every view as backend_map says).
 */
static int views3(struct backend_space *s)
{
	int err = backend_views_init(s, 3);
	if (!err)
		kprintf("ktest views3: user table M=%u, kernel table M=%u\n", s->table.M,
			cells_kernel_table()->M);
	return err;
}

int backend_selftest(struct backend_space *s, const char *name)
{
	if (named(name, "views3"))
		return views3(s);
	if (named(name, "map-scattered"))
		return map_scattered(s);
	if (named(name, "fault-down"))
		return fault_in_order(s, 1);
	if (named(name, "fault-up"))
		return fault_in_order(s, 0);
	return -ENOENT;
}
