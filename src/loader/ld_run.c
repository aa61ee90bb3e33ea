/* ld_run: one aisloader run from parsed flags to exit code: bucket setup (create if missing),
 * the cluster map (targets for redirects and -direct), listing, the runtime configuration, the
 * loops, the periodic and final statistics, cleanup. Owns every resource of the run and frees
 * it on all paths; the only process-wide state it touches is the SIGINT disposition
 * (-stoppable) and libcurl's global init. */
#include "loader/ld_run.h"
#include "core/err.h"
#include "core/util.h"
#include "loader/ld_api.h"
#include "loader/ld_fmt.h"
#include "loader/ld_loop.h"
#include "loader/ld_report.h"

#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LD_RAND_BUF (4u << 20) /* PUT payload source, reused cyclically from random offsets */

static volatile sig_atomic_t ld_run_sigint;

static void ld_run_on_sigint(int sig)
{
	ld_run_sigint = 1;
}

static void ld_run_msleep(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void ld_run_print_config(FILE *f, const ld_params_t *p, int threads, const char *ng)
{
	char dur[32], iv[32];
	json_t *o = json_object();
	json_object_set_new(o, p->s3endpoint[0] ? "s3 endpoint" : "proxy",
			    json_string(p->s3endpoint[0] ? p->s3endpoint : p->proxy_url));
	char bck[300];
	snprintf(bck, sizeof(bck), "%s://%s", p->provider, p->bucket);
	json_object_set_new(o, "bucket", json_string(bck));
	json_object_set_new(o, "duration", json_string(p->duration_ns ? ld_fmt_dur(dur, sizeof(dur), p->duration_ns) : "-"));
	json_object_set_new(o, "# workers", json_integer(p->numworkers));
	json_object_set_new(o, "# loop threads", json_integer(threads));
	snprintf(iv, sizeof(iv), "%llds", (long long)p->statsinterval);
	json_object_set_new(o, "stats interval", json_string(iv));
	if (p->pctput)
		json_object_set_new(o, "% PUT", json_integer(p->pctput));
	if (p->pctput) {
		json_object_set_new(o, "minimum object size (bytes)", json_integer(p->minsize));
		json_object_set_new(o, "maximum object size (bytes)", json_integer(p->maxsize));
	}
	if (p->totalputsize) {
		char s[32];
		snprintf(s, sizeof(s), "%lld", (long long)p->totalputsize);
		json_object_set_new(o, "PUT upper bound", json_string(s));
	}
	if (p->maxputs)
		json_object_set_new(o, "max PUTs", json_integer(p->maxputs));
	if (p->epochs)
		json_object_set_new(o, "epochs", json_integer(p->epochs));
	json_object_set_new(o, "name-getter", json_string(ng));
	if (p->pctput)
		json_object_set_new(o, "reader-type", json_string(p->readertype));
	if (!p->s3endpoint[0])
		json_object_set_new(o, "data path", json_string(p->direct ? "direct (HRW from the Smap)" : "via proxy (redirect)"));
	json_object_set_new(o, "cleanup", json_boolean(p->cleanup == 1));
	char *txt = json_dumps(o, JSON_INDENT(3) | JSON_PRESERVE_ORDER);
	json_decref(o);
	fprintf(f, "Runtime configuration:\n%s\n\n", txt ? txt : "{}");
	free(txt);
}

static int ld_run_filelist(const char *path, ld_names_t *names, char *err, size_t cap)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, cap, "cannot open -filelist %s", path);
		return AIS_ENOTFOUND;
	}
	char line[2048];
	int rc = 0;
	while (!rc && fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\r\n");
		line[n] = '\0';
		if (n)
			rc = ld_names_add(names, line);
	}
	fclose(f);
	return rc;
}

