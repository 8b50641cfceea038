# tlsready build. Every library comes through pkg-config; `make deps` installs
# missing Debian packages first, so each public target works on a fresh machine.
#
#   make            release build (gcc, -Werror)      -> ./tlsready
#   make check      gcc release + clang ASan/UBSan build, unit + integration
#                   tests + a short run of every fuzz target; ends "N passed, N failed"
#   make asan       the sanitizer build only            -> $(B)/asan/tlsready
#   make fuzz       libFuzzer targets, each run FUZZ_SECONDS (default 60)
#   make demo       runs the main job on examples/ and says where the report is
#   make bench      installs the peers (sslscan, testssl.sh, nmap, ...) and runs bench/

# B: build directory (a separate one per concurrent builder avoids races).
# Set before every := below that names it.
B ?= build

PKGS      := libssl libcrypto libcares libpcap zlib libxml-2.0 libzip
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

STD       := -std=c17 -D_GNU_SOURCE
WARN      := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
INCLUDES  := -Isrc
CC_REL    ?= gcc
CC_SAN    ?= clang
# gcc's -Wformat-truncation flags every snprintf into a fixed error buffer; truncating
# a message is the intent there, so that one warning is off (all others are errors)
REL_FLAGS := -O2 -g $(STD) $(WARN) -Wno-format-truncation $(INCLUDES) $(PKG_CFLAGS)
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=all $(STD) $(WARN) $(INCLUDES) $(PKG_CFLAGS)
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined $(STD) $(WARN) $(INCLUDES) $(PKG_CFLAGS)

LIB_SRC   := $(sort $(filter-out src/main.c,$(wildcard src/*/*.c)))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC  := $(sort $(wildcard fuzz/fuzz_*.c))
TOOL_SRC  := $(sort $(wildcard tools/*.c))

REL_OBJ   := $(LIB_SRC:%.c=$(B)/rel/%.o)
SAN_OBJ   := $(LIB_SRC:%.c=$(B)/asan/%.o)
FUZZ_OBJ  := $(LIB_SRC:%.c=$(B)/fuzz/%.o)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(B)/asan/tests/%)
FUZZ_BIN  := $(FUZZ_SRC:fuzz/%.c=$(B)/fuzz/%)
TOOL_BIN  := $(TOOL_SRC:tools/%.c=$(B)/rel/tools/%)

FUZZ_SECONDS ?= 60

.PHONY: all build deps deps-test deps-bench check asan unit fuzz fuzz-build fuzz-run demo bench clean tools

all: deps
	@$(MAKE) --no-print-directory build

# the product is ./tlsready; a build in another directory (B=...) links its own
# binary there so that parallel builders never overwrite each other's
BIN := $(if $(filter build,$(B)),tlsready,$(B)/rel/tlsready)

build: $(BIN) tools

tools: $(TOOL_BIN)

deps:
	@bash scripts/deps.sh build
deps-test:
	@bash scripts/deps.sh test
deps-bench:
	@bash scripts/deps.sh bench

$(BIN): $(B)/rel/libtlsready.a $(B)/rel/src/main.o
	@echo '  LINK    $@'
	@$(CC_REL) -o $@ $(B)/rel/src/main.o $(B)/rel/libtlsready.a $(PKG_LIBS)

$(B)/rel/libtlsready.a: $(REL_OBJ)
	@rm -f $@; ar rcs $@ $^

$(B)/rel/%.o: %.c
	@mkdir -p $(dir $@)
	@echo '  CC      $<'
	@$(CC_REL) $(REL_FLAGS) -MMD -MP -c $< -o $@

$(B)/rel/tools/%: tools/%.c $(B)/rel/libtlsready.a
	@mkdir -p $(dir $@)
	@echo '  TOOL    $@'
	@$(CC_REL) $(REL_FLAGS) -o $@ $< $(B)/rel/libtlsready.a $(PKG_LIBS)

asan: $(B)/asan/tlsready $(UNIT_BIN)

$(B)/asan/tlsready: $(B)/asan/libtlsready.a $(B)/asan/src/main.o
	@echo '  LINK    $@'
	@$(CC_SAN) -fsanitize=address,undefined -o $@ $(B)/asan/src/main.o $(B)/asan/libtlsready.a $(PKG_LIBS)

$(B)/asan/libtlsready.a: $(SAN_OBJ)
	@rm -f $@; ar rcs $@ $^

$(B)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	@echo '  CC-SAN  $<'
	@$(CC_SAN) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(B)/asan/tests/%: tests/unit/%.c $(B)/asan/libtlsready.a
	@mkdir -p $(dir $@)
	@echo '  TEST    $@'
	@$(CC_SAN) $(SAN_FLAGS) -o $@ $< $(B)/asan/libtlsready.a $(PKG_LIBS) $(CMOCKA_LIBS)

fuzz-build: $(FUZZ_BIN)

$(B)/fuzz/libtlsready.a: $(FUZZ_OBJ)
	@rm -f $@; ar rcs $@ $^

$(B)/fuzz/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo '  CC-FUZZ $<'
	@$(CC_SAN) $(FUZZ_FLAGS) -MMD -MP -c $< -o $@

$(B)/fuzz/fuzz_%: fuzz/fuzz_%.c $(B)/fuzz/libtlsready.a
	@mkdir -p $(dir $@)
	@echo '  FUZZ    $@'
	@$(CC_SAN) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(B)/fuzz/libtlsready.a $(PKG_LIBS)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	B=$(B) FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh

check: deps-test
	@$(MAKE) --no-print-directory -j2 build asan fuzz-build
	@B=$(B) bash tests/run.sh

unit: deps
	@$(MAKE) --no-print-directory -j2 asan
	@B=$(B) ONLY=unit bash tests/run.sh

demo: deps-test
	@$(MAKE) --no-print-directory build
	@bash scripts/demo.sh

bench: deps-bench
	@$(MAKE) --no-print-directory build
	@bash bench/run-all.sh

clean:
	rm -rf $(B) tlsready

-include $(REL_OBJ:.o=.d) $(SAN_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d) $(B)/rel/src/main.d $(B)/asan/src/main.d
