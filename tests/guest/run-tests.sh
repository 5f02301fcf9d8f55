#!/bin/sh
# Guest side of "make check": runs every line of the list given (default
# ./selftests.list) with a time limit. Each test's output is framed by
# @@BEGIN/@@END lines for the host's parser, the whole run ends with an
# @@DONE line (the parser fails a boot without it), and a marker goes to the
# kernel log so that a splat can be told apart per test. The second
# argument is each test's time limit in seconds (default 900).
list=${1:-./selftests.list}
limit=${2:-900}
echo 32 >/proc/sys/vm/nr_hugepages
# A swap device, so that swap-out paths (khugepaged's swap tests, cow's
# swapped-out cases) run: zram, compressed in guest memory.
if [ -e /sys/block/zram0/disksize ]; then
	echo 512M >/sys/block/zram0/disksize &&
		mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 ||
		echo "run-tests: no zram swap"
fi
# The disk scripts/check attaches (an ext4 image, virtio-blk): the "file"
# cases run in /mnt/disk. Without it /mnt/disk does not exist, and the lines
# that cd there fail rather than run their file cases on the initramfs.
mkdir -p /mnt/disk
if ! [ -b /dev/vda ] || ! mount -t ext4 /dev/vda /mnt/disk; then
	echo "run-tests: no ext4 disk on /dev/vda: the file cases will fail"
	rmdir /mnt/disk
fi
while read -r label prog cmd; do
	case $label in ''|'#'*) continue ;; esac
	echo "@@BEGIN $label"
	echo "workbench: begin $label" >/dev/kmsg
	timeout -s KILL "$limit" sh -c "$cmd" </dev/null 2>&1
	rc=$?
	echo "workbench: end $label ($rc)" >/dev/kmsg
	# A test that died mid-line must not hide the marker
	printf '\n@@END %s %s\n' "$label" "$rc"
done <"$list"
grep -q ' /mnt/disk ' /proc/mounts && umount /mnt/disk
printf '@@DONE %s\n' "$list"
