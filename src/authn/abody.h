/* abody: the request bodies of the AuthN API (AIStore api/authn/entity.go), parsed, validated
 * and canonicalized before the manager sees them. Keys match case-insensitively (as AIStore's
 * json-iterator); unknown keys, wrong types, names that are not AIStore's "alpha-nice"
 * (letters, digits, '-', '_', at most 64, starting with a letter or digit) and access bits that
 * are not a decimal string ("perm", Go's `json:",string"`) are refused with AIS_EINVAL and a
 * message. Outputs are new JSON values the caller owns. Stateless, thread-safe; fuzzed
 * (tests/fuzz/fuzz_authn_body.c). */
#ifndef AIS_ABODY_H
#define AIS_ABODY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ABODY_MAX (1u << 20)

bool abody_name_ok(const char *s);
/* authn.User {"id", "pass", "roles": [Role...]} → {"id", "pass" (clear; absent: ""), "roles": [names]};
 * need_id: id required */
int abody_user(const char *b, size_t n, bool need_id, json_t **out, char *err, size_t cap);
/* authn.Role {"name", "desc", "clusters": [CluACL], "buckets": [BckACL], "admin"} → the same,
 * canonical: clusters [{"id", "perm"}], buckets [{"bck": {"name", "provider", "namespace":
 * {"uuid", "name"}}, "perm"}]; need_name: name required */
int abody_role(const char *b, size_t n, bool need_name, json_t **out, char *err, size_t cap);
/* the same from a parsed value (borrowed) */
int abody_role_json(json_t *j, bool need_name, json_t **out, char *err, size_t cap);
/* authn.CluACL {"id", "alias", "urls", "perm"} → {"id", "alias", "urls": [...]} */
int abody_cluster(const char *b, size_t n, json_t **out, char *err, size_t cap);
/* authn.LoginMsg {"password", "expires_in": ns|null}: 0 with pass copied; *has_exp when expires_in
 * is a number (then *exp_ns) */
int abody_login(const char *b, size_t n, char *pass, size_t pcap, bool *has_exp, int64_t *exp_ns, char *err,
		size_t cap);
/* authn.TokenMsg {"token"}: 0 with the token copied (non-empty) */
int abody_token(const char *b, size_t n, char *tok, size_t tcap, char *err, size_t cap);
/* a decimal access-bits string → *perm; false when malformed */
bool abody_perm(const char *s, uint64_t *perm);

#endif
