#!/bin/bash
# nginx_multiwatch.sh - the nginx recipe without systemd, as shipped:
# fcgi-conf/jwtsign-spawn (spawn-fcgi + multiwatch, 2 workers as www-data)
# with the Debian package's ownership (configuration and key root:www-data
# 0640), behind a real nginx with fcgi-conf/nginx.conf on 127.0.0.1, and
# the operator's side of running it (issue 18):
#   - tokens are served, and the workers' log lines land in JWTSIGN_LOG,
#     stamped, from both workers;
#   - health_endpoint answers 503 while the JWK server of a jwk_url
#     endpoint is down at start, and 200 once it is up;
#   - a key file replaced under the running workers (mv) signs with the
#     new key within 2 s;
#   - a broken configuration keeps the old one serving, one line per
#     worker;
#   - SIGHUP to a worker is logged and reloads (the worker lives on);
#     SIGUSR2 to multiwatch reaches every worker; SIGTERM stops them all.
# Needs root (spawn-fcgi changes to www-data), nginx, spawn-fcgi,
# multiwatch.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/apache_lib.sh"

require_jwtsign
require_python
require_tool curl
find_bin NGINX nginx
find_bin SPAWN_FCGI spawn-fcgi
find_bin MULTIWATCH multiwatch
[ "$(id -u)" -eq 0 ] || skip "needs root: jwtsign-spawn runs the workers as www-data"
id -u www-data >/dev/null 2>&1 || skip "no user www-data"

start_stub
prepare_runtime
make_bodies
mkdir -p "$T/run" "$T/nginx" "$T/etc" "$T/cache" # $T/log: jwtsign-spawn makes it
chown www-data:www-data "$T/cache"
chmod 700 "$T/cache"
SOCK=$T/run/jwtsign.sock
JWK_PORT=$(free_port)

# The package's ownership: root:www-data 0640.
own() { chown root:www-data "$@" && chmod 0640 "$@"; }
cp "$DEMO_JWKS" "$T/etc/symmetric.json"
cp "$DEMO_JWKS" "$T/symmetric.json" # what expect_signed verifies with
EP_KEYS="\"jwk_local_path\":\"$T/etc/symmetric.json\""
URL_KEYS="\"jwk_url\":\"http://127.0.0.1:$JWK_PORT/jwk/symmetric.json\",\"disable_jwk_security\":true"
write_config "$T/etc/jwtsign.json" \
	',"extra_config":{"jwtsign":{"health_endpoint":"/health","log_client":true,"log_request_id":true}}' \
	"$(EP_KEYS=$EP_KEYS ep /token /token-issuer)" "$(EP_KEYS=$URL_KEYS ep /token/url /token-issuer)"
own "$T/etc/jwtsign.json" "$T/etc/symmetric.json"
LOG=$T/log/jwtsign.log

# ---------------------------------------------------------------- start
env JWTSIGN_BIN="$JWTSIGN_RUN" JWTSIGN_CONFIG="$T/etc/jwtsign.json" JWTSIGN_SOCKET="$SOCK" \
	JWTSIGN_WORKERS=2 JWTSIGN_LOG="$LOG" JWTSIGN_PIDFILE="$T/run/spawn.pid" \
	JWTSIGN_CACHE_DIR="$T/cache" SPAWN_FCGI="$SPAWN_FCGI" MULTIWATCH="$MULTIWATCH" \
	sh "$TOP_SRCDIR/fcgi-conf/jwtsign-spawn" </dev/null >"$T/spawn.out" 2>&1 &
MW_PID=$!
track_pid "$MW_PID"
workers=()
for ((i = 0; i < 50; i++)); do
	mapfile -t workers < <(child_pids "$MW_PID")
	[ "${#workers[@]}" -eq 2 ] && [ -S "$SOCK" ] && break
	kill -0 "$MW_PID" 2>/dev/null || break
	sleep 0.1
done
[ "${#workers[@]}" -eq 2 ] || hard_error "jwtsign-spawn did not start 2 workers: $(cat "$T/spawn.out")"
for p in "${workers[@]}"; do track_pid "$p"; done
check "pid file holds multiwatch's PID ($MW_PID)" test "$(cat "$T/run/spawn.pid")" = "$MW_PID"
check "workers run as www-data" test "$(ps -o user= -p "${workers[0]}" | tr -d ' ')" = www-data

