#!/bin/bash
# profile.sh - callgrind profiles behind `make bench-profile` (see
# bench/README.md): instruction counts, which are repeatable on a noisy
# machine where times are not.
#
#  token-ALG      one token of the reference claims through jwtsign's
#                 per-token path (bench_sign profile, collected inside
#                 bench_op_* only: key loading is left out)
#  raw-RS256 ...  the primitive alone, libjwt-ALG the peer
#  rsa-raw        GnuTLS RSA-2048 over a SHA-256 digest (where GnuTLS
#                 spends its time)
#  verify-ALG     one jwt_verify of bench_verify's token (raw-verify-ALG
#                 the primitive, libjwt-verify-HS256 libjwt's jwt_decode)
#  fcgi-ALG       one FastCGI request in a jwtsign worker under lighttpd
#                 (counters zeroed after a warm-up, dumped after N requests)
#  fcgi-HS256-rl  the same as fcgi-HS256 with the rate limits that allow
#                 (/jwt/hs256-rl: qos/ratelimit/router; -rlt: and the
#                 failed-login throttle; bench/lib.sh): the limiter's cost
#  cgi-HS256      one whole CGI process, start to exit
#
# For each: Ir per operation, then the functions by inclusive and by self
# cost.  The callgrind files stay in $BENCH_PROFILE_DIR (default
# bench/profile/ of the build tree) for callgrind_annotate / kcachegrind.
# Environment: see bench/lib.sh; BENCH_PROFILE_OUT (default
# bench-profile.txt) receives the report; BENCH_LIBJWT=yes (set by `make
# bench-profile` when configure found libjwt) adds the libjwt profiles;
# BENCH_PROFILES (default "tokens verify fcgi cgi") picks the parts.

OUT=${BENCH_PROFILE_OUT:-bench-profile.txt}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PDIR=${BENCH_PROFILE_DIR:-$TOP_BUILDDIR/bench/profile}
FCGI_REQUESTS=${BENCH_PROFILE_REQUESTS:-1000}
PROFILES=${BENCH_PROFILES:-tokens verify fcgi cgi}
want() { case " $PROFILES " in *" $1 "*) return 0 ;; esac; return 1; }

: >"$OUT"
mkdir -p "$PDIR"
if ! have valgrind || ! have callgrind_annotate; then
	note "valgrind (callgrind) not found"
	exit 1
fi
note "jwtsign callgrind profiles, $(date -u '+%Y-%m-%d %H:%M UTC'), $(valgrind --version)"
note "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"

# shorten: callgrind_annotate lines without source paths and with library
# base names.
shorten() {
	sed -e 's|\[/[^]]*/\([^]/]*\)\]|[\1]|' -e 's|  /[^ ]*/\([^/: ]*\.[ch]\):|  \1:|' \
		-e 's|  \./[^ ]*/\([^/: ]*\.[chS]\):|  \1:|' -e 's|???:||'
}

# summarize NAME FILE COUNT [TOP [noself]]: Ir per operation and the top
# functions.  (A profile dumped by callgrind_control has its self costs
# attributed to the bottom of the stack: only its inclusive view is shown.)
summarize() {
	local name=$1 f=$2 count=$3 top=${4:-25} self=${5:-self} total
	total=$(callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }')
	if [ -z "$total" ]; then
		note "$name: no profile ($f)"
		return
	fi
	{
		echo
		echo "== $name: $total Ir for $count operation(s): $((total / count)) Ir per operation"
		echo "-- inclusive (function and its callees), top $top"
		callgrind_annotate --inclusive=yes "$f" 2>/dev/null |
			awk '/^-+$/ { n++; next } n == 6 && NF { print } n >= 7 { exit }' |
			head -"$top" | shorten
		[ "$self" = self ] || exit 0
		echo "-- self, top 15"
		callgrind_annotate "$f" 2>/dev/null |
			awk '/^-+$/ { n++; next } n == 6 && NF { print } n >= 7 { exit }' |
			head -15 | shorten
	} | tee -a "$OUT"
}

# token NAME WHAT ALG COUNT: one bench_sign profile run.
token() {
	local f=$PDIR/$1.out
	valgrind --tool=callgrind --callgrind-out-file="$f" --toggle-collect='bench_op_*' \
		"$BENCH_BIN/bench_sign" profile --jwks "$KEYS" --what "$2" --alg "$3" --count "$4" \
		>/dev/null 2>"$PDIR/$1.log" || { note "$1: failed, see $PDIR/$1.log"; return; }
	summarize "$1" "$f" "$4"
}

token_profiles() {
	token token-HS256 jwtsign HS256 2000
	token token-ES256 jwtsign ES256 200
	token token-EdDSA jwtsign EdDSA 200
	token token-RS256 jwtsign RS256 20
	token raw-HS256 raw HS256 2000
	token raw-ES256 raw ES256 200
	token raw-EdDSA raw EdDSA 200
	token rsa-raw rsa-raw RS256 20
	if [ "${BENCH_LIBJWT:-no}" = yes ]; then
		token libjwt-HS256 libjwt HS256 2000
		token libjwt-ES256 libjwt ES256 50
		token libjwt-RS256 libjwt RS256 20
	fi
}
want tokens && token_profiles

