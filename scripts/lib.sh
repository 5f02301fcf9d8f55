# Common helpers for the workbench scripts. Sourced, not run.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
BASE_GIT=$BUILD/base		# unpacked base tree, one commit, tag "base"
TREE=$BUILD/linux		# scratch tree: base + the series as commits
LOGS=$BUILD/logs
STAGE_T0=${STAGE_T0:-$(date +%s)}

mkdir -p "$LOGS"

# progress MESSAGE: one line per stage, with time elapsed since the script began.
progress() {
	local now
	now=$(date +%s)
	printf '[%4ds] %s\n' "$((now - STAGE_T0))" "$*"
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# logged LOGFILE CMD...: run CMD with its output in LOGFILE; on failure print
# the log's tail and fail.
logged() {
	local log=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		printf 'error: "%s" failed; last lines of %s:\n' "$*" "$log" >&2
		tail -n 40 "$log" >&2
		return 1
	fi
}

# Fixed identity and dates, so that the commits the workbench makes are the
# same on every machine.
export GIT_AUTHOR_NAME=mm-series GIT_AUTHOR_EMAIL=mm-series@example.invalid
export GIT_COMMITTER_NAME=mm-series GIT_COMMITTER_EMAIL=mm-series@example.invalid

# Packages the workbench needs on a fresh Debian 12 machine.
DEB_PACKAGES="build-essential bc bison flex libelf-dev libssl-dev dwarves cpio
xz-utils kmod rsync ccache python3 perl git qemu-system-x86 qemu-system-data
busybox-static e2fsprogs libnuma-dev libcap-dev python3-ply python3-git"
# And those only scripts/bench needs (not make check): the charts of
# scripts/bench-report.py.
BENCH_PACKAGES="python3-matplotlib"

# ensure_packages [PACKAGE...]: apt-get install those of the packages
# (default: $DEB_PACKAGES) that are not installed.
ensure_packages() {
	local missing=() p
	# shellcheck disable=SC2086 # a list of words
	[ $# -gt 0 ] || set -- $DEB_PACKAGES
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	progress "installing packages: ${missing[*]}"
	[ "$(id -u)" = 0 ] || die "need root to apt-get install ${missing[*]}"
	logged "$LOGS/apt.log" apt-get update || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive logged "$LOGS/apt.log" \
		apt-get install -y --no-install-recommends "${missing[@]}" ||
		die "apt-get install failed"
}

export CCACHE_DIR=${CCACHE_DIR:-${HOME:-/root}/.cache/ccache}
export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=true CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=mm-series KBUILD_BUILD_HOST=workbench

# kernel_splats LOG: print the lines of a serial console log that report a
# splat (BUG, WARNING, Oops, lockdep, KASAN, a kmemleak finding, a bad page,
# a stall, ...); false if there are none.
kernel_splats() {
	local splat='BUG:|kernel BUG at|WARNING:|Oops|general protection|possible circular locking'
	splat="$splat|possible recursive locking|inconsistent lock state|suspicious RCU usage"
	splat="$splat|INFO: task .* blocked|hung task|self-detected stall|rcu_.* detected stalls"
	splat="$splat|list_add corruption|list_del corruption|KASAN:|UBSAN:|Bad page"
	splat="$splat|kmemleak: .*suspected memory leak|kmemleak: .*(disabled|Cannot)"
	splat="$splat|Bad rss-counter|BUG kmalloc|Kernel panic"
	grep -aE '^\[ *[0-9]+\.[0-9]+\]' "$1" | grep -aE "$splat"
}
