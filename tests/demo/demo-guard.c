// SPDX-License-Identifier: GPL-2.0
/*
 * demo-guard: a guided tour of guard regions (MADV_GUARD_INSTALL and
 * MADV_GUARD_REMOVE), run by "make run" inside the guest.
 *
 * Every value it prints is measured. Anything that should work and does not
 * is reported as FAILED and makes the program exit 1. On a kernel without
 * guard regions it says so, shows the PROT_NONE half of the stack allocator
 * and exits 0.
 *
 * Build: gcc -O2 -Wall -static -o demo-guard demo-guard.c -lpthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../guard-abi.h"
#include "demo.h"

#define PM_GUARD_BIT	58	/* /proc/PID/pagemap: pte is a guard region */
#define NR_PAGES	4	/* pages of the one mapping shown */
#define NR_STACKS	256
#define STACK_SIZE	(64 * 1024)

static size_t page_size;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* ---- SIGSEGV catching ---- */

static sigjmp_buf segv_env;
static volatile sig_atomic_t segv_armed;
static volatile sig_atomic_t segv_count;
static void *volatile segv_addr;

static void segv_handler(int sig, siginfo_t *si, void *uc)
{
	segv_count++;
	segv_addr = si->si_addr;
	if (segv_armed) {
		segv_armed = 0;
		siglongjmp(segv_env, 1);
	}
	/* Unexpected: return to the faulting access and die the default way. */
	signal(SIGSEGV, SIG_DFL);
}

static void install_segv_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = segv_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL)) {
		perror("sigaction");
		exit(1);
	}
}

/* Write one byte; returns 0, or -1 if the write raised SIGSEGV. */
static int try_write(volatile char *p, char val)
{
	if (sigsetjmp(segv_env, 1))
		return -1;
	segv_armed = 1;
	*p = val;
	segv_armed = 0;
	return 0;
}

/* Read one byte into *val; returns 0, or -1 if the read raised SIGSEGV. */
static int try_read(volatile char *p, char *val)
{
	if (sigsetjmp(segv_env, 1))
		return -1;
	segv_armed = 1;
	*val = *p;
	segv_armed = 0;
	return 0;
}

/* ---- /proc readers ---- */

/* Lines of /proc/self/maps = VMAs. Raw read(2), so no malloc() can add one. */
static long count_vmas(void)
{
	static char buf[65536];
	long lines = 0;
	ssize_t r, i;
	int fd;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < r; i++)
			lines += buf[i] == '\n';
	close(fd);
	return r < 0 ? -1 : lines;
}

