/* cli.h - the operator subcommands: sign, check-config, genkey, pubkeys.
 * They use the same config, jwk and jws code as the server.
 * Each takes the subcommand's own argv (argv[0] is the subcommand name)
 * and returns the process exit status: 0 success, 1 failure (message on
 * stderr), 64 usage error.
 */
#ifndef JWTSIGN_CLI_H
#define JWTSIGN_CLI_H

/* Largest JWK Set or claims line the CLI reads, in bytes. */
#define CLI_MAX_INPUT (16u * 1024 * 1024)

/* Exit status for a command-line usage error (sysexits EX_USAGE). */
#define CLI_EXIT_USAGE 64

/* check-config's exit status when every endpoint is usable but some
 * setting of the file is ignored or unknown (so that CI can fail on it). */
#define CLI_EXIT_IGNORED 2

/* cli_sign - `sign --jwks FILE --kid KID --alg ALG [--full] [--typ T]`
 * (src/cli_sign.c), or with `--key-uri URI [--pin-file FILE]` instead of
 * --jwks a key on a PKCS#11 token (jwk_pkcs11_open: one test signature
 * first):
 * read JSON claims objects from stdin, one per line (JSON Lines; blank
 * lines skipped), write one JWS per line to stdout (compact, or with
 * --full the flattened JSON serialization).  Stops at the first bad line
 * with "line N: reason" on stderr and exit status 1. */
int cli_sign(int argc, char **argv);

/* cli_check_config - `check-config [-c FILE] [-q] [--user NAME]`: load the
 * configuration and every endpoint's key; one "ok" line per usable
 * endpoint and a summary on stdout (with -q, only the summary and only
 * when something is wrong), each problem on stderr (an unusable endpoint,
 * every ignored or unknown setting, with --user a file the configuration
 * names that NAME cannot read).  Failures recorded in the shared cache are
 * retried (keysource_retry_now); as root without JWTSIGN_CACHE_DIR a
 * private cache is used and removed.  Exit 0 when all is usable and
 * nothing ignored, CLI_EXIT_IGNORED (2) when something is ignored, 1 when
 * the file or an endpoint is unusable, 64 on a usage error. */
int cli_check_config(int argc, char **argv, const char *default_config);

/* cli_genkey - `genkey --kty oct|RSA|EC|OKP [--size BITS] [--crv CURVE]
 * --kid KID [--alg ALG] [-o FILE]`: write a new private JWK Set to stdout,
 * or to FILE created with mode 0600. */
int cli_genkey(int argc, char **argv);

/* cli_pubkeys - `pubkeys`: read a private JWK Set on stdin, write its
 * public JWK Set (RSA, EC, OKP only) to stdout. */
int cli_pubkeys(int argc, char **argv);

/* cli_verify - `verify --jwks FILE --alg ALG [--alg ALG]... [--kid KID]
 * [--iss ISS] [--aud AUD]... [--leeway DUR] [--now UNIX_SECONDS]
 * [--require-exp|--no-require-exp]` (src/cli_verify.c): read compact JWTs
 * from stdin, one per line (blank lines skipped, a trailing CR dropped),
 * validate each with jwt_verify against every usable key of FILE (a JWK
 * Set: jwk_keyring_parse), write one line per token: "ok " and the
 * decoded payload bytes exactly as signed, or "invalid " and the reason
 * word (jwt_reason_word).  --kid: a valid token must also carry that
 * kid.  --leeway: seconds, or a Go duration (rounded up to seconds).
 * --now: the time to validate at (default the clock).  Exit 0 when every
 * token is valid, 1 when any is not (or FILE is unusable), 64 on a usage
 * error.  `-c FILE --endpoint PATH` (the endpoint's auth/validator) is
 * still a usage error: see the TODO in cli_verify. */
int cli_verify(int argc, char **argv);

/* cli_metrics - `metrics [-c FILE]` (src/cli_metrics.c): print the
 * Prometheus text of the shared counters of FILE's layout (metrics.h),
 * as its metrics_endpoint would, read from the file of the effective
 * user's directory (rundir.h): run it as the workers' user.  Reads only
 * the file, so it answers while every worker is busy.  Returns 0, 1 (the
 * configuration, or no usable counters: message on stderr), 2 (usage). */
int cli_metrics(int argc, char **argv, const char *default_config);

#endif
