#!/bin/bash
# jwk_cache.sh - the JWK Set cache shared by jwtsign processes, against a
# local HTTPS JWK server (jwk_server.py) that counts downloads:
#  A. lighttpd with 8 FastCGI workers and 2,000 requests within
#     cache_duration: exactly 1 download; each worker parses the set once;
#  B. after cache_duration: exactly 1 more (a conditional GET);
#  C. a rotated key with a new kid is picked up without restarting anything
#     (after failed_jwk_key_cooldown);
#  D. (CGI) a corrupt, truncated, foreign-owned (as root), wrongly
#     permissioned or symlinked cache file is refused and rebuilt;
#  E. (CGI) a refresher killed with SIGKILL while holding the lock does not
#     block the others; meanwhile processes with keys serve them at once;
#  F. (CGI) the JWK server going down: stale keys, then 503 with
#     Retry-After once max_stale is over;
#  G. (CGI) a refused cache directory: keys served, health warns.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"

require_jwtsign
require_python
require_tool curl
require_tool timeout
tls_make_certs
# Phases A-C need lighttpd; D-F run without it.
have_lighttpd=no
if [ -n "${LIGHTTPD:-}" ] && [ -x "$LIGHTTPD" ]; then
	have_lighttpd=yes
elif command -v lighttpd >/dev/null 2>&1 || [ -x /usr/sbin/lighttpd ]; then
	have_lighttpd=yes
fi

WORKERS=8
REQUESTS=2000
DURATION=40 # cache_duration of phase A/B, seconds (A must take less)

start_stub
mkdir -p "$T/jwks" "$T/www"
cp "$DEMO_JWKS" "$T/jwks/keys.json"
cp "$DEMO_JWKS" "$T/jwks/rotating.json"
printf '%s' "$REFERENCE_ANSWER" >"$T/reference.json"
start_jwk_server SRV "$T/jwks"
CA=$CERTS/tls-root.pem
K=$SRV_URL/keys.json
R=$SRV_URL/rotating.json

# A JWK Set with the demo key (kid sim2) and a second key, kid k2.
K2_JWKS=$T/k2.json
"$PYTHON3" - "$DEMO_JWKS" "$K2_JWKS" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["keys"].append({"kty": "oct", "kid": "k2", "alg": "HS256",
                    "k": "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8"})
json.dump(doc, open(sys.argv[2], "w"))
EOF

# load URL PATH N CONCURRENCY OUT: POST the login N times, print
# "STATUS COUNT" lines to OUT.counts and keep one 200 body in OUT.body.
load() {
	"$PYTHON3" - "$@" <<'EOF'
import http.client, sys, threading, urllib.parse
url, path, n, conc, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
u = urllib.parse.urlsplit(url)
lock = threading.Lock()
counts, sample, left = {}, [None], [n]
def worker():
    while True:
        with lock:
            if left[0] == 0:
                return
            left[0] -= 1
        try:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
            c.request("POST", path, b'{"user":"john","pass":"doe"}',
                      {"Content-Type": "application/json"})
            r = c.getresponse()
            body, status = r.read(), r.status
            c.close()
        except Exception as e:
            body, status = str(e).encode(), "error"
        with lock:
            counts[status] = counts.get(status, 0) + 1
            if status == 200 and sample[0] is None:
                sample[0] = body
ts = [threading.Thread(target=worker) for _ in range(conc)]
for t in ts: t.start()
for t in ts: t.join()
with open(out + ".counts", "w") as f:
    for k in sorted(counts, key=str):
        f.write("%s %d\n" % (k, counts[k]))
if sample[0] is not None:
    open(out + ".body", "wb").write(sample[0])
EOF
}

# expect_all_ok NAME N: every one of the N requests of load NAME got 200.
expect_all_ok() {
	if [ "$(cat "$T/$1.counts")" = "200 $2" ]; then
		pass "$1: $2 requests, all 200"
	else
		fail "$1: not all 200" "$T/$1.counts" "$T/lighttpd.log"
	fi
}

