#!/bin/sh
# Guest side of "make bench" for guard regions: every mode the kernel
# supports at 1,000, 10,000 and 50,000 regions. vm.max_map_count is raised so
# that the PROT_NONE way can reach 50,000 regions (it needs 2 VMAs each); the
# default limit is recorded first.
default=$(cat /proc/sys/vm/max_map_count)
echo "default_max_map_count=$default"
echo 262144 >/proc/sys/vm/max_map_count
for n in 1000 10000 50000; do
	r=3
	[ $n -ge 50000 ] && r=1
	for mode in protnone madvise process_madvise; do
		./guard-bench $mode $n $r
	done
done
# The allocator's layout: one arena, a guard per slot, with the default
# vm.max_map_count, where PROT_NONE stops near 32,765 guards.
echo "$default" >/proc/sys/vm/max_map_count
echo "arena_max_map_count=$default"
for n in 1000 10000 100000 1000000; do
	r=3
	[ $n -ge 100000 ] && r=1
	for mode in protnone madvise process_madvise; do
		./guard-bench arena $mode $n $r
	done
done
exit 0
