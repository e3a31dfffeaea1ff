# tripletscope: a plain Makefile. `make run` and `make test` are the two
# commands a new machine needs; both first install what is missing.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/tripletscope
CC      ?= cc
BUILD   ?= build

PKGS       := ncursesw openblas zlib
PKG_CFLAGS := $(filter-out -D%,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

OPT      ?= -O3 -g
CFLAGS   ?= $(OPT)
CFLAGS   += -fno-math-errno
CFLAGS   += -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS += -Iinclude -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 $(PKG_CFLAGS) -MMD -MP
LDLIBS   += $(PKG_LIBS) -lpthread -lm

VERSION := 0.1.0
CPPFLAGS += -DTS_VERSION=\"$(VERSION)\"

CORE_SRC := $(sort $(wildcard src/base/*.c) $(wildcard src/core/*.c) $(wildcard src/data/*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/src/data/embedded.o $(BUILD)/src/core/lessons.o
UI_SRC   := $(sort $(wildcard src/ui/*.c))
UI_OBJ   := $(UI_SRC:%.c=$(BUILD)/%.o)
CLI_SRC  := $(sort $(filter-out src/cli/main.c,$(wildcard src/cli/*.c)))
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
CORE_LIB := $(BUILD)/libtscore.a
UI_LIB   := $(BUILD)/libtsui.a
CLI_LIB  := $(BUILD)/libtscli.a
BIN      := $(BUILD)/tripletscope

TEST_SRC := $(sort $(wildcard tests/test_*.c))
TESTS    := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all run test check unit-tests setup asan bench fuzz fuzz-targets install uninstall clean FORCE

all: $(BIN)

# --- the two commands --------------------------------------------------------
run: setup
	@$(MAKE) --no-print-directory all
	./$(BIN) $(ARGS)

test: setup
	@$(MAKE) --no-print-directory check

setup:
	@sh scripts/setup.sh

# Every test: the unit tests (cmocka), then the binary's own behaviour
# (bad input, determinism, learning), then the interface through tmux.
check: $(BIN) $(TESTS)
	@sh tests/run.sh $(BUILD)

unit-tests: $(TESTS)
	@for t in $(TESTS); do $$t || exit 1; done

# The tests under AddressSanitizer and UndefinedBehaviorSanitizer.
asan: setup
	@$(MAKE) --no-print-directory BUILD=build-asan \
	  OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" check

bench: setup
	@$(MAKE) --no-print-directory all $(BUILD)/bench/bench
	@sh bench/run.sh $(BUILD)

# libFuzzer targets of the CSV, NPY and IDX loaders and of the dump reader's
# projector_config.pbtxt and .tsv (tests/fuzz/), built by
# clang under AddressSanitizer and UndefinedBehaviorSanitizer in a build
# folder of their own, each run for FUZZ_SECONDS. New inputs and crashes go
# to $(BUILD)-fuzz/ (the committed corpora stay small); a crash, once fixed,
# is kept in tests/fuzz/regress/, which `make test` replays with gcc.
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := csv npy idx pbtxt tsv
FUZZ_BUILD   := $(BUILD)-fuzz
FUZZ_OPT     := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
                -fno-sanitize-recover=undefined
fuzz:
	@sh scripts/setup.sh fuzz
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) OPT="$(FUZZ_OPT)" \
	  LDFLAGS="-fsanitize=address,undefined" fuzz-targets
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crashes || exit 1; \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -dict=tests/fuzz/$$t.dict \
	    -artifact_prefix=$(FUZZ_BUILD)/crashes/$$t- \
	    $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t tests/fuzz/regress || exit 1; \
	done

fuzz-targets: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)

# --- building ----------------------------------------------------------------
$(BIN): $(BUILD)/src/cli/main.o $(CLI_LIB) $(UI_LIB) $(CORE_LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

$(CORE_LIB): $(CORE_OBJ)
	$(AR) rcs $@ $^
$(UI_LIB): $(UI_OBJ)
	$(AR) rcs $@ $^
$(CLI_LIB): $(CLI_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The digits, iris and fashion-small sets are built into the binary so it
# runs anywhere.
$(BUILD)/src/data/embedded.o: src/data/embedded.S datasets/digits.csv.gz datasets/iris.csv \
  datasets/fashion-small.idx.gz
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

# The lessons of docs/demos.md (lessons/*.lesson) are built in too (--lesson NAME).
LESSON_FILES := $(sort $(wildcard lessons/*.lesson))
$(BUILD)/src/core/lessons.o: src/core/lessons.S $(LESSON_FILES)
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

# Sources first, then the libraries (a test may list extra sources).
$(BUILD)/tests/%: tests/%.c $(CLI_LIB) $(UI_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) $(filter %.a,$^) $(CMOCKA_LIBS) $(LDLIBS)

# The replay of the fuzz corpora runs the fuzz targets themselves.
$(BUILD)/tests/test_fuzz_replay: tests/fuzz/targets.c tests/fuzz/targets.h

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/targets.c tests/fuzz/targets.h $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $(filter %.c,$^) $(filter %.a,$^) $(LDLIBS)

$(BUILD)/bench/bench: bench/bench.c bench/accuracy.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS)

# --help and the ? screen name the installed docs' directory, DOCDIR, which
# is known at build time: $(BUILD)/docdir holds the one the two help files
# were compiled with, so a PREFIX (or DOCDIR) given to `make install` alone
# rebuilds them, and the binary installed names where its docs went.
DOCDIR_STAMP := $(BUILD)/docdir
$(DOCDIR_STAMP): FORCE
	@mkdir -p $(dir $@)
	@[ "$$(cat $@ 2>/dev/null)" = '$(DOCDIR)' ] || echo '$(DOCDIR)' >$@
$(BUILD)/src/ui/help.o $(BUILD)/src/cli/help.o: $(DOCDIR_STAMP)
$(BUILD)/src/ui/help.o $(BUILD)/src/cli/help.o: CPPFLAGS += -DTS_DOCDIR=\"$(DOCDIR)\"
FORCE:

# The man page names the default DOCDIR; the installed copy names the real one.
$(BUILD)/tripletscope.1: man/tripletscope.1 $(DOCDIR_STAMP)
	@mkdir -p $(dir $@)
	sed 's|/usr/local/share/doc/tripletscope|$(DOCDIR)|g' man/tripletscope.1 >$@

# --- installing --------------------------------------------------------------
# The docs keep the clone's layout under DOCDIR (README.md, docs/*.md, the
# Python writer, the embedded data sets' attribution, the lessons), so the paths they
# give one another (docs/attach.md, python/tripletscope_dump.py) hold there.
DOC_FILES := README.md $(sort $(wildcard docs/*.md)) python/tripletscope_dump.py datasets/README.md \
             $(sort $(wildcard lessons/*.lesson))
DOC_DIRS  := $(sort $(patsubst %/,%,$(filter-out ./,$(dir $(DOC_FILES)))))

install: $(BIN) $(BUILD)/tripletscope.1
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR) \
	  $(addprefix $(DESTDIR)$(DOCDIR)/,$(DOC_DIRS))
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/tripletscope
	install -m 644 $(BUILD)/tripletscope.1 $(DESTDIR)$(MANDIR)/man1/tripletscope.1
	for f in $(DOC_FILES); do install -m 644 $$f $(DESTDIR)$(DOCDIR)/$$f || exit 1; done

# Only what install wrote, then DOCDIR's own folders if they are empty (a
# file of yours there keeps its folder, and rmdir says so).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tripletscope $(DESTDIR)$(MANDIR)/man1/tripletscope.1
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(DOC_FILES))
	for d in $(addprefix $(DESTDIR)$(DOCDIR)/,$(DOC_DIRS)) $(DESTDIR)$(DOCDIR); do \
	  [ ! -d $$d ] || rmdir $$d || true; done

clean:
	rm -rf build build-asan build-fuzz $(BUILD) $(BUILD)-fuzz bench/results

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