/* eps[0] = proxy or S3 endpoint; native: every target of the Smap after it */
static int ld_run_endpoints(ld_cfg_t *cfg, const ld_params_t *p, const smap_t *smap, char *err, size_t cap)
{
	const char *base = p->s3endpoint[0] ? p->s3endpoint : p->proxy_url;
	if (ld_ep_init(&cfg->eps[0], base)) {
		snprintf(err, cap, "cannot resolve %s", base);
		return AIS_EINVAL;
	}
	if (cfg->eps[0].tls && ld_ep_tls_init(err, cap))
		return AIS_EINVAL;
	cfg->neps = 1;
	if (!smap)
		return 0;
	if (smap->ntargets + 1 > LD_EP_MAX) {
		snprintf(err, cap, "too many targets (%d)", smap->ntargets);
		return AIS_EINVAL;
	}
	for (int i = 0; i < smap->ntargets; i++) {
		ld_ep_t *e = &cfg->eps[cfg->neps];
		if (ld_ep_init(e, smap->targets[i].pub.url)) {
			snprintf(err, cap, "target %s: cannot resolve %s", smap->targets[i].id, smap->targets[i].pub.url);
			return AIS_EINVAL;
		}
		cfg->tgt_ep[i] = cfg->neps++;
	}
	/* proxies too: a redirect may point at another gateway's URL */
	for (int i = 0; i < smap->nproxies && cfg->neps < LD_EP_MAX; i++) {
		ld_ep_t e;
		if (ld_ep_init(&e, smap->proxies[i].pub.url) == 0 &&
		    ld_ep_find(cfg->eps, cfg->neps, e.host, strlen(e.host), e.port) < 0)
			cfg->eps[cfg->neps++] = e;
	}
	return 0;
}

