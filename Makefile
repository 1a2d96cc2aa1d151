# lt -- load testing and performance regression toolkit.
#
# GNU make.  Everything builds into $(BUILD) and runs in place (the
# programs find libltcore through an rpath of $ORIGIN/../lib), so tests
# and users need no install step.  CFLAGS, LDFLAGS and CPPFLAGS belong to
# the user; our own flags live in LT_CFLAGS and LT_LDFLAGS.
#
#   make              build libltcore, the programs and the tests
#   make check        install missing packages (make deps), build, run every test
#   make check SANITIZE=1   the same under AddressSanitizer + UBSan (in build-san/)
#   make check VALGRIND=1   the same with every lt program and unit suite under
#                     valgrind memcheck (tests/valgrind/); CASES='tests/cli/store/*.sh'
#                     picks the CLI cases of cli-check
#   make demo         run the demo scenario against the local test server
#   make install      PREFIX=/usr/local DESTDIR=

VERSION     := 0.1.0
SOMAJOR     := 0
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
MANDIR      ?= $(PREFIX)/share/man
DATADIR     ?= $(PREFIX)/share

CC          ?= cc
CFLAGS      ?= -O2 -g
PKG_CONFIG  ?= pkg-config

ifeq ($(SANITIZE),1)
BUILD       ?= build-san
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
BUILD       ?= build
SAN_FLAGS   :=
endif

PKGS        := libcurl sqlite3 libcjson gsl
# civetweb ships no pkg-config file on Debian 12; it is linked by name.
CIVETWEB_LIBS := -lcivetweb

# pkg-config runs lazily: `make deps` must work before the packages exist.
PKG_CFLAGS   = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS     = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

# -iquote, not -I: no lib/*.h may ever shadow a system header (<sched.h> almost did).
LT_CFLAGS   = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wvla \
              -fPIC -pthread -iquote lib $(PKG_CFLAGS) $(SAN_FLAGS)
LT_LDFLAGS  = -pthread $(SAN_FLAGS)
RPATH       = -Wl,-rpath,'$$ORIGIN/../lib'

