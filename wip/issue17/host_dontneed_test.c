// SPDX-License-Identifier: GPL-2.0-only
/*
 * A guest reads and writes a 4 MiB memslot of anonymous memory while the host
 * drops halves of it with MADV_DONTNEED, which frees the PTE tables it leaves
 * empty (page-table reclaim, CONFIG_PT_RECLAIM).
 *
 * For several rounds the guest fills the whole slot with a pattern of the
 * round, the host DONTNEEDs one 2 MiB half, mapped by 4 KiB PTEs, and the
 * guest reads the slot back: the dropped half must read all zeroes, the other
 * half the round's pattern, and the host must have freed the PTE table of the
 * dropped half (/proc/vmstat pt_reclaim_freed and VmPTE). Then the host
 * collapses the slot into two THPs with MADV_COLLAPSE: the guest must read
 * its data intact, and its refault must map both halves with 2 MiB pages
 * (the VM's pages_2m).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"
#include "ucall_common.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define HALF_SIZE	(2UL << 20)
#define NR_HALVES	2
#define SLOT_SIZE	(NR_HALVES * HALF_SIZE)
#define PAGES_PER_HALF	(HALF_SIZE >> PAGE_SHIFT)
#define AREA_SIZE	(SLOT_SIZE + 2 * HALF_SIZE)	/* the slot and 2 gaps */
#define SLOT_ID		10
#define SLOT_GPA	(4ULL << 30)
#define SLOT_GVA	SLOT_GPA
#define NR_ROUNDS	8

/* The word at slot offset @off holds the pattern of @fill: never zero. */
#define PATTERN(fill, off)	((fill) | (off))
#define ROUND_FILL(round)	(0x5a00000000000000ULL | ((uint64_t)(round) + 1) << 48)
#define FINAL_FILL		0xc3c3000000000000ULL

#define THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"

enum guest_cmd {
	CMD_FILL = 1,	/* write PATTERN(guest_fill) to every word of the slot */
	CMD_CHECK,	/* classify every page of the slot into guest_view[] */
};

/* What the guest's last CMD_CHECK found in one half of the slot. */
struct half_view {
	uint64_t zero_pages;		/* pages that read all zeroes */
	uint64_t fill_pages;		/* pages that read PATTERN(guest_fill) */
	uint64_t other_pages;		/* pages that read anything else */
	uint64_t first_other_off;	/* where the first "other" page stopped */
	uint64_t first_other_val;
};

/* Set by the host before each pass of the guest. */
static uint64_t guest_cmd;
static uint64_t guest_fill;
/* Written by the guest's CMD_CHECK, read by the host. */
static struct half_view guest_view[NR_HALVES];

static void guest_fill_slot(uint64_t fill)
{
	uint64_t off;

	for (off = 0; off < SLOT_SIZE; off += 8)
		WRITE_ONCE(*(uint64_t *)(SLOT_GVA + off), PATTERN(fill, off));
}

static void guest_check_page(uint64_t page_off, uint64_t fill, struct half_view *v)
{
	bool zero = true, match = true;
	uint64_t off, val;

	for (off = page_off; off < page_off + PAGE_SIZE; off += 8) {
		val = READ_ONCE(*(uint64_t *)(SLOT_GVA + off));
		zero = zero && !val;
		match = match && val == PATTERN(fill, off);
		if (!zero && !match)
			break;
	}

	if (zero) {
		v->zero_pages++;
	} else if (match) {
		v->fill_pages++;
	} else {
		if (!v->other_pages) {
			v->first_other_off = off;
			v->first_other_val = val;
		}
		v->other_pages++;
	}
}

static void guest_check_slot(uint64_t fill)
{
	uint64_t off;
	int i;

	for (i = 0; i < NR_HALVES; i++)
		guest_view[i] = (struct half_view){};
	for (off = 0; off < SLOT_SIZE; off += PAGE_SIZE)
		guest_check_page(off, fill, &guest_view[off / HALF_SIZE]);
}

