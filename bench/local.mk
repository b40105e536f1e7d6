# bench/local.mk - the benchmarks (bench/README.md; included by
# Makefile.am).
#
# `make bench` builds the benchmark programs (never built by `make` or
# `make check`: EXTRA_PROGRAMS) and runs bench/run.sh, which prints one
# `bench: NAME: VALUE UNIT (reference REF VALUE UNIT, ratio R)` line per
# figure and writes them to bench-results.txt.  It needs wrk, nginx and
# lighttpd for the end-to-end, memory and CGI parts (each part is skipped
# with a note when its tool is missing) and takes about 5 minutes on 2
# cores.  libjwt, the peer of the per-token figures, is linked into
# bench/bench_sign only, when pkg-config finds it at `make bench` time;
# bench/bench-config.h records whether it did.
# `make bench-profile` runs the callgrind profiles (bench/profile.sh).
BENCH_PROGS = bench/bench_sign bench/bench_spawn
EXTRA_PROGRAMS += $(BENCH_PROGS)
BENCH_JWT_CFLAGS = `$(PKG_CONFIG) --cflags libjwt 2>/dev/null`
# The link flags of libjwt, or nothing (written by bench-config-refresh).
BENCH_JWT_LIBS = `cat bench/bench-libs`
bench_bench_sign_SOURCES = bench/bench_sign.c
bench_bench_sign_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/bench
bench_bench_sign_CFLAGS = $(AM_CFLAGS) $(LIBDEPS_CFLAGS) $(BENCH_JWT_CFLAGS)
bench_bench_sign_LDADD = src/libjwtsign.a $(LIBDEPS_LIBS) $(BENCH_JWT_LIBS)
bench_bench_sign_DEPENDENCIES = src/libjwtsign.a bench/bench-libs
bench_bench_spawn_SOURCES = bench/bench_spawn.c
EXTRA_DIST += bench/README.md bench/lib.sh bench/run.sh bench/profile.sh \
	bench/keys.json

$(bench_bench_sign_OBJECTS): bench/bench-config.h
# Both rewritten only when the answer changes, so that bench_sign is
# rebuilt exactly when libjwt appears or disappears.
bench/bench-config.h bench/bench-libs: bench-config-refresh
bench-config-refresh:
	@$(MKDIR_P) bench; \
	if $(PKG_CONFIG) --exists libjwt 2>/dev/null; then \
	  echo '#define BENCH_HAVE_LIBJWT 1' >bench/bench-config.h-t; \
	  $(PKG_CONFIG) --libs libjwt >bench/bench-libs-t; \
	else \
	  echo '/* libjwt not found: no libjwt comparison */' >bench/bench-config.h-t; \
	  : >bench/bench-libs-t; \
	fi; \
	for f in bench-config.h bench-libs; do \
	  if cmp -s bench/$$f-t bench/$$f; then rm -f bench/$$f-t; \
	  else mv -f bench/$$f-t bench/$$f; fi; \
	done

BENCH_ENV = JWTSIGN='$(abs_top_builddir)/src/jwtsign' \
	BENCH_BIN='$(abs_top_builddir)/bench' \
	TOP_SRCDIR='$(abs_top_srcdir)' TOP_BUILDDIR='$(abs_top_builddir)' \
	LIGHTTPD='$(LIGHTTPD)'

bench: src/jwtsign $(BENCH_PROGS)
	$(BENCH_ENV) $(SHELL) $(top_srcdir)/bench/run.sh

bench-profile: src/jwtsign $(BENCH_PROGS)
	$(BENCH_ENV) $(SHELL) $(top_srcdir)/bench/profile.sh

clean-local: clean-bench
clean-bench:
	-rm -f $(BENCH_PROGS) bench/bench-config.h bench/bench-libs bench-results.txt
	-rm -rf bench/profile
PHONY_TARGETS += bench bench-profile bench-config-refresh clean-bench
