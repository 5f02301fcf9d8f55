#!/bin/sh
# Guest side of "scripts/bench reclaim": MADV_DONTNEED calls that leave their
# PTE tables empty (freed on the patched kernel, kept on the base), of 4 KiB,
# 64 KiB, 2 MiB and 1 GiB, by one thread (pinned to CPU 0 before exec, so the
# mm never ran on the other CPU) and by four threads of one mm (not pinned).
# Then the breakdown layouts (one page more kept in each table) for the small
# calls. One "reclaim ..." line per run for scripts/bench-report.py; a failed
# run prints "error=...".
# $1: "quick" runs fewer rounds and no breakdown layouts (the flush-count
# boots of the test kernels).
quick=${1:-}
echo "kernel=$(uname -r)"
echo "cpus=$(nproc)"
for threads in 1 4; do
	pin=
	[ $threads = 1 ] && pin="taskset -c 0"
	for size in 4k 64k 2m 1g; do
		case $size in
		4k|64k) r=16 ;;
		2m) r=4 ;;
		1g) r=3 ;;
		esac
		[ -n "$quick" ] && [ $r -gt 2 ] && r=2
		[ -n "$quick" ] && [ $size = 1g ] && r=1
		$pin ./reclaim-bench -t $threads -r $r $size ||
			echo "error=reclaim-bench-t$threads-$size:status-$?"
	done
done
[ -n "$quick" ] && exit 0
for size in 4k 64k; do
	for layout in keep-near keep-far; do
		taskset -c 0 ./reclaim-bench -t 1 -r 16 -l $layout $size ||
			echo "error=reclaim-bench-$layout-$size:status-$?"
	done
done
exit 0
