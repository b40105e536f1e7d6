# lib.sh - shared by bench/run.sh and bench/profile.sh: settings, the
# figure printer, process tracking, and the servers (nginx as the login
# backend and JWK Set host, lighttpd with jwtsign FastCGI workers and a
# plain proxy).  Source it from bash after setting OUT (the results file).
#
# Environment (set by `make bench`; defaults for a run by hand from the
# build directory):
#   JWTSIGN      the program (default $TOP_BUILDDIR/src/jwtsign)
#   BENCH_BIN    directory of bench_sign and bench_spawn ($TOP_BUILDDIR/bench)
#   TOP_SRCDIR   the source tree (bench/keys.json, tests/integration/)
#   LIGHTTPD     lighttpd binary (default: PATH, /usr/sbin)
#   KEEP_TMP=1   keep the state directory
#
# Servers listen on 127.0.0.1 only, every wait is bounded, state lives in
# one mktemp -d directory ($T), and only the PIDs started here are
# stopped (at exit).

set -u

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$BENCH_DIR/.." && pwd)}
TOP_BUILDDIR=${TOP_BUILDDIR:-$(pwd)}
JWTSIGN=${JWTSIGN:-$TOP_BUILDDIR/src/jwtsign}
BENCH_BIN=${BENCH_BIN:-$TOP_BUILDDIR/bench}
KEYS=$BENCH_DIR/keys.json
PY=${PYTHON3:-$(sh "$TOP_SRCDIR/tests/integration/python3" --which 2>/dev/null || echo python3)}
# shellcheck disable=SC2034 # used by run.sh
JWTCHECK=$TOP_SRCDIR/tests/integration/jwtcheck.py
LOGIN_BODY='{"user":"john","pass":"doe"}'
# The reference answer of the login backend (tests/integration/lib.sh).
REFERENCE_ANSWER='{"access_token":{"aud":"https://your.krakend.io","iss":"https://your-backend","sub":"1234567890qwertyuio","jti":"mnb23vcsrt756yuiomnbvcx98ertyuiop","roles":["role_a","role_b"],"exp":1735689600},"refresh_token":{"aud":"https://your.krakend.io","iss":"https://your-backend","sub":"1234567890qwertyuio","jti":"mnb23vcsrt756yuiomn12876bvcx98ertyuiop","exp":1735689600},"exp":1735689600}'
# bin-path and max-procs of the /jwt/ FastCGI workers (profile.sh runs
# one under callgrind).
JWT_BIN=${JWT_BIN:-$JWTSIGN}
JWT_PROCS=${JWT_PROCS:-2}

_pids=()
T=$(mktemp -d "${TMPDIR:-/tmp}/jwtsign-bench.XXXXXX") || exit 99
printf '%s' "$LOGIN_BODY" >"$T/login.json"

note() { printf '# %s\n' "$*" | tee -a "$OUT"; }

# figure NAME VALUE UNIT REF_NAME REF_VALUE REF_UNIT
figure() {
	awk -v n="$1" -v v="$2" -v u="$3" -v rn="$4" -v rv="$5" -v ru="$6" 'BEGIN {
		fv = (v == int(v) || v >= 100 || v <= -100) ? sprintf("%.0f", v) : sprintf("%.2f", v)
		fr = (rv == int(rv) || rv >= 100 || rv <= -100) ? sprintf("%.0f", rv) : sprintf("%.2f", rv)
		r = (rv != 0) ? sprintf("%.2f", v / rv) : "n/a"
		printf "bench: %s: %s %s (reference %s %s %s, ratio %s)\n", n, fv, u, rn, fr, ru, r
	}' | tee -a "$OUT"
}

# target NAME VALUE REF MIN: "target: NAME: ratio R >= MIN: met" (or
# **not met**), as bench_verify prints it.
target() {
	awk -v n="$1" -v v="$2" -v rv="$3" -v m="$4" 'BEGIN {
		r = (rv != 0) ? v / rv : 0
		printf "target: %s: ratio %.2f >= %.2f: %s\n", n, r, m, (r >= m) ? "met" : "**not met**"
	}' | tee -a "$OUT"
}

