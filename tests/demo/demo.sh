#!/bin/sh
# Guest side of "make run": a short guided tour of what the series adds.
strip() { sed 's/^\[ *[0-9.]*\] //'; }

echo "== The kernel"
echo "Booted $(uname -r): Linux 6.12 LTS with the mm-series patches."
echo
echo "== 1. The installing page walker"
echo "walk_page_range_mm() with mm_walk_ops.install_pte allocates missing page"
echo "tables and installs PTEs while it walks. It is mm-internal (not exported),"
echo "so it is shown through its KUnit suite, which ran at boot against a real"
echo "user mm:"
dmesg | strip | sed -n '/# Subtest: mm_pagewalk/,/^ok [0-9]* mm_pagewalk/p' |
	grep -E '^ *(ok|not ok|# Subtest)' | sed 's/^/    /'
if ! dmesg | grep -q 'Subtest: mm_pagewalk'; then
	echo "    (the mm_pagewalk suite is not in this kernel)"
fi
echo
echo "== The public walker API refuses install mode"
echo "walk_page_range() and friends return -EINVAL for ops with install_pte; the"
echo "suite's public-API case checks that above."
# demo-exclusive's device: /dev/hmm_dmirror0 of lib/test_hmm.ko.
if modprobe test_hmm 2>/dev/null && [ ! -e /dev/hmm_dmirror0 ]; then
	major=$(awk '$2 == "HMM_DMIRROR" { print $1 }' /proc/devices)
	[ -n "$major" ] && mknod /dev/hmm_dmirror0 c "$major" 0
fi
# In the order of their section numbers.
for prog in ./demo-guard ./demo-exclusive; do
	[ -x "$prog" ] || continue
	echo
	"$prog"
done
