/* ecmeta: EC slice metadata codec, paths and xattr I/O (see ecmeta.h). Must not: know where
 * slices are sent or how they are coded. */
#include "obj/ecmeta.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "core/err.h"
#include "fs/fs.h"

static bool ecm_valid(const ecmeta_t *m)
{
	if (m->size < 0 || m->gen < 0 || m->d < 1 || m->d > 32 || m->p < 1 || m->p > 32 || m->idx < 0 ||
	    m->idx > m->d + m->p || (int)m->cktype < 0 || m->cktype >= CKSUM_NTYPES)
		return false;
	if (strlen(m->sck) != 16 || strspn(m->sck, "0123456789abcdef") != 16)
		return false;
	size_t ckl = strnlen(m->ck, sizeof(m->ck));
	return ckl < sizeof(m->ck) && strspn(m->ck, "0123456789abcdef") == ckl &&
	       strnlen(m->version, sizeof(m->version)) < sizeof(m->version);
}

int ecmeta_encode(const ecmeta_t *m, char *out, size_t cap)
{
	if (!ecm_valid(m))
		return AIS_EINVAL;
	json_t *j = json_pack("{s:i, s:s, s:I, s:I, s:i, s:i, s:i, s:s, s:s, s:s, s:s}", "v", 1, "bid", "",
			      "size", (json_int_t)m->size, "gen", (json_int_t)m->gen, "d", m->d, "p", m->p, "idx",
			      m->idx, "ck_type", cksum_type_str(m->cktype), "ck", m->ck, "sck", m->sck, "ver", m->version);
	if (!j)
		return AIS_ENOMEM;
	char bid[24];
	snprintf(bid, sizeof(bid), "%llu", (unsigned long long)m->bid); /* u64: as a string */
	json_object_set_new(j, "bid", json_string(bid));
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (!s)
		return AIS_ENOMEM;
	size_t n = strlen(s);
	int rc = n < cap && n <= ECMETA_MAX ? (int)n : AIS_EINVAL;
	if (rc > 0)
		memcpy(out, s, n + 1);
	free(s);
	return rc;
}

static int ecm_int(json_t *j, const char *k, int64_t lo, int64_t hi, int64_t *v)
{
	json_t *x = json_object_get(j, k);
	if (!json_is_integer(x) || json_integer_value(x) < lo || json_integer_value(x) > hi)
		return AIS_EINVAL;
	*v = json_integer_value(x);
	return 0;
}

static int ecm_str(json_t *j, const char *k, char *out, size_t cap)
{
	json_t *x = json_object_get(j, k);
	if (!json_is_string(x) || json_string_length(x) >= cap || strlen(json_string_value(x)) != json_string_length(x))
		return AIS_EINVAL;
	memcpy(out, json_string_value(x), json_string_length(x) + 1);
	return 0;
}

int ecmeta_decode(const char *buf, size_t len, ecmeta_t *m)
{
	memset(m, 0, sizeof(*m));
	if (!buf || len > ECMETA_MAX)
		return AIS_EINVAL;
	json_error_t je;
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	int64_t v, size, gen, d, p, idx;
	char bid[24], ckt[16];
	int rc = json_is_object(j) ? 0 : AIS_EINVAL;
	if (!rc && (ecm_int(j, "v", 1, 1, &v) || ecm_int(j, "size", 0, INT64_MAX, &size) ||
		    ecm_int(j, "gen", 0, INT64_MAX, &gen) || ecm_int(j, "d", 1, 32, &d) || ecm_int(j, "p", 1, 32, &p) ||
		    ecm_int(j, "idx", 0, 64, &idx) || ecm_str(j, "bid", bid, sizeof(bid)) ||
		    ecm_str(j, "ck_type", ckt, sizeof(ckt)) || ecm_str(j, "ck", m->ck, sizeof(m->ck)) ||
		    ecm_str(j, "sck", m->sck, sizeof(m->sck)) || ecm_str(j, "ver", m->version, sizeof(m->version))))
		rc = AIS_EINVAL;
	json_decref(j);
	if (rc)
		return rc;
	char *end = NULL;
	errno = 0;
	unsigned long long b = strtoull(bid, &end, 10);
	int t = cksum_type_from_str(ckt);
	if (!bid[0] || *end || errno || bid[0] == '-' || t < 0)
		return AIS_EINVAL;
	m->bid = b;
	m->size = size;
	m->gen = gen;
	m->d = (int)d;
	m->p = (int)p;
	m->idx = (int)idx;
	m->cktype = (cksum_type_t)t;
	return ecm_valid(m) ? 0 : AIS_EINVAL;
}

int64_t ecmeta_slice_len(const ecmeta_t *m)
{
	if (m->idx == 0)
		return m->size;
	return m->size <= 0 ? 1 : (m->size + m->d - 1) / m->d;
}

int ecmeta_path(const obj_t *o, char *out, size_t cap)
{
	return obj_ct_path(o, o->mpi, ECMETA_CT, out, cap, NULL);
}

int ecmeta_load(int fd, const char *path, ecmeta_t *m)
{
	char buf[ECMETA_MAX + 1];
	ssize_t n = fd >= 0 ? fgetxattr(fd, ECMETA_XATTR, buf, sizeof(buf)) : getxattr(path, ECMETA_XATTR, buf, sizeof(buf));
	if (n < 0)
		return errno == ENOENT || errno == ENODATA || errno == ENOTDIR ? AIS_ENOTFOUND : AIS_EINVAL;
	return ecmeta_decode(buf, (size_t)n, m);
}

int ecmeta_store(int fd, const char *path, const ecmeta_t *m)
{
	char buf[ECMETA_MAX + 1];
	int n = ecmeta_encode(m, buf, sizeof(buf));
	if (n < 0)
		return n;
	int rc = fd >= 0 ? fsetxattr(fd, ECMETA_XATTR, buf, (size_t)n, 0) : setxattr(path, ECMETA_XATTR, buf, (size_t)n, 0);
	return rc ? err_from_errno(errno) : 0;
}

void ecmeta_sck(const void *buf, size_t len, char out[17])
{
	snprintf(out, 17, "%016llx", (unsigned long long)cksum_xxh64(buf, len, 0));
}
