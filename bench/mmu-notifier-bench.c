// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks for the cost of the MMU-notifier hooks on hot mm paths.
 *
 * Usage: mmu-notifier-bench [--hmm DEV] MODE [N]
 *
 *   --hmm DEV     open DEV (/dev/hmm_dmirror0 of lib/test_hmm.ko) first and
 *                 keep it open: test_hmm registers an interval notifier over
 *                 the whole address space of the opening process, so every
 *                 invalidation below calls into it. Fails (exit 1) if the
 *                 open fails.
 *
 *   fault [N]     N rounds (default 4): map 64 MiB private anonymous
 *                 (MADV_NOHUGEPAGE: 4 KiB pages only), write one byte per
 *                 page, munmap. Only the writes are timed; op = one fault.
 *   munmap [N]    N VMAs of 16 populated pages each (default 4096), separated
 *                 by holes so that each munmap removes one whole VMA without
 *                 a split; op = one munmap of 16 populated pages. Only the
 *                 munmap loop is timed.
 *   mprotect [N]  a populated 64-page VMA; mprotect to PROT_READ, then back
 *                 to PROT_READ|PROT_WRITE: 2 ops (default N = 20000 ops).
 *   dontneed [N]  a populated 16-page VMA; op = MADV_DONTNEED of the 16
 *                 pages plus the write of one byte per page that refaults
 *                 them (the 16 refaults are inside the op). Default 4096.
 *
 * Each mode runs one untimed warm-up round first (fault: one round; the
 * others: min(N, 1024) ops), then the timed loop, timed with
 * clock_gettime(CLOCK_MONOTONIC) around the loop only. The regions are
 * 2 MiB aligned with PROT_NONE neighbours, so they never merge with other
 * mappings and sit in one page table.
 *
 * Output is one "key value" pair per line: "hmm 0|1", "page_size", and
 * "MODE.ns_per_op", "MODE.ops" and the sizes used, prefixed by the mode.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define SZ_1M		(1024 * 1024UL)
#define TABLE_SPAN	(2 * SZ_1M)

#define FAULT_SIZE	(64 * SZ_1M)
#define MUNMAP_PAGES	16
#define MPROTECT_PAGES	64
#define DONTNEED_PAGES	16
#define WARMUP_OPS	1024

static size_t psize;

