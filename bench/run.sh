#!/bin/bash
# run.sh - the benchmark suite behind `make bench` (see bench/README.md).
#
# Prints one line per figure,
#   bench: NAME: VALUE UNIT (reference REF_NAME REF_VALUE UNIT, ratio R)
# where the reference is measured in the same run, next to the figure
# (interleaved where possible), because the machines are noisy.  Lines
# starting with '#' are context (machine, versions, checks, skips).  The
# same lines go to $BENCH_OUT.
#
# Environment: see bench/lib.sh.  Knobs:
#   BENCH_SECTIONS      parts to run (default "tokens verify rsa cli e2e
#                       ratelimit authz memory cgi pkcs11")
#   BENCH_DURATION      seconds per wrk run (default 8)
#   BENCH_ROUNDS        rounds of the in-process figures (default 5)
#   BENCH_RL_ROUNDS     interleaved wrk rounds of the rate limit figures (3)
#   BENCH_CLI_LINES     JSON Lines for the batch CLI (default 100000)
#   BENCH_CGI_RUNS      CGI requests timed, each against /bin/true (default 200)
#   BENCH_MEM_REQUESTS  requests of the memory figure (default 100000)
#   BENCH_OUT           results file (default bench-results.txt)
# Tools: wrk (end to end), ab from apache2-utils (memory), nginx and
# lighttpd (end to end, memory, CGI), openssl (RSA reference), curl,
# python3; softhsm2-util, p11tool and python3-jwcrypto (PKCS#11); a part
# whose tool is missing is skipped with a note.

SECTIONS=${BENCH_SECTIONS:-tokens verify rsa cli e2e ratelimit authz memory cgi pkcs11}
DURATION=${BENCH_DURATION:-8}
ROUNDS=${BENCH_ROUNDS:-5}
RL_ROUNDS=${BENCH_RL_ROUNDS:-3}
CLI_LINES=${BENCH_CLI_LINES:-100000}
CGI_RUNS=${BENCH_CGI_RUNS:-200}
MEM_REQUESTS=${BENCH_MEM_REQUESTS:-100000}
OUT=${BENCH_OUT:-bench-results.txt}

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---------------------------------------------------------------- header

: >"$OUT"
note "jwtsign benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
note "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
note "jwtsign: $JWTSIGN ($("$JWTSIGN" --version 2>/dev/null))"
note "rates: in-process figures per CPU second of the thread (best of $ROUNDS interleaved rounds); end-to-end and CGI figures in wall time"

[ -x "$JWTSIGN" ] || { note "ERROR: $JWTSIGN not built"; exit 99; }
[ -x "$BENCH_BIN/bench_sign" ] || { note "ERROR: $BENCH_BIN/bench_sign not built"; exit 99; }
[ -x "$BENCH_BIN/bench_verify" ] || { note "ERROR: $BENCH_BIN/bench_verify not built"; exit 99; }
[ -x "$BENCH_BIN/bench_allow" ] || { note "ERROR: $BENCH_BIN/bench_allow not built"; exit 99; }

want() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }

# ---------------------------------------------------------------- 1. per token

section_tokens() {
	note "--- per-token signing (bench_sign tokens: jwtsign path vs raw primitive vs libjwt)"
	"$BENCH_BIN/bench_sign" tokens --jwks "$KEYS" --rounds "$ROUNDS" --round-ms 200 |
		tee -a "$OUT"
}

# ---------------------------------------------------------------- 1b. per token, verification

section_verify() {
	note "--- per-token verification (bench_verify tokens: jwt_verify vs raw primitive vs libjwt jwt_decode)"
	"$BENCH_BIN/bench_verify" tokens --jwks "$KEYS" --rounds "$ROUNDS" --round-ms 200 |
		tee -a "$OUT"
}

# ---------------------------------------------------------------- 1c. PKCS#11 (SoftHSM)

