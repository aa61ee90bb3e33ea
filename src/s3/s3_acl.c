/* s3_acl: S3 ACL grant lists (see s3_acl.h). Pure functions over JSON, the request's headers
 * and the configured users (for resolving IDs and emails and for display names). */
#include "s3/s3_acl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "s3/s3xml.h"

#define S3_ACL_MAX_GRANTS 100

static const struct {
	const char *name;
	unsigned bits;
} s3_acl_perm_names[] = {
	{"FULL_CONTROL", S3P_FULL}, {"READ", S3P_READ}, {"WRITE", S3P_WRITE},
	{"READ_ACP", S3P_READ_ACP}, {"WRITE_ACP", S3P_WRITE_ACP},
};

static unsigned s3_acl_bits(const char *perm)
{
	for (size_t i = 0; i < sizeof(s3_acl_perm_names) / sizeof(s3_acl_perm_names[0]); i++)
		if (perm && !strcmp(perm, s3_acl_perm_names[i].name))
			return s3_acl_perm_names[i].bits;
	return 0;
}

static int s3_acl_add(json_t *g, const char *kind, const char *who, const char *perm)
{
	if (json_array_size(g) >= S3_ACL_MAX_GRANTS)
		return AIS_EINVAL;
	json_t *e = json_pack("{s:s, s:s}", kind, who, "perm", perm);
	return e && !json_array_append_new(g, e) ? 0 : AIS_ENOMEM;
}

bool s3_acl_canned_public(const char *canned)
{
	return canned && (!strcmp(canned, "public-read") || !strcmp(canned, "public-read-write") ||
			  !strcmp(canned, "authenticated-read"));
}

int s3_acl_canned(const char *canned, const char *owner_id, const char *bucket_owner, json_t **out, s3_fail_t *f)
{
	*out = NULL;
	json_t *g = json_array();
	if (!g) {
		s3_fail_set(f, 500, "InternalError", "out of memory");
		return AIS_ENOMEM;
	}
	int rc = s3_acl_add(g, "id", owner_id, "FULL_CONTROL");
	bool other = bucket_owner && *bucket_owner && strcmp(bucket_owner, owner_id);
	if (!strcmp(canned, "private")) {
		/* owner only */
	} else if (!strcmp(canned, "public-read")) {
		rc = rc ? rc : s3_acl_add(g, "uri", S3_GRP_ALL, "READ");
	} else if (!strcmp(canned, "public-read-write")) {
		rc = rc ? rc : s3_acl_add(g, "uri", S3_GRP_ALL, "READ");
		rc = rc ? rc : s3_acl_add(g, "uri", S3_GRP_ALL, "WRITE");
	} else if (!strcmp(canned, "authenticated-read")) {
		rc = rc ? rc : s3_acl_add(g, "uri", S3_GRP_AUTH, "READ");
	} else if (!strcmp(canned, "bucket-owner-read")) {
		if (other)
			rc = rc ? rc : s3_acl_add(g, "id", bucket_owner, "READ");
	} else if (!strcmp(canned, "bucket-owner-full-control")) {
		if (other)
			rc = rc ? rc : s3_acl_add(g, "id", bucket_owner, "FULL_CONTROL");
	} else if (!strcmp(canned, "log-delivery-write")) {
		rc = rc ? rc : s3_acl_add(g, "uri", S3_GRP_LOG, "WRITE");
		rc = rc ? rc : s3_acl_add(g, "uri", S3_GRP_LOG, "READ_ACP");
	} else {
		json_decref(g);
		s3_fail_set(f, 400, "InvalidArgument", "unknown canned ACL \"%.64s\"", canned);
		return AIS_EINVAL;
	}
	if (rc) {
		json_decref(g);
		s3_fail_set(f, 500, "InternalError", "out of memory");
		return rc;
	}
	*out = g;
	return 0;
}