int ld_run(ld_params_t *p)
{
	char err[1024] = "";
	int rc = 0;
	FILE *info = p->json ? stderr : stdout; /* with -json, stdout carries only the JSON array */
	FILE *out = stdout;
	smap_t *smap = NULL;
	ld_names_t *names = NULL;
	unsigned char *rbuf = NULL;
	ld_cfg_t *cfg = NULL;
	ld_loop_t **loops = NULL;
	int nloops = 0;
	bool created = false;
	ld_api_t api;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	uint64_t rng = p->seed ? (uint64_t)p->seed : (uint64_t)mono_ns() ^ rand_u64();
	if (!p->bucket[0]) {
		ld_names_gen(p->bucket, sizeof(p->bucket), "", 8, &rng);
		fprintf(info, "New bucket name \"%s\"\n", p->bucket);
	}
	ld_api_init(&api, p);
	names = ld_names_new();
	cfg = calloc(1, sizeof(*cfg));
	if (!names || !cfg) {
		rc = AIS_ENOMEM;
		snprintf(err, sizeof(err), "out of memory");
		goto out;
	}

	/* cleanup-only run: no duration and nothing else bounding the run */
	bool noop = p->duration_set && p->duration_ns == 0 && !p->totalputsize && !p->maxputs && !p->epochs &&
		    !p->stoppable;
	if (!p->s3endpoint[0]) {
		smap = ld_api_smap(&api, err, sizeof(err));
		if (!smap) {
			rc = AIS_EUNAVAIL;
			goto out;
		}
		if (smap->ntargets == 0) {
			snprintf(err, sizeof(err), "the cluster map has no targets");
			rc = AIS_EUNAVAIL;
			goto out;
		}
	}
	int ex = ld_api_bck_exists(&api, err, sizeof(err));
	if (ex < 0) {
		rc = ex;
		goto out;
	}
	if (noop) {
		if (p->cleanup == 1 && ex == 1) {
			if (!p->skiplist && p->s3endpoint[0] && (rc = ld_api_list(&api, "", names, err, sizeof(err))))
				goto out;
			fprintf(info, "%s Cleaning up...\n", ld_fmt_clock(err, sizeof(err)));
			if ((rc = ld_api_bck_destroy(&api, names, err, sizeof(err))))
				goto out;
			fprintf(info, "%s Clean up done\n", ld_fmt_clock(err, sizeof(err)));
		}
		goto out;
	}
	if (ex == 0) {
		if ((rc = ld_api_bck_create(&api, err, sizeof(err))))
			goto out;
		created = true;
	}
	char prefix[300] = "";
	if (p->subdir[0])
		snprintf(prefix, sizeof(prefix), "%s%s", p->subdir, p->subdir[strlen(p->subdir) - 1] == '/' ? "" : "/");
	if (p->filelist[0]) {
		if ((rc = ld_run_filelist(p->filelist, names, err, sizeof(err))))
			goto out;
		fprintf(info, "Read %zu object name%s from %s\n\n", ld_names_len(names), ld_names_len(names) == 1 ? "" : "s",
			p->filelist);
	} else if (!created && !(p->skiplist && p->pctput == 100)) {
		if ((rc = ld_api_list(&api, prefix, names, err, sizeof(err))))
			goto out;
		fprintf(info, "Found %zu existing object%s\n\n", ld_names_len(names), ld_names_len(names) == 1 ? "" : "s");
	}
	if (p->pctput == 0 && ld_names_len(names) == 0) {
		snprintf(err, sizeof(err), "the bucket is empty%s, cannot run 100%% read benchmark",
			 prefix[0] ? " (under the -subdir prefix)" : "");
		rc = AIS_EINVAL;
		goto out;
	}
	cfg->nlisted = ld_names_len(names);
	ld_names_shuffle(names, &rng);

	/* threads: half the CPUs (the server under test needs the rest), at most one per worker */
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int threads = p->threads ? p->threads : (int)((ncpu + 1) / 2);
	if (threads < 1)
		threads = 1;
	if (threads > p->numworkers)
		threads = p->numworkers;
	const char *ng = p->pctput == 0 ? (p->epochs ? "unique epoch-based" : "unique sequential (shuffled)")
					: "random non-unique";
	if (!p->quiet || p->dry_run)
		ld_run_print_config(info, p, threads, ng);
	if (p->dry_run)
		goto out;
	if (p->cleanup == 1) {
		fprintf(info, "BEWARE: cleanup is enabled, bucket %s://%s will be destroyed upon termination!\n",
			p->provider, p->bucket);
	}

	/* the shared run config */
	cfg->p = p;
	cfg->s3 = p->s3endpoint[0] != '\0';
	cfg->names = names;
	if ((rc = ld_run_endpoints(cfg, p, smap, err, sizeof(err))))
		goto out;
	cfg->smap = p->direct ? smap : NULL;
	char *bck_enc = url_encode(p->bucket, false), *pfx_enc = url_encode(prefix, true);
	if (!bck_enc || !pfx_enc) {
		free(bck_enc);
		free(pfx_enc);
		rc = AIS_ENOMEM;
		goto out;
	}
	/* an S3 endpoint may carry a path (AIStore's is http://proxy/s3) */
	char epath[256] = "";
	if (cfg->s3) {
		char h[256];
		int port;
		const char *rest = "/";
		(void)ld_ep_split(p->s3endpoint, h, sizeof(h), &port, &rest);
		snprintf(epath, sizeof(epath), "%s", rest);
		size_t el = strlen(epath);
		while (el > 0 && epath[el - 1] == '/')
			epath[--el] = '\0';
	}
	snprintf(cfg->obj_prefix, sizeof(cfg->obj_prefix), cfg->s3 ? "%s/%s/" : "%s/v1/objects/%s/", epath, bck_enc);
	snprintf(cfg->moss_path, sizeof(cfg->moss_path), "%s/v1/ml/moss/%s", epath, bck_enc);
	snprintf(cfg->name_prefix_enc, sizeof(cfg->name_prefix_enc), "%s", pfx_enc);
	free(bck_enc);
	free(pfx_enc);
	snprintf(cfg->name_prefix, sizeof(cfg->name_prefix), "%s", prefix);
	cfg->cksum = cfg->s3 ? CKSUM_NONE : (cksum_type_t)cksum_type_from_str(p->cksum_type);
	cfg->rlen = LD_RAND_BUF;
	rbuf = malloc(cfg->rlen);
	if (!rbuf) {
		rc = AIS_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i + 8 <= cfg->rlen; i += 8) {
		uint64_t v = ld_names_rand(&rng);
		memcpy(rbuf + i, &v, 8);
	}
	cfg->rbuf = rbuf;

	if (p->stats_output[0]) {
		out = fopen(p->stats_output, "w");
		if (!out) {
			snprintf(err, sizeof(err), "cannot create %s", p->stats_output);
			out = stdout;
			rc = AIS_EIO;
			goto out;
		}
	}
	if (p->stoppable) {
		struct sigaction sa = {.sa_handler = ld_run_on_sigint};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}

	loops = calloc((size_t)threads, sizeof(*loops));
	if (!loops) {
		rc = AIS_ENOMEM;
		goto out;
	}
	struct rusage ru0;
	getrusage(RUSAGE_SELF, &ru0);
	int64_t cpu0 = ((int64_t)ru0.ru_utime.tv_sec + ru0.ru_stime.tv_sec) * 1000000000LL +
		       ((int64_t)ru0.ru_utime.tv_usec + ru0.ru_stime.tv_usec) * 1000LL;
	int64_t t0 = mono_ns();
	for (int i = 0; i < threads; i++) {
		int nw = p->numworkers / threads + (i < p->numworkers % threads ? 1 : 0);
		loops[i] = ld_loop_new(cfg, i, nw, ld_names_rand(&rng) | 1);
		if (!loops[i]) {
			rc = AIS_ENOMEM;
			break;
		}
		nloops++;
	}
	ld_report_t rep;
	ld_report_begin(&rep, out, p->json, t0);
	for (int i = 0; !rc && i < nloops; i++)
		if ((rc = ld_loop_start(loops[i])))
			snprintf(err, sizeof(err), "cannot start a loop thread");
	if (rc)
		atomic_store(&cfg->stop, 1);

	ld_stat_t tot[LD_NOPS], iv[LD_NOPS];
	memset(tot, 0, sizeof(tot));
	memset(iv, 0, sizeof(iv));
	int64_t iv_start = t0, iv_ns = p->statsinterval * 1000000000LL;
	for (;;) {
		ld_run_msleep(20);
		int64_t now = mono_ns();
		bool all_done = true;
		for (int i = 0; i < nloops; i++)
			all_done &= ld_loop_done(loops[i]);
		if (all_done)
			break;
		if ((p->duration_ns > 0 && now - t0 >= p->duration_ns) || ld_run_sigint)
			atomic_store(&cfg->stop, 1);
		if (iv_ns > 0 && now - iv_start >= iv_ns) {
			for (int i = 0; i < nloops; i++)
				ld_loop_take(loops[i], iv);
			for (int k = 0; k < LD_NOPS; k++)
				ld_stat_merge(&tot[k], &iv[k]);
			ld_report_interval(&rep, iv, tot, iv_start, now);
			memset(iv, 0, sizeof(iv));
			iv_start = now;
		}
	}
	int64_t t_end = mono_ns();
	ld_hist_t *hist = calloc(LD_NOPS, sizeof(ld_hist_t));
	for (int i = 0; i < nloops; i++) {
		ld_loop_join(loops[i]);
		ld_loop_take(loops[i], iv);
		if (hist)
			ld_loop_hist(loops[i], hist);
	}
	for (int k = 0; k < LD_NOPS; k++)
		ld_stat_merge(&tot[k], &iv[k]);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	int64_t cpu = ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
		      ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL - cpu0;
	int64_t nops = tot[LD_OP_GET].cnt + tot[LD_OP_PUT].cnt + tot[LD_OP_GET].errs + tot[LD_OP_PUT].errs +
		       tot[LD_OP_BATCH].cnt + tot[LD_OP_BATCH].errs;
	rep.cpu_per_op = nops ? cpu / nops : 0;
	if (hist)
		ld_report_final(&rep, tot, hist, t_end);
	free(hist);
	if (p->stats_output[0])
		fprintf(info, "Stats written to %s\n", p->stats_output);
	if (atomic_load(&cfg->redirect_unknown))
		fprintf(stderr, "aisloader: %d redirect(s) to nodes outside the Smap counted as errors\n",
			atomic_load(&cfg->redirect_unknown));

	if (p->cleanup == 1) {
		char clk[16];
		fprintf(info, "%s Cleaning up...\n", ld_fmt_clock(clk, sizeof(clk)));
		int crc = ld_api_bck_destroy(&api, names, err, sizeof(err));
		if (crc) {
			fprintf(stderr, "aisloader: cleanup: %s\n", err);
			err[0] = '\0';
			if (!rc)
				rc = crc;
		} else {
			fprintf(info, "%s Clean up done\n", ld_fmt_clock(clk, sizeof(clk)));
		}
	}
	char dur[32];
	fprintf(info, "\nActual run duration: %s\n", ld_fmt_dur(dur, sizeof(dur), mono_ns() - t0));
out:
	if (rc && err[0])
		fprintf(stderr, "aisloader: %s\n", err);
	for (int i = 0; i < nloops; i++)
		ld_loop_free(loops[i]);
	free(loops);
	if (out != stdout)
		fclose(out);
	free(rbuf);
	free(cfg);
	ld_names_free(names);
	if (smap)
		smap_free(smap);
	curl_global_cleanup();
	return rc;
}
