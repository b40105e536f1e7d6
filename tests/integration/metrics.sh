#!/bin/bash
# metrics.sh - the shared counters under a real lighttpd with 4 FastCGI
# workers (max-procs 4) and the stub backend: N logins spread over the
# workers are counted once each in one file (the scraped
# jwtsign_requests_total sums to N), also when a worker is killed by its
# PID in the middle of the run and lighttpd starts another; the
# metrics_endpoint and `jwtsign metrics` print the same counters; a
# jwk_url's downloads and age, and refused and applied reloads, are
# counted; the text passes `promtool check metrics` when promtool is installed
# (Debian's prometheus package; that check is skipped otherwise).
. "$(dirname "$0")/lib.sh"
. "$LIB_DIR/tls_lib.sh"

require_jwtsign
require_python
require_tool curl
find_lighttpd

start_stub
cp "$DEMO_JWKS" "$T/symmetric.json"
mkdir -p "$T/www" "$T/jwks"
cp "$DEMO_JWKS" "$T/jwks/keys.json"
start_jwk_server KEYS "$T/jwks" --plain
CACHE_DIR=$T/shared
write_config "$T/jwtsign.json" \
	',"extra_config":{"jwtsign":{"metrics_endpoint":"/metrics","health_endpoint":"/health"}}' \
	"$(ep /token /token-issuer)" \
	"$(EP_KEYS="\"jwk_url\":\"$KEYS_URL/keys.json\",\"disable_jwk_security\":true" ep /url /token-issuer)"

cat >"$T/lighttpd.conf.in" <<EOF
server.modules = ("mod_fastcgi")
server.bind = "127.0.0.1"
server.port = @PORT@
server.document-root = "$T/www"
server.errorlog = "$T/lighttpd-error.log"
fastcgi.server = ("/" => ((
	"socket" => "$T/jwtsign.sock",
	"bin-path" => "$JWTSIGN",
	"max-procs" => 4,
	"bin-environment" => (
		"JWTSIGN_CONFIG" => "$T/jwtsign.json",
		"JWTSIGN_LOG_LEVEL" => "info",
		"JWTSIGN_CACHE_DIR" => "$CACHE_DIR",
	),
	"check-local" => "disable",
)))
EOF
start_lighttpd "$T/lighttpd.conf.in"
URL=$LIGHTTPD_URL
workers() { child_pids "$LIGHTTPD_PID" | sort | tr '\n' ' '; }
wait_workers() {
	for ((i = 0; i < 50; i++)); do
		[ "$(workers | wc -w)" -ge 4 ] && break
		sleep 0.1
	done
}
wait_workers
check "lighttpd spawned 4 jwtsign processes ($(workers))" test "$(workers | wc -w)" -eq 4

