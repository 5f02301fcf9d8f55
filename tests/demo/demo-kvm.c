// SPDX-License-Identifier: GPL-2.0
/*
 * demo-kvm: what KVM maps, and at which level, run by "make run" inside the
 * guest (QEMU's -cpu max emulates SVM, so the test kernel has /dev/kvm).
 *
 * No guest code runs: KVM_PRE_FAULT_MEMORY maps guest memory the way a
 * guest's first access would, and KVM's per-VM statistics pages_4k and
 * pages_2m (in debugfs) count the mappings it made, by size.
 *
 * - 2 MiB backed by a THP, and 2 MiB of 4 KiB pages: the level KVM maps each
 *   at comes from mm's lockless lookup of the host's leaf.
 * - 2 MiB of VM_PFNMAP memory from lib/test_pfnmap.ko (demo.sh loads it),
 *   one compound page mapped page by page, whose tail pages have refcount 0
 *   (the dma-buf system heap's shape): KVM maps it without a reference, and
 *   the module's page counts show the refcounts untouched.
 *
 * Every value it prints is measured. Anything that should hold and does not
 * is reported as FAILED and makes the program exit 1. Without /dev/kvm or
 * KVM_PRE_FAULT_MEMORY it says so and exits 0.
 *
 * Build: gcc -O2 -Wall -static -I <kernel tree> -o demo-kvm demo-kvm.c
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
#include <linux/kvm.h>

#include <lib/test_pfnmap_uapi.h>
#include "demo.h"

#define SZ_2M		(2UL << 20)
#define GPA_THP		0UL		/* slot 0, first half: a THP */
#define GPA_SMALL	SZ_2M		/* slot 0, second half: 4 KiB pages */
#define GPA_PFNMAP	(2 * SZ_2M)	/* slot 1: test_pfnmap memory */

static int vm_fd, vcpu_fd;
static char stats_dir[128];

/* One of the VM's statistics from debugfs, or -1. */
static long vm_stat(const char *name)
{
	char path[192];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", stats_dir, name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int set_slot(int slot, uint64_t gpa, void *hva, uint64_t size)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) ? -errno : 0;
}

/*
 * KVM_PRE_FAULT_MEMORY of [gpa, gpa + 2 MiB): 0 or -errno. *d4k and *d2m get
 * the growth of pages_4k and pages_2m.
 */
static int pre_fault(uint64_t gpa, long *d4k, long *d2m)
{
	struct kvm_pre_fault_memory r = { .gpa = gpa, .size = SZ_2M };
	long p4k = vm_stat("pages_4k"), p2m = vm_stat("pages_2m");
	int ret;

	do {
		ret = ioctl(vcpu_fd, KVM_PRE_FAULT_MEMORY, &r);
	} while (r.size && (ret == 0 || errno == EINTR || errno == EAGAIN));
	*d4k = vm_stat("pages_4k") - p4k;
	*d2m = vm_stat("pages_2m") - p2m;
	return ret ? -errno : 0;
}

