/* fqn: object names <-> paths under a mountpath; name validation; long-name shortening.
 * Invariant: a valid name maps to exactly one path, and no valid name can escape %ob
 * (no "..", no empty or "." segments, no leading '/'). Pure: no I/O, no state. */
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
	if (name[len - 1] == '/')
		return "trailing '/'";
	if (memchr(name, '\0', len))
		return "NUL byte";
	if (!utf8_valid(name, len))
		return "not valid UTF-8";
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
		seg = i + 1;
	}
	return NULL;
}

int fqn_validate(const char *name, size_t len)
{
	return fqn_invalid(name, len) ? AIS_EINVAL : 0;
}

bool fqn_is_fntl(const char *name, size_t len)
{
	if (len > FQN_PATH_LONG)
		return true;
	size_t seg = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && name[i] != '/')
			continue;
		if (i - seg > FQN_COMPONENT_MAX)
			return true;
		seg = i + 1;
	}
	/* a user name that looks like a short name would alias a long one */
	return len >= 2 && name[0] == '.' && name[1] == 'x' && len == FQN_SHORT_LEN;
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
	int m = snprintf(out + n, cap - (size_t)n, "/%s", use);
	if (m < 0 || (size_t)m >= cap - (size_t)n)
		return AIS_EINVAL;
	return n + m;
}
