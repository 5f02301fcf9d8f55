#!/bin/sh
# Guest side of tests/selftests.list's mm_fuzz line: run the fuzzer in a
# fresh tmpfs (its file-backed regions need hole punching), with THP set to
# "madvise" as the fuzzer's model of its THP region assumes; THP's setting is
# restored afterwards for the tests that follow.
# usage: fuzz-run.sh ARGS... (passed to mm_fuzz)
thp=/sys/kernel/mm/transparent_hugepage/enabled
old=$(sed 's/.*\[\(.*\)\].*/\1/' $thp)
echo madvise >$thp
dir=/tmp/mm_fuzz
mkdir -p $dir
mount -t tmpfs mm_fuzz $dir
(cd $dir && /work/mm_fuzz "$@")
rc=$?
umount $dir
echo "$old" >$thp
exit $rc