section_pkcs11() {
	local k
	note "--- signing through PKCS#11 (bench_pkcs11: SoftHSM2 token vs the same key in memory)"
	if ! have softhsm2-util || ! have p11tool || [ ! -x "$BENCH_BIN/bench_pkcs11" ] ||
		! "$PY" -c 'import jwcrypto' 2>/dev/null; then
		note "pkcs11 skipped: softhsm2-util, p11tool, python3-jwcrypto or bench_pkcs11 missing"
		return
	fi
	mkdir -p "$T/softhsm"
	printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$T/softhsm" >"$T/softhsm2.conf"
	export SOFTHSM2_CONF=$T/softhsm2.conf
	printf '24681357\n' >"$T/token.pin"
	softhsm2-util --init-token --free --label jwtsign-bench --pin 24681357 --so-pin 13572468 \
		>/dev/null || { note "pkcs11: softhsm2-util --init-token failed"; return; }
	# The keys of keys.json as PEM, imported as private key objects.
	"$PY" - "$KEYS" "$T" <<'EOF'
import json, sys
from jwcrypto import jwk
for k in json.load(open(sys.argv[1]))["keys"]:
    if k["kty"] != "oct":
        with open("%s/%s.pem" % (sys.argv[2], k["kid"]), "wb") as f:
            f.write(jwk.JWK(**k).export_to_pem(private_key=True, password=None))
EOF
	for k in bench-ec bench-rsa bench-ed; do
		GNUTLS_PIN=24681357 p11tool --login --write --load-privkey "$T/$k.pem" --label "$k" \
			"pkcs11:token=jwtsign-bench" >/dev/null 2>&1 ||
			{ note "pkcs11: p11tool could not import $k"; return; }
	done
	"$BENCH_BIN/bench_pkcs11" --jwks "$KEYS" --uri-prefix "pkcs11:token=jwtsign-bench;object=" \
		--pin-file "$T/token.pin" --rounds "$ROUNDS" --round-ms 200 | tee -a "$OUT"
	unset SOFTHSM2_CONF
}

# ---------------------------------------------------------------- RSA primitive

section_rsa() {
	local g1 g2 o
	note "--- RSA-2048 primitive: GnuTLS (nettle/GMP) against OpenSSL"
	if ! have openssl; then
		note "rsa skipped: openssl not found"
		return
	fi
	# GnuTLS before and after openssl (both per CPU second); best is kept.
	g1=$("$BENCH_BIN/bench_sign" rsa-raw --jwks "$KEYS" --rounds 3 --round-ms 500 | sed -n 's/^rate=\([0-9.]*\).*/\1/p')
	o=$(openssl speed -seconds 3 -mr rsa2048 2>/dev/null | awk -F: '/^\+F2:/ { print $4 }')
	g2=$("$BENCH_BIN/bench_sign" rsa-raw --jwks "$KEYS" --rounds 3 --round-ms 500 | sed -n 's/^rate=\([0-9.]*\).*/\1/p')
	if [ -z "$g1" ] || [ -z "$g2" ] || [ -z "$o" ]; then
		note "rsa: a measurement failed (gnutls '$g1' '$g2', openssl '$o')"
		return
	fi
	note "$(openssl version)"
	figure gnutls-rsa2048-sign "$(awk -v a="$g1" -v b="$g2" 'BEGIN { print (a > b ? a : b) }')" \
		sign/s openssl-speed-rsa2048 "$o" sign/s
}

# ---------------------------------------------------------------- 2. batch CLI

section_cli() {
	local in=$T/claims.jsonl s w_cli=0 c_cli=0 w_in=0 c_in=0 line
	note "--- batch CLI: jwtsign sign over $CLI_LINES JSON Lines (HS256)"
	awk -v n="$CLI_LINES" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "{\"aud\":\"https://your.krakend.io\",\"iss\":\"https://your-backend\",\"sub\":\"user%07d\",\"jti\":\"mnb23vcsrt756yuiomnbvcx98e%07d\",\"roles\":[\"role_a\",\"role_b\"],\"exp\":1735689600}\n", i, i
	}' >"$in"
	# Correctness once: the first token verifies against the key.
	s=$(head -1 "$in" | "$JWTSIGN" sign --jwks "$KEYS" --kid sim2 --alg HS256)
	if ! "$PY" "$JWTCHECK" token "$s" "$KEYS" --claims "$(head -1 "$in")" >/dev/null 2>"$T/cli-check.err"; then
		note "cli: the token does not verify: $(cat "$T/cli-check.err")"
	fi
	# Three rounds, CLI then in-process, keeping each one's best.
	for _ in 1 2 3; do
		line=$("$BENCH_BIN/bench_spawn" --runs 1 --stdin "$in" -- \
			"$JWTSIGN" sign --jwks "$KEYS" --kid sim2 --alg HS256) ||
			{ note "cli: jwtsign sign failed: $line"; return; }
		w_cli=$(echo "$line" | awk -v best="$w_cli" '{ for (i = 1; i <= NF; i++) if ($i ~ /^wall_min_us=/) { v = substr($i, 13); print (best == 0 || v < best) ? v : best } }')
		c_cli=$(echo "$line" | awk -v best="$c_cli" '{ for (i = 1; i <= NF; i++) if ($i ~ /^cpu_min_us=/) { v = substr($i, 12); print (best == 0 || v < best) ? v : best } }')
		line=$("$BENCH_BIN/bench_sign" lines --jwks "$KEYS" --kid sim2 --alg HS256 --input "$in" --rounds 1 --clock wall)
		w_in=$(echo "$line" | awk -v best="$w_in" '{ v = substr($1, 6); print (v > best) ? v : best }')
		line=$("$BENCH_BIN/bench_sign" lines --jwks "$KEYS" --kid sim2 --alg HS256 --input "$in" --rounds 1)
		c_in=$(echo "$line" | awk -v best="$c_in" '{ v = substr($1, 6); print (v > best) ? v : best }')
	done
	figure cli-sign-HS256 "$(awk -v n="$CLI_LINES" -v us="$w_cli" 'BEGIN { print n / (us / 1e6) }')" \
		tokens/s in-process-HS256-same-lines "$w_in" tokens/s
	figure cli-sign-HS256-cpu "$(awk -v n="$CLI_LINES" -v us="$c_cli" 'BEGIN { print n / (us / 1e6) }')" \
		tokens/cpu-s in-process-HS256-same-lines-cpu "$c_in" tokens/cpu-s
}