static void guest_code(void)
{
	uint64_t pass;

	for (pass = 1;; pass++) {
		uint64_t fill = READ_ONCE(guest_fill);

		if (READ_ONCE(guest_cmd) == CMD_FILL)
			guest_fill_slot(fill);
		else
			guest_check_slot(fill);
		GUEST_SYNC(pass);
	}
}

struct guest_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	uint64_t pass;		/* the guest's passes so far */
};

FIXTURE(host_dontneed) {
	char *area;		/* AREA_SIZE bytes, the slot inside */
	uint64_t *hva;		/* the slot: SLOT_SIZE bytes, 2 MiB aligned */
	struct guest_vm g;
};

FIXTURE_SETUP(host_dontneed)
{
	/*
	 * The slot, 2 MiB aligned, between two PROT_NONE gaps that keep it a
	 * VMA of its own: the PTE tables of both halves lie inside it, which
	 * reclaim requires, and smaps shows the slot's AnonHugePages alone.
	 */
	self->area = mmap(NULL, AREA_SIZE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(self->area != MAP_FAILED, "mmap() of %lu bytes: %s",
		    AREA_SIZE, strerror(errno));
	self->hva = (uint64_t *)align_up((uintptr_t)self->area + PAGE_SIZE, HALF_SIZE);
	TEST_ASSERT(!mprotect(self->hva, SLOT_SIZE, PROT_READ | PROT_WRITE),
		    "mprotect() of the slot: %s", strerror(errno));

	/*
	 * No THP while the halves are dropped: the DONTNEED of a PMD-mapped
	 * THP frees no PTE table, and page-table reclaim is what is tested.
	 */
	TEST_ASSERT(!madvise(self->hva, SLOT_SIZE, MADV_NOHUGEPAGE),
		    "MADV_NOHUGEPAGE: %s", strerror(errno));

	self->g.vm = vm_create_with_one_vcpu(&self->g.vcpu, guest_code);
	vm_set_user_memory_region(self->g.vm, SLOT_ID, 0, SLOT_GPA, SLOT_SIZE,
				  self->hva);
	/*
	 * 2 MiB pages in the guest too: the shadow MMU (npt=0, ept=0) maps
	 * no more than the guest does.
	 */
	virt_map_level(self->g.vm, SLOT_GVA, SLOT_GPA, SLOT_SIZE, PG_LEVEL_2M);
	self->g.pass = 0;
}

FIXTURE_TEARDOWN(host_dontneed)
{
	kvm_vm_free(self->g.vm);
	munmap(self->area, AREA_SIZE);
}

/* One pass of the guest: CMD_FILL or CMD_CHECK of @fill. */
static void guest_pass(struct guest_vm *g, enum guest_cmd cmd, uint64_t fill)
{
	struct ucall uc;

	guest_cmd = cmd;
	guest_fill = fill;
	sync_global_to_guest(g->vm, guest_cmd);
	sync_global_to_guest(g->vm, guest_fill);

	vcpu_run(g->vcpu);
	switch (get_ucall(g->vcpu, &uc)) {
	case UCALL_SYNC:
		g->pass++;
		TEST_ASSERT(uc.args[1] == g->pass,
			    "guest at pass %lu, expected %lu", uc.args[1], g->pass);
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		TEST_FAIL("unexpected exit: %s",
			  exit_reason_str(g->vcpu->run->exit_reason));
	}

	if (cmd == CMD_CHECK)
		sync_global_from_guest(g->vm, guest_view);
}

/*
 * After a CMD_CHECK of @fill: half @h must have read all zeroes if @zero,
 * else all PATTERN(@fill).
 */
static void assert_guest_view(int h, bool zero, uint64_t fill, const char *when)
{
	struct half_view *v = &guest_view[h];
	uint64_t expected_pages = zero ? v->zero_pages : v->fill_pages;

	TEST_ASSERT(expected_pages == PAGES_PER_HALF,
		    "%s: the guest read %lu zero pages, %lu pages of %#lx and %lu other pages in half %d (expected %lu %s); first other page: %#lx at slot offset %#lx",
		    when, v->zero_pages, v->fill_pages, (unsigned long)fill,
		    v->other_pages, h, PAGES_PER_HALF,
		    zero ? "zero pages" : "pages of the fill",
		    v->first_other_val, v->first_other_off);
}

/*
 * The host reads PATTERN(@fill) in the first and last word of each page of
 * half @h.
 */
static void assert_host_half(uint64_t *hva, int h, uint64_t fill, const char *when)
{
	uint64_t page, off, val;
	int i;

	for (page = h * HALF_SIZE; page < (h + 1) * HALF_SIZE; page += PAGE_SIZE) {
		for (i = 0; i < 2; i++) {
			off = page + i * (PAGE_SIZE - 8);
			val = hva[off / 8];
			TEST_ASSERT(val == PATTERN(fill, off),
				    "%s: the host read %#lx at slot offset %#lx, expected %#lx",
				    when, val, off, (unsigned long)PATTERN(fill, off));
		}
	}
}

/* A /proc/vmstat counter, or -1 if this kernel has none of that name. */
static long vmstat_counter(const char *name)
{
	size_t len = strlen(name);
	char line[128];
	long val = -1;
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	TEST_ASSERT(f, "/proc/vmstat: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ' ')
			val = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return val;
}

/* The "VmPTE:" of /proc/self/status, in kB. */
static long vm_pte_kb(void)
{
	char line[128];
	long val = -1;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	TEST_ASSERT(f, "/proc/self/status: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmPTE:", 6))
			val = strtol(line + 6, NULL, 10);
	fclose(f);
	TEST_ASSERT(val >= 0, "no VmPTE in /proc/self/status");
	return val;
}

/* The AnonHugePages of the slot, in kB: the slot must be a VMA of its own. */
static long anon_huge_kb(void *slot)
{
	unsigned long start, end;
	bool in_vma = false;
	char line[256];
	long val = -1;
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	TEST_ASSERT(f, "/proc/self/smaps: %s", strerror(errno));
	while (val < 0 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in_vma = start == (unsigned long)slot;
			TEST_ASSERT(!in_vma || end == start + SLOT_SIZE,
				    "the VMA of the slot is %#lx-%#lx, expected %lu bytes",
				    start, end, SLOT_SIZE);
		} else if (in_vma && !strncmp(line, "AnonHugePages:", 14)) {
			val = strtol(line + 14, NULL, 10);
		}
	}
	fclose(f);
	TEST_ASSERT(val >= 0, "no VMA starting at the slot (%p) in /proc/self/smaps", slot);
	return val;
}

