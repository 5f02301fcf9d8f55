#!/bin/sh
# Guest side of "make bench" for KVM's fault-in: kvm-bench over anonymous
# 4 KiB, THP and hugetlb memory and lib/test_pfnmap.ko's shapes. The module
# is the copy built out of tree against this kernel (./test_pfnmap.ko, the
# same source for the base and the patched kernel). THP is "madvise" (the
# thp backing asks for it, anon4k refuses it); 2 MiB huge pages for the
# hugetlb backing (KVM_BENCH_MB, default 64, plus slack for the refault).
# kvm-bench counts mmap_lock acquisitions per fault with the tracefs event
# mmap_lock/mmap_lock_acquire_returned (in extra, untimed passes): tracefs
# is mounted here, with a trace buffer (per CPU) for up to ~8 events per
# 4 KiB page of the slot; kvm-bench reports lost events as an error.
# Output lines are "backing.key value" for scripts/bench-report.py;
# failures are reported as "error=..." lines, and the exit status is 0.
mb=${KVM_BENCH_MB:-64}
if ! [ -e /dev/kvm ]; then
	echo "error=no-/dev/kvm"
	exit 0
fi
dmesg -c >/dev/null
insmod ./test_pfnmap.ko || echo "error=insmod-test_pfnmap"
echo madvise >/sys/kernel/mm/transparent_hugepage/enabled
hp=/sys/kernel/mm/hugepages/hugepages-2048kB
echo $((mb / 2 + 8)) >$hp/nr_hugepages
free=$(cat $hp/free_hugepages)
[ "$free" -ge $((mb / 2)) ] || echo "error=hugetlb:only-$free-free-huge-pages"
t=/sys/kernel/tracing
[ -e $t/tracing_on ] || mount -t tracefs tracefs $t 2>/dev/null
if [ -e $t/buffer_size_kb ]; then
	echo 0 >$t/tracing_on
	echo $((mb * 128 > 1024 ? mb * 128 : 1024)) >$t/buffer_size_kb ||
		echo "error=mmap_lock-count:buffer_size_kb"
fi
./kvm-bench "$mb" || echo "error=kvm-bench:exit-status-$?"
rmmod test_pfnmap || echo "error=rmmod-test_pfnmap"
# A kernel warning taints the kernel, which makes scripts/vm's exit status
# (and so the boot) fail: say which one. 6.12.117 WARNs once in
# kvm_is_zone_device_page() when KVM maps a PG_reserved page of refcount 0
# (the "reserved" backing).
dmesg | sed -n 's/.*WARNING: .* at [./]*\([^ ]*\) \([^ ]*\).*/error=kernel-WARNING:\1:\2/p'
exit 0
