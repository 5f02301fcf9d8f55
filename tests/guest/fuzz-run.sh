#!/bin/sh
# Guest side of tests/selftests.list's mm_fuzz line: run the fuzzer in a
# fresh tmpfs (its file-backed regions need hole punching), with THP set to
# "madvise" as the fuzzer's model of its THP region assumes, for at most
# 600 s. Afterwards, however it ended, no fuzzer process is left, the tmpfs
# is gone and THP's setting is restored, for the tests that follow.
# usage: fuzz-run.sh ARGS... (passed to mm_fuzz)
thp=/sys/kernel/mm/transparent_hugepage/enabled
dir=/tmp/mm_fuzz
# No THP (PREEMPT_RT on 6.12): nothing to set or restore.
old=
if [ -e $thp ]; then
	old=$(sed 's/.*\[\(.*\)\].*/\1/' $thp) || exit 1
fi
# busybox's timeout leaves a watcher process (in the directory it was started
# from) for up to a second after the program ends: umount may have to wait.
cleanup() {
	killall -9 mm_fuzz 2>/dev/null
	for i in 1 2 3 4 5; do
		umount $dir 2>/dev/null && break
		sleep 1
	done
	[ -z "$old" ] || echo "$old" >$thp
}
trap 'cleanup; exit 1' INT TERM
[ -z "$old" ] || echo madvise >$thp || exit 1
mkdir -p $dir && mount -t tmpfs none $dir || exit 1
cd /
timeout -s KILL 600 sh -c 'cd "$0" && exec /work/mm_fuzz "$@"' $dir "$@"
rc=$?
cleanup
if grep -q " $dir " /proc/mounts; then
	echo "fuzz-run: $dir still mounted"
	rc=1
fi
exit $rc
