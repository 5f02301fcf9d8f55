/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guard-region ABI values, for the demo and benchmark programs built against
 * C library headers that predate them. The values are upstream Linux's.
 */
#ifndef GUARD_ABI_H
#define GUARD_ABI_H

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL	102
#endif
#ifndef MADV_GUARD_REMOVE
#define MADV_GUARD_REMOVE	103
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef PIDFD_SELF
#define PIDFD_SELF		-10000
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open		434
#endif
#ifndef __NR_process_madvise
#define __NR_process_madvise	440
#endif
#ifndef UIO_MAXIOV
#define UIO_MAXIOV		1024
#endif

#endif /* GUARD_ABI_H */
