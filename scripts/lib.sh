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

# And those an arm64 build and boot needs (--arch arm64): the cross compiler
# and its C library, QEMU for arm64. arm64's busybox is not installed but
# unpacked from the archive's arm64 package (arm64_busybox).
ARM64_PACKAGES="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm"

# parse_arch ARCH [i386]: "--arch" of the scripts. Sets ARCH_SUFFIX, the suffix
# of the build directories build/obj/<patched|base>-<config>$ARCH_SUFFIX: ""
# for x86-64 (the default: x86, x86_64 or empty), "-arm64" for arm64, which
# also installs $ARM64_PACKAGES if missing. With a second argument "i386" (the
# callers that can build it: scripts/build-kernel for make matrix), also
# "-i386" for i386 (32-bit x86, the native gcc with ARCH=i386).
parse_arch() {
	# shellcheck disable=SC2034 # used by the scripts that source this
	case $1 in
	''|x86|x86_64) ARCH_SUFFIX= ;;
	arm64|aarch64) ARCH_SUFFIX=-arm64
		# shellcheck disable=SC2086 # a list of words
		ensure_packages $ARM64_PACKAGES ;;
	i386|x86_32) [ "${2:-}" = i386 ] || die "--arch $1: x86_64 or arm64"
		ARCH_SUFFIX=-i386 ;;
	*) die "--arch $1: x86_64 or arm64${2:+ or $2}" ;;
	esac
}

# arm64_busybox: set ARM64_BUSYBOX to a static arm64 busybox, unpacked from
# Debian's busybox-static:arm64 into build/arm64-busybox/ the first time
# (which adds arm64 to dpkg's foreign architectures and so to apt's lists;
# nothing of arm64 is installed).
arm64_busybox() {
	local dir=$BUILD/arm64-busybox tmp deb
	ARM64_BUSYBOX=$dir/bin/busybox
	[ -x "$ARM64_BUSYBOX" ] && return 0
	[ "$(id -u)" = 0 ] || die "need root to fetch busybox-static:arm64 (dpkg --add-architecture arm64)"
	tmp=$dir.tmp
	rm -rf "$tmp" "$dir"
	mkdir -p "$tmp"
	progress "fetching busybox-static:arm64 into build/arm64-busybox"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		dpkg --add-architecture arm64
		logged "$LOGS/apt.log" apt-get update || die "apt-get update failed"
	fi
	if ! (cd "$tmp" && logged "$LOGS/apt-arm64.log" apt-get download busybox-static:arm64); then
		logged "$LOGS/apt.log" apt-get update || die "apt-get update failed"
		(cd "$tmp" && logged "$LOGS/apt-arm64.log" apt-get download busybox-static:arm64) ||
			die "cannot download busybox-static:arm64"
	fi
	deb=$(echo "$tmp"/*.deb)
	[ -f "$deb" ] || die "apt-get download left no .deb in $tmp"
	dpkg-deb -x "$deb" "$tmp/root"
	[ -x "$tmp/root/bin/busybox" ] || die "$deb holds no /bin/busybox"
	mkdir -p "$dir/bin"
	cp "$tmp/root/bin/busybox" "$ARM64_BUSYBOX"
	rm -rf "$tmp"
}

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

# commit_source_tree DIR PACKAGE VERSION TARBALL SHA256: make DIR, an unpacked
# linux-source tree, a git repository with one commit tagged "base": fixed
# identity, date and message, so that the same tarball always gives the same
# commit id (build/base, build/releases/<version>).
commit_source_tree() {
	(
		cd "$1"
		git init -q -b debian
		git config core.autocrlf false
		git config gc.auto 0
		git add -A -f .
		export GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'
		git commit -q -m "Debian $2 $3" -m "Unpacked from $4 (sha256 $5)."
		git tag base
	)
}

# Other Debian releases of the base package (scripts/releases, scripts/rebase).
RELEASES=$BUILD/releases

# archive_versions PACKAGE: the versions of PACKAGE the archive holds, newest
# first.
archive_versions() {
	apt-cache madison "$1" | awk '{ print $3 }' | sort -u -r -V
}

# fetch_release PACKAGE VERSION TARBALL: build/releases/VERSION, Debian's
# PACKAGE at VERSION as a git repository made as build/base is (one commit,
# tag "base", the same id for the same tarball), with the stamp
# .git/mm-series-base ("VERSION SHA256-of-the-tarball") and the package's
# changelog as .git/changelog.Debian.gz. The package is fetched with
# "apt-get download" the first time only, and deleted once unpacked.
fetch_release() {
	local pkg=$1 version=$2 tarball=$3 dir=$RELEASES/$2 tmp deb sum
	[ -f "$dir/.git/mm-series-base" ] && return 0
	tmp=$dir.tmp
	rm -rf "$tmp" "$dir"
	mkdir -p "$tmp/src"
	progress "$version: apt-get download $pkg=$version"
	if ! (cd "$tmp" && logged "$LOGS/releases-apt.log" apt-get download "$pkg=$version"); then
		logged "$LOGS/apt.log" apt-get update || true
		(cd "$tmp" && logged "$LOGS/releases-apt.log" apt-get download "$pkg=$version") ||
			die "cannot download $pkg=$version ('apt-cache madison $pkg' lists the versions the archive holds)"
	fi
	deb=$(echo "$tmp"/*.deb)
	[ -f "$deb" ] || die "apt-get download left no .deb in $tmp"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$tmp" ".$tarball" "./usr/share/doc/$pkg/changelog.Debian.gz" ||
		die "$deb holds no $tarball"
	rm -f "$deb"
	sum=$(sha256sum "$tmp$tarball" | cut -d' ' -f1)
	progress "$version: unpacking into build/releases/$version"
	tar -xf "$tmp$tarball" -C "$tmp/src" --strip-components=1
	rm -f "$tmp$tarball"
	progress "$version: committing the tree"
	commit_source_tree "$tmp/src" "$pkg" "$version" "$tarball" "$sum"
	mv "$tmp/usr/share/doc/$pkg/changelog.Debian.gz" "$tmp/src/.git/"
	echo "$version $sum" >"$tmp/src/.git/mm-series-base"
	mv "$tmp/src" "$dir"
	rm -rf "$tmp"
}

# series_patches: the patch files of patches/series, in order, one a line.
series_patches() {
	local p
	while IFS= read -r p; do
		case $p in ''|'#'*) continue ;; esac
		[ -f "$ROOT/patches/$p" ] || die "patches/series names $p, which does not exist"
		echo "$ROOT/patches/$p"
	done <"$ROOT/patches/series"
}

# changelog_for PACKAGE PINNED TARBALL VERSION: the changelog.Debian.gz that
# lists the stable updates between VERSION and the pinned base PINNED: the
# newer one's (the installed package's, if it is PINNED; else the one kept by
# fetch_release, which may fetch PINNED for it).
changelog_for() {
	local pkg=$1 pinned=$2 tarball=$3 v=$4
	if dpkg --compare-versions "$v" gt "$pinned"; then
		fetch_release "$pkg" "$v" "$tarball" >&2
		echo "$RELEASES/$v/.git/changelog.Debian.gz"
	elif [ "$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null)" = "$pinned" ] &&
		[ -f "/usr/share/doc/$pkg/changelog.Debian.gz" ]; then
		echo "/usr/share/doc/$pkg/changelog.Debian.gz"
	else
		fetch_release "$pkg" "$pinned" "$tarball" >&2
		echo "$RELEASES/$pinned/.git/changelog.Debian.gz"
	fi
}
