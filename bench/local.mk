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
# bench/bench_sign and bench/bench_verify only, when configure found it
# (--with-libjwt; the HAVE_LIBJWT define and conditional).
# `make bench-profile` runs the callgrind profiles (bench/profile.sh).
BENCH_PROGS = bench/bench_sign bench/bench_verify bench/bench_spawn bench/bench_allow \
	bench/bench_pkcs11
EXTRA_PROGRAMS += $(BENCH_PROGS)
# src/ by -iquote, not -I: src/jwt.h (jwtsign's validator) would otherwise
# hide libjwt's <jwt.h>.
BENCH_CPPFLAGS = -include $(top_builddir)/autoconfig.h -iquote $(top_srcdir)/src \
	-DSYSCONFDIR='"$(sysconfdir)"'
bench_bench_sign_CPPFLAGS = $(BENCH_CPPFLAGS)
bench_bench_verify_CPPFLAGS = $(BENCH_CPPFLAGS)
bench_bench_sign_SOURCES = bench/bench_sign.c bench/bench_common.c bench/bench_common.h
bench_bench_sign_CFLAGS = $(AM_CFLAGS) $(LIBDEPS_CFLAGS)
bench_bench_sign_LDADD = src/libjwtsign.a $(LIBDEPS_LIBS)
if HAVE_LIBJWT
bench_bench_sign_CFLAGS += $(LIBJWT_CFLAGS)
bench_bench_sign_LDADD += $(LIBJWT_LIBS)
endif
bench_bench_verify_SOURCES = bench/bench_verify.c bench/bench_common.c bench/bench_common.h
bench_bench_verify_CFLAGS = $(AM_CFLAGS) $(LIBDEPS_CFLAGS)
bench_bench_verify_LDADD = src/libjwtsign.a $(LIBDEPS_LIBS)
if HAVE_LIBJWT
bench_bench_verify_CFLAGS += $(LIBJWT_CFLAGS)
bench_bench_verify_LDADD += $(LIBJWT_LIBS)
endif
bench_bench_pkcs11_CPPFLAGS = $(BENCH_CPPFLAGS)
bench_bench_pkcs11_SOURCES = bench/bench_pkcs11.c bench/bench_common.c bench/bench_common.h
bench_bench_pkcs11_CFLAGS = $(AM_CFLAGS) $(LIBDEPS_CFLAGS)
bench_bench_pkcs11_LDADD = src/libjwtsign.a $(LIBDEPS_LIBS)
bench_bench_spawn_SOURCES = bench/bench_spawn.c
bench_bench_allow_SOURCES = bench/bench_allow.c
bench_bench_allow_CFLAGS = $(AM_CFLAGS) $(FCGI_CFLAGS)
bench_bench_allow_LDADD = $(FCGI_LIBS)
EXTRA_DIST += bench/README.md bench/RESULTS.md bench/lib.sh bench/run.sh \
	bench/profile.sh bench/keys.json

BENCH_ENV = JWTSIGN='$(abs_top_builddir)/src/jwtsign' \
	BENCH_BIN='$(abs_top_builddir)/bench' \
	TOP_SRCDIR='$(abs_top_srcdir)' TOP_BUILDDIR='$(abs_top_builddir)' \
	LIGHTTPD='$(LIGHTTPD)' BENCH_LIBJWT='$(have_libjwt)'

bench: src/jwtsign $(BENCH_PROGS)
	$(BENCH_ENV) $(SHELL) $(top_srcdir)/bench/run.sh

bench-profile: src/jwtsign $(BENCH_PROGS)
	$(BENCH_ENV) $(SHELL) $(top_srcdir)/bench/profile.sh

clean-local: clean-bench
clean-bench:
	-rm -f $(BENCH_PROGS) bench-results.txt
	-rm -rf bench/profile
PHONY_TARGETS += bench bench-profile clean-bench
