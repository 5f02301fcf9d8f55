// SPDX-License-Identifier: GPL-2.0
/*
 * The reclaiming path of empty page-table reclaim (CONFIG_PT_RECLAIM): the
 * cost of an MADV_DONTNEED call that leaves its PTE tables empty, which the
 * patched kernel then frees and the base kernel keeps.
 *
 * Usage: reclaim-bench [-t THREADS] [-r REPS] [-n TABLES] [-l LAYOUT] SIZE
 *
 *   SIZE      the length of each MADV_DONTNEED call: 4k, 64k, 2m or 1g.
 *   THREADS   threads of the one process (default 1). Each has its own
 *             region of one shared mapping (one VMA, so one mm and one
 *             mmap_lock), which it populates and DONTNEEDs, REPS times,
 *             free-running after a common start.
 *   REPS      rounds (default 4). A round populates the thread's region
 *             (untimed as far as the calls go, but timed as "populate"),
 *             then DONTNEEDs it call by call, each call timed on its own.
 *   TABLES    PTE tables per region (default: 1 for 1g, 64 otherwise).
 *             4k and 64k calls: one call per table, at the table's start,
 *             and only the pages of the call are populated, so that the
 *             call leaves the table empty. 2m: one call per table, the
 *             whole table populated. 1g: one call over 512 tables.
 *   LAYOUT    freed (default): as above, every call empties its table(s).
 *             keep-near, keep-far (4k and 64k only): one more page stays
 *             populated in each table, right after the call's range
 *             (near; the emptiness scan stops at once) or in the table's
 *             last entry (far; the scan reads every other entry first).
 *             Nothing is freed: the breakdown of the freed layout's cost.
 *
 * Regions are aligned to 2 MiB (a table's span) and MADV_NOHUGEPAGE, so
 * every table lies inside the VMA and is a PTE table.
 *
 * Time is clock_gettime() around each call, less the median cost of an
 * empty pair of reads ("timer_ns", measured first): CLOCK_MONOTONIC (the
 * TSC through the vDSO) with one thread, CLOCK_THREAD_CPUTIME_ID with more,
 * so that a call does not count the time its thread spent preempted by
 * another. Under QEMU's -icount shift=0 one ns is one guest instruction
 * (of any vCPU: with two busy vCPUs, a call's time includes what the other
 * one executed meanwhile). Output: one line per run,
 *
 *   reclaim size=4k threads=1 layout=freed calls=N timer_ns=T
 *     dn_med=.. dn_mean=.. dn_min=.. dn_max=.. dn_p90=..   (ns per call)
 *     pop_per_call=..    (ns populating the region, per call)
 *     cycle_per_call=..  (ns of a whole round, populate + calls, per call)
 *     tlb_local_one=.. tlb_local_all=.. tlb_remote=.. tlb_remote_recv=..
 *     pt_freed=.. pt_busy=.. pt_nonempty=..  (/proc/vmstat deltas per call)
 *
 * The counters are per call and system-wide: with one thread, read around
 * the calls of each round only; with more, around all rounds of all
 * threads (populating does not flush). A counter the kernel lacks (nr_tlb_*
 * need CONFIG_DEBUG_TLBFLUSH, pt_reclaim_* the patched kernel) is left out.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define SZ_4K		4096UL
#define SZ_1M		(1024 * 1024UL)
#define SZ_1G		(1024 * SZ_1M)
#define TABLE_SPAN	(2 * SZ_1M)
#define MAX_THREADS	16

enum layout { FREED, KEEP_NEAR, KEEP_FAR };

static const char * const counters[] = {
	"nr_tlb_local_flush_one", "nr_tlb_local_flush_all",
	"nr_tlb_remote_flush", "nr_tlb_remote_flush_received",
	"pt_reclaim_freed", "pt_reclaim_busy", "pt_reclaim_nonempty",
};
static const char * const counter_keys[] = {
	"tlb_local_one", "tlb_local_all", "tlb_remote", "tlb_remote_recv",
	"pt_freed", "pt_busy", "pt_nonempty",
};
#define NR_COUNTERS	ARRAY_SIZE(counters)

static size_t len;		/* bytes per call */
static unsigned long ncalls;	/* calls per round */
static unsigned long reps = 4;
static int nthreads = 1;
static enum layout layout = FREED;
static uint64_t timer_ns;
static char *mapping;
static size_t region_size;
static pthread_barrier_t start_barrier;

struct thread {
	pthread_t tid;
	int idx;
	char *region;
	uint64_t *dn;		/* ns of each call, ncalls * reps */
	uint64_t pop_ns;
	uint64_t cycle_ns;
	long counts[NR_COUNTERS];
};

