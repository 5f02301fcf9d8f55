#!/bin/sh
# Guest side of "make stress" (scripts/stress): for MINUTES minutes, round
# after round, the stress program (mm_stress), the fuzzer with its racing
# reader (a new seed each round), pt_reclaim_race (forced MGLRU aging with
# page-table walks while tables are freed), guard-regions' race cases and
# pt_reclaim's UFFDIO_COPY against a neighbour's DONTNEED. The first
# mm_stress round, and every other one after it, runs under fault
# injection where the kernel has it (the stress and RT kernels), taking
# turns: "mm_stress -f", where the workers' page allocations (page tables
# among them) and vm_area_struct and maple_node slab allocations fail at
# random (fail_page_alloc, failslab), and "mm_stress -F", where the
# workers that take no signals also see user copies fail (fail_usercopy).
# Only the tasks that set make-it-fail see failures. Then kmemleak scans,
# and one line sums it up:
#   stress-run: operations=N minutes=M failures=F leaked_tables=T bytes_lost=B
# (splats are counted by the host in the serial log). Exit status 0 only if
# every round passed, no table and no byte was lost.
#
# usage: stress-run.sh MINUTES [FIRST-SEED]
# make check runs it for 2 minutes on the test kernel (tests/selftests-stress.list):
# then it is one mm_stress round of 110 s, without fault injection or kmemleak,
# which only the stress kernel has.
minutes=${1:-30}
seed=${2:-1}
dbg=/sys/kernel/debug
mount | grep -q " $dbg " || mount -t debugfs none $dbg
deadline=$(($(date +%s) + minutes * 60))
ops=0
injected=0
fail=0
rounds=0

# Swap, so that reclaim and MADV_PAGEOUT swap pages out and in.
# (make check's run-tests.sh has set it up already.)
if grep -q zram0 /proc/swaps; then
	:
elif [ -e /sys/block/zram0/disksize ]; then
	echo 512M >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null &&
		swapon /dev/zram0 || echo "stress-run: no zram swap"
fi
# MGLRU on: pt_reclaim_race ages through debugfs, reclaim walks tables.
[ -e /sys/kernel/mm/lru_gen/enabled ] && echo y >/sys/kernel/mm/lru_gen/enabled
# (A PREEMPT_RT kernel of 6.12 has no THP, and so no test_hmm.)
thp=/sys/kernel/mm/transparent_hugepage/enabled
[ -e $thp ] && echo madvise >$thp
echo 8 >/proc/sys/vm/nr_hugepages
# test_hmm, for mm_stress's device migration and device-exclusive roles.
if [ ! -e $thp ]; then
	echo "stress-run: no THP in this kernel: no test_hmm, no collapse"
elif ! modprobe test_hmm; then
	echo "stress-run: no test_hmm: mm_stress's hmm role will not run"
else
	major=$(awk '$2 == "HMM_DMIRROR" { print $1 }' /proc/devices)
	for i in 0 1; do
		[ -e /dev/hmm_dmirror$i ] || mknod /dev/hmm_dmirror$i c "$major" $i
	done
fi

# Fault injection for mm_stress -f and -F: only tasks that set make-it-fail
# (its workers) see failures, 1 in 20 of each kind, sleeping allocations
# and order-0 pages included; fail_usercopy only for -F (see mm_stress.c).
# Only during those rounds: the fallback cases of pt_reclaim and
# pt_reclaim_race set make-it-fail too, for fail_pt_reclaim. "times" counts
# down from 10^9: the difference is the number of failures injected.
fi_times=1000000000
inject=
fi_setup() {
	d=$dbg/$1
	[ -d $d ] || return 1
	echo Y >$d/task-filter && echo 0 >$d/verbose && echo 1 >$d/interval &&
		echo 0 >$d/probability && echo $fi_times >$d/times &&
		echo 0 >$d/space || return 1
	[ -e $d/ignore-gfp-wait ] && echo N >$d/ignore-gfp-wait
	[ -e $d/ignore-gfp-highmem ] && echo N >$d/ignore-gfp-highmem
	[ -e $d/min-order ] && echo 0 >$d/min-order
	return 0
}
fi_count() {
	n=0
	for f in fail_page_alloc failslab fail_usercopy; do
		[ -e $dbg/$f/times ] && n=$((n + fi_times - $(cat $dbg/$f/times)))
	done
	echo $n
}
if fi_setup fail_page_alloc && fi_setup failslab && fi_setup fail_usercopy; then
	# A merged cache refuses the flag (EINVAL): say which ones took it.
	echo Y >$dbg/failslab/cache-filter
	caches=
	for c in vm_area_struct maple_node; do
		if echo 1 >/sys/kernel/slab/$c/failslab 2>/dev/null; then
			caches="$caches${caches:+, }$c"
		else
			echo "stress-run: failslab cannot single out $c (merged?)"
		fi
	done
	inject=-f
	echo "stress-run: fault injection for mm_stress -f: fail_page_alloc, failslab (${caches:-no cache}); -F: also fail_usercopy"
