#!/bin/sh
# Load lib/test_hmm.ko, make its device nodes and run hmm-tests (guest side).
modprobe test_hmm || exit 1
major=$(awk '$2 == "HMM_DMIRROR" { print $1 }' /proc/devices)
[ -n "$major" ] || { echo "no HMM_DMIRROR in /proc/devices"; exit 1; }
for i in 0 1 2 3; do
	mknod /dev/hmm_dmirror$i c "$major" $i
done
./hmm-tests
status=$?
rmmod test_hmm || status=1
exit $status
