// SPDX-License-Identifier: GPL-2.0
/*
 * demo-exclusive: device-exclusive access to one page of a THP, run by
 * "make run" inside the guest, with lib/test_hmm.ko's /dev/hmm_dmirror0 as
 * the device (demo.sh loads the module).
 *
 * Every value it prints is measured. Anything that should hold and does not
 * is reported as FAILED and makes the program exit 1. Without the device it
 * says so and exits 0.
 *
 * Build: gcc -O2 -Wall -static -I <kernel tree> -o demo-exclusive demo-exclusive.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* test_hmm's ioctls, the same on 6.12 and on the patched kernel. */
#include <lib/test_hmm_uapi.h>
#include "demo.h"

#define SZ_2M		(2UL << 20)
#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define KPF_THP		22

static size_t page_size;
static int pagemap_fd, kpageflags_fd, kpagecount_fd;

static uint64_t read_u64(int fd, uint64_t index)
{
	uint64_t v = 0;

	if (pread(fd, &v, sizeof(v), index * sizeof(v)) != sizeof(v))
		fail("pread: %s", strerror(errno));
	return v;
}

static uint64_t pagemap(char *addr)
{
	return read_u64(pagemap_fd, (uintptr_t)addr / page_size);
}

static int thp_pfn(uint64_t pfn)
{
	return !!(read_u64(kpageflags_fd, pfn) & (1ULL << KPF_THP));
}

static int cmd(int fd, unsigned long req, char *addr, unsigned long npages,
	       void *mirror)
{
	struct hmm_dmirror_cmd c = {
		.addr = (uintptr_t)addr,
		.ptr = (uintptr_t)mirror,
		.npages = npages,
	};

	return ioctl(fd, req, &c) ? -errno : 0;
}

int main(void)
{
	unsigned long i, npages, present = 0, thp = 0, contiguous = 0;
	uint64_t e, pfn0;
	char *raw, *p, c;
	void *mirror;
	int fd, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	npages = SZ_2M / page_size;

	printf("== 5. Device-exclusive access, one page at a time\n");
	printf("A device (here lib/test_hmm) asks for atomic access to one page of a THP:\n");
	printf("make_device_exclusive() fences off that page only, and the THP stays a THP.\n");
	fd = open("/dev/hmm_dmirror0", O_RDWR);
	if (fd < 0) {
		printf("    no /dev/hmm_dmirror0 (%s): test_hmm not loaded, skipped\n",
		       strerror(errno));
		return 0;
	}
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	kpageflags_fd = open("/proc/kpageflags", O_RDONLY);
	kpagecount_fd = open("/proc/kpagecount", O_RDONLY);
	if (pagemap_fd < 0 || kpageflags_fd < 0 || kpagecount_fd < 0) {
		printf("    cannot open pagemap/kpageflags/kpagecount: %s\n",
		       strerror(errno));
		return 1;
	}
	mirror = malloc(SZ_2M);
	raw = mmap(NULL, 2 * SZ_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!mirror || raw == MAP_FAILED) {
		printf("    out of memory\n");
		return 1;
	}
	p = (char *)(((uintptr_t)raw + SZ_2M - 1) & ~(SZ_2M - 1));
	madvise(p, SZ_2M, MADV_HUGEPAGE);
	for (i = 0; i < npages; i++)
		p[i * page_size] = (char)i;
	e = pagemap(p);
	pfn0 = e & PM_PFN_MASK;
	printf("    a 2 MiB mapping, MADV_HUGEPAGE, written: page 0 at pfn 0x%llx, THP %s\n",
	       (unsigned long long)pfn0, thp_pfn(pfn0) ? "yes" : "no");
	if (!(e & PM_PRESENT) || !thp_pfn(pfn0)) {
		printf("    no THP here (transparent_hugepage disabled?): skipped\n");
		return 0;
	}

	ret = cmd(fd, HMM_DMIRROR_EXCLUSIVE, p, 1, mirror);
	printf("    HMM_DMIRROR_EXCLUSIVE on page 0 = %d%s\n", ret,
	       ret ? "" : ": the device has atomic access to page 0");
	if (ret) {
		fail("conversion of page 0: %s", strerror(-ret));
		goto out;
	}
	for (i = 0; i < npages; i++) {
		e = pagemap(p + i * page_size);
		if (!(e & PM_PRESENT))
			continue;
		present++;
		thp += thp_pfn(e & PM_PFN_MASK);
		contiguous += (e & PM_PFN_MASK) == pfn0 + i;
	}
	e = pagemap(p);
	printf("    pagemap: page 0 %s; %lu of the other %lu present\n",
	       (e & PM_PRESENT) ? "present" : (e & PM_SWAP) ?
	       "not present (a device-exclusive entry)" : "not present",
	       present, npages - 1);
	printf("    those %lu pages: %lu still in a THP, %lu at their old pfns (not split, not moved)\n",
	       present, thp, contiguous);
	printf("    /proc/kpagecount of page 0's pfn: %llu (its mapping is still counted)\n",
	       (unsigned long long)read_u64(kpagecount_fd, pfn0));
	if (e & PM_PRESENT)
		fail("page 0 is still present");
	if (present != npages - 1 || thp != present || contiguous != present)
		fail("the rest of the THP changed: %lu present, %lu THP, %lu in place",
		     present, thp, contiguous);
	if (read_u64(kpagecount_fd, pfn0) != 1)
		fail("page 0's mapcount is not 1");

	c = *(volatile char *)p;
	ret = cmd(fd, HMM_DMIRROR_CHECK_EXCLUSIVE, p, 1, mirror);
	e = pagemap(p);
	printf("    the CPU reads page 0 (0x%02x, as written): page 0 %s, device access %s, THP %s\n",
	       (unsigned char)c, (e & PM_PRESENT) ? "present" : "not present",
	       ret ? "kept" : "revoked",
	       thp_pfn(e & PM_PFN_MASK) ? "yes" : "no");
	if (c != 0)
		fail("page 0 reads 0x%02x, written 0x00", (unsigned char)c);
	if (!(e & PM_PRESENT) || ret || (e & PM_PFN_MASK) != pfn0)
		fail("the CPU access did not revoke the device's access in place");
out:
	munmap(raw, 2 * SZ_2M);
	if (failures) {
		printf("demo-exclusive: %d check(s) FAILED\n", failures);
		return 1;
	}
	return 0;
}
