/* testutil.h - helpers shared by the unit tests: fixture files under
 * TEST_DATA_DIR (tests/data), JSON test vectors, keys selected from a JWK
 * Set.  Each helper fails the calling Criterion test (cr_assert) instead
 * of returning an error, so a test reads as a list of steps.
 */
#ifndef JWTSIGN_TESTUTIL_H
#define JWTSIGN_TESTUTIL_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "alg.h"
#include "jwk.h"
#include "jwk_set.h"

/* tu_read_file - the whole file TEST_DATA_DIR/name, NUL-terminated
 * (malloc'd: the caller frees it).  *len (when len is not NULL) gets its
 * size in bytes, the NUL not counted. */
char *tu_read_file(const char *name, size_t *len);

/* tu_vector - the JSON file TEST_DATA_DIR/name, parsed (the caller puts
 * it with json_object_put). */
struct json_object *tu_vector(const char *name);

/* tu_vobj - member of obj (borrowed from obj); the test fails when it is
 * missing. */
struct json_object *tu_vobj(struct json_object *obj, const char *member);

/* tu_vstr - the string value of member of obj (borrowed from obj). */
const char *tu_vstr(struct json_object *obj, const char *member);

/* tu_vector_jwk - a private copy of the "jwk" member of the vector file
 * TEST_DATA_DIR/file, to edit (the caller puts it). */
struct json_object *tu_vector_jwk(const char *file);

/* tu_b64d - the base64url (RFC 7515 section 2) string s decoded, *n bytes
 * (malloc'd: the caller frees it). */
uint8_t *tu_b64d(const char *s, size_t *n);

/* tu_select_key - the key kid of the JWK Set document doc (len bytes),
 * selected for alg with jwk_set_select under lim (may be NULL); the test
 * fails unless that succeeds.  The caller frees the key with jwk_free. */
struct jwk *tu_select_key(const char *doc, size_t len, const char *kid, enum jws_alg alg,
			  const struct jwk_limits *lim);

/* tu_read_stderr - the whole of what was written to the stderr that
 * cr_redirect_stderr redirected (the test's .init), NUL-terminated in buf
 * (size bytes; cut to fit). */
void tu_read_stderr(char *buf, size_t size);

#endif
