#!/bin/bash
# tests/soak/run.sh - soak test (not part of `make check`): wrk at
# concurrency 64 for 10 minutes through lighttpd + FastCGI (mod_fastcgi,
# bin-path, max-procs workers) to jwtsign, while the JWK server and the
# login backend (tests/integration/hostile_server.py, two instances) are each
# restarted several times.  Reports requests, non-2xx answers by status,
# jwtsign worker restarts, and the workers' RSS at start and end.
#
# Usage: tests/soak/run.sh [-d SECONDS] [-c CONNECTIONS] [-t THREADS]
#                          [-p WORKERS] [-o RESULTS_FILE]
#   defaults: -d 600 -c 64 -t 2 -p 4; results also go to RESULTS_FILE
#   (default: soak-results.txt in the current directory).
# Environment: JWTSIGN (default ./src/jwtsign of the current directory),
# TOP_SRCDIR, LIGHTTPD, PYTHON3 as for the integration tests; KEEP_TMP=1
# keeps the state directory; BACKEND_EVERY / JWK_EVERY (seconds, default
# 60 / 75) space the restarts.
# Requires lighttpd, wrk, curl, python3.  Everything listens on 127.0.0.1.
# Exit status: 0 when no worker was restarted, no answer was a 500, and
# the workers' RSS did not grow by more than 50% + 4 MiB; 1 otherwise
# (502 while the backend is down and 504 when it is slow are expected).

DURATION=600
CONNS=64
THREADS=2
PROCS=4
RESULTS=soak-results.txt
while getopts "d:c:t:p:o:h" opt; do
	case $opt in
	d) DURATION=$OPTARG ;;
	c) CONNS=$OPTARG ;;
	t) THREADS=$OPTARG ;;
	p) PROCS=$OPTARG ;;
	o) RESULTS=$OPTARG ;;
	*)
		sed -n '2,22s/^# \{0,1\}//p' "$0"
		exit 64
		;;
	esac
done
RESULTS=$(realpath -m "$RESULTS")

SOAK_DIR=$(cd "$(dirname "$0")" && pwd)
export TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$SOAK_DIR/../.." && pwd)}
export JWTSIGN=${JWTSIGN:-$(pwd)/src/jwtsign}
# lib.sh: T (state dir), start_lighttpd, child_pids, cleanup of our PIDs.
. "$TOP_SRCDIR/tests/integration/lib.sh"
TEST_NAME=soak

require_jwtsign
require_python
require_tool curl
require_tool wrk
find_lighttpd

cp "$DEMO_JWKS" "$T/symmetric.json"
printf '{"user":"john","pass":"doe"}' >"$T/login.json"
mkdir -p "$T/www"
mkdir -p -m 700 "$T/cache"

BACKEND_PORT=$(free_port)
JWK_PORT=$(free_port)
BACKEND_URL=http://127.0.0.1:$BACKEND_PORT
JWK_URL=http://127.0.0.1:$JWK_PORT

# start_server NAME PORT: tests/integration/hostile_server.py on a fixed
# port (restartable), serving /token-issuer (the reference answer) and
# /jwk/symmetric.json, each in one write (python's http.server needs
# ~40 ms per keep-alive request); sets ${NAME}_PID and records the PID in
# $T/servers.pids (the restarter runs in a subshell).
start_server() {
	local name=$1 port=$2 i pid
	for ((i = 0; i < 50; i++)); do
		"$PYTHON3" "$LIB_DIR/hostile_server.py" serve --port "$port" \
			--jwks "$T/symmetric.json" --max-seconds $((DURATION + 600)) \
			</dev/null >>"$T/$name.log" 2>&1 &
		pid=$!
		echo "$pid" >>"$T/servers.pids"
		if wait_http "http://127.0.0.1:$port/hits" 30; then
			eval "${name}_PID=$pid"
			return 0
		fi
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		sleep 0.2 # the port may still be held
	done
	hard_error "$name did not start on port $port"
}
stop_servers() {
	local p
	[ -f "$T/servers.pids" ] || return 0
	for p in $(cat "$T/servers.pids"); do
		kill -TERM "$p" 2>/dev/null || true
	done
}
trap 'rc=$?; stop_servers; (exit $rc); _cleanup' EXIT
start_server BACKEND "$BACKEND_PORT"
start_server JWK "$JWK_PORT"

# /token: keys from the JWK server, refreshed every 10 s (so that its
# restarts are felt); /token-local: keys from a file.
write_config "$T/jwtsign.json" "" \
	"$(EP_HOST=$BACKEND_URL EP_KEYS="\"jwk_url\":\"$JWK_URL/jwk/symmetric.json\",\"disable_jwk_security\":true,\"cache_duration\":10,\"failed_jwk_key_cooldown\":1" \
		ep /token /token-issuer)" \
	"$(EP_HOST=$BACKEND_URL ep /token-local /token-issuer)"

