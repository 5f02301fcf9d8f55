#!/bin/sh
# Guest side of scripts/kvm-loop: run one KVM selftest N times (through
# kvm-run.sh), each with a time limit; stop at the first failure. A run that
# does not end in time is reported with its threads' kernel stacks and the
# VMs' KVM statistics, taken three times 5 s apart.
#
# usage: kvm-loop.sh N SECONDS PROGRAM [ARGS...]
n=$1 limit=$2
shift 2
mount -t debugfs none /sys/kernel/debug 2>/dev/null
stats='exits pf_taken pf_fixed pf_spurious pf_fast pf_guest pf_emulate io_exits mmio_exits pages_4k pages_2m'
i=0
while [ $i -lt "$n" ]; do
	i=$((i + 1))
	echo "kvm-loop: run $i of $n, uptime $(cut -d' ' -f1 /proc/uptime) s"
	sh ./kvm-run.sh "$@" >out.txt 2>&1 &
	pid=$!
	t=0
	while kill -0 $pid 2>/dev/null && [ $t -lt "$limit" ]; do
		sleep 1
		t=$((t + 1))
	done
	if kill -0 $pid 2>/dev/null; then
		echo "kvm-loop: run $i did not end in $limit s"
		cat out.txt
		for r in 1 2 3; do
			for task in /proc/$pid/task/*; do
				echo "--- $task $(cat "$task/comm")"
				cat "$task/stack"
			done
			for vm in /sys/kernel/debug/kvm/*-*; do
				[ -d "$vm" ] || continue
				line="vm ${vm##*/}:"
				for f in $stats; do
					[ -f "$vm/$f" ] && line="$line $f=$(cat "$vm/$f")"
				done
				echo "$line"
			done
			sleep 5
		done
		kill -9 $pid
		echo "kvm-loop: FAILED after $((i - 1)) good runs"
		exit 1
	fi
	wait $pid
	rc=$?
	if [ $rc -ne 0 ]; then
		cat out.txt
		echo "kvm-loop: FAILED (exit status $rc) after $((i - 1)) good runs"
		exit 1
	fi
done
echo "kvm-loop: $n runs passed"
