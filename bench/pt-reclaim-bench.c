// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks for empty page-table reclaim (CONFIG_PT_RECLAIM).
 *
 * Usage: pt-reclaim-bench MODE [ARG]
 *
 *   reference [STEPS]  50 GiB MAP_NORESERVE region: touch one byte per 2 MiB,
 *                      then per 2 MiB step touch all pages and MADV_DONTNEED
 *                      the step (STEPS defaults to 25600, i.e. 50 GiB).
 *   allocator          1 GiB populated, freed by shuffled 4..64 KiB DONTNEEDs.
 *   dontneed [N]       N DONTNEED + re-touch of one page per 2 MiB table of a
 *                      populated 256 MiB region: nothing becomes reclaimable.
 *   fault [R]          map 256 MiB, write every page, munmap; R rounds.
 *
 * Output is one "key value" pair per line. The pt_reclaim_* lines show the
 * system-wide /proc/vmstat deltas and are only printed where those exist.
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
#define SZ_1G		(1024 * SZ_1M)
#define TABLE_SPAN	(2 * SZ_1M)

#define REFERENCE_SIZE	(50 * SZ_1G)
#define ALLOCATOR_SIZE	SZ_1G
#define DONTNEED_SIZE	(256 * SZ_1M)
#define FAULT_SIZE	(256 * SZ_1M)

static size_t psize;

static const char * const counters[] = {
	"pt_reclaim_freed", "pt_reclaim_busy", "pt_reclaim_nonempty",
};

#define NR_COUNTERS	ARRAY_SIZE(counters)

static void die(const char *what)
{
	fprintf(stderr, "pt-reclaim-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t ret;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while (len < size - 1) {
		ret = read(fd, buf + len, size - 1 - len);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			break;
		len += ret;
	}
	close(fd);
	buf[len] = '\0';
	return len ? 0 : -1;
}

