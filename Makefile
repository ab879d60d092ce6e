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

.PHONY: all clean check layers print-layers unit test sanitize fuzz fuzz-short static install deps \
	npm-deps check-vm check-browser bench demo examples man help valgrind
.DEFAULT_GOAL := all

all: $(BINS)

help:
	@echo "make            build every command into ./$(BIN)/"
	@echo "make test       the whole test run (what CI runs after make deps)"
	@echo "make check      unit and command tests (T=name runs one suite)"
	@echo "make layers     includes and calls against README's \"may use\" table"
	@echo "make sanitize   make check built with ASan and UBSan"
	@echo "make fuzz       every fuzz target, FUZZ_SECONDS each (default 20)"
	@echo "make valgrind   the command tests with every command under valgrind memcheck"
	@echo "make check-vm   real DAMON in a microVM"
	@echo "make check-browser  speedscope files and the HTML report in headless chromium"
	@echo "make static     static damo-record, damo-info, damo-synth in ./$(STATIC_BIN)/"
	@echo "make bench      benchmarks; writes docs/PERFORMANCE.md"
	@echo "make demo       the end-to-end demo into ./demo/"
	@echo "make examples   the demo workload into $(O)/examples/"
	@echo "make corpus     record the phase corpus in the microVM (CORPUS_NAMES=...)"
	@echo "make deps       install missing Debian packages"
	@echo "make install    PREFIX=$(PREFIX) DESTDIR="

# ---------------------------------------------------------------- objects
define lib_rules
$(O)/$(1)/%.o: $(1)/%.c
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(call inc_of,$(1)) -MMD -MP -c -o $$@ $$<
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
check: all $(UNIT_RUNNER) layers
	@DT_BIN=$(abspath $(BIN)) DT_SRC=$(CURDIR) DT_SHARED=$(DT_SHARED) \
	  CK_DEFAULT_TIMEOUT=$${CK_DEFAULT_TIMEOUT:-300} \
	  $(if $(T),CK_RUN_SUITE=$(T)) $(if $(C),CK_RUN_CASE=$(C)) $(UNIT_RUNNER)

# `make phase-score`: segmentation scored against the phase corpus and a
# family of damo-synth records (tests/phase_score.c, docs/PHASES.md).
PHASE_SCORE := $(O)/tests/phase-score
$(PHASE_SCORE): tests/phase_score.c $(ARCHIVES)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC_ALL) -o $@ $< $(ARCHIVES) $(ALL_LDFLAGS) $(SYS_LIBS)
.PHONY: phase-score
phase-score: $(PHASE_SCORE)
	@$(PHASE_SCORE) $(PHASE_SCORE_ARGS)

sanitize:
	$(MAKE) O=$(O)-san BIN=$(O)-san/bin \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -O1" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" check

# Not part of make test: it takes far longer than make check.
valgrind: all
	@DT_BIN=$(abspath $(BIN)) DT_SRC=$(CURDIR) DT_SHARED=$(DT_SHARED) bash tests/valgrind/run.sh

FUZZ_SECONDS ?= 20
fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh

check-vm: static
	@bash tests/vm/run.sh

npm-deps:
	@bash tests/browser/npm-deps.sh

check-browser: all
	@bash tests/browser/run.sh

test:
	@bash tests/run-all.sh

bench: all
	@bash bench/run.sh

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
DEB_PACKAGES := build-essential pkg-config python3 clang libzstd-dev zstd zlib1g-dev \
	libpng-dev libcairo2-dev check libtraceevent-dev gnuplot-nox poppler-utils \
	valgrind time linux-perf qemu-system-x86 busybox-static cpio chromium
deps:
	@installed=$$(dpkg-query -W -f='$${Package} $${db:Status-Status}\n' 2>/dev/null | awk '$$2=="installed"{print $$1}'); \
	missing=""; for p in $(DEB_PACKAGES); do \
	  echo "$$installed" | grep -qx "$$p" || missing="$$missing $$p"; done; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	else echo "deps: all Debian packages present"; fi

# ---------------------------------------------------------------- install
MANPAGES := $(wildcard docs/man/*.1)
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 format/dtr.h $(DESTDIR)$(PREFIX)/include/
	install -m 0644 $(call lib_archive,format) $(DESTDIR)$(PREFIX)/lib/libdtr.a
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' format/dtr.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/dtr.pc
	$(if $(MANPAGES),install -m 0644 $(MANPAGES) $(DESTDIR)$(PREFIX)/share/man/man1/)

clean:
	rm -rf build build-* $(BIN) $(STATIC_BIN)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
