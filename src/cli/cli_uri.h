/* cli_uri: AIStore CLI bucket/object names: "ais://bucket/obj/name", "s3://b", "gs:",
 * "ais://#ns/bucket", "ais://@uuid#ns/bucket", bare "bucket/obj" (default provider ais).
 * Provider aliases as AIStore: s3→aws, gs→gcp, az→azure, oc→oci. Pure; no allocation
 * beyond the caller's struct. */
#ifndef AIS_CLI_URI_H
#define AIS_CLI_URI_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cli_bck {
	char provider[16]; /* canonical: ais, aws, gcp, azure, oci, ht ("" = any) */
	char ns_uuid[64];
	char ns_name[64];
	char name[128];
} cli_bck_t;

/* parse uri into bucket and object name (obj may be NULL when not wanted: then any object part
 * is an error). Returns 0, or -1 with err filled ("invalid backend provider \"cloud\"").
 * A provider-only uri ("ais://", "s3:", "gs") yields an empty bucket name. */
int cli_uri_parse(const char *uri, cli_bck_t *b, char *obj, size_t objcap, char *err, size_t errcap);
/* canonical provider for a scheme or provider name; NULL if unknown */
const char *cli_uri_provider(const char *scheme);
/* "ais://b", "ais://#ns/b", "ais://@uuid#ns/b"; with obj: "ais://b/obj" */
const char *cli_uri_cname(const cli_bck_t *b, const char *obj, char *out, size_t cap);
/* the namespace query value ("@uuid#name" or "#name"), "" for the global namespace */
const char *cli_uri_ns(const cli_bck_t *b, char *out, size_t cap);

#endif
