# SPDX-License-Identifier: GPL-2.0-only
#
# damotrace build.  `make` builds every command into ./bin/.
#
# Layout: each library folder (format, kernel-shim, convert/util,
# convert/input, convert/analysis, convert/export, render, recorder) becomes
# one static archive; every cmd/damo-*.c is a thin main linked against them.
# Include paths are set per folder so that a folder can only see the headers
# of the folders it may use (USES_ below, README.md "Layout"); `make layers`
# checks includes and calls against the same table.

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
O ?= build
BIN ?= bin

CC ?= cc
PKG_CONFIG ?= pkg-config
OPT ?= -O2 -g
WARN := -Wall -Wextra -Werror
CFLAGS ?= $(OPT)
ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -DDAMOTRACE_VERSION='"$(VERSION)"' \
	$(WARN) -fno-omit-frame-pointer $(CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS ?=
ALL_LDFLAGS := -Wl,--as-needed $(LDFLAGS) $(EXTRA_LDFLAGS)

CAIRO_CFLAGS := $(shell $(PKG_CONFIG) --cflags cairo 2>/dev/null)
CAIRO_LIBS := $(shell $(PKG_CONFIG) --libs cairo 2>/dev/null || echo -lcairo)
TRACEEVENT_CFLAGS := $(shell $(PKG_CONFIG) --cflags libtraceevent 2>/dev/null)
CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lm)

# Who may use whom (README.md, "Layout"): each library folder's public
# headers are visible, through -I, only to the folders that may use it;
# `make layers` checks includes and calls against the same table.
USES_format :=
USES_kernel-shim :=
USES_convert/util :=
USES_convert/input := convert/util format
USES_convert/analysis := convert/input convert/util format
USES_convert/export := convert/analysis convert/input convert/util format
USES_render := convert/analysis convert/input convert/util format
USES_recorder := kernel-shim convert/input convert/util format
EXT_CFLAGS_kernel-shim := $(TRACEEVENT_CFLAGS)
EXT_CFLAGS_render := $(CAIRO_CFLAGS) -I$(O)/gen/render
EXT_CFLAGS_recorder := $(TRACEEVENT_CFLAGS)
inc_of = -I$(1) $(addprefix -I,$(USES_$(1))) $(EXT_CFLAGS_$(1))
# Library objects are position-independent so that the Python module (a
# shared object) links the same archives as the commands.
LIB_CFLAGS := -fPIC

LIB_DIRS := format kernel-shim convert/util convert/input convert/analysis \
	convert/export render recorder
INC_ALL := $(addprefix -I,$(LIB_DIRS)) -Icmd $(CAIRO_CFLAGS) $(TRACEEVENT_CFLAGS)
# Link order: users before what they use.
LIB_ORDER := recorder render convert/export convert/analysis convert/input convert/util \
	kernel-shim format
