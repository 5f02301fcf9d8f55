// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of KVM's fault-in: what it costs KVM to map a guest page, per
 * 4 KiB page, for several kinds of host memory behind a memslot: anonymous
 * memory in 4 KiB pages, THP, hugetlb, and the shapes of VM_PFNMAP memory
 * that lib/test_pfnmap.ko maps (the patched kernel maps those whose pages
 * have refcount 0; 6.12 fails with EFAULT where it would need a reference
 * on such a page: NONCOMPOUND and COMPOUND. It maps RESERVED, whose
 * PG_reserved pages it does not refcount, with a WARN, and HUGE, because
 * each of its 2 MiB chunks is mapped whole on a first fault that falls on
 * the chunk's first page, whose refcount is not 0.)
 *
 * Usage: kvm-bench [MIB [BACKING...]]
 *
 *   MIB       size of the memslot in MiB, a multiple of 2 (default 64)
 *   BACKING   anon4k thp hugetlb order0 noncompound compound reserved huge
 *             (default: all, in that order)
 *
 * For each backing, in a child process of its own (a failure does not end
 * the run), MIB of host memory at a 2 MiB aligned address is written page by
 * page on the host first (so host faults are not measured), then registered
 * as a memslot at guest physical 4 GiB:
 *
 *   prefault  a fresh VM; KVM_PRE_FAULT_MEMORY over the slot, timed. The VM
 *             stats pages_4k and pages_2m after it give the mapping levels.
 *   touch     a fresh VM; the guest (mapping the slot with 2 MiB guest
 *             pages) first stops at a GUEST_SYNC (first-run costs, untimed),
 *             then writes one word in each 4 KiB page of the slot and stops
 *             again: that second KVM_RUN is timed.
 *   refault   anon4k, thp, hugetlb only: in the touch VM, MADV_DONTNEED of
 *             the host range (KVM's mappings go through the MMU notifier),
 *             then the guest's pass again, timed: host fault plus KVM fault.
 *
 * Timing is clock_gettime(CLOCK_MONOTONIC) around the ioctls; under QEMU
 * -icount shift=0 one ns is one guest instruction. Output, one per line:
 * "BACKING.KEY VALUE" with KEY prefault_ns_per_page, touch_ns_per_page,
 * refault_ns_per_page, pages_4k and pages_2m (after prefault),
 * touch_pages_4k, touch_pages_2m, refault_pages_4k, refault_pages_2m (after
 * those passes; they include the guest's own code, stack and page tables).
 *
 * mmap_lock acquisitions per fault: after the timed cases, each is run once
 * more, untimed, on the same (host-mapped again) memory in fresh VMs, with
 * the tracefs event mmap_lock/mmap_lock_acquire_returned enabled for this
 * process only (set_event_pid, the vCPU thread: KVM faults in the pages in
 * the thread that runs KVM_PRE_FAULT_MEMORY or KVM_RUN) and tracing_on set
 * around the ioctl alone (the host's writes, VM creation, the warm-up run
 * and MADV_DONTNEED are not counted). The events of the ioctl are counted
 * from the trace: acquisitions (success=true) by read and by write, and
 * failed trylocks. The mappings are those the ioctl made: the rise of
 * pages_4k + pages_2m over it (one per 4 KiB page, or one per 2 MiB where
 * KVM maps 2 MiB). The faults are the slot's: the mappings of prefault and
 * refault, and for touch, whose guest also faults in the (4 KiB) pages of
 * its page tables for the slot's addresses, those of the counted prefault.
 * Output, OP prefault, touch or refault: OP_mmap_lock_read,
 * OP_mmap_lock_write, OP_mmap_lock_failed, OP_mappings, OP_faults and
 * OP_mmap_lock_per_fault ((read + write) / faults). Needs tracefs at
 * /sys/kernel/tracing (kvm-run.sh mounts it) and CONFIG_TRACING: without
 * them "error=mmap_lock-count:..." and no such lines. The event also fires
 * for a trylock; acquisitions by other tasks on this mm (async page fault
 * workers, KVM's NX huge page recovery thread) are not counted.
 *
 * If KVM_PRE_FAULT_MEMORY or KVM_RUN fails: "BACKING.fails 1" and
 * "error=BACKING:ERRNO" (e.g. EFAULT), and the backing's other cases are
 * not run. Other failures: "error=BACKING:..." lines. A line
 * "config.slot_mib MIB" gives the size. Exit status 0 unless the arguments
 * are wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"
#include "ucall_common.h"

/* lib/test_pfnmap_uapi.h, not exported to usr/include (-I the tree). */
#include <lib/test_pfnmap_uapi.h>

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB	(21 << 26)
#endif

#define SZ_2M		(2ULL << 20)
#define SLOT_ID		10
#define SLOT_GPA	(4ULL << 30)
#define SLOT_GVA	SLOT_GPA

enum kind { ANON4K, THP, HUGETLB, PFNMAP };

struct backing {
	const char *name;
	enum kind kind;
	enum test_pfnmap_shape shape;	/* PFNMAP */
};

static const struct backing backings[] = {
	{ "anon4k", ANON4K },
	{ "thp", THP },
	{ "hugetlb", HUGETLB },
	{ "order0", PFNMAP, TEST_PFNMAP_ORDER0 },
	{ "noncompound", PFNMAP, TEST_PFNMAP_NONCOMPOUND },
	{ "compound", PFNMAP, TEST_PFNMAP_COMPOUND },
	{ "reserved", PFNMAP, TEST_PFNMAP_RESERVED },
	{ "huge", PFNMAP, TEST_PFNMAP_HUGE },
};

/* The slot's size in bytes, also read by the guest. */
static uint64_t slot_size;

/*
 * Counting mmap_lock acquisitions: the cases run with "counting" set bracket
 * their ioctl with lock_count_start() and lock_count_end().
 */
#define TRACEFS		"/sys/kernel/tracing/"
#define LOCK_EVENT	"events/mmap_lock/mmap_lock_acquire_returned/"
static bool can_count, counting;
static int tracing_on_fd = -1;
static uint64_t count_mapped;	/* pages_4k + pages_2m at lock_count_start() */
static uint64_t slot_faults;	/* the mappings of the counted prefault */

static void guest_code(void)
{
	uint64_t off, pass;

	GUEST_SYNC(0);
	for (pass = 1;; pass++) {
		for (off = 0; off < slot_size; off += PAGE_SIZE)
			WRITE_ONCE(*(volatile uint64_t *)(SLOT_GVA + off), pass);
		GUEST_SYNC(pass);
	}
}

static const char *errno_name(int err)
{
	switch (err) {
	case EFAULT:	return "EFAULT";
	case ENOMEM:	return "ENOMEM";
	case EINVAL:	return "EINVAL";
	case EBUSY:	return "EBUSY";
	case EHWPOISON:	return "EHWPOISON";
	case ENOENT:	return "ENOENT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENODEV:	return "ENODEV";
	case EAGAIN:	return "EAGAIN";
	default:	return strerror(err);
	}
}

static double now_ns(void)
{
	struct timespec ts;

	TEST_ASSERT(!clock_gettime(CLOCK_MONOTONIC, &ts), "clock_gettime");
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* An error line, and the child's end. */
static void __attribute__((noreturn)) give_up(const struct backing *b, const char *what,
					       int err)
{
	printf("error=%s:%s-%s\n", b->name, what, errno_name(err));
	exit(0);
}

/*
 * Reserve slot_size + 2 MiB of address space, give back all but a 2 MiB
 * aligned slot_size of it: that address.
 */
static char *aligned_area(void)
{
	size_t span = slot_size + SZ_2M;
	char *raw, *p;

	raw = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(raw != MAP_FAILED, "mmap of %zu bytes", span);
	p = (char *)align_up((uintptr_t)raw, SZ_2M);
	if (p > raw)
		munmap(raw, p - raw);
	if (raw + span > p + slot_size)
		munmap(p + slot_size, raw + span - (p + slot_size));
	return p;
}

/* The backing's memory, slot_size bytes at a 2 MiB aligned address. */
static char *map_backing(const struct backing *b)
{
	struct test_pfnmap_setup setup = { .shape = b->shape, .size = slot_size };
	int prot = PROT_READ | PROT_WRITE;
	char *p = aligned_area();
	int fd;

	switch (b->kind) {
	case ANON4K:
	case THP:
		if (mmap(p, slot_size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			 -1, 0) != p)
			give_up(b, "mmap", errno);
		if (madvise(p, slot_size, b->kind == THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
			give_up(b, "madvise", errno);
		break;
	case HUGETLB:
		if (mmap(p, slot_size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
			 MAP_HUGETLB | MAP_HUGE_2MB, -1, 0) != p)
			give_up(b, "mmap-hugetlb", errno);
		break;
	case PFNMAP:
		fd = open("/dev/test_pfnmap", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			give_up(b, "open-/dev/test_pfnmap", errno);
		if (ioctl(fd, TEST_PFNMAP_SETUP, &setup))
			give_up(b, "TEST_PFNMAP_SETUP", errno);
		if (mmap(p, slot_size, prot, MAP_SHARED | MAP_FIXED, fd, 0) != p)
			give_up(b, "mmap-test_pfnmap", errno);
		break;
	}
	return p;
}

/* Write one word of every 4 KiB page: the host faults, not measured. */
static void populate(char *p)
{
	uint64_t off;

	for (off = 0; off < slot_size; off += PAGE_SIZE)
		*(volatile uint64_t *)(p + off) = off;
}

static struct kvm_vm *new_vm(struct kvm_vcpu **vcpu, char *hva)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_code);

	vm_set_user_memory_region(vm, SLOT_ID, 0, SLOT_GPA, slot_size, hva);
	return vm;
}

/* The case failed with @err: say so, and end this backing. */
static void __attribute__((noreturn)) fails(const struct backing *b, const char *what, int err)
{
	printf("# %s: %s: %s\n", b->name, what, errno_name(err));
	printf("%s.fails 1\n", b->name);
	printf("error=%s:%s\n", b->name, errno_name(err));
	exit(0);
}

static void print_levels(struct kvm_vm *vm, const struct backing *b, const char *prefix)
{
	printf("%s.%spages_4k %lu\n", b->name, prefix, vm_get_stat(vm, "pages_4k"));
	printf("%s.%spages_2m %lu\n", b->name, prefix, vm_get_stat(vm, "pages_2m"));
}

/* Write @val to the tracefs file @file: 0 or the errno. */
static int tracefs_write(const char *file, const char *val)
{
	char path[256];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), TRACEFS "%s", file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = write(fd, val, strlen(val));
	if (n != (ssize_t)strlen(val))
		err = n < 0 ? errno : EIO;
	close(fd);
	return err;
}

/*
 * The event on for this process, tracing off until lock_count_start(): 0 or
 * the errno. Registering the tracepoint happens here, not in the window.
 */
static int lock_count_setup(const struct backing *b)
{
	char pid[32];
	int err;

	snprintf(pid, sizeof(pid), "%d\n", getpid());
	if ((err = tracefs_write("tracing_on", "0")) ||
	    (err = tracefs_write("set_event_pid", pid)) ||
	    (err = tracefs_write(LOCK_EVENT "filter", "0")) ||
	    (err = tracefs_write(LOCK_EVENT "enable", "1"))) {
		printf("error=%s:mmap_lock-count-setup-%s\n", b->name, errno_name(err));
		return err;
	}
	tracing_on_fd = open(TRACEFS "tracing_on", O_WRONLY | O_CLOEXEC);
	if (tracing_on_fd < 0) {
		printf("error=%s:mmap_lock-count-setup-%s\n", b->name, errno_name(errno));
		return errno;
	}
	return 0;
}

/*
 * Tracing off, the event off, no pid filter (whose sched_switch probes go
 * with it): nothing of the counting stays on for a timed case. The parent
 * calls it before each backing, whatever became of the one before.
 */
static void lock_count_off(void)
{
	tracefs_write("tracing_on", "0");
	tracefs_write(LOCK_EVENT "enable", "0");
	tracefs_write("set_event_pid", "");
	tracefs_write("trace", "");
}

static uint64_t mapped(struct kvm_vm *vm)
{
	return vm_get_stat(vm, "pages_4k") + vm_get_stat(vm, "pages_2m");
}

/* Just before the ioctl: an empty trace, tracing on. */
static void lock_count_start(struct kvm_vm *vm)
{
	count_mapped = mapped(vm);
	TEST_ASSERT(!tracefs_write("trace", ""), "clearing " TRACEFS "trace");
	TEST_ASSERT(pwrite(tracing_on_fd, "1", 1, 0) == 1, "tracing_on 1");
}

/* Just after the ioctl: tracing off. */
static void lock_count_stop(void)
{
	TEST_ASSERT(pwrite(tracing_on_fd, "0", 1, 0) == 1, "tracing_on 0");
}

/* The events of the window and the faults of @op, printed. */
static void lock_count_end(struct kvm_vm *vm, const struct backing *b, const char *op)
{
	static const char ENTRIES[] = "entries-in-buffer/entries-written:";
	unsigned long rd = 0, wr = 0, failed = 0, in_buf = 0, written = 0;
	uint64_t mappings = mapped(vm) - count_mapped, faults = mappings;
	char line[1024];
	const char *p;
	FILE *f;

	f = fopen(TRACEFS "trace", "re");
	TEST_ASSERT(f, "opening " TRACEFS "trace");
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#') {
			p = strstr(line, ENTRIES);
			if (p)
				sscanf(p + strlen(ENTRIES), " %lu/%lu", &in_buf, &written);
			continue;
		}
		if (strstr(line, "LOST") && strstr(line, "EVENTS"))
			written = ~0UL;
		if (!strstr(line, "mmap_lock_acquire_returned:"))
			continue;
		if (!strstr(line, "success=true"))
			failed++;
		else if (strstr(line, "write=true"))
			wr++;
		else
			rd++;
	}
	fclose(f);
	if (in_buf != written || rd + wr + failed != in_buf) {
		printf("error=%s:mmap_lock-count-%s-lost-events\n", b->name, op);
		return;
	}
	/*
	 * The prefault maps the slot alone (a fresh VM), the refault the slot
	 * alone (the rest stays mapped); the touch pass also maps the guest's
	 * page tables for the slot's addresses, not the slot's faults.
	 */
	if (!strcmp(op, "prefault"))
		slot_faults = mappings;
	else if (!strcmp(op, "touch") && slot_faults)
		faults = slot_faults;
	printf("%s.%s_mmap_lock_read %lu\n", b->name, op, rd);
	printf("%s.%s_mmap_lock_write %lu\n", b->name, op, wr);
	printf("%s.%s_mmap_lock_failed %lu\n", b->name, op, failed);
	printf("%s.%s_mappings %lu\n", b->name, op, (unsigned long)mappings);
	printf("%s.%s_faults %lu\n", b->name, op, (unsigned long)faults);
	if (faults)
		printf("%s.%s_mmap_lock_per_fault %.3f\n", b->name, op,
		       (double)(rd + wr) / faults);
}

static void prefault(const struct backing *b, char *hva)
{
	struct kvm_pre_fault_memory range = { .gpa = SLOT_GPA, .size = slot_size };
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	double t0, t1;
	int ret;

	if (!kvm_has_cap(KVM_CAP_PRE_FAULT_MEMORY)) {
		printf("error=%s:no-KVM_CAP_PRE_FAULT_MEMORY\n", b->name);
		return;
	}
	vm = new_vm(&vcpu, hva);
	if (counting)
		lock_count_start(vm);
	t0 = now_ns();
	do {
		ret = __vcpu_ioctl(vcpu, KVM_PRE_FAULT_MEMORY, &range);
	} while (range.size && (ret == 0 || errno == EINTR || errno == EAGAIN));
	t1 = now_ns();
	if (counting)
		lock_count_stop();
	if (ret)
		fails(b, "KVM_PRE_FAULT_MEMORY", errno);
	if (counting) {
		lock_count_end(vm, b, "prefault");
	} else {
		printf("%s.prefault_ns_per_page %.1f\n", b->name,
		       (t1 - t0) / (slot_size / PAGE_SIZE));
		print_levels(vm, b, "");
	}
	kvm_vm_free(vm);
}

/*
 * One KVM_RUN up to the guest's GUEST_SYNC(@pass): 0 or the errno. With
 * @count, the mmap_lock acquisitions are counted around it.
 */
static int run_pass(struct kvm_vcpu *vcpu, uint64_t pass, double *ns, bool count)
{
	struct ucall uc;
	double t0, t1;
	int ret;

	if (count)
		lock_count_start(vcpu->vm);
	t0 = now_ns();
	do {
		ret = __vcpu_run(vcpu);
	} while (ret == -1 && errno == EINTR);
	t1 = now_ns();
	if (count)
		lock_count_stop();
	if (ret)
		return errno;
	*ns = t1 - t0;

	switch (get_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
		TEST_ASSERT(uc.args[1] == pass, "guest at pass %lu, expected %lu",
			    uc.args[1], pass);
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		TEST_FAIL("unexpected exit: %s, ucall %lu",
			  exit_reason_str(vcpu->run->exit_reason), uc.cmd);
	}
	return 0;
}

static void touch(const struct backing *b, char *hva)
{
	uint64_t pages = slot_size / PAGE_SIZE;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	double ns;
	int err;

	vm = new_vm(&vcpu, hva);
	/* 2 MiB guest pages: the guest's own page tables stay out of it. */
	virt_map_level(vm, SLOT_GVA, SLOT_GPA, slot_size, PG_LEVEL_2M);
	sync_global_to_guest(vm, slot_size);

	err = run_pass(vcpu, 0, &ns, false);	/* warm-up, untimed */
	if (err)
		fails(b, "KVM_RUN (warm-up)", err);
	err = run_pass(vcpu, 1, &ns, counting);
	if (err)
		fails(b, "KVM_RUN (touch)", err);
	if (counting) {
		lock_count_end(vm, b, "touch");
	} else {
		printf("%s.touch_ns_per_page %.1f\n", b->name, ns / pages);
		print_levels(vm, b, "touch_");
	}

	if (b->kind != PFNMAP) {
		if (madvise(hva, slot_size, MADV_DONTNEED))
			give_up(b, "MADV_DONTNEED", errno);
		err = run_pass(vcpu, 2, &ns, counting);
		if (err)
			fails(b, "KVM_RUN (refault)", err);
		if (counting) {
			lock_count_end(vm, b, "refault");
		} else {
			printf("%s.refault_ns_per_page %.1f\n", b->name, ns / pages);
			print_levels(vm, b, "refault_");
		}
	}
	kvm_vm_free(vm);
}

static void bench(const struct backing *b)
{
	char *hva = map_backing(b);

	populate(hva);
	prefault(b, hva);
	touch(b, hva);

	/*
	 * The same cases again, counting mmap_lock acquisitions (untimed). The
	 * refault left the host range mapped by KVM's faults: written again
	 * (no faults where it is mapped), as before the timed cases.
	 */
	if (!can_count || lock_count_setup(b))
		return;
	populate(hva);
	counting = true;
	prefault(b, hva);
	touch(b, hva);
	counting = false;
	lock_count_off();
}

int main(int argc, char **argv)
{
	unsigned long mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 64;
	size_t i, n = sizeof(backings) / sizeof(backings[0]);
	int a, status;
	pid_t pid;

	if (!mib || mib % 2 || mib * (1ULL << 20) > TEST_PFNMAP_MAX_SIZE) {
		fprintf(stderr, "usage: kvm-bench [MIB [BACKING...]] (MIB even, at most %llu)\n",
			TEST_PFNMAP_MAX_SIZE >> 20);
		return 2;
	}
	slot_size = mib << 20;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# kvm-bench: %lu MiB per backing, %lu pages of 4 KiB\n", mib,
	       (unsigned long)(slot_size / PAGE_SIZE));
	printf("config.slot_mib %lu\n", mib);
	can_count = !access(TRACEFS LOCK_EVENT "enable", W_OK);
	if (!can_count)
		printf("error=mmap_lock-count:no-" TRACEFS LOCK_EVENT "enable\n");

	for (i = 0; i < n; i++) {
		const struct backing *b = &backings[i];

		if (argc > 2) {
			for (a = 2; a < argc && strcmp(argv[a], b->name); a++)
				;
			if (a == argc)
				continue;
		}
		if (can_count)
			lock_count_off();
		pid = fork();
		TEST_ASSERT(pid >= 0, "fork");
		if (!pid) {
			bench(b);
			exit(0);
		}
		TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
		if (WIFSIGNALED(status))
			printf("error=%s:signal-%d\n", b->name, WTERMSIG(status));
		else if (WEXITSTATUS(status))
			printf("error=%s:exit-status-%d\n", b->name, WEXITSTATUS(status));
	}
	if (can_count)
		lock_count_off();
	return 0;
}