static void die(const char *what)
{
	fprintf(stderr, "mmu-notifier-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die("clock_gettime");
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void xmunmap(void *addr, size_t len)
{
	if (munmap(addr, len))
		die("munmap");
}

static void nohuge(void *addr, size_t len)
{
	/* EINVAL: no THP support, so 4 KiB pages anyway. */
	if (madvise(addr, len, MADV_NOHUGEPAGE) && errno != EINVAL)
		die("madvise(MADV_NOHUGEPAGE)");
}

static void touch_pages(char *p, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += psize)
		p[off] = 1;
}

struct region {
	char *raw;		/* the PROT_NONE reservation around it */
	size_t raw_len;
	char *p;		/* 2 MiB aligned, read-write, 4 KiB pages */
	size_t len;
};

/*
 * A private anonymous read-write mapping of @len bytes, 2 MiB aligned, with
 * at least one PROT_NONE page on each side so that it is a VMA of its own.
 */
static void map_region(struct region *r, size_t len)
{
	r->raw_len = len + 2 * TABLE_SPAN;
	r->raw = mmap(NULL, r->raw_len, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->raw == MAP_FAILED)
		die("mmap");
	r->p = (char *)(((uintptr_t)r->raw + psize + TABLE_SPAN - 1) &
			~(uintptr_t)(TABLE_SPAN - 1));
	r->len = len;
	if (mmap(r->p, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		die("mmap(MAP_FIXED)");
	nohuge(r->p, len);
}

static void unmap_region(struct region *r)
{
	xmunmap(r->raw, r->raw_len);
}

static unsigned long parse_count(const char *arg)
{
	unsigned long val;
	char *end;

	errno = 0;
	val = strtoul(arg, &end, 0);
	if (errno || *end || !val) {
		fprintf(stderr, "mmu-notifier-bench: bad count '%s'\n", arg);
		exit(2);
	}
	return val;
}

static unsigned long min_ul(unsigned long a, unsigned long b)
{
	return a < b ? a : b;
}

static void report(const char *mode, unsigned long ops, double secs)
{
	printf("%s.ops %lu\n", mode, ops);
	printf("%s.seconds %.6f\n", mode, secs);
	printf("%s.ns_per_op %.1f\n", mode, secs * 1e9 / ops);
}

/* @rounds rounds of map, touch (timed), munmap; returns the seconds timed. */
static double fault_rounds(unsigned long rounds)
{
	double t0, secs = 0;
	unsigned long i;
	char *p;

	for (i = 0; i < rounds; i++) {
		p = mmap(NULL, FAULT_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		nohuge(p, FAULT_SIZE);
		t0 = now();
		touch_pages(p, FAULT_SIZE);
		secs += now() - t0;
		xmunmap(p, FAULT_SIZE);
	}
	return secs;
}

static void bench_fault(unsigned long rounds)
{
	unsigned long pages = FAULT_SIZE / psize;
	double secs;

	fault_rounds(1);
	secs = fault_rounds(rounds);
	printf("fault.rounds %lu\n", rounds);
	printf("fault.pages_per_round %lu\n", pages);
	printf("fault.mib_per_round %lu\n", FAULT_SIZE / SZ_1M);
	report("fault", rounds * pages, secs);
}

/*
 * @n VMAs of MUNMAP_PAGES populated pages, a hole of the same size after
 * each; then the timed munmap of each. Returns the seconds timed.
 */
static double munmap_round(unsigned long n)
{
	size_t chunk = MUNMAP_PAGES * psize;
	struct region r;
	unsigned long i;
	double t0;

	map_region(&r, 2 * n * chunk);
	for (i = 0; i < n; i++) {
		xmunmap(r.p + (2 * i + 1) * chunk, chunk);
		touch_pages(r.p + 2 * i * chunk, chunk);
	}
	t0 = now();
	for (i = 0; i < n; i++)
		xmunmap(r.p + 2 * i * chunk, chunk);
	t0 = now() - t0;
	unmap_region(&r);
	return t0;
}

static void bench_munmap(unsigned long n)
{
	double secs;

	munmap_round(min_ul(n, WARMUP_OPS));
	secs = munmap_round(n);
	printf("munmap.pages_per_op %d\n", MUNMAP_PAGES);
	report("munmap", n, secs);
}

static void mprotect_pairs(char *p, size_t len, unsigned long pairs)
{
	unsigned long i;

	for (i = 0; i < pairs; i++) {
		if (mprotect(p, len, PROT_READ))
			die("mprotect(PROT_READ)");
		if (mprotect(p, len, PROT_READ | PROT_WRITE))
			die("mprotect(PROT_READ | PROT_WRITE)");
	}
}

static void bench_mprotect(unsigned long n)
{
	size_t len = MPROTECT_PAGES * psize;
	unsigned long pairs = (n + 1) / 2;
	struct region r;
	double t0, secs;

	map_region(&r, len);
	touch_pages(r.p, len);
	mprotect_pairs(r.p, len, (min_ul(n, WARMUP_OPS) + 1) / 2);
	t0 = now();
	mprotect_pairs(r.p, len, pairs);
	secs = now() - t0;
	unmap_region(&r);
	printf("mprotect.region_pages %d\n", MPROTECT_PAGES);
	report("mprotect", 2 * pairs, secs);
}

static void dontneed_ops(char *p, size_t len, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (madvise(p, len, MADV_DONTNEED))
			die("madvise(MADV_DONTNEED)");
		touch_pages(p, len);
	}
}

static void bench_dontneed(unsigned long n)
{
	size_t len = DONTNEED_PAGES * psize;
	struct region r;
	double t0, secs;

	map_region(&r, len);
	touch_pages(r.p, len);
	dontneed_ops(r.p, len, min_ul(n, WARMUP_OPS));
	t0 = now();
	dontneed_ops(r.p, len, n);
	secs = now() - t0;
	unmap_region(&r);
	printf("dontneed.pages_per_op %d\n", DONTNEED_PAGES);
	printf("dontneed.refaults_per_op %d\n", DONTNEED_PAGES);
	report("dontneed", n, secs);
}

static const struct {
	const char *name;
	void (*fn)(unsigned long n);
	unsigned long def;
} modes[] = {
	{ "fault", bench_fault, 4 },
	{ "munmap", bench_munmap, 4096 },
	{ "mprotect", bench_mprotect, 20000 },
	{ "dontneed", bench_dontneed, 4096 },
};

static int usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--hmm DEV] fault [ROUNDS] | munmap [N] | mprotect [N] | dontneed [N]\n",
		prog);
	return 2;
}

int main(int argc, char **argv)
{
	const char *prog = argv[0];
	unsigned long n;
	int hmm_fd = -1;
	size_t i;

	psize = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "--hmm")) {
		/* Kept open until exit: the notifier lives as long as the file. */
		hmm_fd = open(argv[2], O_RDWR | O_CLOEXEC);
		if (hmm_fd < 0) {
			fprintf(stderr, "mmu-notifier-bench: open %s: %s\n",
				argv[2], strerror(errno));
			return 1;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc < 2 || argc > 3)
		return usage(prog);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		if (strcmp(argv[1], modes[i].name))
			continue;
		n = argc == 3 ? parse_count(argv[2]) : modes[i].def;
		printf("hmm %d\n", hmm_fd >= 0);
		printf("page_size %zu\n", psize);
		modes[i].fn(n);
		if (hmm_fd >= 0 && close(hmm_fd))
			die("close");
		return 0;
	}
	return usage(prog);
}