/* Reads THP_ENABLED into @buf; false if the kernel has no THP. */
static bool thp_mode(char *buf, size_t size)
{
	FILE *f = fopen(THP_ENABLED, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, size, f);
	fclose(f);
	buf[ok ? strcspn(buf, "\n") : 0] = '\0';
	return ok;
}

/* Under QEMU TCG a nested guest is slow: the default 30 s may be too short. */
TEST_F_TIMEOUT(host_dontneed, halves, 300)
{
	long freed, freed_now, pte_kb, pte_kb_now, pages_2m, huge_kb;
	bool has_counter = vmstat_counter("pt_reclaim_freed") >= 0;
	char when[64], mode[128];
	int round, h, i, tries;

	if (!has_counter)
		ksft_print_msg("no pt_reclaim_freed in /proc/vmstat: its checks skipped\n");

	for (round = 0; round < NR_ROUNDS; round++) {
		uint64_t fill = ROUND_FILL(round);

		h = round % NR_HALVES;
		snprintf(when, sizeof(when), "round %d, DONTNEED of half %d", round, h);

		guest_pass(&self->g, CMD_FILL, fill);
		/* The zeroes the guest reads next come from the DONTNEED alone. */
		assert_host_half(self->hva, h, fill, when);
		huge_kb = anon_huge_kb(self->hva);
		TEST_ASSERT(huge_kb == 0,
			    "%s: %ld kB of the slot mapped by THPs, expected 4 KiB PTEs only",
			    when, huge_kb);

		freed = has_counter ? vmstat_counter("pt_reclaim_freed") : 0;
		pte_kb = vm_pte_kb();
		TEST_ASSERT(!madvise((char *)self->hva + h * HALF_SIZE, HALF_SIZE,
				     MADV_DONTNEED),
			    "%s: MADV_DONTNEED: %s", when, strerror(errno));
		freed_now = has_counter ? vmstat_counter("pt_reclaim_freed") : 0;
		pte_kb_now = vm_pte_kb();

		guest_pass(&self->g, CMD_CHECK, fill);
		for (i = 0; i < NR_HALVES; i++)
			assert_guest_view(i, i == h, fill, when);
		assert_host_half(self->hva, !h, fill, when);

		if (has_counter) {
			TEST_ASSERT(freed_now > freed,
				    "%s: pt_reclaim_freed %ld before, %ld after: the emptied PTE table was not freed",
				    when, freed, freed_now);
			TEST_ASSERT(pte_kb_now <= pte_kb - (long)(PAGE_SIZE / 1024),
				    "%s: VmPTE %ld kB before, %ld kB after: expected at least one PTE table less",
				    when, pte_kb, pte_kb_now);
		}
		ksft_print_msg("%s: %lu zero pages; pt_reclaim_freed +%ld, VmPTE %ld -> %ld kB\n",
			       when, guest_view[h].zero_pages, freed_now - freed,
			       pte_kb, pte_kb_now);
	}

	if (!thp_mode(mode, sizeof(mode))) {
		ksft_print_msg("no %s (THP compiled out): the MADV_COLLAPSE part skipped\n",
			       THP_ENABLED);
		return;
	}
	ksft_print_msg("THP enabled: %s\n", mode);

	snprintf(when, sizeof(when), "after MADV_COLLAPSE");
	guest_pass(&self->g, CMD_FILL, FINAL_FILL);
	for (h = 0; h < NR_HALVES; h++)
		assert_host_half(self->hva, h, FINAL_FILL, "before MADV_COLLAPSE");

	TEST_ASSERT(!madvise(self->hva, SLOT_SIZE, MADV_HUGEPAGE),
		    "MADV_HUGEPAGE: %s", strerror(errno));
	pages_2m = vm_get_stat(self->g.vm, "pages_2m");
	/*
	 * EAGAIN is transient: a page locked or off the LRU, as when
	 * khugepaged, which MADV_HUGEPAGE woke, collapses the same range.
	 */
	for (tries = 1; madvise(self->hva, SLOT_SIZE, MADV_COLLAPSE); tries++)
		TEST_ASSERT(errno == EAGAIN && tries < 5,
			    "MADV_COLLAPSE of the slot: %s (try %d)", strerror(errno), tries);
	huge_kb = anon_huge_kb(self->hva);
	TEST_ASSERT(huge_kb == SLOT_SIZE / 1024,
		    "%s: %ld kB of the slot mapped by THPs, expected %lu",
		    when, huge_kb, SLOT_SIZE / 1024);

	/* The guest refaults the whole slot, now mapped by 2 PMDs on the host. */
	guest_pass(&self->g, CMD_CHECK, FINAL_FILL);
	for (h = 0; h < NR_HALVES; h++)
		assert_guest_view(h, false, FINAL_FILL, when);
	for (h = 0; h < NR_HALVES; h++)
		assert_host_half(self->hva, h, FINAL_FILL, when);

	pages_2m = vm_get_stat(self->g.vm, "pages_2m") - pages_2m;
	TEST_ASSERT(pages_2m >= NR_HALVES,
		    "%s: pages_2m grew by %ld on the guest's refault, expected >= %d",
		    when, pages_2m, NR_HALVES);
	ksft_print_msg("%s (%d tries): %ld kB of THP, data intact, pages_2m +%ld\n",
		       when, tries, huge_kb, pages_2m);
}

TEST_HARNESS_MAIN
