/* bk: provider names, bucket classification, dispatch to a provider's ops, and the error
 * helpers every backend file uses (see bk.h). Stateless apart from curl's global init. */
#include "backend/bk.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backend/bk_int.h"
#include "backend/bk_remais.h"
#include "core/config.h"
#include "core/err.h"

const char *bk_norm_provider(const char *p)
{
	static const char *const pairs[][2] = {
		{"ais", "ais"}, {"aws", "aws"}, {"s3", "aws"}, {"gcp", "gcp"}, {"gs", "gcp"}, {"azure", "azure"},
		{"az", "azure"}, {"oci", "oci"}, {"oc", "oci"}, {"ht", "ht"},
	};
	if (!p || !*p)
		return "ais";
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (!strcmp(p, pairs[i][0]))
			return pairs[i][1];
	return NULL;
}

const char *bk_scheme(const char *provider)
{
	if (!strcmp(provider, "aws"))
		return "s3";
	if (!strcmp(provider, "gcp"))
		return "gs";
	if (!strcmp(provider, "azure"))
		return "az";
	if (!strcmp(provider, "oci"))
		return "oc";
	return provider;
}

bool bk_is_cloud(const char *provider)
{
	return provider && (!strcmp(provider, "aws") || !strcmp(provider, "gcp") || !strcmp(provider, "azure") ||
			    !strcmp(provider, "oci") || !strcmp(provider, "ht"));
}

bool bk_ns_is_remais(const char *ns) { return ns && ns[0] == '@' && ns[1] && ns[1] != '#'; }

bool bk_is_remote(const char *provider, const char *ns)
{
	return bk_is_cloud(provider) || ((!provider || !*provider || !strcmp(provider, "ais")) && bk_ns_is_remais(ns));
}

const bk_ops_t *bk_of(const bck_t *b)
{
	if (!strcmp(b->provider, "aws"))
		return &bk_s3_ops;
	if (!strcmp(b->provider, "ais") && bk_ns_is_remais(b->ns))
		return &bk_ais_ops;
	return NULL;
}

int bk_check_configured(const char *provider, const char *ns, bk_err_t *e)
{
	if (bk_ns_is_remais(ns) && (!provider || !strcmp(provider, "ais")))
		return bk_remais_resolve(ns, NULL, e);
	const config_t *c = config_get();
	unsigned bks = c ? c->backends : 0;
	config_put(c);
	if (!strcmp(provider, "aws") && (bks & CONFIG_BK_AWS))
		return 0;
	static const char *const disp[][2] = {{"aws", "AWS"}, {"gcp", "GCP"}, {"azure", "Azure"}, {"oci", "OCI"}, {"ht", "HTTP(S)"}};
	const char *d = provider;
	for (size_t i = 0; i < sizeof(disp) / sizeof(disp[0]); i++)
		if (!strcmp(provider, disp[i][0]))
			d = disp[i][1];
	bk_fail(e, 404, NULL, "%s backend is missing in the cluster configuration", d);
	return AIS_ENOTFOUND;
}

int bk_fail(bk_err_t *e, int status, const char *code, const char *fmt, ...)
{
	e->status = status;
	snprintf(e->code, sizeof(e->code), "%s", code ? code : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return bk_status_rc(status);
}

int bk_status_rc(int status)
{
	switch (status) {
	case 400:
		return AIS_EINVAL;
	case 401:
	case 403:
		return AIS_EFORBIDDEN;
	case 404:
		return AIS_ENOTFOUND;
	case 405:
		return AIS_EMETHOD;
	case 409:
	case 412:
		return AIS_ECONFLICT;
	case 416:
		return AIS_ERANGE;
	case 429:
		return AIS_EAGAIN;
	case 501:
		return AIS_ENOTIMPL;
	case 503:
		return AIS_EUNAVAIL;
	case 504:
		return AIS_ETIMEOUT;
	default:
		return status >= 200 && status < 300 ? 0 : AIS_EINTERNAL;
	}
}

void bk_cname(const bck_t *b, const char *oname, char *out, size_t cap)
{
	const char *sch = bk_scheme(b->provider);
	if (b->ns[0])
		snprintf(out, cap, "%s://%s/%s%s%s", sch, b->ns, b->name, oname ? "/" : "", oname ? oname : "");
	else
		snprintf(out, cap, "%s://%s%s%s", sch, b->name, oname ? "/" : "", oname ? oname : "");
}

void bk_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

void bk_fini(void) {}
