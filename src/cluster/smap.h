/* smap: the cluster map (AIStore's meta.Smap): versioned, immutable once published,
 * refcounted. The module owns the node's current Smap; readers take a reference with
 * smap_get() and drop it with smap_put(); smap_install() swaps in a newer version atomically.
 * JSON codec matches AIStore's shape: {"pmap":{id:Snode},"proxy_si":Snode,"tmap":{...},
 * "uuid","creation_time","version":"N"} with Snode {"public_net","intra_control_net",
 * "intra_data_net" ({"node_ip_addr","daemon_port","direct_url"}), "daemon_type","daemon_id",
 * "flags","id_digest"}. */
#ifndef AIS_SMAP_H
#define AIS_SMAP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define SNODE_ID_MAX 64

enum { SNODE_NONELECTABLE = 1, SNODE_IC = 2, SNODE_MAINT = 4, SNODE_DECOMM = 8, SNODE_MAINT_POSTREB = 16 };

typedef struct netinfo {
	char host[64];
	int port;
	char url[128]; /* "http://host:port" ("http://[v6]:port") */
} netinfo_t;

typedef struct snode {
	char id[SNODE_ID_MAX];
	char type; /* 'p' proxy, 't' target */
	netinfo_t pub, ctl, data;
	uint64_t flags;
	uint64_t id_digest; /* hrw_digest(id) */
} snode_t;

typedef struct smap {
	int refs;             /* atomic refcount; owned by the smap module */
	int64_t version;
	char uuid[40];
	char creation_time[64];
	char primary_id[SNODE_ID_MAX];
	snode_t *proxies; int nproxies; /* sorted by id */
	snode_t *targets; int ntargets; /* sorted by id */
} smap_t;

/* ---- the node's current Smap ---- */
smap_t *smap_get(void);          /* +1 ref; NULL before any Smap is known */
void smap_put(smap_t *m);        /* -1 ref; frees at zero; NULL ok */
/* install m if m->version > current (or force); takes ownership of m either way (frees it when
 * rejected). Returns 1 installed, 0 rejected as not newer. Persists to <confdir>/.ais.smap when
 * a path was set with smap_set_persist_path(). */
int smap_install(smap_t *m, bool force);
void smap_set_persist_path(const char *path);
/* load the persisted Smap (if any) and install it. 0 ok, AIS_ENOTFOUND if none. */
int smap_load_persisted(void);

/* ---- construction and queries (pure) ---- */
smap_t *smap_new(void);               /* empty, refs = 1 */
smap_t *smap_clone(const smap_t *m);  /* deep copy, refs = 1, same version */
void smap_free(smap_t *m);            /* for maps never installed */
/* add or replace a node (by id), keeping the arrays sorted. */
int smap_upsert(smap_t *m, const snode_t *n);
int smap_remove(smap_t *m, const char *id);  /* 0 or AIS_ENOTFOUND */
const snode_t *smap_find(const smap_t *m, const char *id);
const snode_t *smap_primary(const smap_t *m);
/* count of targets eligible for placement (not in maintenance/decommission). */
int smap_active_targets(const smap_t *m);
/* THE owner function (every "which target owns this object" goes through it): HRW over the
 * targets eligible for placement by the object's uname digest (core/hrw.h hrw_obj_digest);
 * NULL when there is none. */
const snode_t *smap_owner(const smap_t *m, uint64_t obj_digest);
/* the same from bucket (provider, ns as in the BMD, name) and object name; NULL also when m is */
const snode_t *smap_owner_of(const smap_t *m, const char *provider, const char *ns, const char *bucket,
			     const char *obj);

/* AIStore's Smap.HrwProxy: the electable proxy (not non-electable, not in maintenance or
 * decommissioned) with the highest ID digest, skipping `skip` (the current primary when choosing
 * its successor); NULL when there is none. */
const snode_t *smap_hrw_proxy(const smap_t *m, const char *skip);
/* the same order in full: up to cap electable proxies, highest digest first. Returns the count. */
int smap_hrw_proxies(const smap_t *m, const char *skip, const snode_t **out, int cap);
/* "Smap v12[uuid, p[primary], t=3, p=2]" for messages */
void smap_str(const smap_t *m, char *out, size_t cap);
/* "http://host:port", or "http://[v6]:port" when host is an IPv6 literal */
void snode_url(char *out, size_t cap, const char *host, int port);

void snode_init(snode_t *n, const char *id, char type, const char *host, int pub, int ctl, int data);

json_t *smap_to_json(const smap_t *m);          /* new reference */
smap_t *smap_from_json(json_t *j, char *err, size_t errcap); /* NULL + err on malformed */
json_t *snode_to_json(const snode_t *n);
int snode_from_json(json_t *j, snode_t *n);

#endif
