# nnc: build, test and demo.  `make test` and `make demo` work as the first
# command on a fresh Debian machine (they depend on `deps`).

CC      ?= cc
CFLAGS  ?= -O2 -g
WFLAGS  := -std=c11 -Wall -Wextra -Wpedantic -Werror -D_POSIX_C_SOURCE=200809L
# flex and bison output is not pedantic-clean; it is compiled without -Wpedantic.
GENFLAGS := -std=c11 -Wall -Wextra -Werror -Wno-unused-function -D_POSIX_C_SOURCE=200809L
CPPFLAGS  = -I$(B) -Ilang -Icompiler -Idriver
LDLIBS  := -lprotobuf-c -lm -lpthread
PY      := /usr/bin/python3

B       := build
# compiler/serial/fields.c is the descriptor layout's generator (make desc-vh), not part of nnc
CSRC    := $(filter-out compiler/serial/fields.c,$(wildcard compiler/*.c compiler/*/*.c))
LSRC    := $(wildcard lang/*.c)
# templates/ (the hardware) and sim/ (testbench models) are both embedded.
TEMPLATES := $(sort $(wildcard templates/nn_*.v sim/nn_*.v))
# nn_*.vh: included text, inlined where a template includes it (emit.c).
TEMPLATES += $(wildcard templates/nn_*.vh)
# The engine harness (nnc sim --engine builds it with Verilator): the C
# driver and the simulation's host side.
TEMPLATES += $(wildcard driver/nnc_drv.[ch] sim/axi_mem.h sim/engine_main.cpp)
# The subset of ONNX that `nnc import` reads, compiled by protoc-c.
PROTO   := lang/onnx.proto
OBJ     := $(CSRC:%.c=$(B)/%.o) $(LSRC:%.c=$(B)/%.o) $(B)/parser.o $(B)/lexer.o $(B)/templates.o \
           $(B)/onnx.pb-c.o
LIBOBJ  := $(filter-out $(B)/compiler/main.o,$(OBJ))
TESTSRC := $(wildcard tests/unit/test_*.c)
TESTBIN := $(TESTSRC:tests/unit/%.c=$(B)/tests/%)

# Sanitizer build: the same sources and tests, in build/asan.
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all test demo deps clean unit asan errors signals golden-diff rtl formal nets engine fuzz-engine models import lint generated-check desc-vh fuzz-nets generate fuzz-frontend fuzz-npy fuzz-onnx synth bench
all: $(B)/nnc

$(B)/nnc: $(OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/parser.c $(B)/parser.h: lang/parser.y
	@mkdir -p $(B)
	bison -Wall -Werror --defines=$(B)/parser.h -o $(B)/parser.c $<

$(B)/lexer.c $(B)/lexer.h: lang/lexer.l $(B)/parser.h
	flex --header-file=$(B)/lexer.h -o $(B)/lexer.c $<

# The templates are compiled into nnc (long string literals: not -Wpedantic).
$(B)/templates.c: $(TEMPLATES) compiler/embed.sh
	@mkdir -p $(B)
	sh compiler/embed.sh $@ $(TEMPLATES)
$(B)/templates.o: $(B)/templates.c compiler/emit.h compiler/nnc.h
	$(CC) $(CFLAGS) $(GENFLAGS) $(CPPFLAGS) -c -o $@ $<

$(B)/onnx.pb-c.c $(B)/onnx.pb-c.h: $(PROTO)
	@mkdir -p $(B)
	protoc-c --c_out=$(B) --proto_path=lang $(PROTO)
$(B)/onnx.pb-c.o: $(B)/onnx.pb-c.c
	$(CC) $(CFLAGS) $(GENFLAGS) $(CPPFLAGS) -c -o $@ $<

$(B)/parser.o: $(B)/parser.c $(B)/lexer.h
	$(CC) $(CFLAGS) $(GENFLAGS) $(CPPFLAGS) -c -o $@ $<
$(B)/lexer.o: $(B)/lexer.c $(B)/parser.h
	$(CC) $(CFLAGS) $(GENFLAGS) $(CPPFLAGS) -c -o $@ $<

$(B)/%.o: %.c $(B)/parser.h $(B)/lexer.h $(B)/onnx.pb-c.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WFLAGS) $(CPPFLAGS) -MMD -MP -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(LIBOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WFLAGS) $(CPPFLAGS) -o $@ $^ -lcmocka $(LDLIBS)

# The fuzz harnesses with a plain main() (tests/fuzz/replay.c): make asan
# replays their seed corpora.
$(B)/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(LIBOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WFLAGS) $(CPPFLAGS) -o $@ $^ $(LDLIBS)

# The driver (driver/nnc_drv.c) is the host's code, not nnc's: its test links
# it alone, and the build first checks it as C99 and as C++.
DRVFLAGS := -Wall -Wextra -Wpedantic -Werror
$(B)/tests/test_drv: tests/unit/test_drv.c driver/nnc_drv.c driver/nnc_drv.h
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(DRVFLAGS) -fsyntax-only driver/nnc_drv.c
	$(CXX) -x c++ $(DRVFLAGS) -fsyntax-only driver/nnc_drv.c
	$(CC) $(CFLAGS) $(WFLAGS) -Idriver -o $@ tests/unit/test_drv.c driver/nnc_drv.c -lcmocka

-include $(OBJ:.o=.d)

# ---- dependencies ---------------------------------------------------------
DEB_PKGS := make g++ flex bison iverilog yosys verilator libcmocka-dev python3-numpy \
            libprotobuf-c-dev protobuf-c-compiler z3
deps:
	@sh tests/deps.sh $(DEB_PKGS)

# ---- tests ----------------------------------------------------------------
# Each group prints one line; tests/summary.sh adds them up into
# "N passed, M failed" and fails when anything failed.
test: deps
	@rm -f $(B)/results.txt
	@$(MAKE) -s --no-print-directory all
	@$(MAKE) -s --no-print-directory unit || sh tests/report.sh $(B)/results.txt "unit (make unit failed)" 0 1
	@$(MAKE) -s --no-print-directory errors || sh tests/report.sh $(B)/results.txt "errors (make errors failed)" 0 1
	@$(MAKE) -s --no-print-directory golden-diff || sh tests/report.sh $(B)/results.txt "golden-diff (make golden-diff failed)" 0 1
	@$(MAKE) -s --no-print-directory rtl || sh tests/report.sh $(B)/results.txt "rtl (make rtl failed)" 0 1
	@$(MAKE) -s --no-print-directory nets || sh tests/report.sh $(B)/results.txt "nets (make nets failed)" 0 1
	@$(MAKE) -s --no-print-directory engine || sh tests/report.sh $(B)/results.txt "engine (make engine failed)" 0 1
	@$(MAKE) -s --no-print-directory models || sh tests/report.sh $(B)/results.txt "models (make models failed)" 0 1
	@$(MAKE) -s --no-print-directory import || sh tests/report.sh $(B)/results.txt "import (make import failed)" 0 1
	@$(MAKE) -s --no-print-directory generated-check || sh tests/report.sh $(B)/results.txt "generated-check (make generated-check failed)" 0 1
	@$(MAKE) -s --no-print-directory lint || sh tests/report.sh $(B)/results.txt "lint (make lint failed)" 0 1
	@$(MAKE) -s --no-print-directory signals || sh tests/report.sh $(B)/results.txt "signals (make signals failed)" 0 1
	@QUICK=1 sh tests/formal/run.sh $(CURDIR)/$(B)/results.txt || sh tests/report.sh $(B)/results.txt "formal (run.sh failed)" 0 1
	@-$(PY) tests/layout.py $(B)/results.txt
	@-$(PY) tests/fuzz/malformed.py $(B)/nnc 300 1 $(B)/results.txt | tail -n 1
	@-$(PY) tests/fuzz/hostile.py $(B)/nnc 300 1 $(B)/results.txt | tail -n 1
	@-sh tests/fuzz/run_nets.sh $(B)/nnc 4 7 $(B)/results.txt | grep -v '^fuzz-nets: seeds' || true
	@$(MAKE) -s --no-print-directory asan || sh tests/report.sh $(B)/results.txt "asan (make asan failed)" 0 1
	@sh tests/summary.sh $(B)/results.txt

unit: $(TESTBIN)
	@sh tests/run_unit.sh $(B)/results.txt $(TESTBIN)

errors: $(B)/nnc
	@sh tests/run_errors.sh $(B)/nnc $(B)/results.txt

golden-diff: $(B)/nnc
	@sh tests/run_golden_diff.sh $(B)/nnc $(B)/results.txt

# Regression networks simulated against the golden model in both modes.
nets: $(B)/nnc
	@sh tests/run_nets.sh $(B)/nnc $(B)/results.txt

# One engine, built once (its Verilator model cached in build/engine-cache),
# runs every network of tests/engine/LIST and random ones through the C driver.
engine: $(B)/nnc
	@sh tests/run_engine.sh $(B)/nnc $(B)/results.txt

# random networks on one shared engine: make fuzz-engine N=20 SEED=40000
fuzz-engine: $(B)/nnc
	@ENGINE_LIST=/dev/null ENGINE_RANDOM=$(N) ENGINE_SEED=$(SEED) sh tests/run_engine.sh $(B)/nnc /dev/null

# Killed by SIGINT, SIGTERM, timeout or a file-size limit: nothing left behind.
signals: $(B)/nnc
	@sh tests/run_signals.sh $(B)/nnc $(B)/results.txt

lint: $(B)/nnc
	@sh tests/run_lint.sh $(B)/nnc $(B)/results.txt

generated-check: $(B)/nnc $(B)/desc_vh
	@sh tests/run_generated.sh $(B)/results.txt
	@p=0; f=0; \
	if $(B)/desc_vh | cmp -s - templates/nn_serial_desc.vh; then p=$$((p + 1)); else f=$$((f + 1)); \
	    echo "    FAIL templates/nn_serial_desc.vh differs from compiler/serial/fields.h: run 'make desc-vh' and commit it"; fi; \
	sed -n '/^<!-- fields:/,/^<!-- end of fields/p' docs/DESIGN.md | sed '1d;$$d' > $(B)/desc_table.doc; \
	if $(B)/desc_vh md | cmp -s - $(B)/desc_table.doc; then p=$$((p + 1)); else f=$$((f + 1)); \
	    echo "    FAIL docs/DESIGN.md's field table differs from compiler/serial/fields.h: run 'make desc-vh' and commit it"; fi; \
	sh tests/report.sh $(B)/results.txt "generated (the descriptor layout and table are fields.h's)" $$p $$f

# templates/nn_serial_desc.vh, the descriptor layout the serial templates
# include, printed from compiler/serial/fields.h (committed; make desc-vh
# rewrites it after a change to the table).
$(B)/desc_vh: compiler/serial/fields.c compiler/serial/fields.h
	@mkdir -p $(B)
	$(CC) $(CFLAGS) $(WFLAGS) $(CPPFLAGS) -DFIELDS_MAIN -o $@ compiler/serial/fields.c
desc-vh: $(B)/desc_vh
	$(B)/desc_vh > templates/nn_serial_desc.vh.tmp && mv templates/nn_serial_desc.vh.tmp templates/nn_serial_desc.vh
	$(B)/desc_vh md > $(B)/desc_table.md
	awk -v t=$(B)/desc_table.md '/^<!-- end of fields/ { skip = 0 } !skip { print } \
	    /^<!-- fields:/ { while ((getline l < t) > 0) print l; skip = 1 }' docs/DESIGN.md > docs/DESIGN.md.tmp && \
	    mv docs/DESIGN.md.tmp docs/DESIGN.md

import: $(B)/nnc
	@sh tests/run_import.sh $(B)/nnc $(B)/results.txt

models: $(B)/nnc
	@sh tests/run_models.sh $(B)/nnc $(B)/results.txt

# Formal proofs of the stream and bus templates (tests/formal/*.list):
# make formal runs all of them; make test the lines not marked slow.
formal: deps
	@sh tests/formal/run.sh $(CURDIR)/$(B)/results.txt

rtl:
	@sh tests/rtl/run.sh $(CURDIR)/$(B)/results.txt
	@NNC=$(CURDIR)/$(B)/nnc sh tests/rtl/run_serial.sh $(CURDIR)/$(B)/results.txt
	@sh tests/rtl/run_axi_mem.sh $(CURDIR)/$(B)/results.txt

# The sanitizer build runs the unit and error tests again, and nnc itself
# under ASan + UBSan against the independent reference and malformed inputs.
asan:
	@$(MAKE) -s --no-print-directory B=build/asan CFLAGS="-O1 -g $(SAN)" \
	    build/asan/nnc $(TESTSRC:tests/unit/%.c=build/asan/tests/%) \
	    build/asan/replay_frontend build/asan/replay_npy build/asan/replay_onnx
	@sh tests/run_unit.sh $(B)/results.txt $(TESTSRC:tests/unit/%.c=build/asan/tests/%) asan
	@sh tests/run_errors.sh build/asan/nnc $(B)/results.txt asan
	@sh tests/run_golden_diff.sh build/asan/nnc $(B)/results.txt 20 500 | sed 's/golden-diff/golden-diff asan/'
	@$(PY) tests/fuzz/malformed.py build/asan/nnc 100 5 $(B)/results.txt | tail -n 1
	@$(PY) tests/fuzz/hostile.py build/asan/nnc 100 5 $(B)/results.txt | tail -n 1
	@sh tests/fuzz/replay.sh build/asan $(B)/results.txt
	@p=0; f=0; for m in parallel serial; do \
	    if build/asan/nnc sim tests/nets/residual.nn --mode $$m --frames 2 -q | grep -q '^PASS'; \
	    then p=$$((p + 1)); else f=$$((f + 1)); fi; done; \
	    sh tests/report.sh $(B)/results.txt "sim asan (both modes)" $$p $$f

# ---- generated/: the committed outputs for the small examples ---------------
# tests/run_generated.sh regenerates them elsewhere and fails if they differ.
GEN_DIR  ?= generated
GEN_NETS := tiny lenet5
GEN_MODES := parallel serial
generate: $(B)/nnc
	@for n in $(GEN_NETS); do for m in $(GEN_MODES); do \
	    rm -rf $(GEN_DIR)/$$n/$$m; mkdir -p $(GEN_DIR)/$$n/$$m; \
	    $(B)/nnc examples/$$n.nn -q --mode $$m -o $(GEN_DIR)/$$n/$$m/$$n.v 2>$(GEN_DIR)/$$n/$$m/err.txt \
	        && rm $(GEN_DIR)/$$n/$$m/err.txt \
	        || { grep -q "not in this build" $(GEN_DIR)/$$n/$$m/err.txt \
	             && rm -rf $(GEN_DIR)/$$n/$$m \
	             || { cat $(GEN_DIR)/$$n/$$m/err.txt; exit 1; }; }; \
	done; done

# ---- synthesis: make synth NET=examples/lenet5.nn MODE=serial TARGET=ice40 ----
NET    ?= examples/tiny.nn
MODE   ?= parallel
TARGET ?= generic
SYNTH_OPTS ?=
synth: bench-deps $(B)/nnc
	@sh bench/synth.sh $(B)/nnc $(NET) $(MODE) $(TARGET) $(SYNTH_OPTS)

# ---- benchmarks (issue 5): a table and bench/results.json; see bench/RESULTS.md ----
# the benchmark also needs PyTorch (the golden-model comparison) and nextpnr
bench-deps: deps
	@sh tests/deps.sh python3-torch nextpnr-ice40 fpga-icestorm bc
bench: bench-deps $(B)/nnc
	sh bench/run.sh $(B)/nnc

# ---- random networks, both modes, bit-exact: make fuzz-nets N=100 SEED=5000 ----
# DEEP: deep networks after them (100-300-layer residual nets, ResNet-50's graph)
N    ?= 20
SEED ?= 1
DEEP ?= 2
fuzz-nets: deps $(B)/nnc
	@sh tests/fuzz/run_nets.sh $(B)/nnc $(N) $(SEED) "" $(DEEP)

# ---- fuzzing (clang's libFuzzer) ------------------------------------------
# make fuzz-frontend|fuzz-npy|fuzz-onnx FUZZ_RUNS=N: one parser of untrusted
# files (tests/fuzz/fuzz_*.c: the .nn front end, the .npy reader, nnc import)
# under ASan + UBSan on N generated inputs, from a corpus of the test files
# of its kind; a crash, leak, hang (10 s) or an allocation over 2 GiB stops
# the run and is saved in build/fuzz/.
FUZZ_RUNS ?= 200000
FUZZ := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_OBJ = $(patsubst build/%,build/fuzz/%,$(LIBOBJ))
FUZZ_LEN_frontend := 4096
FUZZ_LEN_npy := 4096
FUZZ_LEN_onnx := 65536
FUZZ_SEEDS_frontend = examples/*.nn examples/digits/*.nn tests/errors/*.nn
FUZZ_SEEDS_npy = $(shell find examples tests -name '*.npy' -size -64k)
FUZZ_SEEDS_onnx = examples/digits/digits.onnx tests/import/*.onnx
fuzz-frontend fuzz-npy fuzz-onnx: fuzz-%:
	@$(MAKE) -s --no-print-directory B=build/fuzz CC=clang CFLAGS="-O1 -g $(FUZZ)" $(FUZZ_OBJ)
	clang -O1 -g -fsanitize=fuzzer,address,undefined $(CPPFLAGS) -Ibuild/fuzz \
	    -o build/fuzz/fuzz_$* tests/fuzz/fuzz_$*.c $(FUZZ_OBJ) $(LDLIBS)
	@mkdir -p build/fuzz/corpus-$*
	@for f in $(FUZZ_SEEDS_$*); do cp "$$f" build/fuzz/corpus-$*/$$(echo "$$f" | tr / _); done
	@if [ $* = onnx ]; then $(PY) tests/fuzz/hostile.py --seeds build/fuzz/corpus-onnx 300; fi
	cd build/fuzz && ./fuzz_$* -runs=$(FUZZ_RUNS) -max_len=$(FUZZ_LEN_$*) -timeout=10 \
	    -rss_limit_mb=2048 -artifact_prefix=./$*- -print_final_stats=1 corpus-$*

# ---- demo -----------------------------------------------------------------
demo: deps
	@$(MAKE) -s --no-print-directory all
	@sh examples/demo.sh $(B)/nnc

clean:
	rm -rf build
