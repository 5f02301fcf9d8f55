// SPDX-License-Identifier: GPL-2.0
/*
 * demo-reclaim: MADV_DONTNEED freeing the PTE tables it leaves empty
 * (CONFIG_PT_RECLAIM), run by "make run" inside the guest.
 *
 * It maps 256 MiB, writes every page, then gives it all back with
 * MADV_DONTNEED in 1 MiB pieces, as an allocator does, and shows VmPTE of
 * /proc/self/status and the pt_reclaim_* counters of /proc/vmstat at each
 * step. Every value it prints is measured. Anything that should hold and does
 * not is reported as FAILED and makes the program exit 1. On a kernel
 * without the counters it shows the figures and says so.
 *
 * Build: gcc -O2 -Wall -static -o demo-reclaim demo-reclaim.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "demo.h"

#define SZ_1M		(1UL << 20)
#define SZ_2M		(2UL << 20)
#define MAP_SIZE	(256 * SZ_1M)
#define PIECE		SZ_1M
#define NR_TABLES	(MAP_SIZE / SZ_2M)	/* PTE tables that map it */


/* VmPTE of /proc/self/status in kB, or -1. */
static long vm_pte_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

enum { FREED, BUSY, NONEMPTY, RECHECK, NR_COUNTERS };

static const char * const counter_names[NR_COUNTERS] = {
	"pt_reclaim_freed", "pt_reclaim_busy", "pt_reclaim_nonempty",
	"pt_reclaim_recheck",
};

/* Reads the pt_reclaim_* counters; returns how many of them exist. */
static int read_counters(unsigned long long *v)
{
	unsigned long long val;
	char name[64];
	int i, found = 0;
	FILE *f;

	memset(v, 0, NR_COUNTERS * sizeof(*v));
	f = fopen("/proc/vmstat", "re");
	if (!f)
		return 0;
	while (fscanf(f, "%63s %llu", name, &val) == 2)
		for (i = 0; i < NR_COUNTERS; i++)
			if (!strcmp(name, counter_names[i])) {
				v[i] = val;
				found++;
			}
	fclose(f);
	return found;
}

int main(void)
{
	unsigned long long before[NR_COUNTERS], after[NR_COUNTERS];
	long pte0, pte1, pte2, pte3, page_size = sysconf(_SC_PAGESIZE);
	unsigned long off;
	int have, calls = 0;
	char *raw, *p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("== 3. Empty page tables freed (CONFIG_PT_RECLAIM)\n");
	printf("Allocators give memory back with MADV_DONTNEED and keep the mapping; the PTE\n");
	printf("tables this leaves empty are now freed at once, not kept until munmap().\n");

	/* A 2 MiB-aligned VMA, so that it alone owns every table mapping it. */
	raw = mmap(NULL, MAP_SIZE + SZ_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED) {
		printf("    mmap of %lu MiB: %s\n", MAP_SIZE / SZ_1M, strerror(errno));
		return 1;
	}
	p = (char *)(((uintptr_t)raw + SZ_2M - 1) & ~(SZ_2M - 1));
	if (p > raw)
		munmap(raw, p - raw);
	munmap(p + MAP_SIZE, raw + SZ_2M - p);
	/* 4 KiB pages: that is what an allocator's small objects get. */
	madvise(p, MAP_SIZE, MADV_NOHUGEPAGE);

	pte0 = vm_pte_kb();
	for (off = 0; off < MAP_SIZE; off += page_size)
		p[off] = 1;
	pte1 = vm_pte_kb();
	printf("    %lu MiB mapped, all %lu pages written: VmPTE %ld kB -> %ld kB (+%ld kB)\n",
	       MAP_SIZE / SZ_1M, MAP_SIZE / page_size, pte0, pte1, pte1 - pte0);
	if (pte1 - pte0 < (long)(NR_TABLES * page_size / 1024))
		fail("VmPTE grew by %ld kB, expected at least %lu kB for %lu tables",
		     pte1 - pte0, NR_TABLES * page_size / 1024, NR_TABLES);

	have = read_counters(before);
	for (off = 0; off < MAP_SIZE; off += PIECE, calls++)
		if (madvise(p + off, PIECE, MADV_DONTNEED)) {
			fail("madvise(MADV_DONTNEED): %s", strerror(errno));
			break;
		}
	read_counters(after);
	pte2 = vm_pte_kb();
	printf("    MADV_DONTNEED in %d calls of 1 MiB: VmPTE %ld kB -> %ld kB (-%ld kB: %ld tables of %ld kB)\n",
	       calls, pte1, pte2, pte1 - pte2, (pte1 - pte2) / (page_size / 1024),
	       page_size / 1024);
	if (have != NR_COUNTERS) {
		printf("    no pt_reclaim_* counters in /proc/vmstat: a kernel without the series\n");
	} else {
		printf("    /proc/vmstat: pt_reclaim_freed +%llu, pt_reclaim_nonempty +%llu (each table's\n",
		       after[FREED] - before[FREED],
		       after[NONEMPTY] - before[NONEMPTY]);
		printf("    first call left it half full), pt_reclaim_busy +%llu, pt_reclaim_recheck +%llu\n",
		       after[BUSY] - before[BUSY],
		       after[RECHECK] - before[RECHECK]);
		if (pte1 - pte2 != (long)(NR_TABLES * page_size / 1024))
			fail("VmPTE dropped by %ld kB, expected %lu kB", pte1 - pte2,
			     NR_TABLES * page_size / 1024);
		if (after[FREED] - before[FREED] < NR_TABLES)
			fail("pt_reclaim_freed grew by %llu, expected %lu",
			     after[FREED] - before[FREED], NR_TABLES);
	}

	/* The memory is still there to be used again. */
	if (p[MAP_SIZE / 2] != 0)
		fail("a page reads %d after MADV_DONTNEED", p[MAP_SIZE / 2]);
	p[MAP_SIZE / 2] = 1;
	pte3 = vm_pte_kb();
	printf("    still mapped: a page there reads 0, and a write to it takes a table (VmPTE +%ld kB)\n",
	       pte3 - pte2);
	munmap(p, MAP_SIZE);

	if (failures) {
		printf("demo-reclaim: %d check(s) FAILED\n", failures);
		return 1;
	}
	return 0;
}
