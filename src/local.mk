# src/local.mk - the program (included by Makefile.am).
#
# Everything but main() lives in a convenience library, so the unit tests,
# the corpus replays and the benchmarks link exactly the objects the
# program uses.  A new module: add its .c and .h to src_libjwtsign_a_SOURCES
# (`make fuzz-build` compiles the same list for libFuzzer).
noinst_LIBRARIES += src/libjwtsign.a
src_libjwtsign_a_CFLAGS = $(AM_CFLAGS) $(LIBDEPS_CFLAGS)
src_libjwtsign_a_SOURCES = \
	src/err.c src/err.h \
	src/log.c src/log.h src/log_syslog.c src/log_syslog.h \
	src/buf.c src/buf.h \
	src/fileio.c src/fileio.h \
	src/filewatch.c src/filewatch.h \
	src/wipe_alloc.c src/wipe_alloc.h \
	src/b64.c src/b64.h \
	src/clock.c src/clock.h \
	src/gojson_parse.c src/gojson_write.c src/gojson.h src/gojson_int.h \
	src/alg.c src/alg.h \
	src/jwk.c src/jwk.h src/jwk_int.h \
	src/jwk_set.c src/jwk_set.h \
	src/jwk_keyring.c src/jwk_keyring.h \
	src/jwk_gen.c src/jwk_gen.h \
	src/jwk_pkcs11.c src/jwk_pkcs11.h \
	src/pem.c src/pem.h \
	src/jws.c src/jws.h \
	src/jwt.c src/jwt.h src/jwt_claims.c src/jwt_claims.h \
	src/crypto.c src/crypto.h src/crypto_key.c src/crypto_verify.c \
	src/entity.c src/entity.h \
	src/signer.c src/signer.h \
	src/config.c src/config.h src/config_int.h \
	src/config_value.c src/config_keys.c src/config_ratelimit.c src/config_signer.c src/config_validator.c \
	src/config_backend.c src/config_cors.c src/config_known.c \
	src/cors.c src/cors.h \
	src/route.c src/route.h \
	src/router.c src/router.h \
	src/tls.c src/tls.h \
	src/header_cap.c src/header_cap.h \
	src/fetch.c src/fetch.h \
	src/rundir.c src/rundir.h src/shmfile.c src/shmfile.h src/metrics.c src/metrics.h \
	src/jwk_cache.c src/jwk_cache.h \
	src/ratelimit.c src/ratelimit.h \
	src/keysource.c src/keysource.h src/keysource_int.h \
	src/keysource_url.c \
	src/keysource_p11.c \
	src/backend.c src/backend.h \
	src/forward.c src/forward.h \
	src/query.c src/query.h \
	src/request.c src/request.h \
	src/reqid.c src/reqid.h \
	src/response.c src/response.h \
	src/limiter.c src/limiter.h \
	src/handler.c src/handler.h \
	src/health.c src/health.h \
	src/handler_authz.c \
	src/authz.c src/authz.h \
	src/app.c src/app.h \
	src/reload.c src/reload.h \
	src/cli.c src/cli.h \
	src/cli_sign.c \
	src/cli_verify.c \
	src/cli_metrics.c

bin_PROGRAMS += src/jwtsign
src_jwtsign_SOURCES = src/main.c
src_jwtsign_CFLAGS = $(AM_CFLAGS) $(LIBDEPS_CFLAGS)
src_jwtsign_LDADD = src/libjwtsign.a $(LIBDEPS_LIBS)
