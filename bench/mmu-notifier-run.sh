#!/bin/sh
# Guest side of "make bench" for the MMU-notifier hooks: the four modes of
# mmu-notifier-bench with no notifier registered ("none." keys), then with
# lib/test_hmm.ko's interval notifier over the whole address space ("hmm."
# keys). The "none" runs come first: on the patched kernel the notifier
# static key stays on once test_hmm has registered a notifier. Output lines
# are "none|hmm.mode.key value" for scripts/bench-report.py; failures are
# reported as "error=..." lines.
modes="fault munmap mprotect dontneed"

# run PREFIX [--hmm DEV]: every mode, keys prefixed by PREFIX.
run() {
	prefix=$1
	shift
	for mode in $modes; do
		./mmu-notifier-bench "$@" "$mode" >/tmp/mnb.out
		status=$?
		sed "s/^/$prefix./" /tmp/mnb.out
		[ $status = 0 ] || echo "error=$prefix.$mode:exit-status-$status"
	done
}

run none
if modprobe test_hmm; then
	if [ ! -e /dev/hmm_dmirror0 ]; then
		major=$(awk '$2 == "HMM_DMIRROR" { print $1 }' /proc/devices)
		if [ -z "$major" ]; then
			echo "error=no-HMM_DMIRROR-in-/proc/devices"
		else
			mknod /dev/hmm_dmirror0 c "$major" 0 ||
				echo "error=mknod-/dev/hmm_dmirror0"
		fi
	fi
	run hmm --hmm /dev/hmm_dmirror0
	rmmod test_hmm || echo "error=rmmod-test_hmm"
else
	echo "error=modprobe-test_hmm"
fi
exit 0
