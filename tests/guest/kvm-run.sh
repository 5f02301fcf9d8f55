#!/bin/sh
# Guest side of a tests/selftests-kvm.list line: run one KVM selftest.
#
# usage: kvm-run.sh PROGRAM [ARGS...]
# Loads lib/test_pfnmap.ko once (pfnmap_test maps its memory into guests),
# checks that /dev/kvm is there (without it every KVM selftest would skip),
# and reserves 256 MiB of 2 MiB huge pages (dirty_log_page_splitting_test's
# guest memory is hugetlb, run by scripts/kvm-loop; pfnmap_test's udmabuf case
# uses a few).
if ! [ -e /dev/kvm ]; then
	echo "kvm-run: no /dev/kvm (is the guest CPU -cpu max, with SVM?)"
	exit 1
fi
echo 128 >/proc/sys/vm/nr_hugepages
if ! [ -e /dev/test_pfnmap ]; then
	# The base has no such module: scripts/build-selftests builds one out of
	# tree for it.
	modprobe test_pfnmap 2>/dev/null || insmod ./test_pfnmap.ko ||
		echo "kvm-run: test_pfnmap did not load"
fi
exec "$@"
