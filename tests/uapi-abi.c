// SPDX-License-Identifier: GPL-2.0
/*
 * The uapi values the series shares with upstream Linux, checked at build
 * time against the headers the patched test kernel installs (make check runs
 * "gcc -fsyntax-only" on this file from scripts/build-selftests). The
 * selftests cannot check them themselves: <linux/pidfd.h> pulls in
 * <linux/fcntl.h>, which clashes with the C library's <fcntl.h>.
 */
#include <linux/fs.h>
#include <linux/mman.h>
#include <linux/pidfd.h>

_Static_assert(MADV_GUARD_INSTALL == 102, "MADV_GUARD_INSTALL");
_Static_assert(MADV_GUARD_REMOVE == 103, "MADV_GUARD_REMOVE");
_Static_assert(PAGE_IS_GUARD == (1 << 8), "PAGE_IS_GUARD");
_Static_assert(PIDFD_SELF_THREAD == -10000, "PIDFD_SELF_THREAD");
_Static_assert(PIDFD_SELF_THREAD_GROUP == -10001, "PIDFD_SELF_THREAD_GROUP");
_Static_assert(PIDFD_SELF == PIDFD_SELF_THREAD, "PIDFD_SELF");
_Static_assert(PIDFD_SELF_PROCESS == PIDFD_SELF_THREAD_GROUP, "PIDFD_SELF_PROCESS");
