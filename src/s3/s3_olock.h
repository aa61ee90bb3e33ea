/* s3_olock: S3 object lock as data - an object version's retention (mode GOVERNANCE or
 * COMPLIANCE until a date) and legal hold, as kept in its LOM custom metadata (the keys are the
 * header names HEAD answers with), parsed from requests (x-amz-object-lock-* headers of a write,
 * Retention / LegalHold bodies) or from the bucket's default retention, written as XML, and the
 * rules: what a DELETE or overwrite may do, which retention changes are allowed. Also the stripe
 * lock that serializes the S3 operations that check a lock with those that change or replace
 * the object (check and act must not be split by another S3 request of the same object).
 * No storage and no responses here. Rules (AWS):
 *   - an object is protected while its legal hold is ON, or while a retention date is in the
 *     future: COMPLIANCE against everybody, GOVERNANCE unless the request carries
 *     x-amz-bypass-governance-retention: true;
 *   - a retention may always be extended (same mode); shortening it, changing its mode or
 *     removing it needs the bypass under GOVERNANCE and is refused under COMPLIANCE (403);
 *   - the date of a new retention must be in the future (400 InvalidArgument). */
#ifndef AIS_S3_OLOCK_H
#define AIS_S3_OLOCK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "net/http.h"
#include "obj/lom.h"
#include "s3/s3_bmeta.h"

#define S3MD_LOCK_MODE "x-amz-object-lock-mode"
#define S3MD_LOCK_UNTIL "x-amz-object-lock-retain-until-date"
#define S3MD_LEGAL_HOLD "x-amz-object-lock-legal-hold"
#define S3MD_LOCK_PREFIX "x-amz-object-lock-"

typedef struct s3_lock {
	char mode[16];   /* "GOVERNANCE", "COMPLIANCE" or "" (no retention) */
	int64_t until;   /* unix ns; 0 without retention */
	char hold[4];    /* "ON", "OFF" or "" (never set) */
} s3_lock_t;

/* ISO 8601 date-time ("2030-01-01T00:00:00Z", fractions, "+hh:mm" offsets) → unix ns; 0 or
 * AIS_EINVAL */
int s3_iso_parse(const char *s, int64_t *ns);

/* the lock of an object from its metadata; store one (absent members are removed) */
void s3_lock_load(const lom_md_t *md, s3_lock_t *l);
int s3_lock_store(lom_md_t *md, const s3_lock_t *l);

/* the x-amz-object-lock-mode / -retain-until-date / -legal-hold headers of a write: 0 (l set
 * from them, *given: any was present) or < 0 with f set (400 InvalidArgument: one of mode/date
 * without the other, an unknown mode or status, a bad or past date) */
int s3_lock_from_hdrs(const http_req_t *r, int64_t now, s3_lock_t *l, bool *given, s3_fail_t *f);
/* the bucket's default retention (ext.s3 "lock": {"mode", "days"|"years"}) for an object
 * written at now; l unchanged when the bucket has none */
void s3_lock_default(const json_t *bucket_s3, int64_t now, s3_lock_t *l);
/* the bucket has object lock enabled */
bool s3_lock_enabled(const json_t *bucket_s3);
/* x-amz-bypass-governance-retention: true */
bool s3_lock_bypass(const http_req_t *r);

/* may the object (lock l) be deleted or replaced now? NULL: yes; else why not */
const char *s3_lock_denies(const s3_lock_t *l, int64_t now, bool bypass);

/* a Retention body: 0 with want's mode/until set ("" / 0 for an empty <Retention/>), or < 0
 * with f set (400 MalformedXML, 400 InvalidArgument for a past date) */
int s3_lock_retention_xml_parse(const char *xml, size_t len, int64_t now, s3_lock_t *want, s3_fail_t *f);
/* may cur's retention become want's? 0, or < 0 with f set (403 AccessDenied) */
int s3_lock_retention_change(const s3_lock_t *cur, const s3_lock_t *want, int64_t now, bool bypass, s3_fail_t *f);
/* a LegalHold body: 0 with *on, or < 0 with f set (400 MalformedXML) */
int s3_lock_hold_xml_parse(const char *xml, size_t len, bool *on, s3_fail_t *f);
/* GetObjectRetention / GetObjectLegalHold documents */
void s3_lock_retention_xml(sbuf_t *b, const s3_lock_t *l);
void s3_lock_hold_xml(sbuf_t *b, const s3_lock_t *l);
/* the retain-until date as S3 writes it ("2030-01-01T00:00:00.000Z") */
void s3_lock_fmt_until(int64_t ns, char *out, size_t cap);

/* the stripe lock of one object (by its uname digest): held around check-then-act sequences of
 * S3 requests (a DELETE of a locked bucket's object, a commit that must not replace a protected
 * or a mismatching version, a retention or legal-hold change). Taken before the object core's
 * own lock, never while holding it. */
void s3_olock(uint64_t digest);
void s3_ounlock(uint64_t digest);

#endif