# ---------------------------------------------------------------- 3. end to end

printf '%s\n' \
	'wrk.method = "POST"' \
	"wrk.body = '$LOGIN_BODY'" \
	'wrk.headers["Content-Type"] = "application/json"' >"$T/post.lua"

# wrk_stats NAME FILE: RPS P50 P99 (ms) BAD (non-2xx + socket errors) of
# one wrk --latency output.
wrk_stats() {
	read -r RPS P50 P99 BAD < <(awk '
		function ms(s) {
			if (s ~ /us$/) return substr(s, 1, length(s) - 2) / 1000
			if (s ~ /ms$/) return substr(s, 1, length(s) - 2) + 0
			if (s ~ /m$/) return substr(s, 1, length(s) - 1) * 60000
			if (s ~ /s$/) return substr(s, 1, length(s) - 1) * 1000
			return s + 0
		}
		/^Requests\/sec:/ { rps = $2 }
		/^ +50%/ { p50 = ms($2) }
		/^ +99%/ { p99 = ms($2) }
		/Non-2xx or 3xx responses:/ { bad += $NF }
		/Socket errors:/ { gsub(",", ""); bad += $4 + $6 + $8 + $10 }
		END { printf "%s %s %s %d\n", rps + 0, p50 + 0, p99 + 0, bad }' "$2")
	if [ "${BAD:-0}" -ne 0 ]; then
		note "WARNING: $1: $BAD failed requests (non-2xx or socket errors), see $2"
	fi
}

# wrk_run NAME PATH CONNS SECONDS: the login POST to $LT_URL$PATH; sets
# RPS P50 P99 BAD (wrk_stats).
wrk_run() {
	local f=$T/wrk-$1.txt
	wrk -t2 -c"$3" -d"$4"s --timeout 10s --latency -s "$T/post.lua" "$LT_URL$2" >"$f" 2>&1
	wrk_stats "$1" "$f"
}

section_e2e() {
	local c code
	note "--- end to end: wrk -> lighttpd -> jwtsign FastCGI (2 workers) -> nginx backend, ${DURATION} s per run"
	have wrk || { note "e2e skipped: wrk not found (apt-get install wrk)"; return; }
	servers_up || { note "e2e skipped"; return; }
	code=$(post "$LT_URL/jwt/hs256" "$T/e2e-hs.body")
	if [ "$code" != 200 ] || ! "$PY" "$JWTCHECK" signed "$T/e2e-hs.body" "$KEYS" \
		--expect <(printf '%s' "$REFERENCE_ANSWER") >"$T/e2e-check.err" 2>&1; then
		note "e2e: HS256 answer $code does not verify: $(cat "$T/e2e-check.err" "$T/e2e-hs.body" | head -c 600)"
		return
	fi
	code=$(post "$LT_URL/jwt/es256" "$T/e2e-es.body")
	if [ "$code" != 200 ] || ! check_es256 "$T/e2e-es.body" >"$T/e2e-check.err" 2>&1; then
		note "e2e: ES256 answer $code is not right: $(cat "$T/e2e-check.err" "$T/e2e-es.body" | head -c 600)"
		return
	fi
	note "checked: the HS256 answer verifies (jwtcheck), the ES256 answer has two ES256 JWS"
	# Warm-up: connections, page cache, CPU frequency.
	wrk_run warm-proxy /proxy/token-issuer 16 1
	wrk_run warm-hs /jwt/hs256 16 1
	wrk_run warm-es /jwt/es256 16 1
	for c in 16 64; do
		wrk_run proxy-c$c /proxy/token-issuer "$c" "$DURATION"
		local p_rps=$RPS p_p50=$P50 p_p99=$P99
		wrk_run hs-c$c /jwt/hs256 "$c" "$DURATION"
		local h_rps=$RPS h_p50=$P50 h_p99=$P99
		wrk_run es-c$c /jwt/es256 "$c" "$DURATION"
		local e_rps=$RPS e_p50=$P50 e_p99=$P99
		figure e2e-HS256-c$c "$h_rps" req/s lighttpd-proxy-c$c "$p_rps" req/s
		figure e2e-HS256-c$c-p50 "$h_p50" ms lighttpd-proxy-c$c-p50 "$p_p50" ms
		figure e2e-HS256-c$c-p99 "$h_p99" ms lighttpd-proxy-c$c-p99 "$p_p99" ms
		figure e2e-ES256-c$c "$e_rps" req/s lighttpd-proxy-c$c "$p_rps" req/s
		figure e2e-ES256-c$c-p50 "$e_p50" ms lighttpd-proxy-c$c-p50 "$p_p50" ms
		figure e2e-ES256-c$c-p99 "$e_p99" ms lighttpd-proxy-c$c-p99 "$p_p99" ms
	done
}

# ---------------------------------------------------------------- 3a. rate limits

# The limiter's cost on the allowed path (issue 17): the same login POST,
# the same lighttpd, jwtsign workers and nginx backend, to /jwt/hs256 (no
# limiter), /jwt/hs256-rl (qos/ratelimit/router: the client's and the
# endpoint's bucket, both taken on every request) and /jwt/hs256-rlt (the
# router block and the failed-login throttle: the username read from the
# body, checked, reset by each 200).  Limits far above what wrk reaches
# ($RL_ROUTER, $RL_THROTTLE in lib.sh): any refusal would be a non-2xx
# and is reported.  Rounds interleaved (plain, rl, rlt, plain, ...), best
# of each.
section_ratelimit() {
	local r name code
	local -A best p50 p99
	note "--- rate limits, allowed path: wrk -t2 -c64 -> lighttpd -> jwtsign FastCGI (2 workers) -> nginx, /jwt/hs256 without a limiter vs with, best of $RL_ROUNDS interleaved rounds of ${DURATION} s"
	have wrk || { note "ratelimit skipped: wrk not found (apt-get install wrk)"; return; }
	servers_up || { note "ratelimit skipped"; return; }
	for name in hs256 hs256-rl hs256-rlt; do
		code=$(post "$LT_URL/jwt/$name" "$T/rl-$name.body")
		if [ "$code" != 200 ] || ! "$PY" "$JWTCHECK" signed "$T/rl-$name.body" "$KEYS" \
			--expect <(printf '%s' "$REFERENCE_ANSWER") >"$T/rl-check.err" 2>&1; then
			note "ratelimit: /jwt/$name answered $code, not a verified 200: $(cat "$T/rl-check.err" "$T/rl-$name.body" | head -c 600)"
			return
		fi
	done
	if [ ! -s "$T/cache/ratelimit-v1.table" ]; then
		note "ratelimit skipped: no shared table in $T/cache (the limiter is not in use)"
		return
	fi
	note "checked: the three answers verify (jwtcheck); the shared table $T/cache/ratelimit-v1.table is in use"
	for name in hs256 hs256-rl hs256-rlt; do
		wrk_run "warm-rl-$name" "/jwt/$name" 64 1
	done
	for ((r = 1; r <= RL_ROUNDS; r++)); do
		for name in hs256 hs256-rl hs256-rlt; do
			wrk_run "rl-$name-$r" "/jwt/$name" 64 "$DURATION"
			if awk -v a="$RPS" -v b="${best[$name]:-0}" 'BEGIN { exit !(a > b) }'; then
				best[$name]=$RPS p50[$name]=$P50 p99[$name]=$P99
			fi
		done
	done
	figure ratelimit-router-c64 "${best[hs256-rl]}" req/s no-limiter-c64 "${best[hs256]}" req/s
	target ratelimit-router-c64-vs-none "${best[hs256-rl]}" "${best[hs256]}" 0.95
	figure ratelimit-router-c64-p50 "${p50[hs256-rl]}" ms no-limiter-c64-p50 "${p50[hs256]}" ms
	figure ratelimit-router-c64-p99 "${p99[hs256-rl]}" ms no-limiter-c64-p99 "${p99[hs256]}" ms
	figure ratelimit-all-c64 "${best[hs256-rlt]}" req/s no-limiter-c64 "${best[hs256]}" req/s
	target ratelimit-all-c64-vs-none "${best[hs256-rlt]}" "${best[hs256]}" 0.95
	figure ratelimit-all-c64-p50 "${p50[hs256-rlt]}" ms no-limiter-c64-p50 "${p50[hs256]}" ms
	figure ratelimit-all-c64-p99 "${p99[hs256-rlt]}" ms no-limiter-c64-p99 "${p99[hs256]}" ms
}

# ---------------------------------------------------------------- 3b. authorizer

# start_authz_lighttpd: a second lighttpd serving the small static file
# $T/authz-www/open/file.txt as is, the same bytes at /allow/ behind
# bench_allow (an authorizer that allows everything, 2 workers: the hop
# alone) and below /api/ behind the jwtsign authorizer (2 workers): GET /api/hs256/file.txt (HS256
# validator, key sim2) and /api/es256/file.txt (ES256, the public
# bench-ec key), each with issuer, audience and propagate_claims as a
# KrakenD auth/validator block.  Sets AZ_URL, AZ_PID.
start_authz_lighttpd() {
	local i ep sep="" p alg jwks
	AZ_PORT=$(free_port)
	mkdir -p "$T/authz-www/open" "$T/authz-www/allow" "$T/authz-www/api/hs256" \
		"$T/authz-www/api/es256" "$T/authz-cache"
	head -c 768 /dev/urandom | base64 -w 64 >"$T/authz-www/open/file.txt" # 1 KiB of text
	cp "$T/authz-www/open/file.txt" "$T/authz-www/allow/file.txt"
	cp "$T/authz-www/open/file.txt" "$T/authz-www/api/hs256/file.txt"
	cp "$T/authz-www/open/file.txt" "$T/authz-www/api/es256/file.txt"
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps({"keys": [k for k in d["keys"] if k["kid"] == "sim2"]}))' "$KEYS" >"$T/authz-hs.json"
	"$JWTSIGN" pubkeys <"$KEYS" >"$T/authz-pub.json" || { note "jwtsign pubkeys failed"; return 1; }
	{
		printf '{"version":3,"timeout":"3s","endpoints":['
		for ep in hs256:HS256:authz-hs.json es256:ES256:authz-pub.json; do
			IFS=: read -r p alg jwks <<<"$ep"
			printf '%s{"endpoint":"/api/%s/file.txt","method":"GET",' "$sep" "$p"
			printf '"backend":[{"host":["http://127.0.0.1:1"],"url_pattern":"/unused"}],'
			printf '"extra_config":{"auth/validator":{"alg":"%s","jwk_local_path":"%s",' "$alg" "$T/$jwks"
			printf '"issuer":"https://your-backend","audience":["https://your.krakend.io"],'
			printf '"propagate_claims":[["sub","X-User"]]}}}'
			sep=,
		done
		printf ']}\n'
	} >"$T/authz.json"
	"$JWTSIGN" check-config -c "$T/authz.json" >"$T/authz-check.log" 2>&1 ||
		{ note "authz: check-config refuses the configuration: $(tail -3 "$T/authz-check.log")"; return 1; }
	cat >"$T/authz-lighttpd.conf" <<EOC
server.modules = ("mod_fastcgi")
server.bind = "127.0.0.1"
server.port = $AZ_PORT
server.document-root = "$T/authz-www"
server.errorlog = "$T/authz-lighttpd-error.log"
server.max-keep-alive-requests = 1000000
server.max-connections = 1024
fastcgi.server = (
	"/api/" => ((
		"mode" => "authorizer",
		"socket" => "$T/authz.sock",
		"bin-path" => "$JWTSIGN",
		"max-procs" => 2,
		"bin-environment" => (
			"JWTSIGN_CONFIG" => "$T/authz.json",
			"JWTSIGN_CACHE_DIR" => "$T/authz-cache",
		),
		"check-local" => "disable",
		"docroot" => "$T/authz-www",
	)),
	"/allow/" => ((
		"mode" => "authorizer",
		"socket" => "$T/allow.sock",
		"bin-path" => "$BENCH_BIN/bench_allow",
		"max-procs" => 2,
		"check-local" => "disable",
		"docroot" => "$T/authz-www",
	)),
)
EOC
	if ! "$LIGHTTPD" -tt -f "$T/authz-lighttpd.conf" >>"$T/authz-lighttpd.log" 2>&1; then
		note "authz: lighttpd rejects the configuration: $(tail -5 "$T/authz-lighttpd.log")"
		return 1
	fi
	"$LIGHTTPD" -D -f "$T/authz-lighttpd.conf" </dev/null >>"$T/authz-lighttpd.log" 2>&1 &
	AZ_PID=$!
	_pids+=("$AZ_PID")
	AZ_URL=http://127.0.0.1:$AZ_PORT
	for ((i = 0; i < 100; i++)); do
		curl -s -o /dev/null --max-time 2 "$AZ_URL/open/file.txt" && return 0
		kill -0 "$AZ_PID" 2>/dev/null || break
		sleep 0.1
	done
	note "authz: lighttpd did not start: $(tail -5 "$T/authz-lighttpd.log")"
	return 1
}