/* A 2 MiB-aligned anonymous mapping of size bytes. */
static char *map_aligned(size_t size)
{
	char *raw, *p;

	raw = mmap(NULL, size + SZ_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	p = (char *)(((uintptr_t)raw + SZ_2M - 1) & ~(SZ_2M - 1));
	if (p > raw)
		munmap(raw, p - raw);
	munmap(p + size, raw + SZ_2M - p);
	return p;
}

static void show_level(void)
{
	long page_size = sysconf(_SC_PAGESIZE), d4k, d2m, e4k, e2m;
	unsigned long off;
	char *mem;
	int ret;

	mem = map_aligned(2 * SZ_2M);
	if (!mem) {
		fail("mmap: %s", strerror(errno));
		return;
	}
	madvise(mem, SZ_2M, MADV_HUGEPAGE);
	madvise(mem + SZ_2M, SZ_2M, MADV_NOHUGEPAGE);
	for (off = 0; off < 2 * SZ_2M; off += page_size)
		mem[off] = 1;
	ret = set_slot(0, GPA_THP, mem, 2 * SZ_2M);
	if (ret) {
		fail("KVM_SET_USER_MEMORY_REGION: %s", strerror(-ret));
		return;
	}
	ret = pre_fault(GPA_THP, &d4k, &d2m);
	if (!ret)
		ret = pre_fault(GPA_SMALL, &e4k, &e2m);
	if (ret) {
		fail("KVM_PRE_FAULT_MEMORY: %s", strerror(-ret));
		return;
	}
	printf("    guest 0-2 MiB on a host THP: pages_2m +%ld, pages_4k +%ld (one 2 MiB mapping)\n",
	       d2m, d4k);
	printf("    guest 2-4 MiB on 4 KiB host pages: pages_2m +%ld, pages_4k +%ld\n",
	       e2m, e4k);
	if (d2m != 1 || d4k != 0)
		fail("the THP was not mapped at 2 MiB");
	if (e2m != 0 || e4k != (long)(SZ_2M / page_size))
		fail("the 4 KiB pages were not mapped at 4 KiB");
}

static int pfnmap_counts(int fd, struct test_pfnmap_counts *c)
{
	return ioctl(fd, TEST_PFNMAP_COUNTS, c) ? -errno : 0;
}

static void show_pfnmap(void)
{
	struct test_pfnmap_setup setup = {
		.shape = TEST_PFNMAP_COMPOUND,
		.size = SZ_2M,
	};
	struct test_pfnmap_counts before = { 0 }, after = { 0 };
	volatile uint64_t *mem;
	uint64_t sum = 0;
	long d4k, d2m;
	size_t i;
	int fd, ret;

	fd = open("/dev/test_pfnmap", O_RDWR);
	if (fd < 0) {
		printf("    no /dev/test_pfnmap (%s): test_pfnmap not loaded, skipped\n",
		       strerror(errno));
		return;
	}
	if (ioctl(fd, TEST_PFNMAP_SETUP, &setup)) {
		fail("TEST_PFNMAP_SETUP: %s", strerror(errno));
		goto out;
	}
	mem = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		fail("mmap of /dev/test_pfnmap: %s", strerror(errno));
		goto out;
	}
	/* The host maps it first, as a VMM's own use of the buffer would. */
	for (i = 0; i < SZ_2M / sizeof(*mem); i += 512)
		sum += mem[i];
	ret = pfnmap_counts(fd, &before);
	if (!ret)
		ret = set_slot(1, GPA_PFNMAP, (void *)mem, SZ_2M);
	if (!ret)
		ret = pre_fault(GPA_PFNMAP, &d4k, &d2m);
	if (!ret)
		ret = pfnmap_counts(fd, &after);
	printf("    2 MiB of VM_PFNMAP memory, one compound page mapped page by page (%llu of %llu\n",
	       (unsigned long long)before.refcount_zero,
	       (unsigned long long)before.pages);
	printf("    pages at refcount 0): KVM_PRE_FAULT_MEMORY = %d, pages_4k +%ld, refcounts' sum %llu -> %llu\n",
	       ret, ret ? 0 : d4k, (unsigned long long)before.refcount_sum,
	       (unsigned long long)(ret ? before : after).refcount_sum);
	if (ret)
		fail("mapping VM_PFNMAP memory: %s", strerror(-ret));
	else if (d4k != (long)(SZ_2M / sysconf(_SC_PAGESIZE)) ||
		 after.refcount_sum != before.refcount_sum)
		fail("pages_4k +%ld, refcounts' sum %llu -> %llu", d4k,
		     (unsigned long long)before.refcount_sum,
		     (unsigned long long)after.refcount_sum);
	(void)sum;
out:
	close(fd);	/* the mapping and the memslot keep the memory until exit */
}

int main(int argc, char **argv)
{
	int kvm_fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	kvm_fd = open("/dev/kvm", O_RDWR);
	if (kvm_fd < 0) {
		printf("    no /dev/kvm (%s): skipped\n", strerror(errno));
		return 0;
	}
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_PRE_FAULT_MEMORY) <= 0) {
		printf("    no KVM_CAP_PRE_FAULT_MEMORY: skipped\n");
		return 0;
	}
	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0) {
		fail("KVM_CREATE_VM: %s", strerror(errno));
		return 1;
	}
	vcpu_fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	if (vcpu_fd < 0) {
		fail("KVM_CREATE_VCPU: %s", strerror(errno));
		return 1;
	}
	snprintf(stats_dir, sizeof(stats_dir), "/sys/kernel/debug/kvm/%d-%d",
		 getpid(), vm_fd);
	if (vm_stat("pages_4k") < 0) {
		fail("no %s/pages_4k (debugfs not mounted?)", stats_dir);
		return 1;
	}

	if (argc > 1 && !strcmp(argv[1], "pfnmap"))
		show_pfnmap();
	else
		show_level();

	if (failures) {
		printf("demo-kvm: %d check(s) FAILED\n", failures);
		return 1;
	}
	return 0;
}