lib_srcs = $(wildcard $(1)/*.c)
lib_objs = $(patsubst %.c,$(O)/%.o,$(call lib_srcs,$(1)))
lib_archive = $(O)/lib/libdt-$(subst /,-,$(1)).a

ARCHIVES := $(foreach d,$(LIB_ORDER),$(call lib_archive,$(d)))
SYS_LIBS := $(CAIRO_LIBS) -lpng16 -ltraceevent -lzstd -lz -lm -lpthread

CMD_SRCS := $(sort $(wildcard cmd/damo-*.c))
CMD_COMMON_SRCS := $(filter-out cmd/damo-%.c,$(wildcard cmd/*.c))
CMD_COMMON_OBJS := $(patsubst %.c,$(O)/%.o,$(CMD_COMMON_SRCS))
COMMANDS := $(patsubst cmd/%.c,%,$(CMD_SRCS))
BINS := $(addprefix $(BIN)/,$(COMMANDS))

# Commands that link nothing from render/ (no cairo): built static too.
STATIC_COMMANDS := damo-record damo-info damo-synth
STATIC_BIN := bin-static
STATIC_ARCHIVES := $(foreach d,$(filter-out render,$(LIB_ORDER)),$(call lib_archive,$(d)))

.PHONY: all clean check layers abi-check abi-dump completion uninstall print-layers unit test \
	sanitize attack attack-run fuzz fuzz-short static install deps npm-deps check-vm check-browser bench demo \
	examples man help valgrind python check-python install-python bench-python
.DEFAULT_GOAL := all

all: $(BINS) $(DTR_SO)

help:
	@echo "make            build every command into ./$(BIN)/"
	@echo "make test       the whole test run (what CI runs after make deps)"
	@echo "make check      unit and command tests (T=name runs one suite)"
	@echo "make layers     includes and calls against README's \"may use\" table"
	@echo "make sanitize   make check built with ASan and UBSan"
	@echo "make attack     the attack suite: ATTACK_CASES hostile records under ASan/UBSan"
	@echo "make fuzz       every fuzz target, FUZZ_SECONDS each (default 20), FUZZ_SEED (0: random)"
	@echo "make valgrind   the command tests with every command under valgrind memcheck"
	@echo "make check-vm   real DAMON in a microVM"
	@echo "make check-browser  speedscope files and the HTML report in headless chromium"
	@echo "make static     static damo-record, damo-info, damo-synth in ./$(STATIC_BIN)/"
	@echo "make bench      benchmarks; writes docs/PERFORMANCE.md"
	@echo "make bench-python  the Python module's reading speed alone"
	@echo "make demo       the end-to-end demo into ./demo/"
	@echo "make examples   the demo workload into $(O)/examples/"
	@echo "make corpus     record the phase corpus in the microVM (CORPUS_NAMES=...)"
	@echo "make python     the Python module into $(O)/python/ (PYTHONPATH=$(O)/python)"
	@echo "make deps       install missing Debian packages"
	@echo "make uninstall  removes what make install put (same PREFIX, DESTDIR)"
	@echo "make install    PREFIX=$(PREFIX) DESTDIR="

# ---------------------------------------------------------------- objects
define lib_rules
$(O)/$(1)/%.o: $(1)/%.c
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(LIB_CFLAGS) $$(call inc_of,$(1)) -MMD -MP -c -o $$@ $$<
$(call lib_archive,$(1)): $(call lib_objs,$(1))
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(if $$^,ar rcs $$@ $$^,ar rcs $$@)
endef
$(foreach d,$(LIB_DIRS),$(eval $(call lib_rules,$(d))))

# The HTML report's template, scripts and styles (render/html/, the vendored
# libraries checked by render/html/vendor/verify.sh), compiled in as byte
# arrays: the build needs neither node nor the network.
HTML_ASSETS := render/html/report.html render/html/report.css render/html/report.js \
	render/html/vendor/uplot/uPlot.iife.min.js render/html/vendor/uplot/uPlot.min.css \
	render/html/vendor/uplot/LICENSE
$(O)/gen/render/html_assets.h: $(HTML_ASSETS) render/html/embed.sh
	@mkdir -p $(@D)
	sh render/html/embed.sh $@ $(HTML_ASSETS)
$(O)/render/html_assets.o: $(O)/gen/render/html_assets.h

$(O)/cmd/%.o: cmd/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC_ALL) -MMD -MP -c -o $@ $<

$(BIN)/%: $(O)/cmd/%.o $(CMD_COMMON_OBJS) $(ARCHIVES)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(CMD_COMMON_OBJS) $(ARCHIVES) $(ALL_LDFLAGS) $(SYS_LIBS)

# ---------------------------------------------------------------- static
static: $(addprefix $(STATIC_BIN)/,$(STATIC_COMMANDS))
$(STATIC_BIN)/%: $(O)/cmd/%.o $(CMD_COMMON_OBJS) $(STATIC_ARCHIVES)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -static -o $@ $< $(CMD_COMMON_OBJS) $(STATIC_ARCHIVES) \
		-ltraceevent -lzstd -lz -lm -lpthread

# ---------------------------------------------------------------- python
# The Python module `damotrace` (docs/PYTHON.md): a C extension
# (cmd/python/*.c, a front-end like cmd/) linking the archives it reads and
# analyses with, plus the pure-Python package cmd/python/damotrace/.  Built
# only by `make python` (and check, install), so that `make all` needs no
# Python headers.  The Python, its headers and numpy's are Debian's:
# /usr/bin/python3 unless PYTHON says otherwise.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)
PY_DIR := $(O)/python
PY_SRCS := $(sort $(wildcard cmd/python/*.c))
PY_OBJS := $(patsubst cmd/python/%.c,$(O)/python/obj/%.o,$(PY_SRCS))
PY_FILES := $(sort $(wildcard cmd/python/damotrace/*.py))
PY_PKG := $(patsubst cmd/python/%,$(PY_DIR)/%,$(PY_FILES))
PY_EXT := $(PY_DIR)/damotrace/_damotrace.so
PY_LIBS := convert/analysis convert/input convert/util format
PY_ARCHIVES := $(foreach d,$(PY_LIBS),$(call lib_archive,$(d)))
# Evaluated only when a Python target runs.
py_query = $(shell $(PYTHON) -c 'import sysconfig, numpy; print($(1))' 2>/dev/null)
PY_CFLAGS = -I$(call py_query,sysconfig.get_paths()["include"]) \
	-I$(call py_query,numpy.get_include()) -fPIC -fvisibility=hidden
PY_SITE ?= $(PREFIX)/lib/python3/dist-packages

python: $(PY_EXT) $(PY_PKG)

$(O)/python/obj/%.o: cmd/python/%.c
	@mkdir -p $(@D)
	@$(PYTHON) -c 'import sysconfig, numpy' 2>/dev/null || { echo "make python: $(PYTHON) with \
	numpy and its headers is needed (make deps: python3-dev python3-numpy)" >&2; exit 1; }
	$(CC) $(ALL_CFLAGS) $(addprefix -I,$(PY_LIBS)) $(PY_CFLAGS) -MMD -MP -c -o $@ $<

# --exclude-libs: the archives' symbols stay inside the module; it exports
# PyInit__damotrace only.
$(PY_EXT): $(PY_OBJS) $(PY_ARCHIVES)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -shared -o $@ $(PY_OBJS) $(PY_ARCHIVES) -Wl,--exclude-libs,ALL \
		$(ALL_LDFLAGS) -lzstd -lz -lm -lpthread

$(PY_DIR)/damotrace/%.py: cmd/python/damotrace/%.py
	@mkdir -p $(@D)
	cp $< $@

# pytest over tests/python/; its summary as the test runner counts it.
check-python: all python
	@DT_BIN=$(abspath $(BIN)) DT_SRC=$(CURDIR) DT_SHARED=$(DT_SHARED) \
	  PYTHON=$(PYTHON) PYTHONPATH=$(abspath $(PY_DIR)) bash tests/python/run.sh

install-python: python
	install -d $(DESTDIR)$(PY_SITE)/damotrace
	install -m 0644 $(PY_PKG) $(DESTDIR)$(PY_SITE)/damotrace/
	install -m 0644 $(PY_EXT) \
	  $(DESTDIR)$(PY_SITE)/damotrace/_damotrace$(call py_query,sysconfig.get_config_var("EXT_SUFFIX"))

# ---------------------------------------------------------------- libdtr.so
# The record library shared, beside the static one (installed as libdtr.a):
# format/'s objects (position-independent, as every library's), exporting
# only the functions of dtr.h (format/libdtr.map), soname
# libdtr.so.$(DTR_SO_MAJOR) (docs/FORMAT.md, "The library", says when each
# number changes).
DTR_SO_MAJOR := 1
DTR_SO_VERSION := $(DTR_SO_MAJOR).0.0
DTR_SONAME := libdtr.so.$(DTR_SO_MAJOR)
DTR_SO := $(O)/lib/libdtr.so.$(DTR_SO_VERSION)
DTR_PIC_OBJS := $(call lib_objs,format)
$(DTR_SO): $(DTR_PIC_OBJS) format/libdtr.map
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,$(DTR_SONAME) \
	  -Wl,--version-script=format/libdtr.map -o $@ $(DTR_PIC_OBJS) $(ALL_LDFLAGS) -lzstd
	ln -sf $(notdir $@) $(O)/lib/$(DTR_SONAME)
	ln -sf $(DTR_SONAME) $(O)/lib/libdtr.so
# (all's own line comes before DTR_SO is set: prerequisites expand at once)
all: $(DTR_SO)

# The ABI check (part of make check): the built libdtr.so against the
# reference dump of the last release's library, format/libdtr.abi (abidw
# output, types of dtr.h only; abigail-tools).  Added functions pass; any
# other change fails: an incompatible one needs a new soname major, a
# compatible one a new minor, and either a new reference (`make abi-dump`,
# at the release; docs/FORMAT.md, "The library").
DTR_ABI_REF := format/libdtr.abi
DTR_ABIDW := abidw --no-corpus-path --no-comp-dir-path --header-file format/dtr.h \
	--drop-private-types
abi-check: $(DTR_SO)
	@command -v abidiff >/dev/null || { echo "abi-check: abidiff is missing: install abigail-tools (make deps)" >&2; exit 1; }
	@$(DTR_ABIDW) --out-file $(O)/lib/libdtr.abi $(DTR_SO)
	@rc=0; abidiff --no-added-syms $(DTR_ABI_REF) $(O)/lib/libdtr.abi > $(O)/lib/abidiff.txt || rc=$$?; \
	if [ $$rc -ne 0 ]; then cat $(O)/lib/abidiff.txt; \
	  echo "abi-check: $(DTR_SO) does not have the ABI of $(DTR_ABI_REF) (abidiff $$rc): see docs/FORMAT.md, \"The library\"" >&2; \
	  exit 1; fi; \
	echo "abi-check: $(DTR_SONAME) has the ABI of $(DTR_ABI_REF)"
abi-dump: $(DTR_SO)
	$(DTR_ABIDW) --out-file $(DTR_ABI_REF) $(DTR_SO)

# ---------------------------------------------------------------- tests
# Unit tests: every tests/unit/*.c defines one or more `Suite *NAME_suite(void)`;
# they are collected into one Check runner.  Command tests (tests/cmd/*.sh)
# run inside that runner as the "commands" suite, so one summary line counts
# everything.
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJS := $(patsubst %.c,$(O)/%.o,$(UNIT_SRCS))
UNIT_RUNNER := $(O)/tests/unit-runner

$(O)/tests/suites.h: $(UNIT_SRCS) Makefile
	@mkdir -p $(@D)
	@{ names=$$(grep -ho '^Suite \*[a-z0-9_]*_suite(void)' $(UNIT_SRCS) | sed 's/^Suite \*//; s/(void)//'); \
	  for n in $$names; do echo "Suite *$$n(void);"; done; \
	  printf '#define DT_ALL_SUITES'; for n in $$names; do printf ' X(%s)' $$n; done; echo; } > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(O)/tests/unit/%.o: tests/unit/%.c $(O)/tests/suites.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC_ALL) -I$(O)/tests -Itests -MMD -MP -c -o $@ $<

