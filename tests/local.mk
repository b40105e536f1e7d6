# tests/local.mk - `make check` and `make check-valgrind` (included by
# Makefile.am).  The corpus replays of fuzz/local.mk are tests too.

# ---------------------------------------------------------------- unit
# Criterion, one program per module: a new tests/unit/test_X.c is added to
# UNIT_TESTS and gets the three tests_unit_test_X_* lines below.
UNIT_TESTS =
# Fixture and vector helpers shared by the JOSE tests.
TESTUTIL = tests/unit/testutil.c tests/unit/testutil.h
if HAVE_CRITERION
UNIT_TESTS += \
	tests/unit/test_b64 \
	tests/unit/test_log \
	tests/unit/test_reqid \
	tests/unit/test_entity \
	tests/unit/test_query \
	tests/unit/test_cors \
	tests/unit/test_gojson \
	tests/unit/test_jwk \
	tests/unit/test_jwk_pkcs11 \
	tests/unit/test_jws \
	tests/unit/test_jwt \
	tests/unit/test_signer \
	tests/unit/test_config \
	tests/unit/test_router \
	tests/unit/test_handler \
	tests/unit/test_authz \
	tests/unit/test_request \
	tests/unit/test_fetch \
	tests/unit/test_jwk_cache \
	tests/unit/test_ratelimit \
	tests/unit/test_metrics \
	tests/unit/test_keysource \
	tests/unit/test_secrets \
	tests/unit/test_limits \
	tests/unit/test_response \
	tests/unit/test_header_cap
endif
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

UNIT_CFLAGS = $(AM_CFLAGS) $(LIBDEPS_CFLAGS) $(CRITERION_CFLAGS) \
	-DTEST_DATA_DIR='"$(abs_top_srcdir)/tests/data"'
UNIT_LDADD = src/libjwtsign.a $(LIBDEPS_LIBS) $(CRITERION_LIBS)

tests_unit_test_b64_SOURCES = tests/unit/test_b64.c
tests_unit_test_b64_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_b64_LDADD = $(UNIT_LDADD)
tests_unit_test_log_SOURCES = tests/unit/test_log.c $(TESTUTIL)
tests_unit_test_log_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_log_LDADD = $(UNIT_LDADD)
tests_unit_test_reqid_SOURCES = tests/unit/test_reqid.c $(TESTUTIL)
tests_unit_test_reqid_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_reqid_LDADD = $(UNIT_LDADD)
tests_unit_test_entity_SOURCES = tests/unit/test_entity.c
tests_unit_test_entity_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_entity_LDADD = $(UNIT_LDADD)
tests_unit_test_query_SOURCES = tests/unit/test_query.c
tests_unit_test_query_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_query_LDADD = $(UNIT_LDADD)
tests_unit_test_cors_SOURCES = tests/unit/test_cors.c
tests_unit_test_cors_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cors_LDADD = $(UNIT_LDADD)
tests_unit_test_gojson_SOURCES = tests/unit/test_gojson.c
tests_unit_test_gojson_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_gojson_LDADD = $(UNIT_LDADD)
tests_unit_test_jwk_SOURCES = tests/unit/test_jwk.c $(TESTUTIL)
tests_unit_test_jwk_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_jwk_LDADD = $(UNIT_LDADD)
tests_unit_test_jws_SOURCES = tests/unit/test_jws.c $(TESTUTIL)
tests_unit_test_jws_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_jws_LDADD = $(UNIT_LDADD)
tests_unit_test_jwt_SOURCES = tests/unit/test_jwt.c $(TESTUTIL)
tests_unit_test_jwt_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_jwt_LDADD = $(UNIT_LDADD)
tests_unit_test_signer_SOURCES = tests/unit/test_signer.c $(TESTUTIL)
tests_unit_test_signer_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_signer_LDADD = $(UNIT_LDADD)
tests_unit_test_config_SOURCES = tests/unit/test_config.c $(TESTUTIL)
tests_unit_test_config_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_config_LDADD = $(UNIT_LDADD)
tests_unit_test_router_SOURCES = tests/unit/test_router.c
tests_unit_test_router_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_router_LDADD = $(UNIT_LDADD)
tests_unit_test_handler_SOURCES = tests/unit/test_handler.c
tests_unit_test_handler_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_handler_LDADD = $(UNIT_LDADD)
tests_unit_test_ratelimit_SOURCES = tests/unit/test_ratelimit.c
tests_unit_test_ratelimit_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ratelimit_LDADD = $(UNIT_LDADD)
tests_unit_test_metrics_SOURCES = tests/unit/test_metrics.c
tests_unit_test_metrics_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_metrics_LDADD = $(UNIT_LDADD)
tests_unit_test_authz_SOURCES = tests/unit/test_authz.c
tests_unit_test_authz_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_authz_LDADD = $(UNIT_LDADD)
tests_unit_test_request_SOURCES = tests/unit/test_request.c
tests_unit_test_request_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_request_LDADD = $(UNIT_LDADD)
# Key retrieval; tls_stub.c is their local HTTP(S) server.
tests_unit_test_fetch_SOURCES = tests/unit/test_fetch.c tests/unit/tls_stub.c tests/unit/tls_stub.h
tests_unit_test_fetch_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_fetch_LDADD = $(UNIT_LDADD)
tests_unit_test_jwk_cache_SOURCES = tests/unit/test_jwk_cache.c
tests_unit_test_jwk_cache_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_jwk_cache_LDADD = $(UNIT_LDADD)
tests_unit_test_keysource_SOURCES = tests/unit/test_keysource.c tests/unit/tls_stub.c tests/unit/tls_stub.h
tests_unit_test_keysource_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_keysource_LDADD = $(UNIT_LDADD)
# Limits at their boundaries.
tests_unit_test_limits_SOURCES = tests/unit/test_limits.c $(TESTUTIL)
tests_unit_test_limits_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_limits_LDADD = $(UNIT_LDADD)
# Secrets wiped on release: free(), realloc(), json_object_put() and
# json_tokener_free() calls of jwtsign's code go through the test's hooks.
tests_unit_test_secrets_SOURCES = tests/unit/test_secrets.c $(TESTUTIL) \
	tests/unit/tls_stub.c tests/unit/tls_stub.h
