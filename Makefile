# The workbench: see README.md.
.PHONY: all check run shell tree export base kernel base-kernel selftests bench stress stable releases matrix rebase deb clean help

help:
	@echo "make check   build everything from scratch if needed, run all tests (ARCH=arm64: on arm64; CONFIG=rt: on PREEMPT_RT)"
	@echo "make run     build the patched kernel, boot it, show the demo"
	@echo "make shell   boot the patched test kernel to an interactive shell"
	@echo "make tree    fresh scratch tree build/linux: base + patches/series"
	@echo "make export  regenerate patches/ from build/linux's commits"
	@echo "make kernel  build the patched test kernel (CONFIG=bench for the other)"
	@echo "make base-kernel  build the unpatched kernel (CONFIG=test|bench)"
	@echo "make bench   benchmarks: base against patched kernel"
	@echo "make stress  30 minutes of stress and fuzzing on a KASAN kernel (CONFIG=rt: PREEMPT_RT)"
	@echo "make stable  each Cc: stable fix applied alone to the base: builds and boots"
	@echo "make releases  does the series apply to each Debian 6.12 the archive holds? (build/releases/table.md)"
	@echo "make matrix  build matrix: options off, i386, arm64, Debian's config, every prefix (CELLS=..., PREFIXES=A-B; hours)"
	@echo "make rebase VERSION=X  move the series to Debian linux-source-6.12 X (DRY_RUN=1: only report)"
	@echo "make deb    Debian packages of the patched kernel (Debian's config), installed and booted in Debian 12 (DEB_MODULES=guest: trimmed modules; STOCK=1: Debian's own kernel)"

CONFIG ?= test
# ARCH=arm64: make check, kernel, selftests and shell for arm64 (cross-built,
# booted under qemu-system-aarch64); the default is x86-64.
archflag = $(if $(ARCH),--arch $(ARCH))

check:
	@scripts/check $(archflag) $(if $(filter-out test,$(CONFIG)),--config $(CONFIG))

run:
	@scripts/run-demo

shell: kernel
	@scripts/vm --config $(CONFIG) $(archflag) --shell

tree:
	@scripts/tree

export:
	@scripts/export

base:
	@scripts/fetch-base

kernel:
	@scripts/build-kernel --config $(CONFIG) $(archflag)

base-kernel:
	@scripts/build-kernel --base --config $(CONFIG)

selftests: kernel
	@scripts/build-selftests --config $(CONFIG) $(archflag)

bench:
	@scripts/bench

# make stress [CONFIG=stress|rt] [MINUTES=30] [SEED=1]
stress:
	@scripts/stress --config $(if $(filter rt,$(CONFIG)),rt,stress) $(or $(MINUTES),30) $(or $(SEED),1)

stable:
	@scripts/stable-check

# make releases [VERSIONS="X Y ..."]: the point-release part of issue 19's
# build matrix (make matrix has the rest, and this as its "versions" cell)
releases:
	@scripts/releases $(VERSIONS)

# make matrix [CELLS="CELL..."] [PREFIXES=A-B]: issue 19's build matrix
# (scripts/matrix, build/matrix/table.md); not part of make check
matrix:
	@scripts/matrix

# make rebase VERSION=X [DRY_RUN=1]
rebase:
	@test -n "$(VERSION)" || { echo "usage: make rebase VERSION=X [DRY_RUN=1] (X: apt-cache madison linux-source-6.12)" >&2; exit 2; }
	@scripts/rebase $(if $(DRY_RUN),--dry-run) $(VERSION)

# make deb [DEB_MODULES=full|guest] [STOCK=1]: bindeb-pkg with Debian's config
# plus configs/deb.config (full: all of Debian's modules, hours on 2 cores;
# guest: only those of tests/deb/guest-modules), installed into a debootstrap
# bookworm, booted under QEMU, the demo run there. STOCK=1: Debian's own
# linux-image instead, a check of the root file system and boot path only.
deb:
	@scripts/deb --modules $(or $(DEB_MODULES),full) $(if $(STOCK),--stock)

clean:
	rm -rf build/obj build/vm.* build/logs
