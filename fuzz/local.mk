# fuzz/local.mk - the libFuzzer targets (fuzz/README.md; included by
# Makefile.am).
#
# `make check` replays each committed corpus (fuzz/corpus/T and
# fuzz/crashes-fixed/T) through the same target code built without
# libFuzzer (fuzz/replay.c supplies main()); the replays are always built.
# `make fuzz` builds the targets with $(FUZZ_CC) -fsanitize=fuzzer,address,
# undefined (objects in fuzz/obj/) and runs each for FUZZ_SECONDS seconds
# on a copy of its corpus in fuzz/work/T; `make fuzz-build` only builds.
# Both need a compiler with libFuzzer, found by configure (--enable-fuzz,
# FUZZ_CC).  A new target T: fuzz/fuzz_T.c, T in FUZZ_TARGETS, a replay
# below and a seed corpus in fuzz/corpus/T.
FUZZ_TARGETS = config jwk signer request verify
FUZZ_REPLAYS = \
	fuzz/replay_config \
	fuzz/replay_jwk \
	fuzz/replay_signer \
	fuzz/replay_request \
	fuzz/replay_verify
check_PROGRAMS += $(FUZZ_REPLAYS)
TESTS += $(FUZZ_REPLAYS)

FUZZ_REPLAY_CFLAGS = $(AM_CFLAGS) $(LIBDEPS_CFLAGS) -I$(top_srcdir)/fuzz
fuzz_replay_config_SOURCES = fuzz/fuzz_config.c fuzz/replay.c fuzz/fuzz.h
fuzz_replay_config_CFLAGS = $(FUZZ_REPLAY_CFLAGS) \
	-DFUZZ_CORPUS_DIRS='"$(abs_top_srcdir)/fuzz/corpus/config:$(abs_top_srcdir)/fuzz/crashes-fixed/config"'
fuzz_replay_config_LDADD = src/libjwtsign.a $(LIBDEPS_LIBS)
fuzz_replay_jwk_SOURCES = fuzz/fuzz_jwk.c fuzz/replay.c fuzz/fuzz.h
fuzz_replay_jwk_CFLAGS = $(FUZZ_REPLAY_CFLAGS) \
	-DFUZZ_CORPUS_DIRS='"$(abs_top_srcdir)/fuzz/corpus/jwk:$(abs_top_srcdir)/fuzz/crashes-fixed/jwk"'
fuzz_replay_jwk_LDADD = src/libjwtsign.a $(LIBDEPS_LIBS)
fuzz_replay_signer_SOURCES = fuzz/fuzz_signer.c fuzz/replay.c fuzz/fuzz.h
fuzz_replay_signer_CFLAGS = $(FUZZ_REPLAY_CFLAGS) \
	-DFUZZ_CORPUS_DIRS='"$(abs_top_srcdir)/fuzz/corpus/signer:$(abs_top_srcdir)/fuzz/crashes-fixed/signer"'
fuzz_replay_signer_LDADD = src/libjwtsign.a $(LIBDEPS_LIBS)
fuzz_replay_request_SOURCES = fuzz/fuzz_request.c fuzz/replay.c fuzz/fuzz.h
fuzz_replay_request_CFLAGS = $(FUZZ_REPLAY_CFLAGS) \
	-DFUZZ_CORPUS_DIRS='"$(abs_top_srcdir)/fuzz/corpus/request:$(abs_top_srcdir)/fuzz/crashes-fixed/request"'
fuzz_replay_request_LDADD = src/libjwtsign.a $(LIBDEPS_LIBS)

fuzz_replay_verify_SOURCES = fuzz/fuzz_verify.c fuzz/replay.c fuzz/fuzz.h
fuzz_replay_verify_CFLAGS = $(FUZZ_REPLAY_CFLAGS) \
	-DFUZZ_CORPUS_DIRS='"$(abs_top_srcdir)/fuzz/corpus/verify:$(abs_top_srcdir)/fuzz/crashes-fixed/verify"'
fuzz_replay_verify_LDADD = src/libjwtsign.a $(LIBDEPS_LIBS)

EXTRA_DIST += fuzz/README.md fuzz/RESULTS.md fuzz/make_seeds.py \
	fuzz/corpus fuzz/crashes-fixed

FUZZ_SECONDS = 60
# UBSan findings are recoverable in the build and fatal at run time
# (halt_on_error=1 below), so that a known finding can be suppressed with
# UBSAN_OPTIONS=...:suppressions=FILE while it waits for its fix.
FUZZ_FLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
FUZZ_UBSAN_OPTIONS = halt_on_error=1:print_stacktrace=1
FUZZ_COMPILE = $(FUZZ_CC) -std=c11 -Wall -Wextra $(FUZZ_FLAGS) \
	-include $(top_builddir)/autoconfig.h -I$(top_srcdir)/src -I$(top_srcdir)/fuzz \
	-DSYSCONFDIR='"$(sysconfdir)"' $(LIBDEPS_CFLAGS)

if FUZZ
fuzz-build:
	@mkdir -p fuzz/obj
	@objs=; for s in $(src_libjwtsign_a_SOURCES); do \
	  case $$s in *.c) ;; *) continue ;; esac; \
	  o=fuzz/obj/`basename $$s .c`.o; objs="$$objs $$o"; \
	  if test ! -f $$o || test $(top_srcdir)/$$s -nt $$o || \
	     test -n "`find $(top_srcdir)/src -name '*.h' -newer $$o`"; then \
	    echo "  FUZZCC   $$s"; \
	    $(FUZZ_COMPILE) -fsanitize=fuzzer-no-link -c $(top_srcdir)/$$s -o $$o || exit 1; \
	  fi; \
	done; \
	for t in $(FUZZ_TARGETS); do \
	  echo "  FUZZLD   fuzz/fuzz_$$t"; \
	  $(FUZZ_COMPILE) -fsanitize=fuzzer $(top_srcdir)/fuzz/fuzz_$$t.c $$objs \
	    $(LIBDEPS_LIBS) -o fuzz/fuzz_$$t || exit 1; \
	done
else
fuzz-build:
	@echo "make fuzz-build: the libFuzzer targets are off: configure was given" \
	  "--disable-fuzz or found no FUZZ_CC that links -fsanitize=fuzzer" \
	  "(FUZZ_CC='$(FUZZ_CC)'; see config.log)." >&2; \
	echo "  Install clang and libclang-rt-dev, then re-run configure" \
	  "(e.g. ../configure --enable-fuzz FUZZ_CC=clang-16)." >&2; \
	exit 1
endif

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/work/$$t fuzz/artifacts/$$t; \
	  echo "==> fuzz/fuzz_$$t for $(FUZZ_SECONDS) s (corpus fuzz/work/$$t)"; \
	  UBSAN_OPTIONS=$${UBSAN_OPTIONS:-$(FUZZ_UBSAN_OPTIONS)} \
	  ./fuzz/fuzz_$$t -jobs=1 -workers=1 -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=fuzz/artifacts/$$t/ \
	    fuzz/work/$$t $(top_srcdir)/fuzz/corpus/$$t || exit 1; \
	done

clean-local: clean-fuzz
clean-fuzz:
	-rm -rf fuzz/obj fuzz/work fuzz/artifacts
	-for t in $(FUZZ_TARGETS); do rm -f fuzz/fuzz_$$t; done
PHONY_TARGETS += fuzz fuzz-build clean-fuzz
