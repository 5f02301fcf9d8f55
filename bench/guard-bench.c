// SPDX-License-Identifier: GPL-2.0
/*
 * guard-bench: what guard pages cost a thread-stack or heap allocator.
 *
 *   guard-bench MODE NREGIONS [REPEAT]
 *
 * Maps NREGIONS regions of REGION_PAGES pages, each with one guard page at
 * its low end and one unmapped page between neighbours (so no two regions can
 * merge), the guard made in one of three ways (MODE):
 *
 *   protnone         mprotect(guard, PROT_NONE): a VMA split per region
 *   madvise          madvise(guard, MADV_GUARD_INSTALL) per region
 *   process_madvise  all guards through process_madvise() on ourselves,
 *                    up to UIO_MAXIOV iovecs per call
 *
 * then writes one byte to the first page above every guard ("touch"), as a
 * thread starting on the stack would, and unmaps everything ("teardown").
 * Setup, touch and teardown are timed with CLOCK_MONOTONIC; with REPEAT > 1
 * the whole run is repeated and the median of each phase is reported. It
 * prints one line of key=value pairs:
 *
 *   mode=madvise regions=1000 vmas=1000 vmas_per_region=1.00 setup_ns_per_region=1234
 *   touch_ns_per_region=456 teardown_ns_per_region=789 vmpte_kb=120
 *
 * (on one line), where vmas is the number of lines /proc/self/maps gained and
 * vmpte_kb what VmPTE in /proc/self/status gained, both after setup and touch
 * of the first run.
 *
 * Exit status: 0 done; 1 usage or unexpected error (message on stderr);
 * 2 the kernel does not support MODE ("unsupported=1"); 3 mmap() or
 * mprotect() ran into vm.max_map_count ("failed=max_map_count at_region=K",
 * K regions having been set up).
 *
 *   guard-bench arena MODE NSLOTS [REPEAT]
 *
 * lays the memory out the way allocators and thread pools do: one arena of
 * NSLOTS slots of ARENA_SLOT_PAGES pages, mapped with one mmap(), with a guard
 * page at the low end of every slot, made in the same three ways; teardown is
 * one munmap() of the arena, and nothing is touched (a million touched slots
 * would need 4 GiB). Its line starts "mode=arena_MODE regions=NSLOTS" and has
 * no touch figure. PROT_NONE needs two VMAs per slot, so it runs into the
 * default vm.max_map_count (65530) at about 32,765 slots; guard markers keep
 * the arena one VMA.
 *
 * Build: gcc -O2 -Wall -static -o guard-bench guard-bench.c -lpthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../tests/guard-abi.h"

#define REGION_PAGES	16		/* guard page included */
#define ARENA_SLOT_PAGES 4		/* guard page included */
#define MAX_REGIONS	(1L << 24)
#define MAX_REPEAT	1000
#define DEFAULT_MAX_MAP_COUNT	65530

enum mode { MODE_PROTNONE, MODE_MADVISE, MODE_PROCESS_MADVISE };

static const char * const mode_names[] = {
	[MODE_PROTNONE] = "protnone",
	[MODE_MADVISE] = "madvise",
	[MODE_PROCESS_MADVISE] = "process_madvise",
};

static enum mode mode;
static bool arena;
static long nregions;
static size_t page_size, region_size, slot_size;
static int pidfd = PIDFD_SELF;		/* for process_madvise() */
static char procbuf[65536];

/* An unexpected failure: the message, errno's text, exit 1. */
static void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "guard-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Lines of /proc/self/maps. Raw read(2) so that no malloc() adds a VMA. */
static long count_vmas(void)
{
	long lines = 0;
	ssize_t r, i;
	int fd;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open /proc/self/maps");
	while ((r = read(fd, procbuf, sizeof(procbuf))) > 0)
		for (i = 0; i < r; i++)
			lines += procbuf[i] == '\n';
	if (r < 0)
		die("read /proc/self/maps");
	close(fd);
	return lines;
}

/* Read a small file into procbuf, NUL-terminated. Returns -1 on error. */
static int read_small(const char *path)
{
	ssize_t r, len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((r = read(fd, procbuf + len, sizeof(procbuf) - 1 - len)) > 0)
		len += r;
	close(fd);
	if (r < 0)
		return -1;
	procbuf[len] = '\0';
	return 0;
}

/* VmPTE of /proc/self/status, in kB. */
static long vmpte_kb(void)
{
	char *p;

	if (read_small("/proc/self/status"))
		die("read /proc/self/status");
	p = strstr(procbuf, "\nVmPTE:");
	if (!p)
		die("no VmPTE in /proc/self/status");
	return strtol(p + 7, NULL, 10);
}