/* The pagemap entry of the page at addr, or -1 with errno on error. */
static int pagemap_entry(const void *addr, uint64_t *entry)
{
	off_t off = (uintptr_t)addr / page_size * sizeof(*entry);
	ssize_t r;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = pread(fd, entry, sizeof(*entry), off);
	close(fd);
	if (r != sizeof(*entry)) {
		if (r >= 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * Copy the VmFlags of the VMA that contains addr (without the "VmFlags:"
 * prefix) into flags. Returns 0, or -1 if not found.
 */
static int smaps_vmflags(const void *addr, char *flags, size_t size)
{
	unsigned long start, end, a = (uintptr_t)addr;
	char line[512];
	int in_vma = 0, ret = -1;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in_vma = a >= start && a < end;
			continue;
		}
		if (in_vma && !strncmp(line, "VmFlags:", 8)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(flags, size, "%s", line + 8 + strspn(line + 8, " "));
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* Does the space-separated list have the token? */
static int has_token(const char *list, const char *token)
{
	size_t len = strlen(token);
	const char *p = list;

	while ((p = strstr(p, token))) {
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
			return 1;
		p += len;
	}
	return 0;
}

/*
 * Count the VMAs of /proc/self/maps that overlap [lo, hi); the last one's line
 * (without the newline) goes to last.
 */
static int vmas_overlapping(const char *lo, const char *hi, char *last, size_t size)
{
	unsigned long start, end;
	char line[512];
	int n = 0;
	FILE *f;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) != 2)
			continue;
		if (start < (uintptr_t)hi && end > (uintptr_t)lo) {
			size_t len = strcspn(line, "\n");

			while (len && line[len - 1] == ' ')
				len--;
			line[len] = '\0';
			snprintf(last, size, "%s", line);
			n++;
		}
	}
	fclose(f);
	return n;
}

/* ---- guard regions in one mapping ---- */

static char page_fill(int i)
{
	return (char)(0x11 * (i + 1));
}

/* Is every byte of the page equal to c? */
static int page_is(const char *page, char c)
{
	size_t i;

	for (i = 0; i < page_size; i++)
		if (page[i] != c)
			return 0;
	return 1;
}

static void show_pagemap(char *map, int want_guard_page)
{
	char line[256];
	int i, len;

	len = snprintf(line, sizeof(line), "    pagemap bit %d (guard):", PM_GUARD_BIT);
	for (i = 0; i < NR_PAGES; i++) {
		uint64_t e;
		int bit;

		if (pagemap_entry(map + i * page_size, &e)) {
			fail("reading /proc/self/pagemap: %s", strerror(errno));
			return;
		}
		bit = (e >> PM_GUARD_BIT) & 1;
		len += snprintf(line + len, sizeof(line) - len, "  page %d: %d", i + 1, bit);
		if (bit != (i == want_guard_page))
			fail("pagemap bit %d of page %d is %d", PM_GUARD_BIT, i + 1, bit);
	}
	printf("%s\n", line);
}

static void show_other_pages(char *map, int skip, const char *prefix)
{
	char line[256];
	int i, len;

	len = snprintf(line, sizeof(line), "    %spages", prefix);
	for (i = 0; i < NR_PAGES; i++) {
		if (i == skip)
			continue;
		if (!page_is(map + i * page_size, page_fill(i)))
			fail("page %d lost its data", i + 1);
		len += snprintf(line + len, sizeof(line) - len, " %d (0x%02x)", i + 1,
				(unsigned char)page_fill(i));
	}
	printf("%s: all %zu bytes intact\n", line, page_size);
}

static void demo_one_mapping(void)
{
	const int g = 1;	/* index of the guarded page: page 2 of 4 */
	char *map, *guard, flags[256], vma[512], c;
	int i, n, p[2];
	ssize_t r;

	printf("A mapping of %d pages, each filled with its own byte; page 2 made a guard page:\n",
	       NR_PAGES);

	map = mmap(NULL, NR_PAGES * page_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		fail("mmap: %s", strerror(errno));
		return;
	}
	for (i = 0; i < NR_PAGES; i++)
		memset(map + i * page_size, page_fill(i), page_size);
	guard = map + g * page_size;
	if (madvise(guard, page_size, MADV_GUARD_INSTALL)) {
		fail("madvise(MADV_GUARD_INSTALL): %s", strerror(errno));
		munmap(map, NR_PAGES * page_size);
		return;
	}

	/* Touch it: a write into the middle of page 2. */
	if (try_write(guard + page_size / 2, 1) == 0) {
		fail("writing to the guard page did not raise SIGSEGV");
	} else {
		char *a = segv_addr;

		printf("    write to page 2: SIGSEGV caught at %p (page %ld of %d)\n", (void *)a,
		       (long)((a - map) / (long)page_size) + 1, NR_PAGES);
		if (a != guard + page_size / 2)
			fail("si_addr %p is not the address written, %p", (void *)a,
			     (void *)(guard + page_size / 2));
	}
	if (try_read(guard, &c) == 0)
		fail("reading the guard page did not raise SIGSEGV");
	show_other_pages(map, g, "");
	show_pagemap(map, g);

	n = vmas_overlapping(map, map + NR_PAGES * page_size, vma, sizeof(vma));
	if (smaps_vmflags(map, flags, sizeof(flags))) {
		fail("no VmFlags line for the mapping in /proc/self/smaps");
	} else {
		printf("    smaps VmFlags: %s%s; /proc/self/maps: %d VMA\n", flags,
		       has_token(flags, "gu") ? " (\"gu\": has guards)" : "", n);
		if (!has_token(flags, "gu"))
			fail("VmFlags has no \"gu\"");
	}
	if (n != 1)
		fail("%d VMAs in /proc/self/maps for the mapping, expected 1", n);

	/* A system call writing into the guard page gets EFAULT, not a signal. */
	if (pipe(p)) {
		fail("pipe: %s", strerror(errno));
	} else {
		int before = segv_count;

		if (write(p[1], "sixteen bytes...", 16) != 16)
			fail("write to pipe: %s", strerror(errno));
		if (sigsetjmp(segv_env, 1)) {
			fail("read(2) into the guard page raised SIGSEGV");
		} else {
			segv_armed = 1;
			r = read(p[0], guard, 16);
			segv_armed = 0;
			if (r == -1 && errno == EFAULT && segv_count == before)
				printf("    read(2) from a pipe into page 2: %s\n",
				       "-1 EFAULT, no signal");
			else
				fail("read(2) into the guard page returned %zd (%s)", r,
				     r < 0 ? strerror(errno) : "no error");
		}
		close(p[0]);
		close(p[1]);
	}

	printf("MADV_GUARD_REMOVE on page 2: ordinary memory again, zero like untouched memory:\n");
	if (madvise(guard, page_size, MADV_GUARD_REMOVE)) {
		fail("madvise(MADV_GUARD_REMOVE): %s", strerror(errno));
	} else if (try_read(guard, &c)) {
		fail("page 2 still raises SIGSEGV after MADV_GUARD_REMOVE");
	} else {
		if (!page_is(guard, 0))
			fail("page 2 is not zero after MADV_GUARD_REMOVE");
		if (try_write(guard, 0x22))
			fail("page 2 not writable after MADV_GUARD_REMOVE");
		else
			guard[0] = 0;
		show_other_pages(map, g, "page 2 zero and writable; ");
		show_pagemap(map, -1);
	}
	munmap(map, NR_PAGES * page_size);
}

/* ---- a tiny thread-stack allocator ---- */

enum guard_way { WAY_PROTNONE, WAY_MADVISE, WAY_PROCESS_MADVISE };

struct stacks {
	char *base;		/* stack i: [base + i * slot, + STACK_SIZE), guard first */
	size_t slot;		/* STACK_SIZE plus the one-page gap */
	long vmas_added;
	uint64_t ns;
	long pm_ret;		/* process_madvise() return value */
	const char *pm_pidfd;	/* which pidfd process_madvise() took */
};

static char *stack_lo(struct stacks *s, int i)
{
	return s->base + i * s->slot;
}

/* Find room for n stacks: map a PROT_NONE reservation, then give it back. */
static char *find_space(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, len);
	return p;
}

