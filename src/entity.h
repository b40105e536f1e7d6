/* entity.h - KrakenD's manipulation of a backend's JSON answer, as lura
 * applies it (proxy/formatter.go, encoding/encoding.go): the collection
 * decoders (is_collection, encoding "safejson"), then target, then allow
 * or deny, then mapping, then group.  A signer endpoint applies it to the
 * answer before signing, so that the JSON a signer sees, and the tokens
 * it makes, are KrakenD's.  The rules are read from a backend block by
 * config_backend.c. */
#ifndef JWTSIGN_ENTITY_H
#define JWTSIGN_ENTITY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* How the answer is decoded (backend "encoding", "is_collection"). */
enum entity_decoding {
	ENTITY_OBJECT = 0, /* "json" (the default): a JSON object */
	ENTITY_COLLECTION, /* is_collection: a JSON array, kept as
			    * {"collection": [...]} */
	ENTITY_SAFE,	   /* "safejson": an object, an array kept as
			    * {"collection": [...]}, anything else as
			    * {"content": value} */
};

/* One "mapping" entry: the top-level member from is renamed to. */
struct entity_rename {
	char *from, *to;
};

struct entity_rules {
	enum entity_decoding decoding;
	char *target;		   /* "target": dot path of the object kept, or NULL */
	char **allow;		   /* "allow": dot paths kept (all others removed) */
	size_t nallow;		   /* > 0: allow applies and deny is ignored, as in lura */
	char **deny;		   /* "deny": dot paths removed */
	size_t ndeny;		   /* */
	struct entity_rename *map; /* "mapping", in file order */
	size_t nmap;		   /* */
	char *group;		   /* "group": the answer is wrapped in {group: ...}, or NULL */
};

/* entity_rules_active - whether any rule would change an answer. */
bool entity_rules_active(const struct entity_rules *r);

/* entity_apply - turn the parsed backend answer *root (owned; replaced,
 * the old tree put when a rule builds a new one) into the entity lura
 * would return, following r (borrowed; NULL: no rules, *root must be an
 * object).  Semantics, from lura:
 *  - decoding: ENTITY_OBJECT needs an object; ENTITY_COLLECTION an array;
 *    ENTITY_SAFE takes any value; an array becomes {"collection": array},
 *    another non-object {"content": value};
 *  - target: for each dot-separated part, the member of that name, which
 *    must be an object; a missing part or a non-object gives {};
 *  - allow (when nallow > 0): only the listed dot paths are kept; a path
 *    goes down through objects only (arrays are never entered); an object
 *    left empty by the pruning is removed; a later path through a leaf
 *    replaces it (["a", "a.b"] keeps only a.b), as lura's tree does;
 *  - else deny: each listed dot path is removed (a path through a
 *    non-object or a missing member removes nothing);
 *  - mapping: each top-level member from, when present, is set as to and
 *    then from is deleted (so {"a": "a"} removes a, as lura does; only the
 *    part of to before its first '.' counts);
 *  - group: {group: entity}.
 * Returns 0, ERR_INVALID (the answer's type does not fit the decoding) or
 * ERR_NOMEM; err names the cause. */
int entity_apply(const struct entity_rules *r, struct json_object **root, struct err *err);

/* entity_rules_free - release what r owns (strings and arrays) and zero
 * it.  NULL-safe. */
void entity_rules_free(struct entity_rules *r);

#endif
