# tripletscope: a plain Makefile. `make run` and `make test` are the two
# commands a new machine needs; both first install what is missing.

PREFIX  ?= /usr/local
DESTDIR ?=
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

CORE_SRC := $(sort $(wildcard src/core/*.c) $(wildcard src/data/*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/src/data/embedded.o
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

.PHONY: all run test check unit-tests setup asan bench install uninstall clean

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

# The digits and iris sets are built into the binary so it runs anywhere.
$(BUILD)/src/data/embedded.o: src/data/embedded.S datasets/digits.csv.gz datasets/iris.csv
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(CLI_LIB) $(UI_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.a,$^) $(CMOCKA_LIBS) $(LDLIBS)

$(BUILD)/bench/bench: bench/bench.c bench/accuracy.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS)

# --- installing --------------------------------------------------------------
install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/tripletscope

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tripletscope

clean:
	rm -rf build build-asan $(BUILD) bench/results

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