# nginx with the shipped server block, one location for the 3 paths.
NGINX_PORT=$(free_port)
URL=http://127.0.0.1:$NGINX_PORT
sed -e "s|^\([[:space:]]*\)listen 80;|\1listen 127.0.0.1:$NGINX_PORT;|" \
	-e "s|unix:/run/jwtsign/jwtsign.sock|unix:$SOCK|" \
	-e 's|location = /token {|location ~ ^/(token\|token/url\|health)$ {|' \
	"$TOP_SRCDIR/fcgi-conf/nginx.conf" >"$T/nginx/site.conf"
grep -q "unix:$SOCK;" "$T/nginx/site.conf" || hard_error "fcgi-conf/nginx.conf: socket line changed"
cat >"$T/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log info;
user www-data www-data;
events { worker_connections 64; }
http {
	access_log $T/nginx/access.log;
	client_body_temp_path $T/nginx/body;
	fastcgi_temp_path $T/nginx/fastcgi;
	proxy_temp_path $T/nginx/proxy;
	scgi_temp_path $T/nginx/scgi;
	uwsgi_temp_path $T/nginx/uwsgi;
	include $T/nginx/site.conf;
}
EOF
"$NGINX" -p "$T/nginx/" -c "$T/nginx/nginx.conf" </dev/null >>"$T/nginx/stderr.log" 2>&1 &
NGINX_PID=$!
track_pid "$NGINX_PID"
wait_http "$URL/" || hard_error "nginx did not start: $(tail -n 5 "$T/nginx/stderr.log" "$T/nginx/error.log")"
SERVER_LOGS=("$LOG" "$T/spawn.out" "$T/nginx/error.log")

# until_both_logged NAME REGEX: POST /token (each answer signed) until
# both workers have logged a line matching REGEX, at most 40 requests;
# sets n (matching lines) and sent (requests).
until_both_logged() {
	local name=$1 re=$2 p got
	for ((sent = 1; sent <= 40; sent++)); do
		http "$name-$sent" POST /token
		expect_signed "$name-$sent"
		got=0
		for p in "${workers[@]}"; do
			grep -qE "jwtsign\[$p\]: .*$re" "$LOG" && got=$((got + 1))
		done
		[ "$got" -eq 2 ] && break
		sleep 0.05
	done
	n=$(grep -cE "$re" "$LOG" || true)
}

# ---------------------------------------------------------------- serve, log
http ref POST /token
expect_signed ref
check "log file $LOG written by www-data" test "$(stat -c %U "$LOG" 2>&1)" = www-data
for p in "${workers[@]}"; do
	check "worker $p logged 'ready' to the log file, stamped" \
		grep -qE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z jwtsign\[$p\]: info: fastcgi: ready" "$LOG"
done
check "jwtsign-spawn warned that /token/url has no keys yet, and started" grep -q "^jwtsign-spawn: warning: " "$T/spawn.out"

# ---------------------------------------------------------------- health
http h-down GET /health
expect_code h-down 503
check "h-down: names /token/url's signer keys ($(cat "$T/h-down.body"))" \
	grep -q '"endpoint":"/token/url","method":"POST","part":"signer_keys"' "$T/h-down.body"
# The line of a request carries its client and nginx's $request_id (32
# hexadecimal digits, fcgi-conf/nginx.conf's REQUEST_ID), which wins over
# the client's own X-Request-Id.
http u-down POST /token/url -H 'X-Request-Id: from-the-client'
expect_code u-down 503
check "u-down: its line names the client and nginx's request id" \
	grep -qE "jwtsign\[[0-9]+\]: error: \[client 127\.0\.0\.1\] \[id [0-9a-f]{32}\] /token/url: keys unavailable" "$LOG"
"$PYTHON3" "$LIB_DIR/stub_backend.py" --port "$JWK_PORT" --log "$T/jwk.log" --jwks "$DEMO_JWKS" \
	</dev/null >>"$T/jwk.log" 2>&1 &
track_pid $!
code=0
for ((i = 0; i < 40; i++)); do # the source backs off 1, 2, 4 ... s
	http h-up GET /health
	code=$(cat "$T/h-up.code")
	[ "$code" = 200 ] && break
	sleep 0.5
done
check "health 200 once the JWK server is up (after $((i / 2)) s): $(cat "$T/h-up.body")" \
	test "$code" = 200 -a "$(cat "$T/h-up.body")" = '{"status":"ok"}'