LIB_SRCS    := $(sort $(wildcard lib/*.c))
LIB_OBJS    := $(LIB_SRCS:lib/%.c=$(BUILD)/obj/lib/%.o)
LIB_HDRS    := $(filter-out lib/util.h,$(wildcard lib/*.h))
CMD_SRCS    := $(sort $(wildcard cmd/*.c))
PROGS       := $(CMD_SRCS:cmd/%.c=$(BUILD)/bin/%)
UNIT_SRCS   := $(sort $(wildcard tests/unit/check_*.c))
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
SUPPORT_SRCS := $(sort $(wildcard tests/support/*.c))
SUPPORT_BINS := $(SUPPORT_SRCS:tests/support/%.c=$(BUILD)/tests/%)
MAN_PAGES   := $(sort $(wildcard man/*.[15]))

SONAME      := libltcore.so.$(SOMAJOR)
LIB_REAL    := $(BUILD)/lib/libltcore.so.$(VERSION)
LIB_LINKS   := $(BUILD)/lib/$(SONAME) $(BUILD)/lib/libltcore.so

# Debian 12 packages: build and test dependencies.
DEB_PKGS    := gcc make pkg-config libcurl4-openssl-dev libsqlite3-dev \
               libcjson-dev libgsl-dev check libsubunit-dev libcivetweb-dev sqlite3 tzdata \
               bash-completion curl clang libclang-rt-14-dev

# make check VALGRIND=1: the tests under valgrind memcheck.  The test
# scripts read LT_VALGRIND; the build is the ordinary one (-O2 -g).
# A run takes the better part of an hour: a failed unit suite does not
# stop the CLI cases from running (-k), the exit status still says so.
ifeq ($(VALGRIND),1)
DEB_PKGS    += valgrind
TEST_ENV    := LT_VALGRIND=1
CHECK_KEEP_GOING := -k
else
TEST_ENV    :=
CHECK_KEEP_GOING :=
endif

.PHONY: all lib progs tests check unit-check cli-check deps demo install \
        uninstall clean bench
.DELETE_ON_ERROR:

all: progs tests

lib: $(LIB_REAL) $(LIB_LINKS)

progs: lib $(PROGS)

tests: lib $(UNIT_BINS) $(SUPPORT_BINS)

$(BUILD)/obj/lib/%.o: lib/%.c $(wildcard lib/*.h) | $(BUILD)/obj/lib
	$(CC) $(CPPFLAGS) $(LT_CFLAGS) $(CFLAGS) -c $< -o $@

$(LIB_REAL): $(LIB_OBJS) | $(BUILD)/lib
	$(CC) -shared -Wl,-soname,$(SONAME) $(LT_LDFLAGS) $(LDFLAGS) -o $@ $(LIB_OBJS) $(PKG_LIBS) -lm

$(BUILD)/lib/$(SONAME): $(LIB_REAL)
	ln -sf libltcore.so.$(VERSION) $@

$(BUILD)/lib/libltcore.so: $(BUILD)/lib/$(SONAME)
	ln -sf $(SONAME) $@

$(BUILD)/bin/lt-serve: LT_EXTRA_LIBS = $(CIVETWEB_LIBS)

$(BUILD)/bin/%: cmd/%.c $(LIB_LINKS) $(wildcard lib/*.h) | $(BUILD)/bin
	$(CC) $(CPPFLAGS) $(LT_CFLAGS) $(CFLAGS) $(LT_LDFLAGS) $(LDFLAGS) $(RPATH) -o $@ $< \
	  -L$(BUILD)/lib -lltcore $(PKG_LIBS) $(LT_EXTRA_LIBS) -lm

$(BUILD)/tests/check_%: tests/unit/check_%.c tests/unit/main.c tests/unit/unit.h $(LIB_LINKS) $(wildcard lib/*.h) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(LT_CFLAGS) -Itests/unit $(CHECK_CFLAGS) $(CFLAGS) $(LT_LDFLAGS) $(LDFLAGS) $(RPATH) \
	  -DLT_SOURCE_DIR='"$(CURDIR)"' -o $@ $< tests/unit/main.c \
	  -L$(BUILD)/lib -lltcore $(PKG_LIBS) $(CHECK_LIBS) -lm

$(BUILD)/tests/%: tests/support/%.c $(LIB_LINKS) $(wildcard lib/*.h) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(LT_CFLAGS) $(CFLAGS) $(LT_LDFLAGS) $(LDFLAGS) $(RPATH) -o $@ $< \
	  -L$(BUILD)/lib -lltcore $(PKG_LIBS) -lm

$(BUILD)/obj/lib $(BUILD)/lib $(BUILD)/bin $(BUILD)/tests:
	mkdir -p $@

# `make check` runs `make deps` first so that it passes on a fresh Debian 12
# machine; the build itself runs in a second make so that pkg-config sees
# the packages deps just installed.
check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory $(CHECK_KEEP_GOING) unit-check cli-check

unit-check: tests
	@$(TEST_ENV) sh tests/run-unit.sh $(BUILD) $(UNIT_BINS)

cli-check: all
	@$(TEST_ENV) sh tests/cli/run.sh $(BUILD) $(CASES)

# Install what is missing; as non-root, print the exact command and fail.
deps:
	@missing=""; \
	if command -v dpkg-query >/dev/null 2>&1; then \
	  for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	  done; \
	else \
	  for p in $(PKGS) check; do $(PKG_CONFIG) --exists $$p || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then echo "make deps: missing$$missing (not a Debian system: install them with your package manager)" >&2; exit 1; fi; \
	fi; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	cmd="apt-get update && apt-get install -y --no-install-recommends$$missing"; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "make deps: installing$$missing"; \
	  sh -c "DEBIAN_FRONTEND=noninteractive $$cmd"; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	  echo "make deps: installing$$missing (sudo)"; \
	  sudo sh -c "DEBIAN_FRONTEND=noninteractive $$cmd"; \
	else \
	  echo "make deps: missing packages:$$missing" >&2; \
	  echo "run as root:  $$cmd" >&2; \
	  exit 1; \
	fi

# Like check, demo installs what is missing first, so that it is the first
# command that works on a fresh Debian 12 machine.
demo: deps
	@$(MAKE) --no-print-directory all
	@sh examples/demo.sh $(BUILD)

bench: all
	@for s in bench/*.sh; do [ -f "$$s" ] && sh "$$s" $(BUILD); done; true

install: lib progs
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
	  $(DESTDIR)$(INCLUDEDIR)/lt $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(DATADIR)/bash-completion/completions $(DESTDIR)$(DATADIR)/zsh/site-functions
	install -m 755 $(LIB_REAL) $(DESTDIR)$(LIBDIR)/
	ln -sf libltcore.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libltcore.so
	@# libltcore.pc is written here: its paths are the install's, not the build's.
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
	  'Name: libltcore' 'Description: lt load testing and performance regression library' \
	  'Version: $(VERSION)' 'Requires.private: $(PKGS)' \
	  'Libs: -L$${libdir} -lltcore' 'Cflags: -I$${includedir}/lt' \
	  > $(DESTDIR)$(LIBDIR)/pkgconfig/libltcore.pc
	install -m 644 $(LIB_HDRS) $(DESTDIR)$(INCLUDEDIR)/lt/
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)/
	for m in $(filter %.1,$(MAN_PAGES)); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	for m in $(filter %.5,$(MAN_PAGES)); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man5/; done
	for c in completions/bash/*; do [ -f "$$c" ] && install -m 644 $$c $(DESTDIR)$(DATADIR)/bash-completion/completions/; done; true
	for c in completions/zsh/_*; do [ -f "$$c" ] && install -m 644 $$c $(DESTDIR)$(DATADIR)/zsh/site-functions/; done; true

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libltcore.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	  $(DESTDIR)$(LIBDIR)/libltcore.so $(DESTDIR)$(LIBDIR)/pkgconfig/libltcore.pc
	rm -rf $(DESTDIR)$(INCLUDEDIR)/lt
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(filter %.1,$(MAN_PAGES))))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(filter %.5,$(MAN_PAGES))))
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/bash-completion/completions/,$(notdir $(wildcard completions/bash/*)))
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/zsh/site-functions/,$(notdir $(wildcard completions/zsh/_*)))

clean:
	rm -rf build build-san

# ---- fuzzing: make fuzz FUZZ_SECONDS=N ------------------------------------
# Builds the libFuzzer targets tests/fuzz/fuzz_*.c with clang into
# $(FUZZ_BUILD)/, each linked with the library's objects compiled with
# -fsanitize=fuzzer-no-link,address,undefined, and runs each for
# FUZZ_SECONDS seconds (tests/fuzz/run.sh: seeds from tests/fuzz/corpus/
# and tests/fuzz/regressions/, inputs found kept in $(FUZZ_BUILD)/corpus/).
# A crash, a sanitizer report or a broken promise fails the target and
# leaves its input in $(FUZZ_BUILD)/crash/<target>/.  `make -j2 fuzz`
# runs two targets at once.  Like check, it runs `make deps` first (clang
# and its fuzzer runtime are in DEB_PKGS); on a machine where clang still
# cannot link a fuzzer it prints the package to install.
FUZZ_SECONDS  ?= 60
FUZZ_CC       ?= clang
FUZZ_BUILD    ?= build-fuzz
FUZZ_APT      := apt-get install -y clang libclang-rt-14-dev
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                 -fno-omit-frame-pointer
FUZZ_CFLAGS    = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wvla -g -O1 \
                 -pthread -iquote lib $(PKG_CFLAGS) $(FUZZ_SAN)
FUZZ_SRCS     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES    := $(FUZZ_SRCS:tests/fuzz/%.c=%)
FUZZ_BINS     := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%)
FUZZ_LIB_OBJS := $(LIB_SRCS:lib/%.c=$(FUZZ_BUILD)/obj/lib/%.o)

.PHONY: fuzz fuzz-toolchain fuzz-build fuzz-clean $(FUZZ_NAMES:%=fuzz-run-%)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-toolchain
	@$(MAKE) --no-print-directory $(FUZZ_NAMES:%=fuzz-run-%)
	@echo "fuzz: $(words $(FUZZ_NAMES)) targets, $(FUZZ_SECONDS) s each, no crash"

fuzz-toolchain: | $(FUZZ_BUILD)
	@printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)n * 0; }\n' \
	  >$(FUZZ_BUILD)/toolchain.c; \
	if ! $(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $(FUZZ_BUILD)/toolchain \
	  $(FUZZ_BUILD)/toolchain.c >/dev/null 2>&1; then \
	  echo "make fuzz: $(FUZZ_CC) cannot link a libFuzzer target (clang or its fuzzer runtime is missing)" >&2; \
	  echo "run as root:  $(FUZZ_APT)" >&2; \
	  exit 1; \
	fi

fuzz-build: $(FUZZ_BINS)

$(FUZZ_NAMES:%=fuzz-run-%): fuzz-run-%: $(FUZZ_BUILD)/%
	@sh tests/fuzz/run.sh $(FUZZ_BUILD) $* $(FUZZ_SECONDS)

$(FUZZ_BUILD)/obj/lib/%.o: lib/%.c $(wildcard lib/*.h) | $(FUZZ_BUILD)/obj/lib
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

# An archive, so that a target links only the modules it uses.
$(FUZZ_BUILD)/libltcore.a: $(FUZZ_LIB_OBJS)
	rm -f $@ && ar rcs $@ $(FUZZ_LIB_OBJS)

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_BUILD)/libltcore.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libltcore.a \
	  $(PKG_LIBS) -lm

$(FUZZ_BUILD) $(FUZZ_BUILD)/obj/lib:
	mkdir -p $@

# The replay program of the ordinary build #includes the targets.
$(BUILD)/tests/fuzz-replay: $(FUZZ_SRCS) tests/fuzz/fuzz.h

clean: fuzz-clean
fuzz-clean:
	rm -rf $(FUZZ_BUILD)
