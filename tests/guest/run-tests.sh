#!/bin/sh
# Guest side of "make check": runs every line of selftests.list with a time
# limit. Each test's output is framed by @@BEGIN/@@END lines for the host's
# parser, and a marker goes to the kernel log so that a splat can be told
# apart per test.
echo 16 >/proc/sys/vm/nr_hugepages
status=0
while read -r label prog cmd; do
	case $label in ''|'#'*) continue ;; esac
	echo "@@BEGIN $label"
	echo "workbench: begin $label" >/dev/kmsg
	timeout -s KILL 900 sh -c "$cmd" </dev/null 2>&1
	rc=$?
	echo "workbench: end $label ($rc)" >/dev/kmsg
	echo "@@END $label $rc"
done <./selftests.list
exit $status