/* "mode=NAME regions=N", with the arena_ prefix for the arena layout. */
static void print_mode(void)
{
	printf("mode=%s%s regions=%ld", arena ? "arena_" : "", mode_names[mode], nregions);
}

/*
 * mmap() or mprotect() of region i failed. ENOMEM with the VMA count at
 * vm.max_map_count is the finding "this allocator runs out of VMAs"; anything
 * else is an error.
 */
static void setup_failed(const char *what, long i)
{
	int err = errno;
	long limit = DEFAULT_MAX_MAP_COUNT;

	if (err == ENOMEM) {
		if (!read_small("/proc/sys/vm/max_map_count"))
			limit = strtol(procbuf, NULL, 10);
		/* maps has [vsyscall] and the like on top of mm->map_count. */
		if (count_vmas() + 4 >= limit) {
			print_mode();
			printf(" failed=max_map_count at_region=%ld\n", i);
			exit(3);
		}
	}
	errno = err;
	die(what, i);
}

static void unsupported(void)
{
	print_mode();
	printf(" unsupported=1\n");
	exit(2);
}

static long process_madvise_guard(const struct iovec *iov, size_t n)
{
	return syscall(__NR_process_madvise, pidfd, iov, n, MADV_GUARD_INSTALL, 0);
}

/*
 * Does the kernel do MODE? For process_madvise, also pick the pidfd:
 * PIDFD_SELF, or failing that one from pidfd_open(getpid()).
 */
static void probe(void)
{
	struct iovec iov;
	long r;

	if (mode == MODE_PROTNONE)
		return;
	if (madvise(NULL, 0, MADV_GUARD_INSTALL)) {
		if (errno == EINVAL)
			unsupported();
		die("madvise(NULL, 0, MADV_GUARD_INSTALL)");
	}
	if (mode != MODE_PROCESS_MADVISE)
		return;

	iov.iov_len = page_size;
	iov.iov_base = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (iov.iov_base == MAP_FAILED)
		die("mmap of the probe page");
	r = process_madvise_guard(&iov, 1);
	if (r < 0 && (errno == EBADF || errno == EINVAL)) {
		pidfd = syscall(__NR_pidfd_open, getpid(), 0);
		if (pidfd < 0) {
			if (errno == ENOSYS)
				unsupported();
			die("pidfd_open(getpid())");
		}
		r = process_madvise_guard(&iov, 1);
	}
	if (r < 0 && (errno == EINVAL || errno == ENOSYS))
		unsupported();
	if (r < 0)
		die("process_madvise(MADV_GUARD_INSTALL) of the probe page");
	if (r != (long)page_size) {
		fprintf(stderr, "guard-bench: process_madvise() of one page returned %ld\n", r);
		exit(1);
	}
	munmap(iov.iov_base, page_size);
}

/* Room for all regions: map a PROT_NONE reservation, then give it back. */
static char *find_space(void)
{
	size_t len = nregions * slot_size + page_size;
	char *p;

	p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		die("reserving address space for %ld regions", nregions);
	if (munmap(p, len))
		die("unmapping the reservation");
	/* Leave a page unmapped below the first region too. */
	return p + page_size;
}

static void guard_batches(char *base)
{
	static struct iovec iov[UIO_MAXIOV];
	long i, j, n, r;

	for (i = 0; i < nregions; i += n) {
		n = nregions - i < UIO_MAXIOV ? nregions - i : UIO_MAXIOV;
		for (j = 0; j < n; j++) {
			iov[j].iov_base = base + (i + j) * slot_size;
			iov[j].iov_len = page_size;
		}
		r = process_madvise_guard(iov, n);
		if (r < 0)
			die("process_madvise(MADV_GUARD_INSTALL) from region %ld", i);
		if (r != (long)(n * page_size)) {
			fprintf(stderr, "guard-bench: process_madvise() from region %ld ", i);
			fprintf(stderr, "returned %ld, not %ld\n", r, (long)(n * page_size));
			exit(1);
		}
	}
}

struct run {
	uint64_t setup_ns, touch_ns, teardown_ns;
	long vmas, vmpte_kb;
};

/* Install the guard of slot or region @i in the way of the mode. */
static void guard_one(char *r, long i)
{
	switch (mode) {
	case MODE_PROTNONE:
		if (mprotect(r, page_size, PROT_NONE))
			setup_failed("mprotect(PROT_NONE) of region %ld", i);
		break;
	case MODE_MADVISE:
		if (madvise(r, page_size, MADV_GUARD_INSTALL))
			die("madvise(MADV_GUARD_INSTALL) of region %ld", i);
		break;
	case MODE_PROCESS_MADVISE:
		break;
	}
}