fi

# Kmemleak: forget what boot left, so that the scan at the end reports what
# the run leaked.
kml=$dbg/kmemleak
[ -e $kml ] && echo clear >$kml

# Leaked page tables. /proc/meminfo's PageTables counts the user tables
# of every process (their VmPTE: PTE, PMD and PUD tables) and the kernel's
# own PMD and PUD tables (vmalloc and module mappings grow them; the
# kernel's PTE tables are not counted). What it grows by, less what the live
# processes and the kernel hold (ptdump), is user tables nobody freed.
#
# tables: "PAGETABLES_KB LIVE_KB", read by one awk, which counts itself
# through /proc/self (once, even if it took over its subshell's pid). The
# CPUs' pending vmstat deltas are folded in first (stat_refresh), or
# PageTables may lag what the processes' VmPTE already says.
tables() {
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	awk 'FNR == 1 { skip = 0 }
	/^PageTables:/ { pt = $2 }
	/^Pid:/ { if (FILENAME == "/proc/self/status") me = $2; else if ($2 == me) skip = 1 }
	/^VmPTE:/ && !skip { live += $2 }
	END { print pt, live }' /proc/meminfo /proc/self/status /proc/[0-9]*/status 2>/dev/null
}
# kernel_tables: the kernel's PMD and PUD tables, from ptdump: one PMD table
# for each GiB (one PUD table for each 512 GiB) that holds a pte- or
# pmd-level entry (a pud-level one), present or not. Addresses are taken
# >> 28 (their first 9 hex digits), which awk's doubles hold exactly.
kernel_tables() {
	awk 'function hx(s, v, i) {
		v = 0
		for (i = 3; i <= 11; i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	/^0x/ {
		lvl = $NF
		if (lvl != "pte" && lvl != "pmd" && lvl != "pud")
			next
		split($1, r, "-")
		s = hx(r[1])
		e = hx(r[2])	# last = (end - 1) >> 28; end 0 is 2^64
		if (substr(r[2], 12) ~ /^0+$/)
			e--
		if (e < 0)
			e = 68719476735
		for (i = int(s / 2048); i <= int(e / 2048); i++)
			pud[i] = 1
		if (lvl == "pud")
			next
		for (i = int(s / 4); i <= int(e / 4); i++)
			pmd[i] = 1
	}
	END { for (i in pud) n++; for (i in pmd) n++; print n + 0 }' "$@"
}
ptdump=$dbg/page_tables/kernel
[ -r $ptdump ] || ptdump=/dev/null
sync
echo 3 >/proc/sys/vm/drop_caches
set -- $(tables)
pt0=$1 live0=$2 k0=$(kernel_tables $ptdump)
echo "stress-run: $minutes minutes from seed $seed, PageTables $pt0 kB ($live0 kB in processes, $k0 kernel PMD/PUD tables)"

left() { echo $((deadline - $(date +%s))); }
# run LABEL COMMAND...: one round of one program, its output kept in
# /tmp/stress-out.txt and shown if it failed. A skip (exit 4) passes, except
# for mm_stress, which must run (make check lists it "no-skip").
run() {
	label=$1
	shift
	"$@" >/tmp/stress-out.txt 2>&1
	rc=$?
	[ $rc -eq 4 ] && [ "$label" != "${label#mm_stress}" ] && rc=1
	if [ $rc -ne 0 ] && [ $rc -ne 4 ]; then
		fail=$((fail + 1))
		echo "stress-run: $label FAILED (exit $rc): $*"
		tail -n 60 /tmp/stress-out.txt
	elif [ "$label" != "${label#mm_stress}" ]; then
		# Its per-role figures and closing line.
		tail -n 30 /tmp/stress-out.txt
	fi
	# mm_stress ends with "... ops=N ...", mm_fuzz with "...: N steps, ...".
	n=$(sed -n -e 's/.* ops=\([0-9]*\).*/\1/p' \
		-e 's/^mm_fuzz: .*: \([0-9]*\) steps,.*/\1/p' /tmp/stress-out.txt | tail -n 1)
	ops=$((ops + ${n:-0}))
	echo "stress-run: $label exit $rc, ${n:-0} operations, $(left) s left"
}

mkdir -p /tmp/mm_fuzz
mount -t tmpfs none /tmp/mm_fuzz
while [ "$(left)" -gt 60 ]; do
	rounds=$((rounds + 1))
	t=$(($(left) - 10))
	[ $t -gt 300 ] && t=300
	if [ -n "$inject" ] && [ $((rounds % 2)) -eq 1 ]; then
		# -f and -F take turns; fail_usercopy only with -F.
		if [ $((rounds % 4)) -eq 1 ]; then
			inject=-f
		else
			inject=-F
			echo 5 >$dbg/fail_usercopy/probability
		fi
		echo 5 >$dbg/fail_page_alloc/probability
		echo 5 >$dbg/failslab/probability
		n0=$(fi_count)
		run "mm_stress $inject seed $seed" ./mm_stress $inject -t $t -s $seed
		for f in fail_page_alloc failslab fail_usercopy; do
			echo 0 >$dbg/$f/probability
		done
		n0=$(($(fi_count) - n0))
		injected=$((injected + n0))
		echo "stress-run: $n0 failures injected"
	else
		run "mm_stress seed $seed" ./mm_stress -t $t -s $seed
	fi
	[ "$(left)" -gt 60 ] || break
	# The fuzzer's -n counts steps; -t bounds it in time.
	run "mm_fuzz seed $seed" sh -c 'cd /tmp/mm_fuzz && exec /work/mm_fuzz "$@"' \
		mm_fuzz -c -s $seed -n 100000 -t 120
	[ "$(left)" -gt 60 ] || break
	run "pt_reclaim_race" env PT_RECLAIM_RACE_SECONDS=120 ./pt_reclaim_race
	[ "$(left)" -gt 60 ] || break
	# (Not process_madvise_vector_contended: a fixed amount of work that
	# the KASAN kernel under TCG does not finish in the harness's 30 s.)
	run "guard-regions races" ./guard-regions -t race_fault_install \
		-t race_collapse_install
	run "pt_reclaim uffd_copy_vs_dontneed" ./pt_reclaim -t uffd_copy_vs_dontneed
	seed=$((seed + 1))
done
umount /tmp/mm_fuzz

sync
echo 3 >/proc/sys/vm/drop_caches
sleep 2
set -- $(tables)
pt1=$1 live1=$2 k1=$(kernel_tables $ptdump)
# Page tables are 4 KiB.
leaked=$((((pt1 - live1) - (pt0 - live0)) / 4 - (k1 - k0)))
echo "stress-run: PageTables $pt1 kB ($live1 kB in processes, $k1 kernel PMD/PUD tables): $leaked tables unaccounted for"
# Without ptdump (the test kernel, in make check) the kernel's tables cannot
# be told from leaked ones: up to 8 either way are let go. With it the count
# is exact: fewer tables than accounted for is as wrong as more (a table
# counted twice, or freed without its destructor), and fails the run too.
[ $ptdump = /dev/null ] && [ $leaked -ge -8 ] && [ $leaked -le 8 ] && leaked=0
bytes=0
if [ -e $kml ]; then
	echo scan >$kml
	sleep 5
	echo scan >$kml
	cat $kml >/tmp/kmemleak.txt
	bytes=$(awk '/unreferenced object/ { gsub(/[()]/, ""); s += $NF } END { print s + 0 }' /tmp/kmemleak.txt)
	if [ "$bytes" -gt 0 ]; then
		echo "stress-run: kmemleak:"
		head -n 60 /tmp/kmemleak.txt
	fi
fi
echo "stress-run: PageTables $pt0 kB before, $pt1 kB after, $rounds rounds${inject:+, $injected failures injected}"
[ $ops -gt 0 ] || { echo "stress-run: no operation was done"; fail=$((fail + 1)); }
echo "stress-run: operations=$ops minutes=$minutes failures=$fail leaked_tables=$leaked bytes_lost=$bytes"
[ $fail -eq 0 ] && [ $leaked -eq 0 ] && [ "$bytes" -eq 0 ]
