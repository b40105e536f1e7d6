#!/bin/bash
# apache_cgi.sh - jwtsign as a plain CGI program under a real Apache httpd,
# running the shipped fcgi-conf/apache-cgi.conf verbatim (paths Defined by
# the test's top-level httpd.conf), twice: event MPM with mod_cgid
# (Debian's default) and prefork MPM with mod_cgi.  Each: the signed
# reference answer, a 200 KiB body (plain and chunked), 413 from jwtsign
# and from Apache, 404 and 405 answers, jwtsign's stderr in Apache's
# ErrorLog.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/apache_lib.sh"

require_jwtsign
require_python
require_tool curl
find_apache
require_apache_module cgid
require_apache_module env

start_stub
prepare_runtime
make_bodies

write_config "$T/jwtsign.json" "" \
	"$(ep /token /token-issuer)" \
	"$(ep /token/echo /echo)"
readable "$T/jwtsign.json"

# run_variant MPM CGI_MODULE
run_variant() {
	local mpm=$1 mod=$2 v="$1-$2"
	if [ ! -e "$APACHE_MODULES/mod_mpm_$mpm.so" ] || [ ! -e "$APACHE_MODULES/mod_$mod.so" ]; then
		log "mod_mpm_$mpm or mod_$mod not installed: variant $v not run"
		return 0
	fi
	rm -rf "$T/apache"
	start_apache "$mpm" "$TOP_SRCDIR/fcgi-conf/apache-cgi.conf" "$mod" env
	URL=$APACHE_URL
	SERVER_LOGS=("$T/apache/error.log")

	http "$v-ref" POST /token
	expect_signed "$v-ref"

	http "$v-big" POST /token/echo --data-binary @"$T/big.bin" \
		-H 'Content-Type: application/octet-stream'
	expect_code "$v-big" 200
	check "$v-big: 200 KiB binary body reached the backend intact" \
		jwtcheck echo "$T/$v-big.body" --sent "$T/big.bin" --ct application/octet-stream \
		--xff 127.0.0.1 --jwks "$T/symmetric.json"

	# A chunked body reaches a CGI program without CONTENT_LENGTH (the end
	# of stdin ends it): it must be forwarded intact (or refused with 411),
	# and the client must get an answer either way.
	http "$v-chunked" POST /token/echo --data-binary @"$T/big.bin" \
		-H 'Content-Type: application/octet-stream' -H 'Transfer-Encoding: chunked'
	if [ "$(cat "$T/$v-chunked.code")" = 411 ]; then
		pass "$v-chunked: refused with 411 Length Required"
	else
		expect_code "$v-chunked" 200
		check "$v-chunked: 200 KiB chunked body reached the backend intact" \
			jwtcheck echo "$T/$v-chunked.body" --sent "$T/big.bin" --jwks "$T/symmetric.json"
	fi

	# Above jwtsign's max_request_body: jwtsign's 413 reaches the client
	# (jwtsign must not leave Apache writing into a closed pipe).  Above
	# LimitRequestBody: Apache's 413, jwtsign not started.
	h0=$(stub_hits /echo)
	http "$v-over" POST /token/echo --data-binary @"$T/over.bin"
	expect_error "$v-over" 413 body_too_large
	http "$v-huge" POST /token/echo --data-binary @"$T/huge.bin"
	expect_code "$v-huge" 413
	check "$v-over/huge: backend not called" test "$h0" = "$(stub_hits /echo)"

	http "$v-notfound" POST /token/nope
	expect_error "$v-notfound" 404 not_found

	http "$v-get" GET /token
	expect_error "$v-get" 405 method_not_allowed
	check "$v-get: Allow header lists POST" grep -Eqi '^allow: (.*[ ,])?POST' "$T/$v-get.headers"

	stop_pid "$APACHE_PID"
	check_log_format "$T/apache/error.log"
	no_secret_in "$T"/*.body "$T/apache/error.log"
	no_token_in "$T/apache/error.log"
	cp "$T/apache/error.log" "$T/$v-error.log"
}

run_variant event cgid
run_variant prefork cgi
[ "$_checks" -gt 0 ] || skip "no Apache MPM/CGI module pair installed"

finish