static void die(const char *what)
{
	fprintf(stderr, "reclaim-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/*
 * One thread: CLOCK_MONOTONIC (the TSC, read in the vDSO). More: the
 * thread's CPU time (a system call), so that the time a thread spends
 * preempted by the others is not counted in its call.
 */
static clockid_t clock_id = CLOCK_MONOTONIC;

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(clock_id, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median cost of two back-to-back clock reads. */
static uint64_t measure_timer(void)
{
	uint64_t t[1001];
	int i;

	for (i = 0; i < 1001; i++) {
		uint64_t t0 = now_ns();

		t[i] = now_ns() - t0;
	}
	qsort(t, 1001, sizeof(t[0]), cmp_u64);
	return t[500];
}

static long find_value(const char *buf, const char *key)
{
	size_t klen = strlen(key);
	const char *line = buf;

	while (line && *line) {
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return strtol(line + klen + 1, NULL, 10);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

static void read_counters(long *vals)
{
	static __thread char buf[65536];
	size_t n = 0, i;
	ssize_t ret;
	int fd;

	for (i = 0; i < NR_COUNTERS; i++)
		vals[i] = -1;
	fd = open("/proc/vmstat", O_RDONLY);
	if (fd < 0)
		return;
	while (n < sizeof(buf) - 1) {
		ret = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (ret <= 0)
			break;
		n += ret;
	}
	close(fd);
	buf[n] = '\0';
	for (i = 0; i < NR_COUNTERS; i++)
		vals[i] = find_value(buf, counters[i]);
}

static void add_deltas(long *sum, const long *before, const long *after)
{
	size_t i;

	for (i = 0; i < NR_COUNTERS; i++) {
		if (before[i] < 0 || after[i] < 0)
			sum[i] = -1;
		else if (sum[i] >= 0)
			sum[i] += after[i] - before[i];
	}
}

/* The pages of the region a round populates. */
static void populate(char *region)
{
	unsigned long c;
	size_t off;

	if (len >= TABLE_SPAN) {
		for (off = 0; off < region_size; off += SZ_4K)
			region[off] = 1;
		return;
	}
	for (c = 0; c < ncalls; c++) {
		char *t = region + c * TABLE_SPAN;

		for (off = 0; off < len; off += SZ_4K)
			t[off] = 1;
		if (layout == KEEP_NEAR)
			t[len] = 1;
		else if (layout == KEEP_FAR)
			t[TABLE_SPAN - SZ_4K] = 1;
	}
}

static void *worker(void *arg)
{
	struct thread *th = arg;
	long before[NR_COUNTERS], after[NR_COUNTERS];
	uint64_t t0, t1, r0, p1;
	unsigned long r, c;
	char *addr;

	pthread_barrier_wait(&start_barrier);
	for (r = 0; r < reps; r++) {
		r0 = now_ns();
		populate(th->region);
		p1 = now_ns();
		th->pop_ns += p1 - r0;
		if (nthreads == 1)
			read_counters(before);
		for (c = 0; c < ncalls; c++) {
			addr = th->region + (len >= TABLE_SPAN ? c * len : c * TABLE_SPAN);
			t0 = now_ns();
			if (madvise(addr, len, MADV_DONTNEED))
				die("madvise(MADV_DONTNEED)");
			t1 = now_ns();
			th->dn[r * ncalls + c] = t1 - t0;
		}
		if (nthreads == 1) {
			read_counters(after);
			add_deltas(th->counts, before, after);
		}
		th->cycle_ns += now_ns() - r0;
	}
	return NULL;
}

static size_t parse_size(const char *s)
{
	if (!strcmp(s, "4k"))
		return SZ_4K;
	if (!strcmp(s, "64k"))
		return 64 * 1024;
	if (!strcmp(s, "2m"))
		return TABLE_SPAN;
	if (!strcmp(s, "1g"))
		return SZ_1G;
	fprintf(stderr, "reclaim-bench: size is 4k, 64k, 2m or 1g, not '%s'\n", s);
	exit(2);
}

static const char * const layout_names[] = { "freed", "keep-near", "keep-far" };

int main(int argc, char **argv)
{
	long before[NR_COUNTERS], after[NR_COUNTERS], total[NR_COUNTERS] = { 0 };
	unsigned long ntables = 0, n, i;
	struct thread th[MAX_THREADS];
	uint64_t *all, pop = 0, cycle = 0, sum = 0, net;
	char *raw;
	int opt, t;
	size_t k;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "t:r:n:l:")) != -1) {
		switch (opt) {
		case 't':
			nthreads = atoi(optarg);
			break;
		case 'r':
			reps = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			ntables = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			for (layout = FREED; layout <= KEEP_FAR; layout++)
				if (!strcmp(optarg, layout_names[layout]))
					break;
			if (layout > KEEP_FAR) {
				fprintf(stderr, "reclaim-bench: bad layout '%s'\n", optarg);
				return 2;
			}
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || nthreads < 1 || nthreads > MAX_THREADS || !reps)
		goto usage;
	len = parse_size(argv[optind]);
	if (layout != FREED && len >= TABLE_SPAN) {
		fprintf(stderr, "reclaim-bench: keep-* layouts are for 4k and 64k\n");
		return 2;
	}
	if (!ntables)
		ntables = len >= SZ_1G ? 1 : 64;
	region_size = len >= SZ_1G ? ntables * SZ_1G : ntables * TABLE_SPAN;
	ncalls = len >= TABLE_SPAN ? region_size / len : ntables;

	/* One mapping, one VMA: a region per thread, aligned to a table */
	raw = mmap(NULL, nthreads * region_size + SZ_1G, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		die("mmap");
	/* 1g: each region in a PMD table of its own */
	k = len >= SZ_1G ? SZ_1G : TABLE_SPAN;
	mapping = (char *)(((uintptr_t)raw + k - 1) & ~(uintptr_t)(k - 1));
	if (madvise(mapping, nthreads * region_size, MADV_NOHUGEPAGE) && errno != EINVAL)
		die("madvise(MADV_NOHUGEPAGE)");

	if (nthreads > 1)
		clock_id = CLOCK_THREAD_CPUTIME_ID;
	timer_ns = measure_timer();
	if (pthread_barrier_init(&start_barrier, NULL, nthreads))
		die("pthread_barrier_init");
	for (t = 0; t < nthreads; t++) {
		memset(&th[t], 0, sizeof(th[t]));
		th[t].idx = t;
		th[t].region = mapping + t * region_size;
		th[t].dn = calloc(ncalls * reps, sizeof(uint64_t));
		if (!th[t].dn)
			die("calloc");
	}
	read_counters(before);
	if (nthreads == 1) {
		worker(&th[0]);
	} else {
		for (t = 0; t < nthreads; t++)
			if ((errno = pthread_create(&th[t].tid, NULL, worker, &th[t])))
				die("pthread_create");
		for (t = 0; t < nthreads; t++)
			pthread_join(th[t].tid, NULL);
	}
	read_counters(after);
	if (nthreads == 1)
		memcpy(total, th[0].counts, sizeof(total));
	else
		add_deltas(total, before, after);

	n = ncalls * reps * nthreads;
	all = malloc(n * sizeof(*all));
	if (!all)
		die("malloc");
	for (t = 0, i = 0; t < nthreads; t++) {
		memcpy(all + i, th[t].dn, ncalls * reps * sizeof(*all));
		i += ncalls * reps;
		pop += th[t].pop_ns;
		cycle += th[t].cycle_ns;
	}
	for (i = 0; i < n; i++) {
		all[i] = all[i] > timer_ns ? all[i] - timer_ns : 0;
		sum += all[i];
	}
	qsort(all, n, sizeof(*all), cmp_u64);
	net = all[n / 2];
	if (!(n & 1))
		net = (all[n / 2 - 1] + all[n / 2]) / 2;
	printf("reclaim size=%s threads=%d layout=%s calls=%lu timer_ns=%llu "
	       "dn_med=%llu dn_mean=%.1f dn_min=%llu dn_max=%llu dn_p90=%llu "
	       "pop_per_call=%.1f cycle_per_call=%.1f",
	       argv[optind], nthreads, layout_names[layout], n,
	       (unsigned long long)timer_ns, (unsigned long long)net,
	       (double)sum / n, (unsigned long long)all[0],
	       (unsigned long long)all[n - 1], (unsigned long long)all[n * 9 / 10],
	       (double)pop / n, (double)cycle / n);
	for (k = 0; k < NR_COUNTERS; k++)
		if (total[k] >= 0)
			printf(" %s=%.3f", counter_keys[k], (double)total[k] / n);
	printf("\n");
	munmap(raw, nthreads * region_size + SZ_1G);
	return 0;
usage:
	fprintf(stderr, "usage: reclaim-bench [-t THREADS] [-r REPS] [-n TABLES] "
		"[-l freed|keep-near|keep-far] 4k|64k|2m|1g\n");
	return 2;
}