static void free_stacks(struct stacks *s)
{
	int i;

	for (i = 0; i < NR_STACKS; i++)
		munmap(stack_lo(s, i), STACK_SIZE);
}

/* process_madvise() on ourselves: PIDFD_SELF, or a pidfd_open() pidfd. */
static long guard_vector(struct iovec *iov, int n, const char **how)
{
	static int pidfd = PIDFD_SELF;
	long r;

	r = syscall(__NR_process_madvise, pidfd, iov, n, MADV_GUARD_INSTALL, 0);
	if (r < 0 && pidfd == PIDFD_SELF && (errno == EBADF || errno == EINVAL)) {
		int fd = syscall(__NR_pidfd_open, getpid(), 0);

		if (fd < 0)
			return -1;
		pidfd = fd;
		r = syscall(__NR_process_madvise, pidfd, iov, n, MADV_GUARD_INSTALL, 0);
	}
	*how = pidfd == PIDFD_SELF ? "PIDFD_SELF" : "pidfd_open(getpid())";
	return r;
}

/* Map NR_STACKS stacks and guard them the given way. 0, or -1 (reported). */
static int alloc_stacks(struct stacks *s, enum guard_way way)
{
	static struct iovec iov[NR_STACKS];
	long before, after;
	uint64_t t0;
	int i;

	memset(s, 0, sizeof(*s));
	s->slot = STACK_SIZE + page_size;
	s->base = find_space(NR_STACKS * s->slot + page_size);
	if (!s->base) {
		fail("reserving address space: %s", strerror(errno));
		return -1;
	}
	s->base += page_size;	/* a gap below the first stack, too */

	before = count_vmas();
	t0 = now_ns();
	for (i = 0; i < NR_STACKS; i++) {
		char *lo = stack_lo(s, i), *p;

		p = mmap(lo, STACK_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p != lo) {
			fail("mmap of stack %d at %p: %s", i, (void *)lo,
			     p == MAP_FAILED ? strerror(errno) : "placed elsewhere");
			if (p != MAP_FAILED)
				munmap(p, STACK_SIZE);
			goto undo;
		}
		if (way == WAY_PROTNONE && mprotect(lo, page_size, PROT_NONE)) {
			fail("mprotect(PROT_NONE) of stack %d: %s", i, strerror(errno));
			i++;
			goto undo;
		}
		if (way == WAY_MADVISE && madvise(lo, page_size, MADV_GUARD_INSTALL)) {
			fail("madvise(MADV_GUARD_INSTALL) of stack %d: %s", i, strerror(errno));
			i++;
			goto undo;
		}
		iov[i].iov_base = lo;
		iov[i].iov_len = page_size;
	}
	if (way == WAY_PROCESS_MADVISE) {
		s->pm_ret = guard_vector(iov, NR_STACKS, &s->pm_pidfd);
		if (s->pm_ret != (long)(NR_STACKS * page_size)) {
			fail("process_madvise(MADV_GUARD_INSTALL) returned %ld (%s), expected %zu",
			     s->pm_ret, s->pm_ret < 0 ? strerror(errno) : "short",
			     NR_STACKS * page_size);
			goto undo;
		}
	}
	s->ns = now_ns() - t0;
	after = count_vmas();
	if (before < 0 || after < 0) {
		fail("reading /proc/self/maps");
		free_stacks(s);
		return -1;
	}
	s->vmas_added = after - before;
	return 0;
undo:
	while (i-- > 0)
		munmap(stack_lo(s, i), STACK_SIZE);
	return -1;
}

