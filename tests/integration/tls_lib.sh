# tls_lib.sh - helpers for the key-retrieval tests (jwk_tls.sh,
# jwk_cache.sh).  Source it after lib.sh:
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/tls_lib.sh"
#
# Certificates are made at test time with certtool (tests/data/tls-gen.sh,
# valid 2 days) in $T/certs: tls-root.pem (CA), tls-int.pem
# (intermediate), tls-chain.pem + tls-leaf.key (the server's), tls-other.pem
# (an unrelated CA), tls-pins.txt (certtool's pin-sha256 of each).
# JWK Set servers are tests/integration/jwk_server.py on 127.0.0.1.

CERTS=$T/certs

# tls_make_certs: make the certificates (skip when certtool is absent).
tls_make_certs() {
	require_tool certtool
	sh "$TOP_SRCDIR/tests/data/tls-gen.sh" "$CERTS" 2 >"$T/tls-gen.log" 2>&1 ||
		hard_error "tls-gen.sh failed: $(cat "$T/tls-gen.log")"
}

# pin NAME [url]: certtool's pin-sha256 of tls-NAME.pem; with "url", in
# KrakenD's base64url form.
pin() {
	local p
	p=$(sed -n "s/^$1 //p" "$CERTS/tls-pins.txt")
	[ -n "$p" ] || hard_error "no pin for $1"
	if [ "${2:-}" = url ]; then
		p=$(printf '%s' "$p" | tr '+/' '-_')
	fi
	printf '%s' "$p"
}

# start_jwk_server NAME DIR [jwk_server.py options...]: serve DIR's *.json
# files; HTTPS with the test chain unless --plain is the first option.
# Sets NAME_PORT, NAME_PID, NAME_URL (scheme://127.0.0.1:PORT).
# Log: $T/NAME.log.
start_jwk_server() {
	local name=$1 dir=$2 scheme=https port pid
	shift 2
	local tls=(--cert "$CERTS/tls-chain.pem" --key "$CERTS/tls-leaf.key")
	if [ "${1:-}" = --plain ]; then
		shift
		tls=()
		scheme=http
	fi
	rm -f "$T/$name.port"
	"$PYTHON3" "$LIB_DIR/jwk_server.py" --port 0 --port-file "$T/$name.port" --dir "$dir" \
		--log "$T/$name.log" "${tls[@]}" "$@" </dev/null >>"$T/$name.log" 2>&1 &
	pid=$!
	track_pid "$pid"
	wait_for_file "$T/$name.port" || hard_error "jwk_server $name did not start: $(cat "$T/$name.log")"
	port=$(cat "$T/$name.port")
	printf -v "${name}_PORT" '%s' "$port"
	printf -v "${name}_PID" '%s' "$pid"
	printf -v "${name}_URL" '%s' "$scheme://127.0.0.1:$port"
}

# jwk_hits URL FILE [FIELD]: how often the server at URL answered FILE
# (FIELD: requests (default), ok, not_modified, in_flight).
jwk_hits() {
	curl -s --max-time 5 --cacert "$CERTS/tls-root.pem" "$1/hits" |
		"$PYTHON3" -c 'import json,sys
h = json.load(sys.stdin).get(sys.argv[1], {})
print(h.get(sys.argv[2], 0))' "$2" "${3:-requests}"
}

# signer_ep PATH KID KEYS_JSON [EXTRA]: an endpoint for the stub backend's
# /token-issuer, HS256 with KID, keys from KEYS_JSON (e.g.
# '"jwk_url":"...","jwk_local_ca":"..."'); EXTRA goes into the signer
# block (e.g. ',"cache_duration":2').
signer_ep() {
	printf '{"endpoint":"%s","method":"POST","backend":[{"host":["%s"],"url_pattern":"/token-issuer"}],' \
		"$1" "$STUB_URL"
	printf '"extra_config":{"auth/signer":{"alg":"HS256","kid":"%s",' "$2"
	printf '"keys_to_sign":["access_token","refresh_token"],%s%s}}}' "$3" "${4:-}"
}

# cgi_post NAME CONFIG PATH [VAR=VALUE...]: one POST through jwtsign as a
# CGI program (lib.sh cgi_run; what a web server adds, and
# JWTSIGN_CACHE_DIR=$CACHE_DIR); leaves $T/NAME.{out,err,rc,status,headers,
# body}.  Only expect_status and expect_log judge it.
cgi_post() {
	local name=$1 config=$2 path=$3
	shift 3
	printf '{"user":"john","pass":"doe"}' >"$T/$name.in"
	CGI_TIMEOUT=30 CGI_CHECK=none cgi_run "$name" POST "$path" "$T/$name.in" \
		SERVER_NAME=127.0.0.1 SERVER_PORT=80 REMOTE_ADDR=127.0.0.1 REMOTE_PORT=40000 \
		HTTP_HOST=127.0.0.1 JWTSIGN_CONFIG="$config" JWTSIGN_CACHE_DIR="$CACHE_DIR" "$@"
}

# expect_log NAME TEXT: the CGI run NAME logged TEXT (fixed string).
expect_log() {
	if grep -qF -e "$2" "$T/$1.err"; then
		pass "$1: logged \"$2\""
	else
		fail "$1: \"$2\" not logged" "$T/$1.err"
	fi
}

# expect_hits URL FILE N WHAT: the JWK server answered FILE N times.
expect_hits() {
	local got
	got=$(jwk_hits "$1" "$2")
	if [ "$got" = "$3" ]; then
		pass "$4: $3 download(s) of $2"
	else
		fail "$4: $got download(s) of $2, expected $3"
		curl -s --max-time 5 --cacert "$CERTS/tls-root.pem" "$1/hits"
		echo
	fi
}
