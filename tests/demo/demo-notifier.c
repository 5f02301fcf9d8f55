// SPDX-License-Identifier: GPL-2.0
/*
 * demo-notifier: one MMU-notifier invalidation as a device sees it, run by
 * "make run" inside the guest, with lib/test_hmm.ko's /dev/hmm_dmirror0 as
 * the device (demo.sh loads the module).
 *
 * Opening the device registers an interval notifier over the whole address
 * space; HMM_DMIRROR_READ reads through the device's own page table, which
 * it fills with hmm_range_fault() when an entry is missing, and counts each
 * such fault in the ioctl's "faults". The notifier drops the device's entries
 * of any range the CPU page tables lose, so the next read must fault again.
 *
 * Every value it prints is measured. Anything that should hold and does not
 * is reported as FAILED and makes the program exit 1. Without the device it
 * says so and exits 0.
 *
 * Build: gcc -O2 -Wall -static -I <kernel tree> -o demo-notifier demo-notifier.c
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

#include <lib/test_hmm_uapi.h>
#include "demo.h"

#define NR_PAGES	16
#define ZAPPED		5	/* the page MADV_DONTNEED takes away */

static size_t page_size;

/* The device reads the NR_PAGES pages at p into mirror. */
static int device_read(int fd, char *p, char *mirror, struct hmm_dmirror_cmd *c)
{
	memset(c, 0, sizeof(*c));
	c->addr = (uintptr_t)p;
	c->ptr = (uintptr_t)mirror;
	c->npages = NR_PAGES;
	return ioctl(fd, HMM_DMIRROR_READ, c) ? -errno : 0;
}

static char fill(int i)
{
	return (char)(0x11 * i + 0x10);
}

int main(void)
{
	struct hmm_dmirror_cmd c;
	char *p, *mirror;
	int fd, i, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);

	fd = open("/dev/hmm_dmirror0", O_RDWR);
	if (fd < 0) {
		printf("    no /dev/hmm_dmirror0 (%s): test_hmm not loaded, skipped\n",
		       strerror(errno));
		return 0;
	}
	p = mmap(NULL, NR_PAGES * page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mirror = malloc(NR_PAGES * page_size);
	if (p == MAP_FAILED || !mirror) {
		printf("    out of memory\n");
		return 1;
	}
	for (i = 0; i < NR_PAGES; i++)
		memset(p + i * page_size, fill(i), page_size);

	ret = device_read(fd, p, mirror, &c);
	printf("    device reads %d pages: faults %llu (it fills its page table), %llu pages copied\n",
	       NR_PAGES, (unsigned long long)c.faults, (unsigned long long)c.cpages);
	if (ret || c.faults < 1 || c.cpages != NR_PAGES)
		fail("first read: %s, faults %llu, cpages %llu", strerror(-ret),
		     (unsigned long long)c.faults, (unsigned long long)c.cpages);

	ret = device_read(fd, p, mirror, &c);
	printf("    reads them again: faults %llu (its page table still maps them)\n",
	       (unsigned long long)c.faults);
	if (ret || c.faults != 0)
		fail("second read: %s, faults %llu, expected 0", strerror(-ret),
		     (unsigned long long)c.faults);

	/* The invalidation: the notifier drops the device's entry for page 5. */
	if (madvise(p + ZAPPED * page_size, page_size, MADV_DONTNEED))
		fail("madvise(MADV_DONTNEED): %s", strerror(errno));
	ret = device_read(fd, p, mirror, &c);
	printf("    MADV_DONTNEED of page %d, then a read: faults %llu; page %d reads 0x%02x (was 0x%02x), page %d 0x%02x\n",
	       ZAPPED, (unsigned long long)c.faults, ZAPPED,
	       (unsigned char)mirror[ZAPPED * page_size], (unsigned char)fill(ZAPPED),
	       ZAPPED + 1, (unsigned char)mirror[(ZAPPED + 1) * page_size]);
	if (ret || c.faults != 1)
		fail("read after the invalidation: %s, faults %llu, expected 1",
		     strerror(-ret), (unsigned long long)c.faults);
	if (mirror[ZAPPED * page_size] != 0 ||
	    mirror[(ZAPPED + 1) * page_size] != fill(ZAPPED + 1))
		fail("the device read stale data");

	munmap(p, NR_PAGES * page_size);
	close(fd);
	if (failures) {
		printf("demo-notifier: %d check(s) FAILED\n", failures);
		return 1;
	}
	return 0;
}
