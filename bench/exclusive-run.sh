#!/bin/sh
# Guest side of "make bench" for device-exclusive access: exclusive-bench's
# three modes with lib/test_hmm.ko's /dev/hmm_dmirror0. THP is "madvise"
# (the bench regions ask for it). Output lines are "mode.key value" for
# scripts/bench-report.py; failures are reported as "error=..." lines.
modprobe test_hmm || { echo "error=modprobe-test_hmm"; exit 0; }
if [ ! -e /dev/hmm_dmirror0 ]; then
	major=$(awk '$2 == "HMM_DMIRROR" { print $1 }' /proc/devices)
	mknod /dev/hmm_dmirror0 c "$major" 0 || echo "error=mknod-/dev/hmm_dmirror0"
fi
echo madvise >/sys/kernel/mm/transparent_hugepage/enabled
for mode in small thp thp1; do
	./exclusive-bench /dev/hmm_dmirror0 "$mode" "${EXCLUSIVE_ROUNDS:-8}" ||
		echo "error=$mode:exit-status-$?"
done
rmmod test_hmm || echo "error=rmmod-test_hmm"
exit 0