# ================================================================ A-C: FastCGI
phase_fcgi() {
	CACHE_DIR=$T/cache-fcgi
	write_config "$T/fcgi.json" "" \
		"$(signer_ep /token sim2 "\"jwk_url\":\"$K\",\"jwk_local_ca\":\"$CA\"" \
			",\"cache_duration\":$DURATION")" \
		"$(signer_ep /token2 k2 "\"jwk_url\":\"$R\",\"jwk_local_ca\":\"$CA\"" \
			',"failed_jwk_key_cooldown":2')"
	cat >"$T/lighttpd.conf.in" <<-EOF
	server.modules = ("mod_fastcgi")
	server.bind = "127.0.0.1"
	server.port = @PORT@
	server.document-root = "$T/www"
	server.errorlog = "$T/lighttpd-error.log"
	server.max-connections = 256
	fastcgi.server = ("/" => ((
		"socket" => "$T/jwtsign.sock",
		"bin-path" => "$JWTSIGN",
		"max-procs" => $WORKERS,
		"bin-environment" => (
			"JWTSIGN_CONFIG" => "$T/fcgi.json",
			"JWTSIGN_LOG_LEVEL" => "debug",
			"JWTSIGN_CACHE_DIR" => "$CACHE_DIR",
		),
		"check-local" => "disable",
	)))
	EOF
	start_lighttpd "$T/lighttpd.conf.in"
	workers() { child_pids "$LIGHTTPD_PID" | sort | tr '\n' ' '; }
	t_start=$(date +%s)

	# ---- A: 2,000 requests, one download
	load "$LIGHTTPD_URL" /token "$REQUESTS" 16 "$T/A"
	t_end=$(date +%s)
	log "phase A: $REQUESTS requests in $((t_end - t_start)) s"
	expect_all_ok A "$REQUESTS"
	# lighttpd starts some workers, and the others under load: all run now
	workers_before=$(workers)
	check "A: lighttpd runs $WORKERS jwtsign workers" test "$(echo "$workers_before" | wc -w)" -eq "$WORKERS"
	check "A: a response is signed with the served key" \
		jwtcheck signed "$T/A.body" "$DEMO_JWKS" --expect "$T/reference.json" \
		--keys access_token,refresh_token --kid sim2
	if [ $((t_end - t_start)) -ge "$DURATION" ]; then
		fail "A: the requests took longer than cache_duration ($DURATION s): the count below means nothing"
	fi
	expect_hits "$SRV_URL" keys.json 1 "A: $WORKERS workers, $REQUESTS requests"
	parsed=$(grep -c "/token: JWK Set generation 1 parsed" "$T/lighttpd.log" || true)
	downloaded=$(grep -c "JWK Set downloaded from $K" "$T/lighttpd.log" || true)
	if [ "$downloaded" -eq 1 ] && [ $((parsed + downloaded)) -le "$WORKERS" ]; then
		pass "A: the set was parsed once per worker at most ($downloaded download, $parsed parses)"
	else
		fail "A: $downloaded downloads and $parsed parses for $WORKERS workers" "$T/lighttpd.log"
	fi
	ls -la "$CACHE_DIR" >"$T/cache-ls.txt" 2>&1
	if [ "$(stat -c %a "$CACHE_DIR")" = 700 ] &&
		[ "$(find "$CACHE_DIR" -name '*.cache' -perm 0600 -user "$(id -u)" | wc -l)" -eq 2 ]; then
		pass "A: cache directory 0700, cache files 0600, ours"
	else
		fail "A: cache permissions" "$T/cache-ls.txt"
	fi

	# ---- B: after cache_duration, one more download (conditional)
	sleep $((DURATION + 1 - ($(date +%s) - t_start)))
	load "$LIGHTTPD_URL" /token 400 16 "$T/B"
	expect_all_ok B 400
	expect_hits "$SRV_URL" keys.json 2 "B: expired"
	check "B: the refresh was a conditional GET answered 304" \
		test "$(jwk_hits "$SRV_URL" keys.json not_modified)" -eq 1

	# ---- C: a new kid, picked up without a restart
	load "$LIGHTTPD_URL" /token2 1 1 "$T/C1"
	check "C: before the rotation, kid k2 is unknown: 503" test "$(cat "$T/C1.counts")" = "503 1"
	cp "$K2_JWKS" "$T/jwks/rotating.json"
	sleep 2.2 # failed_jwk_key_cooldown
	rot_before=$(jwk_hits "$SRV_URL" rotating.json)
	load "$LIGHTTPD_URL" /token2 40 4 "$T/C2"
	expect_all_ok C2 40
	check "C: signed with the new kid k2" \
		jwtcheck signed "$T/C2.body" "$K2_JWKS" --expect "$T/reference.json" \
		--keys access_token,refresh_token --kid k2
	rot_after=$(jwk_hits "$SRV_URL" rotating.json)
	check "C: one refresh for the new kid ($rot_before -> $rot_after)" test "$rot_after" -eq $((rot_before + 1))
	check "C: the same lighttpd and workers (no restart)" test "$(workers)" = "$workers_before"
	stop_pid "$LIGHTTPD_PID"
	no_secret_in "$T/lighttpd.log" "$T/lighttpd-error.log"
}
if [ "$have_lighttpd" = yes ]; then
	find_lighttpd
	phase_fcgi