$(UNIT_RUNNER): $(UNIT_OBJS) $(CMD_COMMON_OBJS) $(ARCHIVES)
	$(CC) $(ALL_CFLAGS) -o $@ $(UNIT_OBJS) $(CMD_COMMON_OBJS) $(ARCHIVES) $(ALL_LDFLAGS) $(SYS_LIBS) $(CHECK_LIBS)

# T=suite runs one suite; C=case one test case (Check's CK_RUN_SUITE/CASE).
# The peer fixtures live beside the clone (../shared); DT_SHARED=DIR overrides.
DT_SHARED ?= $(abspath ../shared)
check: all $(UNIT_RUNNER) layers abi-check
	@DT_BIN=$(abspath $(BIN)) DT_SRC=$(CURDIR) DT_SHARED=$(DT_SHARED) \
	  CK_DEFAULT_TIMEOUT=$${CK_DEFAULT_TIMEOUT:-300} \
	  $(if $(T),CK_RUN_SUITE=$(T)) $(if $(C),CK_RUN_CASE=$(C)) $(UNIT_RUNNER)
	$(if $(T)$(C)$(NO_PYTHON),,@$(MAKE) -s --no-print-directory check-python)

# `make phase-score`: segmentation scored against the phase corpus and a
# family of damo-synth records (tests/phase_score.c, docs/PHASES.md).
PHASE_SCORE := $(O)/tests/phase-score
$(PHASE_SCORE): tests/phase_score.c $(ARCHIVES)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC_ALL) -o $@ $< $(ARCHIVES) $(ALL_LDFLAGS) $(SYS_LIBS)
.PHONY: phase-score
phase-score: $(PHASE_SCORE)
	@$(PHASE_SCORE) $(PHASE_SCORE_ARGS)