cat >"$T/lighttpd.conf.in" <<CONF
server.modules = ("mod_fastcgi")
server.bind = "127.0.0.1"
server.port = @PORT@
server.document-root = "$T/www"
server.errorlog = "$T/lighttpd-error.log"
server.max-connections = 1024
fastcgi.server = ("/" => ((
	"socket" => "$T/jwtsign.sock",
	"bin-path" => "$JWTSIGN",
	"max-procs" => $PROCS,
	"bin-environment" => (
		"JWTSIGN_CONFIG" => "$T/jwtsign.json",
		"JWTSIGN_LOG_LEVEL" => "warn",
		"JWTSIGN_CACHE_DIR" => "$T/cache",
	),
	"check-local" => "disable",
)))
CONF
start_lighttpd "$T/lighttpd.conf.in"
URL=$LIGHTTPD_URL

workers() { child_pids "$LIGHTTPD_PID" | sort -n; }
rss_of() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
rss_all() {
	local p
	for p in $(workers); do printf '%s:%s ' "$p" "$(rss_of "$p")"; done
}
rss_sum() {
	local p s=0
	for p in $(workers); do s=$((s + $(rss_of "$p"))); done
	echo "$s"
}

for ((i = 0; i < 100; i++)); do
	[ "$(workers | wc -l)" -ge "$PROCS" ] && break
	sleep 0.1
done
[ "$(workers | wc -l)" -ge "$PROCS" ] || hard_error "lighttpd did not spawn $PROCS jwtsign workers"

# Warm up: every worker loads its keys and makes its curl handle.
for ((i = 0; i < 200; i++)); do
	curl -s -o /dev/null --max-time 5 -H 'Content-Type: application/json' \
		--data-binary @"$T/login.json" "$URL/token"
	curl -s -o /dev/null --max-time 5 -H 'Content-Type: application/json' \
		--data-binary @"$T/login.json" "$URL/token-local"
done
code=$(curl -s -o "$T/warm.body" -w '%{http_code}' --max-time 5 -H 'Content-Type: application/json' \
	--data-binary @"$T/login.json" "$URL/token")
[ "$code" = 200 ] || hard_error "warm-up request answered $code: $(cat "$T/warm.body")"
WORKERS_START=$(workers | tr '\n' ' ')
RSS_START=$(rss_all)
RSS_START_SUM=$(rss_sum)
log "workers $WORKERS_START; RSS (KiB) $RSS_START"

# wrk script: POST the login body to /token (3 of 4) and /token-local,
# count statuses per thread.
cat >"$T/soak.lua" <<'LUA'
local body = '{"user":"john","pass":"doe"}'
local threads = {}
local n = 0
function setup(thread)
	table.insert(threads, thread)
end
function init(args)
	statuses = {}
end
function request()
	n = n + 1
	local path = (n % 4 == 0) and "/token-local" or "/token"
	return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end