# vtoken NAME WHAT ALG COUNT: one bench_verify profile run (the token,
# keyring and policy of `bench_verify tokens`; collected inside
# bench_op_* only).
vtoken() {
	local f=$PDIR/$1.out
	valgrind --tool=callgrind --callgrind-out-file="$f" --toggle-collect='bench_op_*' \
		"$BENCH_BIN/bench_verify" profile --jwks "$KEYS" --what "$2" --alg "$3" --count "$4" \
		>/dev/null 2>"$PDIR/$1.log" || { note "$1: failed, see $PDIR/$1.log"; return; }
	summarize "$1" "$f" "$4"
}

verify_profiles() {
	vtoken verify-HS256 jwtsign HS256 2000
	vtoken verify-RS256 jwtsign RS256 200
	vtoken verify-ES256 jwtsign ES256 100
	vtoken verify-EdDSA jwtsign EdDSA 200
	vtoken raw-verify-HS256 raw HS256 2000
	vtoken raw-verify-RS256 raw RS256 200
	vtoken raw-verify-ES256 raw ES256 100
	vtoken raw-verify-EdDSA raw EdDSA 200
	if [ "${BENCH_LIBJWT:-no}" = yes ]; then
		vtoken libjwt-verify-HS256 libjwt HS256 2000
	fi
}
want verify && verify_profiles

# ---------------------------------------------------------------- FastCGI

fcgi_profiles() {
	local pid code n i alg path name
	local -A ir
	if ! have ab || ! have callgrind_control; then
		note "fcgi profiles skipped: ab or callgrind_control not found"
		return
	fi
	cat >"$T/jwtsign-callgrind" <<EOF
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$PDIR/fcgi.out "$JWTSIGN" "\$@" 2>>$T/fcgi-valgrind.log
EOF
	chmod +x "$T/jwtsign-callgrind"
	JWT_BIN=$T/jwtsign-callgrind JWT_PROCS=1
	rm -f "$PDIR"/fcgi.out*
	servers_up || { note "fcgi profiles skipped"; return; }
	for ((i = 0; i < 100; i++)); do
		pid=$(worker_pid e2e) && break
		sleep 0.1
	done
	[ -n "${pid:-}" ] || { note "fcgi profiles skipped: no worker"; return; }
	n=1
	for alg in HS256 ES256 HS256-rl HS256-rlt; do
		path=/jwt/${alg,,}
		name=fcgi-$alg
		code=$(post "$LT_URL$path" "$T/fcgi.body")
		[ "$code" = 200 ] || { note "$name: answered $code"; continue; }
		ab_run "$name-warm" 50 "$LT_URL$path"
		callgrind_control -z "$pid" >/dev/null
		ab_run "$name" "$FCGI_REQUESTS" "$LT_URL$path"
		callgrind_control -d "$pid" >/dev/null
		for ((i = 0; i < 100; i++)); do
			[ -s "$PDIR/fcgi.out.$n" ] && break
			sleep 0.1
		done
		mv "$PDIR/fcgi.out.$n" "$PDIR/$name.out" 2>/dev/null
		summarize "$name (worker process, ab -c 16)" "$PDIR/$name.out" "$FCGI_REQUESTS" 50 noself
		ir[$alg]=$(callgrind_annotate "$PDIR/$name.out" 2>/dev/null |
			awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }')
		n=$((n + 1))
	done
	# The limiter's share of one allowed request, in instructions.
	for alg in HS256-rl HS256-rlt; do
		if [ -z "${ir[HS256]:-}" ] || [ -z "${ir[$alg]:-}" ]; then
			continue
		fi
		{
			echo
			awk -v a="${ir[$alg]}" -v b="${ir[HS256]}" -v n="$FCGI_REQUESTS" -v w="$alg" 'BEGIN {
				printf "== limiter: fcgi-%s %d Ir per request, fcgi-HS256 %d: +%d Ir (%+.2f %%)\n",
					w, a / n, b / n, (a - b) / n, (a - b) * 100 / b }'
		} | tee -a "$OUT"
	done
}
want fcgi && fcgi_profiles

# ---------------------------------------------------------------- CGI

cgi_profile() {
	servers_up || { note "cgi profile skipped"; return; }
	(
		export GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 REQUEST_METHOD=POST \
			REQUEST_URI=/jwt/hs256 SCRIPT_NAME=/jwt/hs256 CONTENT_TYPE=application/json \
			CONTENT_LENGTH=${#LOGIN_BODY} REMOTE_ADDR=127.0.0.1 SERVER_NAME=127.0.0.1 \
			SERVER_PORT=80 JWTSIGN_CONFIG=$T/jwtsign.json JWTSIGN_CACHE_DIR=$T/cache
		"$JWTSIGN" <"$T/login.json" >/dev/null 2>&1 # warm the cache
		valgrind --tool=callgrind --callgrind-out-file="$PDIR/cgi-HS256.out" "$JWTSIGN" \
			<"$T/login.json" >"$T/cgi.out" 2>"$PDIR/cgi-HS256.log"
	)
	head -1 "$T/cgi.out" | grep -q '^Status: 200' || note "cgi: answered $(head -1 "$T/cgi.out")"
	summarize "cgi-HS256 (whole process)" "$PDIR/cgi-HS256.out" 1 40
}
want cgi && cgi_profile
note "done in ${SECONDS} s; report in $OUT, callgrind files in $PDIR"
