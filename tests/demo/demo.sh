#!/bin/sh
# Guest side of "make run": a short guided tour of what the series adds, in
# the order of README.md's list. Every figure is measured in this boot.
# scripts/run-demo boots with memmap=512M$0x100000000 (test_hmm's
# DEVICE_COHERENT memory), srcutree.convert_to_big=1 and hugepages=2 (so that
# no KUnit case skips for want of them) and tsc_early_khz=2000000 tsc=reliable
# (KVM under TCG). Exits non-zero if a demo program reports a failed check.
strip() { sed 's/^\[ *[0-9.]*\] //'; }
# The summary line of a KUnit suite that ran at boot.
kunit_totals() {
	dmesg | strip | sed -n "s/^# $1: \(pass:.*\)/    KUnit $1: \1/p" | head -n 1 |
		grep . || echo "    (the $1 KUnit suite is not in this kernel)"
}
# The result line of one KUnit case.
kunit_case() {
	dmesg | strip | grep -E "^ *(not )?ok [0-9]+ $1( |\$)" | head -n 1 | sed 's/^ */    /'
}
failed=
run() {
	[ -x "$1" ] || return 0
	"$@" || failed="$failed ${1#./}"
}

# test_hmm (/dev/hmm_dmirror0) for sections 4 and 5, as tests/guest/hmm-run.sh
# loads it; test_pfnmap (/dev/test_pfnmap) for section 6.
spm=
grep -q '^ *100000000-[0-9a-f]* : Reserved' /proc/iomem &&
	spm="spm_addr_dev0=0x100000000 spm_addr_dev1=0x110000000"
# shellcheck disable=SC2086
if modprobe test_hmm $spm 2>/dev/null && [ ! -e /dev/hmm_dmirror0 ]; then
	major=$(awk '$2 == "HMM_DMIRROR" { print $1 }' /proc/devices)
	[ -n "$major" ] && mknod /dev/hmm_dmirror0 c "$major" 0
fi
modprobe test_pfnmap 2>/dev/null

echo "Booted $(uname -r): Linux 6.12 LTS with the mm-series patches."
echo
echo "== 1. The installing page walker"
echo "walk_page_range_mm() with mm_walk_ops.install_pte allocates missing page tables"
echo "and installs PTEs as it walks; it is mm-internal, so its KUnit suite shows it (run"
echo "at boot on a real user mm), one case checking that walk_page_range() refuses it:"
kunit_totals mm_pagewalk
kunit_case pagewalk_install_public_refused
echo
run ./demo-guard
echo
run ./demo-reclaim
echo
echo "== 4. MMU notifiers: hooks off until the first registration"
echo "mm's hot-path hooks test the static key mmu_notifier_key, off until a notifier is"
echo "registered. No file shows the key's state (no debugfs entry, and no /proc/kcore in"
echo "this kernel); KUnit checked it at boot, before user space: off before, on after:"
kunit_case mmun_first_registration
kunit_totals mm_mmu_notifier
echo "An invalidation seen by a device (lib/test_hmm; its open() registers a notifier):"
run ./demo-notifier
echo
run ./demo-exclusive
echo
echo "== 6. KVM maps memory whose pages it may not reference"
echo "On 6.12 a guest's access to VM_PFNMAP memory whose pages have refcount 0 fails"
echo "with EFAULT (tests/base-results/kvm-pfnmap-base.txt). KVM_PRE_FAULT_MEMORY maps"
echo "such memory of lib/test_pfnmap as a guest access would; KVM's stats count it:"
run ./demo-kvm pfnmap
echo
echo "== 7. mm's lockless pfn lookup, and the level KVM maps at"
echo "KVM takes its mapping level from mm's lockless lookup of pfn and leaf size:"
kunit_totals mm_pfn_lookup
run ./demo-kvm level
echo
echo "== Read more"
echo "README.md: the list at its top (items 1-7 as here), \"The two commands\", \"Benchmarks\"."
echo "Design, in build/linux/Documentation/: mm/page_walk.rst, mm/guard_regions.rst,"
echo "mm/pt_reclaim.rst, mm/mmu_notifier.rst, mm/hmm.rst (device-exclusive),"
echo "virt/kvm/x86/mmu.rst (6, 7). madvise(2) for guards: man -l docs/madvise-guard.2"
echo
if [ -n "$failed" ]; then
	echo "Checks FAILED in:$failed"
	exit 1
fi
echo "All checks of the demo programs passed."