# aget NAME PATH [TOKEN]: GET $AZ_URL$PATH (with the token as Bearer);
# prints the status, the body in $T/authz-NAME.body.
aget() {
	local auth=()
	[ -n "${3:-}" ] && auth=(-H "Authorization: Bearer $3")
	curl -sS --max-time 10 -o "$T/authz-$1.body" -w '%{http_code}' "${auth[@]}" "$AZ_URL$2" 2>>"$T/curl.err"
}

# wrk_get NAME PATH CONNS SECONDS TOKEN: GET $AZ_URL$PATH with the same
# Authorization header every time (also for the path without authorizer:
# the same request bytes); sets RPS P50 P99 BAD.
wrk_get() {
	local f=$T/wrk-authz-$1.txt
	wrk -t2 -c"$3" -d"$4"s --timeout 10s --latency -H "Authorization: Bearer $5" \
		"$AZ_URL$2" >"$f" 2>&1
	wrk_stats "authz-$1" "$f"
}

section_authz() {
	local now claims hs es changed code ok=1 r name path tok workers pid
	local -A best p50 p99
	note "--- authorizer end to end: wrk -t2 -c64 -> lighttpd, a 1 KiB static file behind the jwtsign authorizer (2 workers) vs the same lighttpd serving it without (and behind an allow-all authorizer, 2 workers), best of 2 interleaved rounds of ${DURATION} s"
	have wrk || { note "authz skipped: wrk not found (apt-get install wrk)"; return; }
	find_lighttpd || { note "authz skipped: lighttpd not found"; return; }
	have curl || { note "authz skipped: curl not found"; return; }
	start_authz_lighttpd || { note "authz skipped"; return; }
	now=$(date +%s)
	claims="{\"aud\":\"https://your.krakend.io\",\"iss\":\"https://your-backend\",\"sub\":\"1234567890qwertyuio\",\"iat\":$now,\"exp\":$((now + 3600))}"
	hs=$(printf '%s\n' "$claims" | "$JWTSIGN" sign --jwks "$KEYS" --kid sim2 --alg HS256)
	es=$(printf '%s\n' "$claims" | "$JWTSIGN" sign --jwks "$KEYS" --kid bench-ec --alg ES256)
	# hs's header and signature around another token's payload.
	changed=$(printf '%s\n' "${claims/1234567890qwertyuio/root}" | "$JWTSIGN" sign --jwks "$KEYS" --kid sim2 --alg HS256)
	changed=${hs%%.*}.$(echo "$changed" | cut -d. -f2).${hs##*.}
	# The authorizer really decides: each token is allowed on its own
	# path only, no token or a changed one is denied, and what an allow
	# serves is the file itself.
	for r in "open /open/file.txt $hs 200" "allow /allow/file.txt $hs 200" \
		"hs /api/hs256/file.txt $hs 200" \
		"es /api/es256/file.txt $es 200" "hs-none /api/hs256/file.txt - 401" \
		"es-with-hs /api/es256/file.txt $hs 401" "hs-with-es /api/hs256/file.txt $es 401" \
		"hs-changed /api/hs256/file.txt $changed 401" \
		"hs-forged /api/hs256/file.txt ${hs%.*}.${es##*.} 401"; do
		read -r name path tok code <<<"$r"
		[ "$tok" = - ] && tok=""
		r=$(aget "$name" "$path" "$tok")
		if [ "$r" != "$code" ]; then
			note "authz: $name: GET $path answered $r, not $code: $(head -c 300 "$T/authz-$name.body")"
			ok=0
		elif [ "$code" = 200 ] && ! cmp -s "$T/authz-$name.body" "$T/authz-www/open/file.txt"; then
			note "authz: $name: GET $path did not serve the file"
			ok=0
		fi
	done
	[ "$ok" = 1 ] || { note "authz skipped: the checks failed (state in $T with KEEP_TMP=1)"; stop_pid "$AZ_PID"; return; }
	note "checked: each token is allowed on its own path and serves the file; no token, the other alg's token, a changed payload and a foreign signature get 401"
	workers=$(ps -o pid= --ppid "$AZ_PID" 2>/dev/null | tr '\n' ' ')
	wrk_get warm-open /open/file.txt 64 1 "$hs"
	wrk_get warm-allow /allow/file.txt 64 1 "$hs"
	wrk_get warm-hs /api/hs256/file.txt 64 1 "$hs"
	wrk_get warm-es /api/es256/file.txt 64 1 "$es"
	for r in 1 2; do
		for name in open allow hs es; do
			case $name in
			open) path=/open/file.txt tok=$hs ;;
			allow) path=/allow/file.txt tok=$hs ;;
			hs) path=/api/hs256/file.txt tok=$hs ;;
			es) path=/api/es256/file.txt tok=$es ;;
			esac
			wrk_get "$name-$r" "$path" 64 "$DURATION" "$tok"
			if awk -v a="$RPS" -v b="${best[$name]:-0}" 'BEGIN { exit !(a > b) }'; then
				best[$name]=$RPS p50[$name]=$P50 p99[$name]=$P99
			fi
		done
	done
	figure authz-allow-all-c64 "${best[allow]}" req/s lighttpd-static-c64 "${best[open]}" req/s
	figure authz-allow-all-c64-p50 "${p50[allow]}" ms lighttpd-static-c64-p50 "${p50[open]}" ms
	figure authz-HS256-c64 "${best[hs]}" req/s lighttpd-static-c64 "${best[open]}" req/s
	target authz-HS256-c64-vs-static "${best[hs]}" "${best[open]}" 0.5
	figure authz-HS256-c64-p50 "${p50[hs]}" ms lighttpd-static-c64-p50 "${p50[open]}" ms
	figure authz-HS256-c64-p99 "${p99[hs]}" ms lighttpd-static-c64-p99 "${p99[open]}" ms
	figure authz-HS256-c64-vs-allow-all "${best[hs]}" req/s authz-allow-all-c64 "${best[allow]}" req/s
	figure authz-ES256-c64 "${best[es]}" req/s lighttpd-static-c64 "${best[open]}" req/s
	target authz-ES256-c64-vs-static "${best[es]}" "${best[open]}" 0.5
	figure authz-ES256-c64-p50 "${p50[es]}" ms lighttpd-static-c64-p50 "${p50[open]}" ms
	figure authz-ES256-c64-p99 "${p99[es]}" ms lighttpd-static-c64-p99 "${p99[open]}" ms
	figure authz-ES256-c64-vs-allow-all "${best[es]}" req/s authz-allow-all-c64 "${best[allow]}" req/s
	# lighttpd stops its authorizer workers; any left are stopped by PID.
	stop_pid "$AZ_PID"
	for pid in $workers; do
		kill -0 "$pid" 2>/dev/null && stop_pid "$pid"
	done
}