static void show_stacks(const char *what, struct stacks *s, long want_per_stack)
{
	printf("    %-27s +%ld VMAs = %.2f per stack, %.2f ms (%.1f us per stack)\n", what,
	       s->vmas_added, (double)s->vmas_added / NR_STACKS, s->ns / 1e6,
	       s->ns / 1e3 / NR_STACKS);
	if (s->vmas_added != want_per_stack * NR_STACKS)
		fail("%ld VMAs added, expected %ld", s->vmas_added, want_per_stack * NR_STACKS);
}

static void stack_allocator(int have_guards, struct stacks *keep)
{
	struct stacks s;

	printf("A thread-stack allocator: %d stacks of %d KiB, each with a guard page at its low end:\n",
	       NR_STACKS, STACK_SIZE / 1024);

	if (!alloc_stacks(&s, WAY_PROTNONE)) {
		show_stacks("mmap + mprotect(PROT_NONE):", &s, 2);
		free_stacks(&s);
	}
	if (!have_guards)
		return;

	if (!alloc_stacks(keep, WAY_MADVISE))
		show_stacks("mmap + MADV_GUARD_INSTALL:", keep, 1);
	else
		keep->base = NULL;

	if (!alloc_stacks(&s, WAY_PROCESS_MADVISE)) {
		show_stacks("mmap + 1 process_madvise():", &s, 1);
		printf("    process_madvise(%s, %d iovecs) returned %ld bytes = %d x %zu\n",
		       s.pm_pidfd, NR_STACKS, s.pm_ret, NR_STACKS, page_size);
		free_stacks(&s);
	}
}

struct worker {
	char *lo, *hi;		/* the usable stack */
	char *local;		/* address of one of the thread's locals */
	unsigned long sum;
};

static void *stack_worker(void *arg)
{
	struct worker *w = arg;
	volatile unsigned char buf[8192];
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7);
	for (i = 0; i < sizeof(buf); i++)
		sum += buf[i];
	w->local = (char *)buf;
	w->sum = sum;
	return NULL;
}

static void run_on_stacks(struct stacks *s)
{
	const int k = NR_STACKS / 2;
	char *lo = stack_lo(s, k) + page_size, *hi = stack_lo(s, k) + STACK_SIZE;
	unsigned long want = 0;
	struct worker w = { .lo = lo, .hi = hi };
	pthread_attr_t attr;
	pthread_t t;
	int err, status;
	size_t i;
	pid_t pid;

	for (i = 0; i < 8192; i++)
		want += (unsigned char)(i * 7);
	err = pthread_attr_init(&attr);
	if (!err)
		err = pthread_attr_setstack(&attr, lo, hi - lo);
	if (!err)
		err = pthread_create(&t, &attr, stack_worker, &w);
	if (err) {
		fail("starting a thread on %p-%p: %s", (void *)lo, (void *)hi, strerror(err));
	} else {
		pthread_join(t, NULL);
		printf("    a thread ran on stack %d (%p-%p), checksum %lu\n",
		       k, (void *)lo, (void *)hi, w.sum);
		if (w.local < lo || w.local >= hi)
			fail("the thread's locals are not on the stack given to it");
		if (w.sum != want)
			fail("checksum %lu, expected %lu", w.sum, want);
	}
	pthread_attr_destroy(&attr);

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fail("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core);
		signal(SIGSEGV, SIG_DFL);
		*(volatile char *)(lo - 1) = 1;	/* the stack overflows by one byte */
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		fail("waitpid: %s", strerror(errno));
		return;
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		printf("    a child wrote 1 byte below it, at %p (guard page): killed by SIGSEGV\n",
		       (void *)(lo - 1));
	else if (WIFSIGNALED(status))
		fail("child killed by signal %d, expected SIGSEGV", WTERMSIG(status));
	else
		fail("child wrote below its stack and exited %d: the guard did not fire",
		     WEXITSTATUS(status));
}

int main(void)
{
	struct stacks keep = { 0 };
	int have_guards;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	install_segv_handler();

	printf("== 2. Guard regions\n");
	printf("madvise(MADV_GUARD_INSTALL) puts guard markers in the page tables: touching a\n");
	printf("guarded page raises SIGSEGV, yet no VMA is added, unlike a PROT_NONE page.\n");
	have_guards = madvise(NULL, 0, MADV_GUARD_INSTALL) == 0;
	if (!have_guards) {
		printf("    madvise(NULL, 0, MADV_GUARD_INSTALL) = -1 %s: not supported\n",
		       errno == EINVAL ? "EINVAL" : strerror(errno));
		printf("    (only the PROT_NONE part of the allocator can run)\n");
	}

	if (have_guards)
		demo_one_mapping();
	stack_allocator(have_guards, &keep);
	if (keep.base) {
		run_on_stacks(&keep);
		free_stacks(&keep);
	}

	if (failures) {
		printf("demo-guard: %d check(s) FAILED\n", failures);
		return 1;
	}
	return 0;
}