static bool s3_acl_known_group(const char *uri)
{
	return !strcmp(uri, S3_GRP_ALL) || !strcmp(uri, S3_GRP_AUTH) || !strcmp(uri, S3_GRP_LOG);
}

static int s3_acl_add_f(json_t *g, const char *kind, const char *who, const char *perm, s3_fail_t *f)
{
	int rc = s3_acl_add(g, kind, who, perm);
	if (rc == AIS_EINVAL)
		s3_fail_set(f, 400, "MalformedACLError", "more than %d grants", S3_ACL_MAX_GRANTS);
	else if (rc)
		s3_fail_set(f, 500, "InternalError", "out of memory");
	return rc;
}

/* one grantee (kind = "id" | "uri" | "emailAddress", value) into g with perm */
static int s3_acl_grantee(json_t *g, const s3_conf_t *c, const char *kind, const char *val, const char *perm,
			  s3_fail_t *f)
{
	char id[S3_ID_MAX], name[S3_ID_MAX];
	if (!strcasecmp(kind, "id")) {
		if (!s3_auth_user(c, val, name, sizeof(name))) {
			s3_fail_set(f, 400, "InvalidArgument", "Invalid id: no such user \"%.128s\"", val);
			return AIS_EINVAL;
		}
		return s3_acl_add_f(g, "id", val, perm, f);
	}
	if (!strcasecmp(kind, "uri")) {
		if (!s3_acl_known_group(val)) {
			s3_fail_set(f, 400, "InvalidArgument", "Invalid group uri \"%.200s\"", val);
			return AIS_EINVAL;
		}
		return s3_acl_add_f(g, "uri", val, perm, f);
	}
	if (!strcasecmp(kind, "emailAddress")) {
		if (!s3_auth_email(c, val, id, sizeof(id))) {
			s3_fail_set(f, 400, "UnresolvableGrantByEmailAddress",
				    "The email address you provided does not match any account on record.");
			return AIS_EINVAL;
		}
		return s3_acl_add_f(g, "id", id, perm, f);
	}
	s3_fail_set(f, 400, "InvalidArgument", "invalid grantee type \"%.32s\" (expecting id, uri or emailAddress)", kind);
	return AIS_EINVAL;
}

/* x-amz-grant-<perm>: 'id="a", uri="b", emailAddress="c"' */
static int s3_acl_parse_grant_hdr(json_t *g, const s3_conf_t *c, const char *v, const char *perm, s3_fail_t *f)
{
	const char *p = v;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		const char *eq = strchr(p, '=');
		if (!eq || eq == p || eq - p > 32)
			goto bad;
		char kind[33];
		size_t kl = (size_t)(eq - p);
		memcpy(kind, p, kl);
		kind[kl] = '\0';
		while (kl && kind[kl - 1] == ' ')
			kind[--kl] = '\0';
		p = eq + 1;
		while (*p == ' ')
			p++;
		const char *vb = p, *ve;
		if (*p == '"') {
			vb = ++p;
			ve = strchr(p, '"');
			if (!ve)
				goto bad;
			p = ve + 1;
		} else {
			ve = p + strcspn(p, ",");
			p = ve;
			while (ve > vb && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
		}
		if (ve == vb || ve - vb >= S3_ID_MAX * 2)
			goto bad;
		char val[S3_ID_MAX * 2];
		memcpy(val, vb, (size_t)(ve - vb));
		val[ve - vb] = '\0';
		int rc = s3_acl_grantee(g, c, kind, val, perm, f);
		if (rc)
			return rc;
	}
	return 0;
bad:
	s3_fail_set(f, 400, "InvalidArgument", "malformed grant header value \"%.200s\"", v);
	return AIS_EINVAL;
}

