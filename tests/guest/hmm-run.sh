#!/bin/sh
# Load lib/test_hmm.ko, make its device nodes and run hmm-tests (guest side).
#
# usage: hmm-run.sh [SPM0 SPM1]
# With two physical addresses of 256 MiB ranges that the kernel command line
# reserved (memmap=512M$SPM0, SPM1 = SPM0 + 256M), test_hmm also creates its
# two DEVICE_COHERENT devices on them, and hmm-tests runs its coherent
# variants instead of skipping them. Without, or if the range is not reserved,
# only the DEVICE_PRIVATE devices exist. arm64 has no memmap=: there the
# range is guest memory past the kernel's mem= (scripts/check --arch arm64
# gives QEMU 512 MiB more than mem=), which no line of /proc/iomem covers.
# HMM_THP=always (or never, madvise) sets transparent_hugepage/enabled for the
# run and restores it after: make check runs hmm-tests with THP=always too,
# where every anonymous buffer of 2 MiB or more is THP-backed.
# outside_iomem START END: no line of /proc/iomem overlaps START..END.
outside_iomem() {
	while IFS='- ' read -r lo hi _; do
		case $lo in [0-9a-f]*) ;; *) continue ;; esac
		[ $((0x$lo)) -le "$2" ] && [ $((0x$hi)) -ge "$1" ] && return 1
	done </proc/iomem
	return 0
}
spm=
if [ $# -eq 2 ]; then
	start=$(printf '%x' "$1")
	if grep -q "^ *$start-[0-9a-f]* : Reserved" /proc/iomem; then
		spm="spm_addr_dev0=$1 spm_addr_dev1=$2"
	elif [ "$(uname -m)" = aarch64 ] && grep -q ' mem=' /proc/cmdline &&
		outside_iomem $(($1)) $(($2 + 0x10000000 - 1)); then
		spm="spm_addr_dev0=$1 spm_addr_dev1=$2"
	else
		echo "hmm-run: $1 is not reserved, no DEVICE_COHERENT devices"
	fi
fi
# shellcheck disable=SC2086
modprobe test_hmm $spm || exit 1
major=$(awk '$2 == "HMM_DMIRROR" { print $1 }' /proc/devices)
[ -n "$major" ] || { echo "no HMM_DMIRROR in /proc/devices"; exit 1; }
n=2
[ -n "$spm" ] && n=4
i=0
while [ $i -lt $n ]; do
	[ -e /dev/hmm_dmirror$i ] || mknod /dev/hmm_dmirror$i c "$major" $i
	i=$((i + 1))
done
# exclusive_hwpoison injects memory failure through hwpoison_inject's debugfs
# files (it skips without them).
modprobe hwpoison_inject 2>/dev/null
# anon_write_hugetlbfs needs a free huge page.
hp=/proc/sys/vm/nr_hugepages
old_hp=$(cat $hp 2>/dev/null)
[ -n "$old_hp" ] && [ "$old_hp" -lt 2 ] && echo 2 >$hp
thp=/sys/kernel/mm/transparent_hugepage/enabled
old_thp=
if [ -n "$HMM_THP" ]; then
	old_thp=$(sed 's/.*\[\(.*\)\].*/\1/' $thp)
	echo "$HMM_THP" >$thp || exit 1
	echo "hmm-run: transparent_hugepage/enabled: $(cat $thp)"
fi
./hmm-tests
status=$?
[ -n "$old_thp" ] && echo "$old_thp" >$thp
[ -n "$old_hp" ] && echo "$old_hp" >$hp
rmmod test_hmm || status=1
exit $status