# ---------------------------------------------------------------- 5. memory

section_memory() {
	local pid code base_hwm base_anon r10 h10 r100 h100 n10 anon
	note "--- memory: one FastCGI worker (max-procs 1) after $MEM_REQUESTS requests (HS256, ab -c 16)"
	have ab || { note "memory skipped: ab not found (apt-get install apache2-utils)"; return; }
	servers_up || { note "memory skipped"; return; }
	pid=$(worker_pid mem) || { note "memory skipped: the /mem/ worker was not found"; return; }
	code=$(post "$LT_URL/mem/hs256" "$T/mem.body")
	[ "$code" = 200 ] || { note "memory skipped: /mem/hs256 answered $code"; return; }
	base_hwm=$(status_kib "$pid" VmHWM)
	base_anon=$(status_kib "$pid" RssAnon)
	n10=$((MEM_REQUESTS / 10))
	ab_run mem-$n10 $((n10 - 1)) "$LT_URL/mem/hs256"
	r10=$(status_kib "$pid" VmRSS)
	h10=$(status_kib "$pid" VmHWM)
	ab_run "mem-$MEM_REQUESTS" $((MEM_REQUESTS - n10)) "$LT_URL/mem/hs256"
	r100=$(status_kib "$pid" VmRSS)
	h100=$(status_kib "$pid" VmHWM)
	anon=$(status_kib "$pid" RssAnon)
	kill -0 "$pid" 2>/dev/null || note "WARNING: memory: the worker $pid exited"
	note "worker $pid: VmHWM $base_hwm KiB after 1 request, $h10 KiB after $n10, $h100 KiB after $MEM_REQUESTS; VmRSS $r10 -> $r100 KiB, of which RssAnon $anon KiB (private heap and stacks) and RssFile $(status_kib "$pid" RssFile) KiB (shared library pages)"
	figure "fcgi-worker-peak-rss-$MEM_REQUESTS" "$(awk -v k="$h100" 'BEGIN { print k / 1024 }')" MiB \
		fcgi-worker-peak-rss-1 "$(awk -v k="$base_hwm" 'BEGIN { print k / 1024 }')" MiB
	figure "fcgi-worker-rss-growth-$n10-$MEM_REQUESTS" "$((r100 - r10))" KiB \
		fcgi-worker-rss-$n10 "$r10" KiB
	figure "fcgi-worker-anon-rss-$MEM_REQUESTS" "$anon" KiB fcgi-worker-anon-rss-1 "$base_anon" KiB
}