int s3_acl_from_headers(const http_req_t *r, const s3_conf_t *c, const char *owner_id, const char *bucket_owner,
			json_t **out, s3_fail_t *f)
{
	static const struct {
		const char *hdr, *perm;
	} gh[] = {
		{"x-amz-grant-read", "READ"}, {"x-amz-grant-write", "WRITE"}, {"x-amz-grant-read-acp", "READ_ACP"},
		{"x-amz-grant-write-acp", "WRITE_ACP"}, {"x-amz-grant-full-control", "FULL_CONTROL"},
	};
	*out = NULL;
	const char *canned = http_hdr_get(r, "x-amz-acl");
	bool any = false;
	for (size_t i = 0; i < sizeof(gh) / sizeof(gh[0]); i++)
		any |= http_hdr_get(r, gh[i].hdr) != NULL;
	if (canned && any) {
		s3_fail_set(f, 400, "InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed");
		return AIS_EINVAL;
	}
	if (canned)
		return s3_acl_canned(canned, owner_id, bucket_owner, out, f);
	if (!any)
		return 0;
	json_t *g = json_array();
	if (!g) {
		s3_fail_set(f, 500, "InternalError", "out of memory");
		return AIS_ENOMEM;
	}
	/* every header, in the order S3 lists them; a header may repeat */
	for (size_t i = 0; i < sizeof(gh) / sizeof(gh[0]); i++)
		for (int k = 0; k < r->nhdrs; k++) {
			if (strcasecmp(r->hdrs[k].name, gh[i].hdr))
				continue;
			int rc = s3_acl_parse_grant_hdr(g, c, r->hdrs[k].value, gh[i].perm, f);
			if (rc) {
				json_decref(g);
				return rc;
			}
		}
	*out = g;
	return 0;
}

int s3_acl_from_xml(const char *xml, size_t len, const s3_conf_t *c, const char *owner_id, json_t **out,
		    s3_fail_t *f)
{
	char err[256], buf[S3_ID_MAX * 2], perm[32];
	s3xml_node_t *doc = NULL;
	json_t *g = NULL;
	int rc = AIS_EINVAL;
	*out = NULL;
	if (s3xml_dom_parse(xml, len, "AccessControlPolicy", &doc, err, sizeof(err))) {
		s3_fail_set(f, 400, "MalformedACLError", "The XML you provided was not well-formed or did not validate "
			    "against our published schema: %s", err);
		return AIS_EINVAL;
	}
	const s3xml_node_t *own = s3xml_child(doc, "Owner");
	if (own && s3xml_child_text(own, "ID", buf, sizeof(buf)) && strcmp(buf, owner_id)) {
		s3_fail_set(f, 403, "AccessDenied", "the ACL names another owner (\"%.128s\")", buf);
		goto out;
	}
	if (!(g = json_array())) {
		rc = AIS_ENOMEM;
		s3_fail_set(f, 500, "InternalError", "out of memory");
		goto out;
	}
	const s3xml_node_t *list = s3xml_child(doc, "AccessControlList");
	for (const s3xml_node_t *gr = s3xml_child(list, "Grant"); gr; gr = s3xml_next(gr)) {
		const s3xml_node_t *ge = s3xml_child(gr, "Grantee");
		if (!ge || !ge->type || !s3xml_child_text(gr, "Permission", perm, sizeof(perm)) || !s3_acl_bits(perm)) {
			s3_fail_set(f, 400, "MalformedACLError", "The XML you provided was not well-formed or did not "
				    "validate against our published schema (Grant needs a typed Grantee and a Permission)");
			goto out;
		}
		const char *kind = !strcmp(ge->type, "CanonicalUser")		 ? "id"
				   : !strcmp(ge->type, "Group")		 ? "uri"
				   : !strcmp(ge->type, "AmazonCustomerByEmail") ? "emailAddress"
										: NULL;
		const char *elem = !kind ? NULL : !strcmp(kind, "id") ? "ID" : !strcmp(kind, "uri") ? "URI" : "EmailAddress";
		if (!kind || !s3xml_child_text(ge, elem, buf, sizeof(buf)) || !buf[0]) {
			s3_fail_set(f, 400, "MalformedACLError", "The XML you provided was not well-formed or did not "
				    "validate against our published schema (Grantee of type \"%.40s\")", ge->type);
			goto out;
		}
		if ((rc = s3_acl_grantee(g, c, kind, buf, perm, f)) != 0)
			goto out;
		rc = AIS_EINVAL;
	}
	*out = g;
	g = NULL;
	rc = 0;
out:
	json_decref(g);
	s3xml_dom_free(doc);
	return rc;
}