_cleanup() {
	local rc=$? pid i
	trap - EXIT INT TERM
	for pid in "${_pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${_pids[@]}"; do
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		echo "# state kept in $T"
	else
		rm -rf "$T"
	fi
	exit "$rc"
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stop_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

have() { command -v "$1" >/dev/null 2>&1; }

free_port() {
	"$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

wait_http() { # URL [TENTHS]
	local i
	for ((i = 0; i < ${2:-100}; i++)); do
		curl -s -o /dev/null --max-time 2 "$1" && return 0
		sleep 0.1
	done
	return 1
}

find_lighttpd() {
	local d
	if [ -n "${LIGHTTPD:-}" ] && [ -x "$LIGHTTPD" ]; then
		return 0
	fi
	LIGHTTPD=$(command -v lighttpd 2>/dev/null || true)
	for d in /usr/sbin /sbin /usr/local/sbin; do
		[ -n "$LIGHTTPD" ] && break
		[ -x "$d/lighttpd" ] && LIGHTTPD=$d/lighttpd
	done
	[ -n "$LIGHTTPD" ]
}

find_nginx() {
	NGINX=$(command -v nginx 2>/dev/null || true)
	[ -z "$NGINX" ] && [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx
	[ -n "$NGINX" ]
}


# ---------------------------------------------------------------- servers


# start_nginx: the login backend (a fixed answer to any request, the
# reference answer) and the JWK Set (a static file) on one port.
start_nginx() {
	local i
	NGX_PORT=$(free_port)
	mkdir -p "$T/nginx/tmp" "$T/www/jwk"
	cp "$KEYS" "$T/www/jwk/keys.json"
	cat >"$T/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
$( [ "$(id -u)" = 0 ] && echo "user $(id -un) $(id -gn);")
events { worker_connections 4096; }
http {
	access_log off;
	default_type application/json;
	client_body_temp_path $T/nginx/tmp/body;
	proxy_temp_path $T/nginx/tmp/proxy;
	fastcgi_temp_path $T/nginx/tmp/fastcgi;
	uwsgi_temp_path $T/nginx/tmp/uwsgi;
	scgi_temp_path $T/nginx/tmp/scgi;
	keepalive_requests 1000000;
	keepalive_timeout 60s;
	server {
		listen 127.0.0.1:$NGX_PORT;
		location = /jwk/keys.json {
			root $T/www;
			access_log $T/nginx/jwk-access.log;
		}
		location / {
			return 200 '$REFERENCE_ANSWER';
		}
	}
}
EOF
	"$NGINX" -p "$T/nginx" -e "$T/nginx/error.log" -c "$T/nginx/nginx.conf" </dev/null \
		>>"$T/nginx/stdout.log" 2>&1 &
	NGX_PID=$!
	_pids+=("$NGX_PID")
	NGX_URL=http://127.0.0.1:$NGX_PORT
	for ((i = 0; i < 100; i++)); do
		curl -s -o /dev/null --max-time 2 "$NGX_URL/jwk/keys.json" && return 0
		kill -0 "$NGX_PID" 2>/dev/null || break
		sleep 0.1
	done
	note "nginx did not start: $(tail -5 "$T/nginx/error.log" 2>/dev/null)"
	return 1
}

# The limits of the rate limit figures (issue 17), set high enough never
# to refuse (a million a second, per client and for the endpoint): the
# allowed path, every bucket taken.  RL_THROTTLE adds the failed-login
# throttle (the username read from the body, reset by each 200).
RL_ROUTER='"qos/ratelimit/router":{"max_rate":1000000,"capacity":1000000,"client_max_rate":1000000,"client_capacity":1000000,"every":"1s","strategy":"ip"}'
RL_THROTTLE='"jwtsign":{"failed_login":{"max_failures":100,"window":"1m","username":"/user","client_max_failures":1000}}'

# write_jwtsign_config: /jwt/hs256, /jwt/es256 and /mem/hs256, each
# signing access_token and refresh_token of the backend's answer with a
# key of bench/keys.json fetched from nginx (jwk_url, shared cache);
# /jwt/hs256-rl is /jwt/hs256 with $RL_ROUTER, /jwt/hs256-rlt with
# $RL_ROUTER and $RL_THROTTLE.
write_jwtsign_config() {
	local ep sep="" p ns
	{
		printf '{"version":3,"timeout":"3s","endpoints":['
		for ep in /jwt/hs256:HS256:sim2 /jwt/es256:ES256:bench-ec /mem/hs256:HS256:sim2 \
			/jwt/hs256-rl:HS256:sim2:rl /jwt/hs256-rlt:HS256:sim2:rlt; do
			IFS=: read -r p alg kid ns <<<"$ep"
			case $ns in
			rl) ns="$RL_ROUTER," ;;
			rlt) ns="$RL_ROUTER,$RL_THROTTLE," ;;
			esac
			printf '%s{"endpoint":"%s","method":"POST",' "$sep" "$p"
			printf '"backend":[{"host":["%s"],"url_pattern":"/token-issuer"}],' "$NGX_URL"
			printf '"extra_config":{%s"auth/signer":{"alg":"%s","kid":"%s",' "$ns" "$alg" "$kid"
			printf '"keys_to_sign":["access_token","refresh_token"],'
			printf '"jwk_url":"%s/jwk/keys.json","disable_jwk_security":true}}}' "$NGX_URL"
			sep=,
		done
		printf ']}\n'
	} >"$T/jwtsign.json"
}

# start_lighttpd: one lighttpd with /jwt/ -> jwtsign FastCGI (2 workers),
# /mem/ -> jwtsign FastCGI (1 worker, for the memory figure) and
# /proxy/ -> nginx without jwtsign (the ceiling).
start_lighttpd() {
	local i
	LT_PORT=$(free_port)
	cat >"$T/lighttpd.conf" <<EOF
server.modules = ("mod_fastcgi", "mod_proxy")
server.bind = "127.0.0.1"
server.port = $LT_PORT
server.document-root = "$T/www"
server.errorlog = "$T/lighttpd-error.log"
server.max-keep-alive-requests = 1000000
server.max-connections = 1024
fastcgi.server = (
	"/jwt/" => ((
		"socket" => "$T/jwt.sock",
		"bin-path" => "$JWT_BIN",
		"max-procs" => $JWT_PROCS,
		"bin-environment" => (
			"JWTSIGN_CONFIG" => "$T/jwtsign.json",
			"JWTSIGN_CACHE_DIR" => "$T/cache",
			"BENCH_ROLE" => "e2e",
		),
		"check-local" => "disable",
	)),
	"/mem/" => ((
		"socket" => "$T/mem.sock",
		"bin-path" => "$JWTSIGN",
		"max-procs" => 1,
		"bin-environment" => (
			"JWTSIGN_CONFIG" => "$T/jwtsign.json",
			"JWTSIGN_CACHE_DIR" => "$T/cache",
			"BENCH_ROLE" => "mem",
		),
		"check-local" => "disable",
	)),
)
\$HTTP["url"] =~ "^/proxy/" {
	proxy.server = ("" => (("host" => "127.0.0.1", "port" => $NGX_PORT)))
}
EOF
	if ! "$LIGHTTPD" -tt -f "$T/lighttpd.conf" >>"$T/lighttpd.log" 2>&1; then
		note "lighttpd rejects the configuration: $(tail -5 "$T/lighttpd.log")"
		return 1
	fi
	"$LIGHTTPD" -D -f "$T/lighttpd.conf" </dev/null >>"$T/lighttpd.log" 2>&1 &
	LT_PID=$!
	_pids+=("$LT_PID")
	LT_URL=http://127.0.0.1:$LT_PORT
	for ((i = 0; i < 100; i++)); do
		curl -s -o /dev/null --max-time 2 "$LT_URL/proxy/" && return 0
		kill -0 "$LT_PID" 2>/dev/null || break
		sleep 0.1
	done
	note "lighttpd did not start: $(tail -5 "$T/lighttpd.log")"
	return 1
}

# worker_pid ROLE: the jwtsign FastCGI process lighttpd started with BENCH_ROLE=ROLE.
worker_pid() {
	local p
	for p in $(ps -o pid= --ppid "$LT_PID" 2>/dev/null); do
		if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "BENCH_ROLE=$1"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# servers_up: nginx + lighttpd, once (e2e, memory and cgi share them).
SERVERS=""
servers_up() {
	[ -n "$SERVERS" ] && { [ "$SERVERS" = up ]; return; }
	SERVERS=down
	find_nginx || { note "nginx not found (apt-get install nginx-light)"; return 1; }
	find_lighttpd || { note "lighttpd not found"; return 1; }
	have curl || { note "curl not found"; return 1; }
	start_nginx || return 1
	write_jwtsign_config
	start_lighttpd || return 1
	SERVERS=up
}

post() { # URL OUTFILE -> prints the status
	curl -sS --max-time 20 -o "$2" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary "$LOGIN_BODY" "$1" 2>>"$T/curl.err"
}

# check_es256 BODY: both members are ES256 JWS (3 parts, 64-byte signature).
check_es256() {
	"$PY" - "$1" <<'EOF'
import base64, json, sys
doc = json.load(open(sys.argv[1]))
for m in ("access_token", "refresh_token"):
    h, p, s = doc[m].split(".")
    hdr = json.loads(base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)))
    sig = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    assert hdr["alg"] == "ES256" and len(sig) == 64, (hdr, len(sig))
EOF
}

# status_kib PID FIELD: a /proc/PID/status field in KiB (VmRSS, VmHWM, RssAnon...).
status_kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
# ab_run NAME N URL: N POST requests, 16 at a time, keep-alive; sets DONE
# (requests answered 2xx).
ab_run() {
	local f=$T/ab-$1.txt
	ab -q -k -n "$2" -c 16 -p "$T/login.json" -T application/json "$3" >"$f" 2>&1
	DONE=$(awk '/^Complete requests:/ { c = $3 } /^Failed requests:/ { f = $3 }
		/^Non-2xx responses:/ { n = $3 } END { print c - f - n }' "$f")
	[ "$DONE" = "$2" ] || note "WARNING: $1: $DONE of $2 requests answered 2xx, see $f"
}