function response(status, headers, b)
	statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
	local total = {}
	for _, t in ipairs(threads) do
		local s = t:get("statuses")
		for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
	end
	local keys = {}
	for k in pairs(total) do table.insert(keys, k) end
	table.sort(keys)
	io.write("STATUSES")
	for _, k in ipairs(keys) do io.write(string.format(" %d:%d", k, total[k])) end
	io.write("\n")
	io.write(string.format("SUMMARY requests=%d errors_connect=%d read=%d write=%d timeout=%d status=%d duration_us=%d\n",
		summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
		summary.errors.timeout, summary.errors.status, summary.duration))
	io.write(string.format("LATENCY_MS p50=%.1f p99=%.1f max=%.1f\n",
		latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
LUA

# Restarts: the backend every 60 s (down 2 s), the JWK server every 75 s
# (down 15 s, longer than the 10 s cache_duration).
BACKEND_EVERY=${BACKEND_EVERY:-60}
JWK_EVERY=${JWK_EVERY:-75}
restarter() {
	local t0 now next_b=$BACKEND_EVERY next_j=$JWK_EVERY nb=0 nj=0
	t0=$(date +%s)
	while :; do
		now=$(($(date +%s) - t0))
		[ "$now" -ge $((DURATION - 20)) ] && break
		if [ "$now" -ge "$next_b" ]; then
			kill -TERM "$BACKEND_PID" 2>/dev/null
			sleep 2
			start_server BACKEND "$BACKEND_PORT"
			nb=$((nb + 1))
			echo "$(date +%T) backend restarted ($nb)" >>"$T/restarts.log"
			next_b=$((next_b + BACKEND_EVERY))
		fi
		if [ "$now" -ge "$next_j" ]; then
			kill -TERM "$JWK_PID" 2>/dev/null
			sleep 15
			start_server JWK "$JWK_PORT"
			nj=$((nj + 1))
			echo "$(date +%T) JWK server restarted ($nj)" >>"$T/restarts.log"
			next_j=$((next_j + JWK_EVERY))
		fi
		sleep 1
	done
}

# Sampler: worker PIDs and RSS every 10 s.
sampler() {
	while :; do
		echo "$(date +%T) $(rss_all)" >>"$T/rss.log"
		workers >>"$T/pids.log"
		sleep 10
	done
}

: >"$T/restarts.log"
sampler &
SAMPLER_PID=$!
track_pid "$SAMPLER_PID"
restarter &
RESTARTER_PID=$!
track_pid "$RESTARTER_PID"

log "wrk -t$THREADS -c$CONNS -d${DURATION}s $URL (restarts in the background)"
wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency -s "$T/soak.lua" "$URL" \
	>"$T/wrk.out" 2>&1
wait "$RESTARTER_PID" 2>/dev/null
stop_pid "$SAMPLER_PID"
workers >>"$T/pids.log"

WORKERS_END=$(workers | tr '\n' ' ')
RSS_END=$(rss_all)
RSS_END_SUM=$(rss_sum)
ALL_PIDS=$(sort -un "$T/pids.log" | wc -l)
WORKER_RESTARTS=$((ALL_PIDS - PROCS))
B_RESTARTS=$(grep -c backend "$T/restarts.log")
J_RESTARTS=$(grep -c JWK "$T/restarts.log")
STATUSES=$(sed -n 's/^STATUSES //p' "$T/wrk.out")
SUMMARY=$(sed -n 's/^SUMMARY //p' "$T/wrk.out")
LATENCY=$(sed -n 's/^LATENCY_MS //p' "$T/wrk.out")
RPS=$(sed -n 's/^Requests\/sec: *//p' "$T/wrk.out")
NON2XX=$(echo "$STATUSES" | tr ' ' '\n' | awk -F: '$1 !~ /^2/ && $1 != "" {printf "%s:%s ", $1, $2}')
CRASHES=$(grep -ciE 'died|crash|signal|core' "$T/lighttpd-error.log" || true)
# jwtsign's own log: its stderr, which lighttpd -D leaves on its own stderr
# ($T/lighttpd.log).  Error lines grouped by message, numbers masked.
JW_ERRORS=$(grep -c '^jwtsign\[[0-9]*\]: error:' "$T/lighttpd.log" || true)
JW_KINDS=$(sed -n 's/^jwtsign\[[0-9]*\]: error: //p' "$T/lighttpd.log" |
	sed 's/[0-9][0-9]*/N/g' | sort | uniq -c | sort -rn | head -5)

{
	echo "soak $(date -u +%Y-%m-%dT%H:%MZ): ${DURATION}s, wrk -t$THREADS -c$CONNS, lighttpd max-procs $PROCS"
	echo "  jwtsign: $("$JWTSIGN" --version 2>/dev/null | head -1)"
	echo "  wrk: $SUMMARY"
	echo "  requests/s: $RPS; latency ms: $LATENCY"
	echo "  statuses: $STATUSES"
	echo "  non-2xx: ${NON2XX:-none}"
	echo "  backend restarts: $B_RESTARTS; JWK server restarts: $J_RESTARTS"
	echo "  jwtsign workers: start $WORKERS_START; end $WORKERS_END; restarts $WORKER_RESTARTS"
	echo "  worker RSS KiB (pid:rss): start $RSS_START(sum $RSS_START_SUM); end $RSS_END(sum $RSS_END_SUM)"
	echo "  lighttpd error log lines: $(wc -l <"$T/lighttpd-error.log"), crash-like: $CRASHES"
	echo "  jwtsign error log lines: $JW_ERRORS${JW_KINDS:+; most frequent:}"
	if [ -n "$JW_KINDS" ]; then echo "$JW_KINDS" | sed 's/^ */    /'; fi
} | tee -a "$RESULTS"
cp "$T/rss.log" "${RESULTS%.txt}-rss.log" 2>/dev/null || true

rc=0
if [ "$WORKER_RESTARTS" -ne 0 ]; then log "FAIL: $WORKER_RESTARTS worker restarts"; rc=1; fi
if echo "$STATUSES" | grep -qE "(^| )500:"; then log "FAIL: 500 answers"; rc=1; fi
if [ "$RSS_END_SUM" -gt $((RSS_START_SUM * 3 / 2 + 4096)) ]; then
	log "FAIL: RSS grew from $RSS_START_SUM to $RSS_END_SUM KiB"
	rc=1
fi
[ "$rc" = 0 ] && _failures=0 || _failures=1
_checks=1
[ "$rc" = 0 ] && log "soak passed" || KEEP_TMP=1
exit $rc
