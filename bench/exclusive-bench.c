// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of device-exclusive access: what it costs to make a page
 * exclusive to a device (lib/test_hmm.ko's HMM_DMIRROR_EXCLUSIVE, which calls
 * make_device_exclusive() per page on the patched kernel and
 * make_device_exclusive_range() on 6.12) and to revoke it again (a CPU read
 * of the page, which faults on the entry and restores the PTE).
 *
 * Usage: exclusive-bench DEV MODE [ROUNDS]
 *
 *   DEV          /dev/hmm_dmirror0
 *   small        256 pages of 4 KiB (MADV_NOHUGEPAGE), populated; convert all
 *                256 with one ioctl, then read one int of each page.
 *   thp          a populated PMD-mapped THP (MADV_HUGEPAGE, 2 MiB aligned);
 *                convert its 512 pages with one ioctl, then read each page.
 *   thp1         the same THP; convert page 0 only, count the pages of the
 *                THP that are no longer present (pagemap), read page 0.
 *
 * Each round maps a fresh region and unmaps it at the end; one untimed
 * warm-up round comes first. Only the ioctl and the read loop are timed,
 * with clock_gettime(CLOCK_MONOTONIC); under QEMU -icount this counts guest
 * instructions. The THP modes check /proc/kpageflags that the region is a
 * THP (exit 1 if not). Output: "MODE.key value" lines: convert_ns_per_page,
 * revoke_ns_per_page, rounds, pages, and for thp1 fenced_pages (pages made
 * non-present by converting one). If a conversion fails (6.12 refuses THP
 * tail pages with EBUSY), "MODE.fails 1" and "error=MODE:ERRNO" lines are
 * printed instead of the costs, and the exit status is still 0.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* test_hmm's ioctls, the same on 6.12 and on the patched kernel. */
#include <lib/test_hmm_uapi.h>

#define SZ_2M		(2UL << 20)
#define SMALL_PAGES	256
#define PM_PRESENT	(1ULL << 63)

static size_t psize;
static int pagemap_fd;

static void die(const char *what)
{
	fprintf(stderr, "exclusive-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die("clock_gettime");
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A populated region of @len bytes, 2 MiB aligned, as THP or small pages. */
static char *map_region(size_t len, int thp)
{
	size_t i, span = len + SZ_2M;
	char *raw, *p;

	raw = mmap(NULL, span, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		die("mmap");
	p = (char *)(((uintptr_t)raw + SZ_2M - 1) & ~(SZ_2M - 1));
	if (p > raw && munmap(raw, p - raw))
		die("munmap head");
	if (raw + span > p + len && munmap(p + len, raw + span - (p + len)))
		die("munmap tail");
	if (madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		die("madvise");
	for (i = 0; i < len; i += psize)
		*(volatile int *)(p + i) = (int)(i / psize);
	return p;
}

static int present(char *addr)
{
	uint64_t e;

	if (pread(pagemap_fd, &e, sizeof(e),
		  (uintptr_t)addr / psize * sizeof(e)) != sizeof(e))
		die("pagemap");
	return !!(e & PM_PRESENT);
}

/* Whether the page at @addr is part of a THP (/proc/kpageflags, root). */
static int is_thp(char *addr)
{
	uint64_t e, flags;
	int fd;

	if (pread(pagemap_fd, &e, sizeof(e),
		  (uintptr_t)addr / psize * sizeof(e)) != sizeof(e))
		die("pagemap");
	fd = open("/proc/kpageflags", O_RDONLY);
	if (fd < 0)
		die("/proc/kpageflags");
	if (pread(fd, &flags, sizeof(flags),
		  (e & ((1ULL << 55) - 1)) * sizeof(flags)) != sizeof(flags))
		die("kpageflags");
	close(fd);
	return !!(flags & (1ULL << 22));	/* KPF_THP */
}

/* Convert @npages at @p with test_hmm: 0 or the errno. */
static int convert(int fd, char *p, unsigned long npages, void *mirror)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = (uintptr_t)p,
		.ptr = (uintptr_t)mirror,
		.npages = npages,
	};

	if (ioctl(fd, HMM_DMIRROR_EXCLUSIVE, &cmd))
		return errno;
	return 0;
}

static int run(int fd, const char *mode, unsigned long rounds)
{
	int thp = strcmp(mode, "small") != 0;
	int one = !strcmp(mode, "thp1");
	unsigned long pages = thp ? SZ_2M / psize : SMALL_PAGES;
	unsigned long npages = one ? 1 : pages;
	double tc = 0, tr = 0, t;
	unsigned long r, i, fenced = 0;
	volatile int sink = 0;
	void *mirror;
	int err;

	mirror = malloc(pages * psize);
	if (!mirror)
		die("malloc");
	for (r = 0; r <= rounds; r++) {
		char *p = map_region(pages * psize, thp);

		if (thp && !is_thp(p)) {
			printf("error=%s:no-THP\n", mode);
			return 1;
		}
		t = now();
		err = convert(fd, p, npages, mirror);
		t = now() - t;
		if (err) {
			printf("%s.fails 1\n", mode);
			printf("error=%s:%s\n", mode, strerror(err));
			munmap(p, pages * psize);
			free(mirror);
			return 0;
		}
		if (r)
			tc += t;
		if (one && r) {
			for (i = 0; i < pages; i++)
				fenced += !present(p + i * psize);
		}
		t = now();
		for (i = 0; i < npages; i++)
			sink += *(volatile int *)(p + i * psize);
		t = now() - t;
		if (r)
			tr += t;
		if (munmap(p, pages * psize))
			die("munmap");
	}
	free(mirror);
	printf("%s.rounds %lu\n", mode, rounds);
	printf("%s.pages %lu\n", mode, npages);
	printf("%s.convert_ns_per_page %.1f\n", mode, tc * 1e9 / (rounds * npages));
	printf("%s.revoke_ns_per_page %.1f\n", mode, tr * 1e9 / (rounds * npages));
	if (one)
		printf("%s.fenced_pages %.1f\n", mode, (double)fenced / rounds);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long rounds = 8;
	int fd;

	if (argc < 3 || argc > 4 || (strcmp(argv[2], "small") &&
				     strcmp(argv[2], "thp") &&
				     strcmp(argv[2], "thp1"))) {
		fprintf(stderr, "usage: %s DEV small|thp|thp1 [ROUNDS]\n",
			argv[0]);
		return 2;
	}
	if (argc == 4)
		rounds = strtoul(argv[3], NULL, 0);
	if (!rounds)
		rounds = 1;
	psize = sysconf(_SC_PAGESIZE);
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(argv[1]);
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	if (pagemap_fd < 0)
		die("/proc/self/pagemap");
	return run(fd, argv[2], rounds);
}
