/* rundir.h - the per-user private directory that the processes of one
 * user share files in: the JWK Set cache (jwk_cache.h) and the rate
 * limit table (ratelimit.h).  Finding it, creating it with mode 0700 and
 * refusing one that another user could read or replace live here, once.
 *
 * The directory is, in order: $JWTSIGN_CACHE_DIR when set and not empty;
 * systemd's $RUNTIME_DIRECTORY (its first entry) when it is a directory
 * owned by the effective user; RUNDIR_RUN_DIR/cache-EUID when it is one
 * (made by the package, so no other user can squat its name); else
 * /dev/shm/jwtsign-EUID (tmpfs).  It is used only when it is a real
 * directory (not a symbolic link: opened with O_NOFOLLOW, checked with
 * fstat on that descriptor) owned by the effective user with mode
 * exactly 0700.
 */
#ifndef JWTSIGN_RUNDIR_H
#define JWTSIGN_RUNDIR_H

#include <stddef.h>

#include "err.h"

/* The root-owned directory under which the package makes one directory
 * per web server user (debian/jwtsign.tmpfiles). */
#define RUNDIR_RUN_DIR "/run/jwtsign"

/* rundir_default - the directory's path (see above), written to out
 * (size bytes).  Returns 0, ERR_INVALID (JWTSIGN_CACHE_DIR not an
 * absolute path) or ERR_LIMIT (too long). */
int rundir_default(char *out, size_t size, struct err *err);

/* rundir_open - open dir (creating it with mode 0700 when missing; its
 * parent must exist) and check it.  Returns a descriptor (O_RDONLY |
 * O_DIRECTORY, close-on-exec; the caller closes it), or ERR_INVALID
 * (refused: a symbolic link, not a directory, another owner, a mode
 * other than 0700; the message says which) or ERR_IO (cannot create or
 * open; strerror). */
int rundir_open(const char *dir, struct err *err);

#endif
