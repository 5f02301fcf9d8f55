#!/bin/sh
# Guest side of "make bench" for page-table reclaim. "vmpte": VmPTE before and
# after the reference workload and the allocator pattern (plain TCG: only
# memory is measured). "speed": MADV_DONTNEED and page-fault throughput where
# nothing is reclaimable (run under -icount). Output lines are "mode.key
# value" for scripts/bench-report.py.
case ${1:-vmpte} in
vmpte)
	for mode in reference allocator; do
		./pt-reclaim-bench $mode | sed "s/^/$mode./"
	done ;;
speed)
	./pt-reclaim-bench dontneed 100000 | sed 's/^/dontneed./'
	./pt-reclaim-bench fault 8 | sed 's/^/fault./' ;;
esac
exit 0