else
	log "lighttpd not found: phases A-C (FastCGI workers) skipped"
fi

# ================================================================ D: bad files
CACHE_DIR=$T/cache-cgi
write_config "$T/cgi.json" "" "$(signer_ep /token sim2 "\"jwk_url\":\"$K\",\"jwk_local_ca\":\"$CA\"")"
cgi_post D0 "$T/cgi.json" /token
expect_status D0 200
FILE=$(ls "$CACHE_DIR"/*.cache)
cp -p "$FILE" "$T/good-copy"

# damage NAME WHY CMD...: damage the cache file with CMD, then one request:
# 200, WHY logged, one more download, and the file healthy again.
damage() {
	local name=$1 why=$2 before
	shift 2
	cp -p "$T/good-copy" "$FILE"
	"$@"
	before=$(jwk_hits "$SRV_URL" keys.json)
	cgi_post "$name" "$T/cgi.json" /token
	expect_status "$name" 200
	expect_log "$name" "refused: $why"
	expect_hits "$SRV_URL" keys.json $((before + 1)) "$name: rebuilt by a new download"
	if [ -f "$FILE" ] && [ ! -L "$FILE" ] && [ "$(stat -c '%a %u' "$FILE")" = "600 $(id -u)" ]; then
		pass "$name: the cache file is sound again"
	else
		fail "$name: the cache file was not rebuilt" "$T/$name.err"
	fi
}
flip_byte() {
	"$PYTHON3" -c 'import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[-3] ^= 0x20
open(p, "wb").write(b)' "$FILE"
}
set_version() {
	"$PYTHON3" -c 'import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[8] = 9
open(p, "wb").write(b)' "$FILE"
}
symlinked() {
	rm -f "$FILE"
	ln -s "$T/good-copy" "$FILE"
}
damage D_corrupt "checksum mismatch" flip_byte
damage D_truncated "truncated" truncate -s -10 "$FILE"
damage D_version "unknown format version 9" set_version
damage D_mode "mode is not 0600" chmod 0640 "$FILE"
damage D_symlink "a symbolic link" symlinked
if [ "$(id -u)" = 0 ]; then
	damage D_owner "owned by another user" chown 65534 "$FILE"
else
	log "D: not root: the foreign-owner case is covered by test_jwk_cache only"
fi
cgi_post D_after "$T/cgi.json" /token
expect_status D_after 200
check "D: a sound file is used without a download" \
	test "$(grep -c 'JWK Set downloaded' "$T/D_after.err")" -eq 0

# ================================================================ E: killed refresher
CACHE_DIR=$T/cache-kill
write_config "$T/kill.json" "" \
	"$(signer_ep /token sim2 "\"jwk_url\":\"$K\",\"jwk_local_ca\":\"$CA\"" ',"cache_duration":1')"
cgi_post E0 "$T/kill.json" /token
expect_status E0 200
sleep 1.2 # expired
echo 20 >"$T/jwks/delay"
inflight_before=$(jwk_hits "$SRV_URL" keys.json in_flight)
(cgi_post E_stuck "$T/kill.json" /token) 2>>"$T/E_stuck.shell" &
stuck_shell=$!
for ((i = 0; i < 100; i++)); do
	[ "$(jwk_hits "$SRV_URL" keys.json in_flight)" -gt "$inflight_before" ] && break
	sleep 0.1
done
stuck=$(pgrep -f -n -P "$stuck_shell" timeout || true)
stuck_pid=$(ps -o pid= --ppid "${stuck:-0}" 2>/dev/null | tr -d ' ')
check "E: a refresher is blocked in its download, holding the lock" test -n "$stuck_pid"
# meanwhile, a process with (stale) keys answers at once
t0=$(now_ms)
cgi_post E_stale "$T/kill.json" /token
expect_status E_stale 200
check "E: served the cached keys without waiting ($(($(now_ms) - t0)) ms)" \
	test $(($(now_ms) - t0)) -lt 3000
[ -n "$stuck_pid" ] && kill -KILL "$stuck_pid"
wait "$stuck_shell" 2>/dev/null || true
rm -f "$T/jwks/delay"
t0=$(now_ms)
before=$(jwk_hits "$SRV_URL" keys.json)
cgi_post E_after "$T/kill.json" /token
expect_status E_after 200
check "E: after the kill, the next process refreshed at once ($(($(now_ms) - t0)) ms)" \
	test $(($(now_ms) - t0)) -lt 3000
expect_hits "$SRV_URL" keys.json $((before + 1)) "E: the refresh"

# ================================================================ F: server down
CACHE_DIR=$T/cache-down
write_config "$T/down.json" "" \
	"$(signer_ep /token sim2 "\"jwk_url\":\"$K\",\"jwk_local_ca\":\"$CA\"" \
		',"cache_duration":2,"max_stale":3')"
cgi_post F0 "$T/down.json" /token
expect_status F0 200
t_f=$(date +%s)
echo 500 >"$T/jwks/status"
sleep 2.5
cgi_post F_stale "$T/down.json" /token
expect_status F_stale 200
expect_log F_stale "JWK Set refresh failed"
expect_log F_stale "still using the keys fetched"
sleep $((t_f + 6 - $(date +%s)))
cgi_post F_gone "$T/down.json" /token
expect_status F_gone 503
check "F: 503 with Retry-After" grep -qi '^retry-after: [0-9]' "$T/F_gone.headers"
check "F: {\"error\":\"keys_unavailable\"}" jwtcheck error "$T/F_gone.body" keys_unavailable
expect_log F_gone "too old"
rm -f "$T/jwks/status"
sleep 2.1 # back-off after two failures
cgi_post F_back "$T/down.json" /token
expect_status F_back 200

# ================================================================ G: refused directory
# A cache directory another user could write to (here: mode 0755) is
# refused; the keys are still served, downloaded by each process, and the
# health check says so: 200 {"status":"warn"} naming the endpoint, until
# the directory is sound again.
CACHE_DIR=$T/cache-open
mkdir -p "$CACHE_DIR"
chmod 0755 "$CACHE_DIR"
write_config "$T/open.json" ',"extra_config":{"jwtsign":{"health_endpoint":"/health"}}' \
	"$(signer_ep /token sim2 "\"jwk_url\":\"$K\",\"jwk_local_ca\":\"$CA\"")"
cgi_post G_token "$T/open.json" /token
expect_status G_token 200
expect_log G_token "refused: mode 0755, 0700 required; downloading JWK Sets directly"
health() {
	: >"$T/$1.in"
	CGI_TIMEOUT=30 CGI_CHECK=none cgi_run "$1" GET /health "$T/$1.in" -CONTENT_LENGTH \
		-CONTENT_TYPE REMOTE_ADDR=127.0.0.1 JWTSIGN_CONFIG="$T/open.json" \
		JWTSIGN_CACHE_DIR="$CACHE_DIR"
}
health G_health
expect_status G_health 200
check "G: health warns of /token's key cache ($(cat "$T/G_health.body"))" test \
	"$(cat "$T/G_health.body")" = '{"status":"warn","warnings":[{"endpoint":"/token","method":"POST","part":"key_cache"}]}'
chmod 0700 "$CACHE_DIR"
health G_sound
expect_status G_sound 200
check "G: sound again: {\"status\":\"ok\"} ($(cat "$T/G_sound.body"))" \
	test "$(cat "$T/G_sound.body")" = '{"status":"ok"}'

no_secret_in "$T"/*.err "$T"/*.out
finish