# NO_PYTHON: an ASan build of the module cannot load into Debian's python3.
# Then the attack suite's fixed-seed subset (ATTACK_SHORT cases, a few
# minutes) under the same sanitizers.
SAN_MAKE = $(MAKE) O=$(O)-san BIN=$(O)-san/bin \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -O1" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined"
ATTACK_SHORT ?= 40
sanitize:
	$(SAN_MAKE) NO_PYTHON=1 check
	$(SAN_MAKE) attack-run ATTACK_CASES=$(ATTACK_SHORT) ATTACK_SEED=1

# The attack suite (tests/attack/run.sh): hostile records from the
# generator read by every command under ASan/UBSan.  `make attack` runs
# ATTACK_CASES of them (1000 by default: about an hour on 2 cores, not
# part of make test) from seed ATTACK_SEED; inputs that failed are kept
# in $(O)-san/attack-failed/.
ATTACK_CASES ?= 1000
ATTACK_SEED ?= 1
ATTACK_GEN := $(O)/tests/attack_gen
$(ATTACK_GEN): tests/attack/attack_gen.c $(call lib_archive,format)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iformat -o $@ $< $(call lib_archive,format) $(ALL_LDFLAGS) -lzstd
attack:
	$(SAN_MAKE) attack-run
attack-run: all $(ATTACK_GEN)
	@ATTACK_KEEP=$(O)/attack-failed bash tests/attack/run.sh $(ATTACK_GEN) $(BIN) \
	  $(ATTACK_CASES) $(ATTACK_SEED)