static void s3_acl_xml_grant(sbuf_t *b, const s3_conf_t *c, const json_t *g, const char *owner_id,
			     const char *owner_name)
{
	char name[S3_ID_MAX];
	const char *id = json_string_value(json_object_get(g, "id"));
	const char *uri = json_string_value(json_object_get(g, "uri"));
	const char *perm = json_string_value(json_object_get(g, "perm"));
	s3xml_open(b, "Grant");
	if (id) {
		sbuf_adds(b, "<Grantee xsi:type=\"CanonicalUser\">");
		s3xml_elem(b, "ID", id);
		if (!strcmp(id, owner_id))
			s3xml_elem(b, "DisplayName", owner_name);
		else if (s3_auth_user(c, id, name, sizeof(name)))
			s3xml_elem(b, "DisplayName", name);
	} else {
		sbuf_adds(b, "<Grantee xsi:type=\"Group\">");
		s3xml_elem(b, "URI", uri);
	}
	s3xml_close(b, "Grantee");
	s3xml_elem(b, "Permission", perm);
	s3xml_close(b, "Grant");
}

void s3_acl_xml(sbuf_t *b, const s3_conf_t *c, const char *owner_id, const char *owner_name, const json_t *grants)
{
	s3xml_begin(b);
	sbuf_adds(b, "<AccessControlPolicy xmlns=\"" S3_NS "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">");
	s3xml_open(b, "Owner");
	s3xml_elem(b, "ID", owner_id);
	s3xml_elem(b, "DisplayName", owner_name);
	s3xml_close(b, "Owner");
	s3xml_open(b, "AccessControlList");
	/* group grants first, then users, each in the order given (as Ceph RGW lists them) */
	for (int users = 0; users < 2; users++) {
		size_t i;
		json_t *g;
		json_array_foreach(grants, i, g) {
			bool is_user = json_is_string(json_object_get(g, "id"));
			if ((!is_user && !json_is_string(json_object_get(g, "uri"))) ||
			    !json_is_string(json_object_get(g, "perm")) || is_user != (users == 1))
				continue;
			s3_acl_xml_grant(b, c, g, owner_id, owner_name);
		}
	}
	s3xml_close(b, "AccessControlList");
	s3xml_close(b, "AccessControlPolicy");
}

unsigned s3_acl_perms(const json_t *grants, const s3_ident_t *id, bool public)
{
	unsigned bits = 0;
	size_t i;
	json_t *g;
	json_array_foreach(grants, i, g) {
		const char *gid = json_string_value(json_object_get(g, "id"));
		const char *uri = json_string_value(json_object_get(g, "uri"));
		unsigned b = s3_acl_bits(json_string_value(json_object_get(g, "perm")));
		if (gid && !id->anon && !strcmp(gid, id->id))
			bits |= b;
		else if (uri && public && !strcmp(uri, S3_GRP_ALL))
			bits |= b;
		else if (uri && public && !id->anon && !strcmp(uri, S3_GRP_AUTH))
			bits |= b;
	}
	return bits;
}

bool s3_acl_public(const json_t *grants)
{
	size_t i;
	json_t *g;
	json_array_foreach(grants, i, g) {
		const char *uri = json_string_value(json_object_get(g, "uri"));
		if (uri && (!strcmp(uri, S3_GRP_ALL) || !strcmp(uri, S3_GRP_AUTH)))
			return true;
	}
	return false;
}
