/* tlnames: the names a list-objects walk collects, in one arena: a growable array of small items
 * (offsets into one byte blob; no allocation per name, so a million names are two allocations
 * that go back to the OS when freed). Each item is an object name, or a virtual directory
 * ("dir/", flag dir), with the mountpath it was found on and, for long names stored under a
 * short one, the path relative to %ob. After tln_sort the items are in name order (byte order,
 * as strcmp), without duplicates, and the blob holds the names in that order (so dropping a
 * prefix of the items drops a prefix of the blob: tln_drop_front).
 * Ownership: a tln_t owns its memory (tln_fini). Not thread-safe (one owner at a time). */
#ifndef AIS_TLNAMES_H
#define AIS_TLNAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tln_item {
	uint32_t off, len;   /* name: blob[off, off + len) */
	uint32_t roff, rlen; /* path under %ob when it differs from the name (rlen 0: same) */
	uint16_t mpi;        /* mountpath index */
	uint8_t dir;         /* virtual directory entry ("name/") */
	uint8_t arch;        /* TLN_SHARD: an archive listed with its files; TLN_MEMBER: one of them
			      * ("<shard>/<path>"; rel holds its size, not a path) */
} tln_item_t;

enum { TLN_SHARD = 1, TLN_MEMBER = 2 };

typedef struct tln {
	tln_item_t *v;
	size_t n, cap;
	char *blob;
	size_t blen, bcap;
	size_t budget; /* bytes (items + blob) this arena may hold; 0 = no limit */
} tln_t;

void tln_init(tln_t *s, size_t budget);
void tln_fini(tln_t *s);
/* bytes held (items + blob capacity) */
size_t tln_bytes(const tln_t *s);
/* append one entry (rel NULL or equal to name: same path). 0, AIS_ETOOBIG (over budget or a
 * name/blob beyond 4 GiB), AIS_ENOMEM. */
int tln_add(tln_t *s, const char *name, size_t nlen, const char *rel, size_t rlen, int mpi, bool dir);
/* append an archived file "<shard>/<path>" of `size` bytes (LsArchDir); same errors */
int tln_add_member(tln_t *s, const char *name, size_t nlen, int64_t size, int mpi);
/* the size of member item i */
int64_t tln_member_size(const tln_t *s, size_t i);
/* sort by name, drop repeated names (the same directory seen on several mountpaths), rebuild the
 * blob in item order. 0 or AIS_ENOMEM (then unchanged). */
int tln_sort(tln_t *s);
/* keep the first k items (sorted arena: the blob is cut too) */
void tln_truncate(tln_t *s, size_t k);
/* drop the first k items (sorted arena), releasing memory when that halves it */
void tln_drop_front(tln_t *s, size_t k);
/* item i's name (not NUL-terminated: tln_len) and path under %ob (NUL-terminated copy into out,
 * cap bytes; false if it does not fit) */
static inline const char *tln_name(const tln_t *s, size_t i) { return s->blob + s->v[i].off; }
static inline size_t tln_len(const tln_t *s, size_t i) { return s->v[i].len; }
bool tln_rel(const tln_t *s, size_t i, char *out, size_t cap);
/* compare item i's name with the C string key (strcmp order) */
int tln_cmp(const tln_t *s, size_t i, const char *key, size_t klen);
/* index of the first item whose name is > key (sorted arena); key "" → 0 */
size_t tln_upper(const tln_t *s, const char *key);

#endif