# Not part of make test: it takes far longer than make check.
valgrind: all
	@DT_BIN=$(abspath $(BIN)) DT_SRC=$(CURDIR) DT_SHARED=$(DT_SHARED) bash tests/valgrind/run.sh

FUZZ_SECONDS ?= 20
FUZZ_SEED ?= 0
fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED=$(FUZZ_SEED) bash tests/fuzz/run.sh

check-vm: static
	@bash tests/vm/run.sh

npm-deps:
	@bash tests/browser/npm-deps.sh

check-browser: all
	@bash tests/browser/run.sh

test:
	@bash tests/run-all.sh

bench: all python
	@bash bench/run.sh
	@PYTHON=$(PYTHON) O=$(O) BIN=$(BIN) bash bench/python.sh

# The Python module's reading speed alone (docs/PERFORMANCE.md).
bench-python: all python
	@PYTHON=$(PYTHON) O=$(O) BIN=$(BIN) bash bench/python.sh

# The demo workload: dynamic for recording on this machine, static for the
# microVM (frame pointers, so perf -g sees every function).
EXAMPLE_CFLAGS := -O2 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -Wall -Wextra
examples: $(O)/examples/fft-phases $(O)/examples/fft-phases-static
$(O)/examples/fft-phases: examples/fft-phases.c
	@mkdir -p $(@D)
	$(CC) $(EXAMPLE_CFLAGS) -o $@ $< -lm
$(O)/examples/fft-phases-static: examples/fft-phases.c
	@mkdir -p $(@D)
	$(CC) $(EXAMPLE_CFLAGS) -static -o $@ $< -lm

# The phase-detection corpus, recorded again in the microVM into
# tests/data/corpus/ (tests/workloads/README.md); not part of make test.
.PHONY: corpus
corpus: all static
	@O=$(O) BIN=$(BIN) STATIC_BIN=$(STATIC_BIN) bash tests/workloads/record-corpus.sh $(CORPUS_NAMES)

# examples/demo.sh runs `make deps` only when a tool it needs is missing,
# then builds all, static and examples with these settings.
demo:
	@O=$(O) BIN=$(BIN) STATIC_BIN=$(STATIC_BIN) MAKE="$(MAKE)" bash examples/demo.sh

# `make layers`: includes and calls against the USES_ table (README.md).
print-layers:
	@$(foreach d,$(LIB_DIRS),echo '$(d): $(USES_$(d))';)
layers: $(ARCHIVES)
	@$(MAKE) -s --no-print-directory print-layers > $(O)/layers.table
	@python3 tests/layers/check.py $(O) $(O)/layers.table

# Build facts for scripts (tests/fuzz/run.sh, bench/run.sh):
# `make -s print-LIB_ORDER`, `make -s print-INC_ALL`.
print-%:
	@echo $($*)