tests_unit_test_secrets_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_secrets_LDADD = $(UNIT_LDADD)
tests_unit_test_secrets_LDFLAGS = $(AM_LDFLAGS) \
	-Wl,--wrap=free,--wrap=realloc,--wrap=json_object_put,--wrap=json_tokener_free
# response_emit under an injected allocation failure (realloc wrapped).
tests_unit_test_response_SOURCES = tests/unit/test_response.c
tests_unit_test_response_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_response_LDADD = $(UNIT_LDADD)
tests_unit_test_response_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=realloc
tests_unit_test_jwk_pkcs11_SOURCES = tests/unit/test_jwk_pkcs11.c
tests_unit_test_jwk_pkcs11_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_jwk_pkcs11_LDADD = $(UNIT_LDADD)
tests_unit_test_header_cap_SOURCES = tests/unit/test_header_cap.c
tests_unit_test_header_cap_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_header_cap_LDADD = $(UNIT_LDADD)

# ---------------------------------------------------------------- integration
# Bash scripts and python3 programs run by the automake test driver
# (exit 77 = skipped because a tool such as lighttpd is absent); the
# helpers they source are in lib.sh (all), apache_lib.sh, tls_lib.sh and
# authz_lib.sh (the authz_*.sh tests of jwtsign as a server's authorizer).
# tests/integration/python3 picks a python3 that has jwcrypto when there
# is one (Debian's python3-jwcrypto lives in /usr/bin/python3's path).
INTEGRATION_TESTS = \
	tests/integration/cgi.sh \
	tests/integration/lighttpd_fcgi.sh \
	tests/integration/ratelimit.sh \
	tests/integration/metrics.sh \
	tests/integration/lighttpd_cgi.sh \
	tests/integration/cli.sh \
	tests/integration/jwks.sh \
	tests/integration/verify_algs.py \
	tests/integration/apache_fcgid.sh \
	tests/integration/apache_cgi.sh \
	tests/integration/nginx_spawnfcgi.sh \
	tests/integration/nginx_multiwatch.sh \
	tests/integration/lifecycle.sh \
	tests/integration/jwk_tls.sh \
	tests/integration/jwk_cache.sh \
	tests/integration/hostile.sh \
	tests/integration/secrets.sh \
	tests/integration/freed_memory.sh \
	tests/integration/krakend_fixtures.sh \
	tests/integration/authz_lighttpd.sh \
	tests/integration/authz_apache.sh \
	tests/integration/authz_nginx.sh \
	tests/integration/refresh.sh \
	tests/integration/pkcs11.sh
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += $(INTEGRATION_TESTS) \
	tests/integration/lib.sh \
	tests/integration/apache_lib.sh \
	tests/integration/tls_lib.sh \
	tests/integration/authz_lib.sh \
	tests/integration/python3 \
	tests/integration/jwtcheck.py \
	tests/integration/stub_backend.py \
	tests/integration/jwk_server.py \
	tests/integration/hostile_server.py \
	tests/integration/fcgi_client.py \
	tests/integration/pkcs11_check.py \
	tests/integration/freed_scan.c \
	tests/data

TEST_EXTENSIONS = .sh .py
SH_LOG_COMPILER = bash
PY_LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/integration/python3
AM_TESTS_ENVIRONMENT = \
	JWTSIGN='$(abs_top_builddir)/src/jwtsign'; export JWTSIGN; \
	TOP_SRCDIR='$(abs_top_srcdir)'; export TOP_SRCDIR; \
	TOP_BUILDDIR='$(abs_top_builddir)'; export TOP_BUILDDIR; \
	SHARED_VECTORS='$(abs_top_srcdir)/../shared/vectors'; export SHARED_VECTORS; \
	LIGHTTPD='$(LIGHTTPD)'; export LIGHTTPD; \
	PYTHON3=`$(SHELL) $(top_srcdir)/tests/integration/python3 --which`; export PYTHON3;

# Not run by `make check`: the Debian package test (.ci/run) and the soak
# run (tests/soak/README.md).
EXTRA_DIST += tests/package/install-purge.sh \
	tests/soak/run.sh tests/soak/README.md tests/soak/RESULTS.md

# ---------------------------------------------------------------- valgrind
# `make check-valgrind`: every unit test and corpus replay under valgrind
# memcheck (scripts/check-valgrind says how a run is judged; logs in
# valgrind-logs/).  `make check-valgrind VALGRIND_TESTS='tests/unit/test_b64'`
# runs a subset.
VALGRIND = valgrind
VALGRIND_TESTS = $(UNIT_TESTS) $(FUZZ_REPLAYS)
check-valgrind:
	@$(MAKE) $(AM_MAKEFLAGS) $(VALGRIND_TESTS)
	@VALGRIND='$(VALGRIND)' $(SHELL) $(top_srcdir)/scripts/check-valgrind $(VALGRIND_TESTS)

clean-local: clean-valgrind
clean-valgrind:
	-rm -rf valgrind-logs
PHONY_TARGETS += check-valgrind clean-valgrind
