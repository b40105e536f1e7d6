#!/bin/bash
# krakend_fixtures.sh - real-world-shaped KrakenD files (tests/data/krakend/
# NN-name/krakend.json) through the real program.  For each: check-config's
# exit status and problem lines equal expected-check.txt (jwtsign's own
# wording; "FILE" stands for the fixture's path); when backend.json is
# there (the login backend's answer), one CGI login's answer equals
# expected-answer.json byte for byte, which tests/data/krakend/gen.go
# computed independently the way lura and krakend-jose do.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"

require_jwtsign
require_python
require_tool curl
D=$TOP_SRCDIR/tests/data/krakend
mkdir -p "$T/served" -m 700 "$T/cache"
for f in "$D"/[0-9][0-9]-*/backend.json; do
	n=$(basename "$(dirname "$f")")
	cp "$f" "$T/served/${n%%-*}.json"
done
cp "$DEMO_JWKS" "$T/served/keys.json" # a jwk_url for the fixtures that use one
start_jwk_server BACKEND "$T/served" --plain
printf '{"user":"john","password":"doe"}' >"$T/login.json"
count=0
for dir in "$D"/[0-9][0-9]-*/; do
	n=$(basename "$dir")
	count=$((count + 1))
	sed -e "s|@HOST@|$BACKEND_URL|g" -e "s|@KEYS@|$DEMO_JWKS|g" "$dir/krakend.json" >"$T/$n.json"
	rc=0
	JWTSIGN_CACHE_DIR=$T/cache "$JWTSIGN" check-config -q -c "$T/$n.json" \
		>"$T/$n.check-out" 2>"$T/$n.check-err" || rc=$?
	{
		echo "exit $rc"
		sed -e "s|$T/$n.json|FILE|g" -e "s|$BACKEND_URL|HOST|g" -e "s|$DEMO_JWKS|KEYS|g" \
			-e 's/^jwtsign\[[0-9]*\]: /jwtsign: /' "$T/$n.check-err"
	} >"$T/$n.check"
	if cmp -s "$T/$n.check" "$dir/expected-check.txt"; then
		pass "$n: check-config as expected ($(head -1 "$T/$n.check"), $(($(wc -l <"$T/$n.check") - 1)) problem lines)"
	else
		fail "$n: check-config differs from expected-check.txt" \
			<(diff "$dir/expected-check.txt" "$T/$n.check")
		diff "$dir/expected-check.txt" "$T/$n.check" | head -20
	fi
	[ -f "$dir/backend.json" ] || continue
	cgi_run "$n" POST /token "$T/login.json" JWTSIGN_CONFIG="$T/$n.json" JWTSIGN_CACHE_DIR="$T/cache"
	expect_status "$n" 200
	if cmp -s "$T/$n.body" "$dir/expected-answer.json"; then
		pass "$n: the answer is KrakenD's, byte for byte ($(wc -c <"$T/$n.body") bytes)"
	else
		fail "$n: the answer differs from expected-answer.json" "$T/$n.body" "$dir/expected-answer.json" "$T/$n.err"
	fi
done
check "at least 12 fixtures ($count)" test "$count" -ge 12
finish