LOGIN='{"user":"john","pass":"doe"}'
# batch FROM TO: logins FROM..TO-1, 8 at a time; $T/rNUM.code each.
batch() {
	local i pids=()
	for ((i = $1; i < $2; i++)); do
		curl -sS --max-time 20 -o "$T/r$i.body" -w '%{http_code}' \
			-H 'Content-Type: application/json' --data-binary "$LOGIN" \
			"$URL/token" >"$T/r$i.code" 2>/dev/null &
		pids+=($!)
		if [ ${#pids[@]} -ge 8 ]; then
			wait "${pids[@]}"
			pids=()
		fi
	done
	[ ${#pids[@]} -eq 0 ] || wait "${pids[@]}"
}
# requests_sum FILE: the sum of jwtsign_requests_total but the scrapes'.
requests_sum() {
	awk '/^jwtsign_requests_total\{/ && !/endpoint="\/metrics"/ { s += $NF } END { print s + 0 }' "$1"
}
# answered FROM TO: how many of those requests jwtsign answered 200.
answered() {
	local i n=0
	for ((i = $1; i < $2; i++)); do [ "$(cat "$T/r$i.code")" = 200 ] && n=$((n + 1)); done
	echo $n
}

# What lighttpd's start-up probe left (a 404), before the run.
curl -sS -o "$T/m0.txt" "$URL/metrics"
base=$(requests_sum "$T/m0.txt")
N1=40 N=100
batch 0 $N1
check "first $N1 logins: all 200" test "$(answered 0 $N1)" -eq $N1
curl -sS -o "$T/m1.txt" -D "$T/m1.headers" "$URL/metrics"
check "after $N1: jwtsign_requests_total grew by $N1 (got $(($(requests_sum "$T/m1.txt") - base)))" \
	test "$(requests_sum "$T/m1.txt")" -eq $((base + N1))
check "the metrics_endpoint's Content-Type is text/plain; version=0.0.4" \
	grep -qi '^Content-Type: text/plain; version=0.0.4' "$T/m1.headers"

# ---- kill one worker by its PID in the middle of the run (between two
# requests: one in flight would die with it, uncounted, and lighttpd
# would answer it); lighttpd starts another, which adds to the same
# counters.
victim=$(workers | awk '{print $1}')
kill -9 "$victim"
log "killed worker $victim"
batch $N1 $N
wait_workers
check "the killed worker is gone ($victim not in $(workers))" not grep -qw "$victim" <<<"$(workers)"
ok=$(answered 0 $N)
log "$ok of $N requests answered 200"
curl -sS -o "$T/m2.txt" "$URL/metrics"
check "after the kill: jwtsign_requests_total grew by the $ok answered (got $(($(requests_sum "$T/m2.txt") - base)))" \
	test "$(requests_sum "$T/m2.txt")" -eq $((base + ok))
check "all $N answered 200 by jwtsign ($ok)" test "$ok" -eq $N
check "tokens issued: $ok" \
	grep -qx "jwtsign_tokens_issued_total{endpoint=\"/token\",alg=\"HS256\",kid=\"sim2\"} $ok" "$T/m2.txt"
check "backend histogram counted $ok calls" \
	grep -qx "jwtsign_backend_duration_seconds_count{endpoint=\"/token\"} $ok" "$T/m2.txt"

# ---- an error and the health check are counted under their endpoint.
curl -sS -o /dev/null "$URL/nowhere"
curl -sS -o /dev/null "$URL/health"
curl -sS -o "$T/m3.txt" "$URL/metrics"
check "404 counted under endpoint none" \
	grep -qx "jwtsign_errors_total{endpoint=\"none\",reason=\"not_found\"} $((base + 1))" "$T/m3.txt"
check "health counted, not as an error" not grep -q 'errors_total{endpoint="/health"' "$T/m3.txt"
check "health counted" grep -qx 'jwtsign_requests_total{endpoint="/health",code="200"} 1' "$T/m3.txt"
check "the earlier scrapes counted under /metrics" \
	grep -qx 'jwtsign_requests_total{endpoint="/metrics",code="200"} 3' "$T/m3.txt"

# ---- jwtsign metrics makes nothing where no worker has counted yet.
rc=0
JWTSIGN_CACHE_DIR=$T/never-made "$JWTSIGN" metrics -c "$T/jwtsign.json" >/dev/null 2>"$T/none.err" || rc=$?
check "jwtsign metrics without counters: exit 1, \"not made yet\", no directory made" \
	test "$rc" = 1 -a ! -e "$T/never-made" -a -n "$(grep 'not made yet' "$T/none.err")"

# ---- jwtsign metrics reads the same file, without a worker.
JWTSIGN_CACHE_DIR=$CACHE_DIR "$JWTSIGN" metrics -c "$T/jwtsign.json" >"$T/cli.txt" 2>"$T/cli.err"
check "jwtsign metrics exits 0" test $? -eq 0
check "jwtsign metrics prints the same requests (and the last scrape)" \
	test "$(requests_sum "$T/cli.txt")" -eq $((base + ok + 2))
check "jwtsign metrics: the scrapes too" \
	grep -qx 'jwtsign_requests_total{endpoint="/metrics",code="200"} 4' "$T/cli.txt"
check "POST on the metrics_endpoint: 405" \
	test "$(curl -sS -o /dev/null -w '%{http_code}' --data x "$URL/metrics")" = 405
check "one 0600 counters file beside the cache" \
	test "$(stat -c %a "$CACHE_DIR"/metrics-v1-*.counters)" = 600

# ---- a jwk_url: its downloads (one for the group: the shared cache) and
# its age.
curl -sS -o "$T/url.body" -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary "$LOGIN" "$URL/url" >"$T/url.code"
check "a login on the jwk_url endpoint: 200" test "$(cat "$T/url.code")" = 200
curl -sS -o "$T/m4.txt" "$URL/metrics"
check "the download counted: jwtsign_jwks_fetch_total{result=\"ok\"}" \
	grep -q "^jwtsign_jwks_fetch_total{source=\"$KEYS_URL/keys.json\",result=\"ok\"} [1-9]" "$T/m4.txt"
check "its age is a gauge of a few seconds" \
	grep -Eq "^jwtsign_jwks_age_seconds\{source=\"$KEYS_URL/keys.json\"\} [0-9]+$" "$T/m4.txt"

# ---- a broken configuration is refused by each worker (counted), the
# same one back is applied (counted in the same file: same layout).
cp "$T/jwtsign.json" "$T/jwtsign.json.good"
echo '{"version":3,"endpoints":[' >"$T/jwtsign.json"
sleep 2.5
curl -sS -o /dev/null "$URL/token" # a worker looks between requests
curl -sS -o "$T/m5.txt" "$URL/metrics"
check "refused reloads counted" grep -Eq '^jwtsign_config_reloads_total\{result="failed"\} [1-9]' "$T/m5.txt"
cp "$T/jwtsign.json.good" "$T/jwtsign.json"
sleep 2.5
curl -sS -o /dev/null "$URL/token"
curl -sS -o "$T/m6.txt" "$URL/metrics"
check "applied reloads counted" grep -Eq '^jwtsign_config_reloads_total\{result="ok"\} [1-9]' "$T/m6.txt"
check "the counters outlived the reloads" \
	test "$(requests_sum "$T/m6.txt")" -gt "$((base + ok))"

if command -v promtool >/dev/null 2>&1; then
	check "promtool check metrics (endpoint)" promtool check metrics <"$T/m6.txt"
	check "promtool check metrics (jwtsign metrics)" promtool check metrics <"$T/cli.txt"
else
	log "SKIP: promtool not installed (Debian package prometheus): format not checked"
fi
finish