/* The arena layout: one mapping, a guard at the low end of every slot. */
static void run_arena(struct run *run, long vmas0, long vmpte0)
{
	size_t len = nregions * slot_size;
	char *base = find_space(), *p;
	uint64_t t0, t1, t2, t3;
	long i;

	t0 = now_ns();
	p = mmap(base, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != base)
		die("mmap of an arena of %ld slots", nregions);
	for (i = 0; i < nregions; i++)
		guard_one(base + i * slot_size, i);
	if (mode == MODE_PROCESS_MADVISE)
		guard_batches(base);
	t1 = now_ns();

	run->vmas = count_vmas() - vmas0;
	run->vmpte_kb = vmpte_kb() - vmpte0;

	t2 = now_ns();
	if (munmap(base, len))
		die("munmap of the arena");
	t3 = now_ns();

	run->setup_ns = t1 - t0;
	run->touch_ns = 0;
	run->teardown_ns = t3 - t2;
}

static void run_once(struct run *run, long vmas0, long vmpte0)
{
	char *base = find_space(), *p;
	uint64_t t0, t1, t2, t3, t4;
	long i;

	t0 = now_ns();
	for (i = 0; i < nregions; i++) {
		char *r = base + i * slot_size;

		p = mmap(r, region_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			setup_failed("mmap of region %ld", i);
		if (p != r) {
			fprintf(stderr, "guard-bench: region %ld mapped at %p, not %p\n", i,
				(void *)p, (void *)r);
			exit(1);
		}
		guard_one(r, i);
	}
	if (mode == MODE_PROCESS_MADVISE)
		guard_batches(base);
	t1 = now_ns();

	for (i = 0; i < nregions; i++)
		*(volatile char *)(base + i * slot_size + page_size) = 1;
	t2 = now_ns();

	run->vmas = count_vmas() - vmas0;
	run->vmpte_kb = vmpte_kb() - vmpte0;

	t3 = now_ns();
	for (i = 0; i < nregions; i++)
		if (munmap(base + i * slot_size, region_size))
			die("munmap of region %ld", i);
	t4 = now_ns();

	run->setup_ns = t1 - t0;
	run->touch_ns = t2 - t1;
	run->teardown_ns = t4 - t3;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median of n values (sorts them), per region, rounded. */
static long median_per_region(uint64_t *v, int n)
{
	double m;

	qsort(v, n, sizeof(*v), cmp_u64);
	m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
	return (long)(m / nregions + 0.5);
}

static long parse_long(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "guard-bench: %s must be %ld..%ld, not \"%s\"\n", what, min, max,
			s);
		exit(1);
	}
	return v;
}

int main(int argc, char **argv)
{
	static uint64_t setup[MAX_REPEAT], touch[MAX_REPEAT], teardown[MAX_REPEAT];
	struct run first = { 0 }, run;
	long vmas0, vmpte0;
	int i, repeat = 1;

	if (argc > 1 && !strcmp(argv[1], "arena")) {
		arena = true;
		argv++;
		argc--;
	}
	if (argc < 3 || argc > 4) {
		fprintf(stderr,
			"usage: %s [arena] protnone|madvise|process_madvise NREGIONS [REPEAT]\n",
			argv[0]);
		return 1;
	}
	for (i = 0; i < 3; i++)
		if (!strcmp(argv[1], mode_names[i]))
			break;
	if (i == 3) {
		fprintf(stderr, "guard-bench: unknown mode \"%s\"\n", argv[1]);
		return 1;
	}
	mode = i;
	nregions = parse_long(argv[2], 1, MAX_REGIONS, "NREGIONS");
	if (argc == 4)
		repeat = parse_long(argv[3], 1, MAX_REPEAT, "REPEAT");

	page_size = sysconf(_SC_PAGESIZE);
	if (arena) {
		/* Slots touch: the arena is one mapping. */
		region_size = ARENA_SLOT_PAGES * page_size;
		slot_size = region_size;
	} else {
		region_size = REGION_PAGES * page_size;
		slot_size = region_size + page_size;
	}

	probe();
	vmas0 = count_vmas();
	vmpte0 = vmpte_kb();
	for (i = 0; i < repeat; i++) {
		if (arena)
			run_arena(&run, vmas0, vmpte0);
		else
			run_once(&run, vmas0, vmpte0);
		if (!i)
			first = run;
		setup[i] = run.setup_ns;
		touch[i] = run.touch_ns;
		teardown[i] = run.teardown_ns;
	}

	print_mode();
	printf(" vmas=%ld vmas_per_region=%.2f setup_ns_per_region=%ld",
	       first.vmas, (double)first.vmas / nregions, median_per_region(setup, repeat));
	if (!arena)
		printf(" touch_ns_per_region=%ld", median_per_region(touch, repeat));
	printf(" teardown_ns_per_region=%ld vmpte_kb=%ld\n",
	       median_per_region(teardown, repeat), first.vmpte_kb);
	return 0;
}