# ---------------------------------------------------------------- 4. plain CGI

section_cgi() {
	local line hits0 hits1 a b
	note "--- plain CGI: jwtsign as a CGI program (warm shared key cache) against /bin/true, $CGI_RUNS runs each, alternating"
	servers_up || { note "cgi skipped"; return; }
	export GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 REQUEST_METHOD=POST \
		REQUEST_URI=/jwt/hs256 SCRIPT_NAME=/jwt/hs256 CONTENT_TYPE=application/json \
		CONTENT_LENGTH=${#LOGIN_BODY} REMOTE_ADDR=127.0.0.1 SERVER_NAME=127.0.0.1 \
		SERVER_PORT=80 JWTSIGN_CONFIG=$T/jwtsign.json JWTSIGN_CACHE_DIR=$T/cache
	# Warm the cache (the FastCGI workers did already, when e2e ran).
	"$JWTSIGN" <"$T/login.json" >"$T/cgi-warm.out" 2>>"$T/cgi.err"
	if ! head -1 "$T/cgi-warm.out" | grep -q '^Status: 200'; then
		note "cgi skipped: jwtsign answered $(head -c 300 "$T/cgi-warm.out") $(tail -3 "$T/cgi.err")"
		return
	fi
	hits0=$(wc -l <"$T/nginx/jwk-access.log")
	line=$("$BENCH_BIN/bench_spawn" --runs "$CGI_RUNS" --stdin "$T/login.json" \
		--stderr "$T/cgi.err" --expect 'Status: 200' -- "$JWTSIGN" --vs /bin/true)
	hits1=$(wc -l <"$T/nginx/jwk-access.log")
	unset GATEWAY_INTERFACE SERVER_PROTOCOL REQUEST_METHOD REQUEST_URI SCRIPT_NAME \
		CONTENT_TYPE CONTENT_LENGTH REMOTE_ADDR SERVER_NAME SERVER_PORT JWTSIGN_CONFIG \
		JWTSIGN_CACHE_DIR
	echo "$line" | grep -q 'fail=[1-9]' && note "WARNING: cgi: failed runs: $line"
	a=$(echo "$line" | awk '$1 == "a" { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } print v["wall_med_us"] / 1000, v["wall_p90_us"] / 1000, v["cpu_med_us"] / 1000 }')
	b=$(echo "$line" | awk '$1 == "b" { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } print v["wall_med_us"] / 1000, v["wall_p90_us"] / 1000, v["cpu_med_us"] / 1000 }')
	read -r a_med a_p90 a_cpu <<<"$a"
	read -r b_med b_p90 b_cpu <<<"$b"
	figure cgi-HS256-median "$a_med" ms cgi-bin-true-median "$b_med" ms
	figure cgi-HS256-p90 "$a_p90" ms cgi-bin-true-p90 "$b_p90" ms
	figure cgi-HS256-above-floor "$(awk -v a="$a_med" -v b="$b_med" 'BEGIN { print a - b }')" ms \
		cgi-bin-true-median "$b_med" ms
	figure cgi-HS256-cpu-median "$a_cpu" ms cgi-bin-true-cpu-median "$b_cpu" ms
	figure cgi-jwk-downloads "$((hits1 - hits0))" downloads cgi-requests "$CGI_RUNS" requests
}

want tokens && section_tokens
want verify && section_verify
want pkcs11 && section_pkcs11
want rsa && section_rsa
want cli && section_cli
want e2e && section_e2e
want ratelimit && section_ratelimit
want authz && section_authz
want memory && section_memory
want cgi && section_cgi
note "done in ${SECONDS} s; figures also in $OUT"
