/* fqn: object names <-> paths under a mountpath; name validation; long-name shortening; the
 * reserved leaf names (FQN_LEAF, FQN_DIRM) that let a name be a file and a directory at once.
 * Invariant: a valid name maps to exactly one path (or, for a name whose path is a directory,
 * that path + "/" FQN_LEAF), no two valid names share one, and no valid name can escape %ob
 * (no "..", no empty or "." segments, no leading '/', no reserved segment). Pure: no I/O. */
#include "fs/fqn.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/hrw.h"
#include "core/utf8.h"

const char *fqn_invalid(const char *name, size_t len)
{
	if (!name || len == 0)
		return "empty name";
	if (len > FQN_OBJNAME_MAX)
		return "name too long";
	if (name[0] == '/')
		return "leading '/'";
	if (memmem(name, len, "../", 3) || memmem(name, len, "~/", 2)) /* AIStore's ValidOname */
		return "'../' or '~/' in the name";
	if (memchr(name, '\0', len))
		return "NUL byte";
	if (!utf8_valid(name, len))
		return "not valid UTF-8";
	if (name[len - 1] == '/')
		len--; /* a directory marker ("a/b/"): its segments are checked, "a//" stays invalid */
	size_t seg = 0; /* start of the current segment */
	for (size_t i = 0; i <= len; i++) {
		if (i < len && name[i] != '/')
			continue;
		size_t sl = i - seg;
		const char *s = name + seg;
		if (sl == 0)
			return "empty path segment";
		if ((sl == 1 && s[0] == '.') || (sl == 2 && s[0] == '.' && s[1] == '.'))
			return "'.' or '..' path segment";
		if (sl == 1 && s[0] == '~' && i < len) /* AIStore rejects "~/" */
			return "'~/' path segment";
		if (fqn_reserved(s, sl))
			return "reserved path segment (" FQN_LEAF ", " FQN_DIRM ")";
		seg = i + 1;
	}
	return NULL;
}

int fqn_validate(const char *name, size_t len)
{
	return fqn_invalid(name, len) ? AIS_EINVAL : 0;
}

bool fqn_reserved(const char *seg, size_t len)
{
	return (len == sizeof(FQN_LEAF) - 1 && !memcmp(seg, FQN_LEAF, len)) ||
	       (len == sizeof(FQN_DIRM) - 1 && !memcmp(seg, FQN_DIRM, len));
}

bool fqn_is_fntl(const char *name, size_t len)
{
	bool dirm = len && name[len - 1] == '/';
	if (len + (dirm ? sizeof(FQN_DIRM) - 1 : 0) > FQN_PATH_LONG)
		return true;
	size_t seg = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && name[i] != '/')
			continue;
		if (i - seg > FQN_COMPONENT_MAX)
			return true;
		seg = i + 1;
	}
	/* a user name whose first segment looks like a short name would alias a long one (the
	 * short file, or a directory where a short file goes) */
	const char *sl = memchr(name, '/', len);
	size_t first = sl ? (size_t)(sl - name) : len;
	return len >= 2 && name[0] == '.' && name[1] == 'x' && first == FQN_SHORT_LEN;
}

void fqn_short(const char *name, size_t len, char *out)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	static const char hex[] = "0123456789abcdef";
	EVP_Digest(name, len, md, &mdlen, EVP_sha256(), NULL);
	out[0] = '.';
	out[1] = 'x';
	for (unsigned i = 0; i < 32; i++) {
		out[2 + 2 * i] = hex[md[i] >> 4];
		out[3 + 2 * i] = hex[md[i] & 15];
	}
	out[FQN_SHORT_LEN] = '\0';
}

int fqn_bck_dir(char *out, size_t cap, const char *mp, const char *provider, const char *ns,
		const char *bucket)
{
	int n;
	if (ns && *ns) {
		char uuid[80], name[80];
		hrw_ns_split(ns, uuid, sizeof(uuid), name, sizeof(name));
		if (uuid[0])
			n = snprintf(out, cap, "%s/@%s/@%s#%s/%s", mp, provider, uuid, name, bucket);
		else
			n = snprintf(out, cap, "%s/@%s/#%s/%s", mp, provider, name, bucket);
	} else {
		n = snprintf(out, cap, "%s/@%s/%s", mp, provider, bucket);
	}
	if (n < 0 || (size_t)n >= cap)
		return AIS_EINVAL;
	return n;
}

int fqn_ct_dir(char *out, size_t cap, const char *mp, const char *provider, const char *ns,
	       const char *bucket, const char *ct)
{
	int n = fqn_bck_dir(out, cap, mp, provider, ns, bucket);
	if (n < 0)
		return n;
	int m = snprintf(out + n, cap - (size_t)n, "/%s", ct);
	if (m < 0 || (size_t)m >= cap - (size_t)n)
		return AIS_EINVAL;
	return n + m;
}

int fqn_obj(char *out, size_t cap, const char *mp, const char *provider, const char *ns,
	    const char *bucket, const char *name, bool *fntl)
{
	size_t len = strlen(name);
	int n = fqn_ct_dir(out, cap, mp, provider, ns, bucket, FQN_CT_OBJ);
	if (n < 0)
		return n;
	char shortn[FQN_SHORT_LEN + 1];
	const char *use = name;
	bool fl = fqn_is_fntl(name, len);
	if (fl) {
		fqn_short(name, len, shortn);
		use = shortn;
	}
	if (fntl)
		*fntl = fl;
	bool dirm = !fl && len && name[len - 1] == '/';
	int m = snprintf(out + n, cap - (size_t)n, "/%s%s", use, dirm ? FQN_DIRM : "");
	if (m < 0 || (size_t)m >= cap - (size_t)n)
		return AIS_EINVAL;
	return n + m;
}

int fqn_leaf(char *fqn, size_t cap, size_t n)
{
	int m = snprintf(fqn + n, cap > n ? cap - n : 0, "/%s", FQN_LEAF);
	if (cap <= n || m < 0 || (size_t)m >= cap - n)
		return AIS_EINVAL;
	return (int)(n + (size_t)m);
}

static bool fqn_ends_with(const char *p, size_t n, const char *sfx, size_t sl)
{
	return n > sl && p[n - sl - 1] == '/' && !memcmp(p + n - sl, sfx, sl);
}

bool fqn_is_leaf(const char *fqn, size_t n)
{
	return fqn_ends_with(fqn, n, FQN_LEAF, sizeof(FQN_LEAF) - 1);
}

size_t fqn_rel_name(const char *rel, size_t rlen)
{
	if (fqn_ends_with(rel, rlen, FQN_LEAF, sizeof(FQN_LEAF) - 1))
		return rlen - sizeof(FQN_LEAF); /* without "/%ob.leaf" */
	if (fqn_ends_with(rel, rlen, FQN_DIRM, sizeof(FQN_DIRM) - 1))
		return rlen - (sizeof(FQN_DIRM) - 1); /* keeps the '/' */
	return rlen;
}
