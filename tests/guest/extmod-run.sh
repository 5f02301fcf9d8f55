#!/bin/sh
# Guest side: load the out-of-tree module tests/extmod built against this
# kernel. It does its checks at load time and then refuses to stay loaded
# with ECANCELED ("Operation canceled"); anything else is a failure.
echo "1..1"
out=$(insmod ./mmu_notifier_ext.ko 2>&1)
msg=$(dmesg | grep 'mmu_notifier_ext: ' | tail -5)
echo "$msg" | sed 's/^/# /'
case "$out" in
*"anceled"*)
	if echo "$msg" | grep -q 'mmu_notifier_ext: ok:'; then
		echo "ok 1 mmu_notifier_ext loads and its notifiers see invalidations"
		exit 0
	fi ;;
esac
echo "# insmod: $out"
echo "not ok 1 mmu_notifier_ext loads and its notifiers see invalidations"
exit 1
