#!/bin/sh
echo "== vmpte (4 KiB pages)"
for mode in "reference 2560" allocator; do ./pt-reclaim-bench $mode | sed "s/^/${mode%% *}./"; done
grep pt_reclaim /proc/vmstat