# ---------------------------------------------------------------- deps
# The one list of Debian 12 packages damotrace needs, installed without
# their recommended packages (README.md "Building" has the count and the
# download size on a fresh system; tests/deps/fresh-chroot.sh measures them
# and proves the list in a fresh chroot).  Build: build-essential,
# pkg-config and the -dev packages.  Tests: check, python3, zstd,
# poppler-utils (pdftoppm), man-db (man pages rendered), abigail-tools (the
# ABI check), clang and libclang-rt-14-dev (make fuzz: libFuzzer and the
# sanitizer runtimes, which clang only recommends), valgrind (make
# valgrind), linux-perf, qemu-system-x86, busybox-static and cpio (make
# check-vm, make demo), chromium, nodejs and npm (make check-browser, the DuckDB export tests),
# python3-dev, python3-numpy, python3-pandas and python3-pytest (the Python
# module and its tests).  nodejs and npm count as present when `node` and
# `npm` are on PATH.
DEB_PACKAGES := build-essential pkg-config libzstd-dev zlib1g-dev libpng-dev libcairo2-dev \
	libtraceevent-dev check python3 zstd poppler-utils man-db abigail-tools clang \
	libclang-rt-14-dev valgrind linux-perf qemu-system-x86 busybox-static cpio chromium \
	nodejs npm python3-dev python3-numpy python3-pandas python3-pytest
deps:
	@installed=$$(dpkg-query -W -f='$${Package} $${db:Status-Status}\n' 2>/dev/null | awk '$$2=="installed"{print $$1}'); \
	missing=""; for p in $(DEB_PACKAGES); do \
	  case $$p in nodejs) command -v node >/dev/null && continue;; npm) command -v npm >/dev/null && continue;; esac; \
	  echo "$$installed" | grep -qx "$$p" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	else echo "deps: all Debian packages present"; fi

# ---------------------------------------------------------------- install
# Bash completion, one file per command, generated from its option table.
COMPLETIONS := $(addprefix $(O)/completion/,$(COMMANDS))
$(O)/completion/%: $(BIN)/% cmd/gen-completion.sh
	@mkdir -p $(@D)
	bash cmd/gen-completion.sh $< > $@.tmp && mv $@.tmp $@
completion: $(COMPLETIONS)

MANPAGES := $(wildcard docs/man/*.1)
MANPAGES7 := $(wildcard docs/man/*.7)
# What `make install` puts below $(DESTDIR)$(PREFIX), and `make uninstall`
# removes (the directories are left), with the Python module (install-python).
INSTALLED := $(addprefix bin/,$(COMMANDS)) include/dtr.h lib/libdtr.a \
	lib/libdtr.so.$(DTR_SO_VERSION) lib/$(DTR_SONAME) lib/libdtr.so lib/pkgconfig/dtr.pc \
	$(addprefix share/man/man1/,$(notdir $(MANPAGES))) \
	$(addprefix share/man/man7/,$(notdir $(MANPAGES7))) \
	$(addprefix share/bash-completion/completions/,$(COMMANDS))
IDIR = $(DESTDIR)$(PREFIX)
install: all $(COMPLETIONS) install-python
	install -d $(IDIR)/bin $(IDIR)/lib/pkgconfig $(IDIR)/include $(IDIR)/share/man/man1 \
	  $(IDIR)/share/man/man7 $(IDIR)/share/bash-completion/completions
	install -m 0755 $(BINS) $(IDIR)/bin/
	install -m 0644 format/dtr.h $(IDIR)/include/
	install -m 0644 $(call lib_archive,format) $(IDIR)/lib/libdtr.a
	install -m 0755 $(DTR_SO) $(IDIR)/lib/
	ln -sf libdtr.so.$(DTR_SO_VERSION) $(IDIR)/lib/$(DTR_SONAME)
	ln -sf $(DTR_SONAME) $(IDIR)/lib/libdtr.so
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' format/dtr.pc.in \
	  > $(IDIR)/lib/pkgconfig/dtr.pc
	install -m 0644 $(MANPAGES) $(IDIR)/share/man/man1/
	install -m 0644 $(MANPAGES7) $(IDIR)/share/man/man7/
	install -m 0644 $(COMPLETIONS) $(IDIR)/share/bash-completion/completions/
PY_EXT_SUFFIX = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
uninstall:
	rm -f $(addprefix $(IDIR)/,$(INSTALLED))
	rm -f $(addprefix $(DESTDIR)$(PY_SITE)/damotrace/,$(notdir $(PY_FILES)) \
	  _damotrace$(PY_EXT_SUFFIX))

clean:
	rm -rf build build-* $(BIN) $(STATIC_BIN)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
