#!/bin/sh
# Guest side of "make bench" for page-table reclaim: VmPTE before and after
# the reference workload and the allocator pattern, then MADV_DONTNEED and
# page-fault throughput where nothing is reclaimable. Each line of output is
# "key value", prefixed with the mode, for scripts/bench-report.py.
for mode in reference allocator; do
	./pt-reclaim-bench $mode | sed "s/^/$mode./"
done
./pt-reclaim-bench dontneed 100000 | sed 's/^/dontneed./'
./pt-reclaim-bench fault 8 | sed 's/^/fault./'
exit 0