/* Value of "@key<sep>value" at the start of a line of @buf, or -1. */
static long find_value(const char *buf, const char *key)
{
	size_t klen = strlen(key);
	const char *line = buf;

	while (line && *line) {
		if (!strncmp(line, key, klen) && (line[klen] == ' ' || line[klen] == ':'))
			return strtol(line + klen + 1, NULL, 10);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

static long status_kb(const char *key)
{
	char buf[8192];

	if (read_file("/proc/self/status", buf, sizeof(buf)))
		return -1;
	return find_value(buf, key);
}

static void read_counters(long *vals)
{
	static char buf[65536];
	size_t i;

	for (i = 0; i < NR_COUNTERS; i++)
		vals[i] = -1;
	if (read_file("/proc/vmstat", buf, sizeof(buf)))
		return;
	for (i = 0; i < NR_COUNTERS; i++)
		vals[i] = find_value(buf, counters[i]);
}

static void print_counter_deltas(const long *before)
{
	long after[NR_COUNTERS];
	size_t i;

	read_counters(after);
	for (i = 0; i < NR_COUNTERS; i++)
		if (before[i] >= 0 && after[i] >= 0)
			printf("%s %ld\n", counters[i], after[i] - before[i]);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Anonymous private mapping of @size bytes, aligned to a page table's span. */
static char *map_region(size_t size, int flags, int nohuge)
{
	char *raw, *p;

	raw = mmap(NULL, size + TABLE_SPAN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	if (raw == MAP_FAILED)
		die("mmap");
	p = (char *)(((uintptr_t)raw + TABLE_SPAN - 1) & ~(uintptr_t)(TABLE_SPAN - 1));
	if (p != raw)
		munmap(raw, p - raw);
	munmap(p + size, raw + TABLE_SPAN - p);
	/* EINVAL: no THP support, so PTE tables anyway. */
	if (nohuge && madvise(p, size, MADV_NOHUGEPAGE) && errno != EINVAL)
		die("madvise(MADV_NOHUGEPAGE)");
	return p;
}

static void dontneed(void *addr, size_t len)
{
	if (madvise(addr, len, MADV_DONTNEED))
		die("madvise(MADV_DONTNEED)");
}

static void touch_pages(char *p, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += psize)
		p[off] = 1;
}

static unsigned long parse_arg(int argc, char **argv, unsigned long def)
{
	unsigned long val;
	char *end;

	if (argc < 3)
		return def;
	errno = 0;
	val = strtoul(argv[2], &end, 0);
	if (errno || *end || !val) {
		fprintf(stderr, "pt-reclaim-bench: bad count '%s'\n", argv[2]);
		exit(2);
	}
	return val;
}

/*
 * One table per 2 MiB step is populated first; then each step is filled and
 * emptied again. With reclaim, each step's table is freed by its DONTNEED.
 */
static int bench_reference(int argc, char **argv)
{
	unsigned long steps = parse_arg(argc, argv, REFERENCE_SIZE / TABLE_SPAN);
	size_t size = steps * TABLE_SPAN;
	long vals[NR_COUNTERS];
	unsigned long i;
	double t0;
	char *p;

	read_counters(vals);
	p = map_region(size, MAP_NORESERVE, 1);
	t0 = now();
	for (i = 0; i < steps; i++)
		p[i * TABLE_SPAN] = 1;
	printf("steps %lu\n", steps);
	printf("vmpte_before_kb %ld\n", status_kb("VmPTE"));
	for (i = 0; i < steps; i++) {
		touch_pages(p + i * TABLE_SPAN, TABLE_SPAN);
		dontneed(p + i * TABLE_SPAN, TABLE_SPAN);
	}
	printf("vmpte_after_kb %ld\n", status_kb("VmPTE"));
	printf("rss_max_kb %ld\n", status_kb("VmHWM"));
	printf("seconds %.6f\n", now() - t0);
	print_counter_deltas(vals);
	munmap(p, size);
	return 0;
}

static uint64_t lcg_state = 1;

/* Knuth's MMIX LCG; the high bits are the good ones. */
static unsigned long lcg(unsigned long bound)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (lcg_state >> 33) % bound;
}

/*
 * Free a populated 1 GiB heap the way an allocator returning small chunks
 * would: tables only become empty after many unrelated DONTNEEDs.
 */
static int bench_allocator(int argc, char **argv)
{
	unsigned long npages = ALLOCATOR_SIZE / psize;
	unsigned long nchunks = 0, pg, i, j;
	long vals[NR_COUNTERS];
	struct chunk {
		unsigned int first;
		unsigned int len;
	} *chunks, tmp;
	double t0;
	char *p;

	/* Chunk sizes of 1..16 pages: at most one chunk per page. */
	chunks = calloc(npages, sizeof(*chunks));
	if (!chunks)
		die("calloc");
	for (pg = 0; pg < npages; pg += chunks[nchunks].len, nchunks++) {
		chunks[nchunks].first = pg;
		chunks[nchunks].len = 1 + lcg(16);
		if (chunks[nchunks].len > npages - pg)
			chunks[nchunks].len = npages - pg;
	}
	for (i = nchunks - 1; i > 0; i--) {
		j = lcg(i + 1);
		tmp = chunks[i];
		chunks[i] = chunks[j];
		chunks[j] = tmp;
	}

	read_counters(vals);
	/* The process's own page tables, before the 1 GiB is mapped */
	printf("vmpte_baseline_kb %ld\n", status_kb("VmPTE"));
	p = map_region(ALLOCATOR_SIZE, 0, 1);
	touch_pages(p, ALLOCATOR_SIZE);
	printf("chunks %lu\n", nchunks);
	printf("vmpte_before_kb %ld\n", status_kb("VmPTE"));
	t0 = now();
	for (i = 0; i < nchunks; i++)
		dontneed(p + chunks[i].first * psize, chunks[i].len * psize);
	printf("seconds %.6f\n", now() - t0);
	printf("vmpte_after_kb %ld\n", status_kb("VmPTE"));
	print_counter_deltas(vals);
	munmap(p, ALLOCATOR_SIZE);
	free(chunks);
	return 0;
}

/*
 * DONTNEED cost where nothing can be reclaimed: every table keeps 511 of its
 * 512 pages, so the reclaim attempt (if any) always finds it non-empty.
 */
static int bench_dontneed(int argc, char **argv)
{
	unsigned long ops = parse_arg(argc, argv, 200000);
	unsigned long tpp = TABLE_SPAN / psize;
	unsigned long ntables = DONTNEED_SIZE / TABLE_SPAN;
	long vals[NR_COUNTERS];
	unsigned long i;
	double t0, secs;
	char *p, *page;

	p = map_region(DONTNEED_SIZE, 0, 1);
	touch_pages(p, DONTNEED_SIZE);
	read_counters(vals);
	t0 = now();
	for (i = 0; i < ops; i++) {
		page = p + (i % ntables) * TABLE_SPAN + (i / ntables % tpp) * psize;
		dontneed(page, psize);
		*page = 1;
	}
	secs = now() - t0;
	printf("ops %lu\n", ops);
	printf("seconds %.6f\n", secs);
	printf("ns_per_op %.1f\n", secs * 1e9 / ops);
	printf("vmpte_kb %ld\n", status_kb("VmPTE"));
	print_counter_deltas(vals);
	munmap(p, DONTNEED_SIZE);
	return 0;
}

/* Page-fault throughput, including the mmap/munmap of each round. */
static int bench_fault(int argc, char **argv)
{
	unsigned long rounds = parse_arg(argc, argv, 10);
	unsigned long i;
	double t0, secs;
	char *p;

	t0 = now();
	for (i = 0; i < rounds; i++) {
		p = mmap(NULL, FAULT_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		if (madvise(p, FAULT_SIZE, MADV_NOHUGEPAGE) && errno != EINVAL)
			die("madvise(MADV_NOHUGEPAGE)");
		touch_pages(p, FAULT_SIZE);
		munmap(p, FAULT_SIZE);
	}
	secs = now() - t0;
	printf("faults %lu\n", rounds * (FAULT_SIZE / psize));
	printf("seconds %.6f\n", secs);
	printf("ns_per_fault %.1f\n", secs * 1e9 / (rounds * (FAULT_SIZE / psize)));
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} modes[] = {
	{ "reference", bench_reference },
	{ "allocator", bench_allocator },
	{ "dontneed", bench_dontneed },
	{ "fault", bench_fault },
};

int main(int argc, char **argv)
{
	size_t i;

	psize = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; argc >= 2 && i < ARRAY_SIZE(modes); i++)
		if (!strcmp(argv[1], modes[i].name))
			return modes[i].fn(argc, argv);
	fprintf(stderr,
		"usage: %s reference [STEPS] | allocator | dontneed [N] | fault [ROUNDS]\n",
		argv[0]);
	return 2;
}