# ---------------------------------------------------------------- key replaced
"$JWTSIGN" genkey --kty oct --kid sim2 --alg HS256 -o "$T/new.json" 2>"$T/genkey.err" ||
	hard_error "genkey failed: $(cat "$T/genkey.err")"
cp "$T/new.json" "$T/etc/symmetric.json.new"
own "$T/etc/symmetric.json.new"
t0=$(now_ms)
mv -f "$T/etc/symmetric.json.new" "$T/etc/symmetric.json"
cp "$T/new.json" "$T/symmetric.json"
first=""
for ((i = 0; i < 30; i++)); do
	http "k-$i" POST /token
	if jwtcheck signed "$T/k-$i.body" "$T/symmetric.json" --expect "$T/reference.json" >/dev/null 2>&1; then
		first=$(($(now_ms) - t0))
		break
	fi
	sleep 0.1
done
check "the replaced key signs after ${first:-never} ms" test -n "$first"
sleep 1.1 # a worker looks at most 1 s after its last look, on a request
# The workers share one listening socket: which one accepts a request is
# the kernel's choice, so ask until both have answered (bounded).
LOADED='reload: configuration and keys loaded again .*symmetric.json changed'
until_both_logged k2 "$LOADED"
check "the change was logged by both workers ($n lines, $sent requests)" test "$n" -ge 2
check "a reload's line, between requests, carries no request's tag" \
	grep -qE "jwtsign\[[0-9]+\]: info: reload: configuration and keys loaded again" "$LOG"

# ---------------------------------------------------------------- broken config
cp "$T/etc/jwtsign.json" "$T/good.json"
printf '{"version":3,"endpoints":[' >"$T/etc/jwtsign.json" # in place: owner kept
sleep 2.2
until_both_logged b 'reload: new configuration refused: .*still serving the one loaded at'
check "a broken configuration: one line per worker ($n, $sent requests), the old one serves" test "$n" -eq 2
cat "$T/good.json" >"$T/etc/jwtsign.json"

# ---------------------------------------------------------------- unreadable key
# The key made unreadable for the workers (and touched, so that they look):
# each refuses the reload in one line naming the first failure, and keeps
# signing with the key it has.
sleep 1.1 # the good file back in place is loaded first
until_both_logged g 'reload: configuration and keys loaded again .*jwtsign.json changed'
before=$(wc -l <"$LOG")
chmod 0600 "$T/etc/symmetric.json"
touch "$T/etc/symmetric.json"
sleep 1.1
until_both_logged u 'reload: new configuration refused: 1 key source\(s\) of the new configuration unusable \(the first: /token: keys unavailable: .*Permission denied\)'
check "an unreadable key: one line per worker ($n, $sent requests), the old key signs" test "$n" -eq 2
check "an unreadable key: no other line than the two refusals ($(tail -n +$((before + 1)) "$LOG" | grep -vc 'reload: new configuration refused' || true))" \
	test "$(tail -n +$((before + 1)) "$LOG" | grep -vc 'reload: new configuration refused' || true)" = 0
chmod 0640 "$T/etc/symmetric.json"
touch "$T/etc/symmetric.json"

# ---------------------------------------------------------------- signals
w=${workers[0]}
kill -HUP "$w"
for ((i = 0; i < 30; i++)); do
	grep -q "jwtsign\[$w\]: info: signal: SIGHUP received" "$LOG" && break
	sleep 0.1
done
check "SIGHUP to worker $w is logged" grep -q "jwtsign\[$w\]: info: signal: SIGHUP received: reloading" "$LOG"
sleep 0.3
check "worker $w lives on after SIGHUP" is_our_jwtsign "$w"
http hup POST /token
expect_signed hup
kill -USR2 "$MW_PID"
sleep 1
for p in "${workers[@]}"; do
	check "SIGUSR2 to multiwatch reached worker $p" grep -q "jwtsign\[$p\]: info: signal: SIGUSR2 received" "$LOG"
done
kill -TERM "$MW_PID"
if left=$(wait_gone "$MW_PID" "${workers[@]}"); then
	pass "SIGTERM to multiwatch stops it and every worker"
else
	fail "still running after SIGTERM: $left" "$LOG"
fi
for p in "${workers[@]}"; do
	check "worker $p logged its stop" grep -q "jwtsign\[$p\]: info: fastcgi: stop requested, exiting" "$LOG"
done
stop_pid "$NGINX_PID"
no_secret_in "$T"/*.body "$LOG"
no_token_in "$LOG"
finish
