/* test_stats: src/stats: counter math (ops, bytes, latency, error kinds, many threads), bucket
 * labels (proxy: per bucket cname; target: "" by default), log2 histogram buckets, the
 * Prometheus text (families, HELP/TYPE, sample syntax, escaping of label values and help,
 * number formatting) and the JSON tracker. Each test runs in its own process (criterion). */
#include "cluster/membership.h"
#include "stats/stats.h"
#include "stats/stats_int.h"

#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sbuf.h"
#include "net/http.h"

static char *render(void)
{
	char *s = stats_prom_text();
	cr_assert_not_null(s);
	return s;
}

/* the value of the sample line that starts with `prefix` (name + labels), or -1 */
static double sample(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *p = text; p && *p;) {
		if (!strncmp(p, prefix, n) && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

Test(stats, hist_index_log2)
{
	cr_assert_eq(st_hist_index(0), 0);
	cr_assert_eq(st_hist_index(1), 0);
	cr_assert_eq(st_hist_index(1u << ST_HIST_LO), 0);
	cr_assert_eq(st_hist_index((1u << ST_HIST_LO) + 1), 1);
	cr_assert_eq(st_hist_index(1u << (ST_HIST_LO + 1)), 1);
	cr_assert_eq(st_hist_index((1u << (ST_HIST_LO + 1)) + 1), 2);
	cr_assert_eq(st_hist_index(1000000), 6);   /* 1 ms: (2^19, 2^20] → 20 - 14 */
	cr_assert_eq(st_hist_index(1ull << (ST_HIST_LO + ST_HIST_NB - 1)), ST_HIST_NB - 1);
	cr_assert_eq(st_hist_index((1ull << (ST_HIST_LO + ST_HIST_NB - 1)) + 1), ST_HIST_NB);
	cr_assert_eq(st_hist_index(UINT64_MAX), ST_HIST_NB);
}

Test(stats, op_counts_bytes_latency)
{
	st_force_role('t');
	int64_t t0 = stats_now() - 5000;
	stats_op(STATS_GET, "ais", "", "b1", t0, 100);
	stats_op(STATS_GET, "ais", "", "b2", t0, 23);
	stats_op(STATS_PUT, "ais", "", "b1", t0, 7);
	stats_op(STATS_HEAD, "ais", "", "b1", t0, 999); /* HEAD has no size metric */
	stats_op(STATS_DEL, "ais", "", "b1", 0, -1);
	stats_op(STATS_GET, "ais", "", "b1", 0, -1);    /* no latency, no bytes */
	cr_assert_eq(stats_get_op(STATS_GET, false, false), 3);
	cr_assert_eq(stats_get_op(STATS_GET, true, false), 123);
	cr_assert_geq(stats_get_op(STATS_GET, false, true), 10000);
	cr_assert_eq(stats_get_op(STATS_PUT, false, false), 1);
	cr_assert_eq(stats_get_op(STATS_PUT, true, false), 7);
	cr_assert_eq(stats_get_op(STATS_HEAD, false, false), 1);
	cr_assert_eq(stats_get_op(STATS_HEAD, true, false), 0);
	cr_assert_eq(stats_get_op(STATS_DEL, false, false), 1);
	cr_assert_eq(stats_get_op(STATS_DEL, false, true), 0);
	stats_reset();
	cr_assert_eq(stats_get_op(STATS_GET, false, false), 0);
}

Test(stats, error_kinds)
{
	stats_err(STATS_ERR_GET, "ais", "", "b");
	stats_err(STATS_ERR_IO_GET, "ais", "", "b");
	stats_err(STATS_ERR_PUT_CKSUM, "ais", "", "b");
	stats_err(STATS_ERR_IO_DEL, "ais", "", "b");
	stats_err(STATS_NERRS, "ais", "", "b"); /* ignored */
	cr_assert_eq(stats_get_err(STATS_ERR_GET), 2);
	cr_assert_eq(stats_get_err(STATS_ERR_IO_GET), 1);
	cr_assert_eq(stats_get_err(STATS_ERR_PUT), 1);
	cr_assert_eq(stats_get_err(STATS_ERR_PUT_CKSUM), 1);
	cr_assert_eq(stats_get_err(STATS_ERR_DEL), 1);
	/* 404: GET is not an error by default (no config → no Count-Object-NotFound-Stats), HEAD never,
	 * DELETE is */
	stats_notfound(HTTP_M_GET, "ais", "", "b");
	stats_notfound(HTTP_M_HEAD, "ais", "", "b");
	stats_notfound(HTTP_M_DELETE, "ais", "", "b");
	cr_assert_eq(stats_get_err(STATS_ERR_GET), 2);
	cr_assert_eq(stats_get_err(STATS_ERR_HEAD), 0);
	cr_assert_eq(stats_get_err(STATS_ERR_DEL), 2);
}

Test(stats, proxy_redirect_counts)
{
	st_force_role('p');
	stats_redirect(HTTP_M_GET, false, true, "ais", "", "b");
	stats_redirect(HTTP_M_PUT, false, true, "ais", "", "b");
	stats_redirect(HTTP_M_PUT, true, true, "ais", "", "b");
	stats_redirect(HTTP_M_DELETE, false, true, "ais", "", "b");
	stats_redirect(HTTP_M_HEAD, false, true, "ais", "", "b"); /* not counted */
	stats_redirect(HTTP_M_GET, false, false, "ais", "", "b");
	cr_assert_eq(stats_get_op(STATS_GET, false, false), 1);
	cr_assert_eq(stats_get_op(STATS_PUT, false, false), 1);
	cr_assert_eq(stats_get_op(STATS_APPEND, false, false), 1);
	cr_assert_eq(stats_get_op(STATS_DEL, false, false), 1);
	cr_assert_eq(stats_get_op(STATS_HEAD, false, false), 0);
	cr_assert_eq(stats_get_err(STATS_ERR_GET), 1);
}

#define NTHR 8
#define NPER 20000

static void *hammer(void *arg)
{
	const char *b = arg;
	for (int i = 0; i < NPER; i++) {
		stats_op(STATS_GET, "ais", "", b, 0, 3);
		stats_op(STATS_PUT, "aws", "", b, 0, 1);
	}
	return NULL;
}

Test(stats, threads_exact_sums)
{
	st_force_role('p'); /* labelled slots: exercises the CAS install under contention */
	pthread_t t[NTHR];
	static const char *bk[4] = {"x1", "x2", "x3", "x4"};
	for (int i = 0; i < NTHR; i++)
		pthread_create(&t[i], NULL, hammer, (void *)bk[i % 4]);
	for (int i = 0; i < NTHR; i++)
		pthread_join(t[i], NULL);
	cr_assert_eq(stats_get_op(STATS_GET, false, false), (uint64_t)NTHR * NPER);
	cr_assert_eq(stats_get_op(STATS_GET, true, false), (uint64_t)NTHR * NPER * 3);
	cr_assert_eq(stats_get_op(STATS_PUT, true, false), (uint64_t)NTHR * NPER);
	char *s = render();
	cr_assert_eq(sample(s, "ais_proxy_get_count{bucket=\"ais://x1\",node_id=\"\"}"), 2.0 * NPER);
	cr_assert_eq(sample(s, "ais_proxy_put_count{bucket=\"s3://x4\",node_id=\"\",xkind=\"\"}"), 2.0 * NPER);
	free(s);
}

Test(stats, cname)
{
	char b[128];
	st_cname(b, sizeof(b), "ais", "", "b");
	cr_assert_str_eq(b, "ais://b");
	st_cname(b, sizeof(b), "", "", "b");
	cr_assert_str_eq(b, "ais://b");
	st_cname(b, sizeof(b), "aws", "", "b");
	cr_assert_str_eq(b, "s3://b");
	st_cname(b, sizeof(b), "gcp", "", "b");
	cr_assert_str_eq(b, "gs://b");
	st_cname(b, sizeof(b), "ais", "@uuid#ns", "b");
	cr_assert_str_eq(b, "ais://@uuid#ns/b");
}

Test(stats, escaping)
{
	sbuf_t b = SBUF_INIT;
	prom_escape_label(&b, "a\"b\\c\nd");
	cr_assert_str_eq(sbuf_str(&b), "a\\\"b\\\\c\\nd");
	sbuf_reset(&b);
	prom_escape_help(&b, "x\\y\n\"z\"");
	cr_assert_str_eq(sbuf_str(&b), "x\\\\y\\n\"z\"");
	sbuf_fini(&b);
}

Test(stats, number_format)
{
	static const struct { double v; const char *s; } c[] = {
		{0, "0"}, {1, "1"}, {-3, "-3"}, {12345678901.0, "12345678901"}, {0.5, "0.5"}, {0.1, "0.1"},
		{1.0 / 3, "0.3333333333333333"}, {1e-9, "1e-09"}, {0.1 + 0.2, "0.30000000000000004"}, {1.5e300, "1.5e+300"},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		sbuf_t b = SBUF_INIT;
		prom_add_double(&b, c[i].v);
		cr_assert_str_eq(sbuf_str(&b), c[i].s, "%g", c[i].v);
		sbuf_fini(&b);
	}
	sbuf_t b = SBUF_INIT;
	prom_add_double(&b, NAN);
	prom_add_double(&b, INFINITY);
	prom_add_double(&b, -INFINITY);
	cr_assert_str_eq(sbuf_str(&b), "NaN+Inf-Inf");
	sbuf_fini(&b);
}

Test(stats, label_value_escaped_in_exposition)
{
	st_force_role('p');
	stats_op(STATS_GET, "ais", "@u#n\"s\\x", "b", 0, -1);
	char *s = render();
	cr_assert_not_null(strstr(s, "ais_proxy_get_count{bucket=\"ais://@u#n\\\"s\\\\x/b\",node_id=\"\"} 1\n"), "%s", s);
	free(s);
}

/* every line is a HELP, a TYPE (counter|gauge|histogram) or a sample; HELP+TYPE precede each
 * family's samples; no family twice */
Test(stats, exposition_syntax)
{
	st_force_role('t');
	int64_t t0 = stats_now() - 20000;
	stats_op(STATS_GET, "ais", "", "b", t0, 10);
	stats_op(STATS_PUT, "ais", "", "b", t0, 10);
	stats_err(STATS_ERR_IO_GET, "ais", "", "b");
	membership_kalive_note(stats_now(), false);
	char *s = render();
	regex_t help, type, smp;
	cr_assert_eq(regcomp(&help, "^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$", REG_EXTENDED | REG_NOSUB), 0);
	cr_assert_eq(regcomp(&type, "^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$", REG_EXTENDED), 0);
	cr_assert_eq(regcomp(&smp,
			     "^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? "
			     "(-?[0-9.]+(e[-+][0-9]+)?|[-+]Inf|NaN)$",
			     REG_EXTENDED | REG_NOSUB),
		     0);
	char fams[128][96];
	int nf = 0;
	char *save = NULL;
	for (char *ln = strtok_r(s, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(ln, "# HELP ", 7)) {
			cr_assert_eq(regexec(&help, ln, 0, NULL, 0), 0, "%s", ln);
		} else if (!strncmp(ln, "# TYPE ", 7)) {
			regmatch_t m[2];
			cr_assert_eq(regexec(&type, ln, 2, m, 0), 0, "%s", ln);
			char f[96];
			snprintf(f, sizeof(f), "%.*s", (int)(m[1].rm_eo - m[1].rm_so), ln + m[1].rm_so);
			for (int i = 0; i < nf; i++)
				cr_assert_str_neq(fams[i], f, "family twice: %s", f);
			cr_assert_lt(nf, 128);
			snprintf(fams[nf++], sizeof(fams[0]), "%s", f);
		} else {
			cr_assert_eq(regexec(&smp, ln, 0, NULL, 0), 0, "bad sample: %s", ln);
			cr_assert_gt(nf, 0);
			cr_assert_eq(strncmp(ln, fams[nf - 1], strlen(fams[nf - 1])), 0, "%s outside %s", ln, fams[nf - 1]);
		}
	}
	/* sorted by family name */
	for (int i = 1; i < nf; i++)
		cr_assert_lt(strcmp(fams[i - 1], fams[i]), 0, "%s before %s", fams[i - 1], fams[i]);
	regfree(&help);
	regfree(&type);
	regfree(&smp);
	free(s);

	s = render();
	/* target default: bucket label "" ; xkind on PUT metrics */
	cr_assert_eq(sample(s, "ais_target_get_count{bucket=\"\",node_id=\"\"}"), 1);
	cr_assert_eq(sample(s, "ais_target_get_bytes{bucket=\"\",node_id=\"\"}"), 10);
	cr_assert_eq(sample(s, "ais_target_put_bytes{bucket=\"\",node_id=\"\",xkind=\"\"}"), 10);
	cr_assert_eq(sample(s, "ais_target_err_get_count{bucket=\"\",node_id=\"\"}"), 1);
	cr_assert_eq(sample(s, "ais_target_err_io_get_count{bucket=\"\",node_id=\"\"}"), 1);
	cr_assert_eq(sample(s, "ais_target_err_kalive_count{node_id=\"\"}"), 1);
	cr_assert_geq(sample(s, "ais_target_get_ns_total{bucket=\"\",node_id=\"\"}"), 20000);
	cr_assert_eq(sample(s, "ais_target_get_latency_seconds_bucket{le=\"+Inf\",node_id=\"\"}"), 1);
	cr_assert_eq(sample(s, "ais_target_get_latency_seconds_count{node_id=\"\"}"), 1);
	cr_assert_eq(sample(s, "ais_target_get_latency_seconds_bucket{le=\"1.6384e-05\",node_id=\"\"}"), 0);
	cr_assert_eq(sample(s, "ais_target_state_flags{node_id=\"\"}"), 4); /* NodeStarted, not joined */
	/* unused families are absent (as AIStore's vectors), unlabelled counters always present */
	cr_assert_null(strstr(s, "ais_target_del_count"));
	cr_assert_eq(sample(s, "ais_target_err_http_write_count{node_id=\"\"}"), 0);
	/* target-only families do not appear on a proxy and vice versa */
	cr_assert_null(strstr(s, "ais_proxy_"));
	free(s);
	st_force_role('p');
	s = render();
	cr_assert_null(strstr(s, "ais_target_"));
	cr_assert_null(strstr(s, "get_bytes"));
	cr_assert_null(strstr(s, "latency_seconds"));
	free(s);
}

Test(stats, tracker_json)
{
	st_force_role('t');
	stats_op(STATS_GET, "ais", "", "b", stats_now() - 1000, 5);
	stats_op(STATS_GET, "ais", "", "b", stats_now() - 1000, 6);
	json_t *t = stats_tracker_json();
	cr_assert_not_null(t);
	cr_assert_eq(json_integer_value(json_object_get(t, "get.n")), 2);
	cr_assert_eq(json_integer_value(json_object_get(t, "get.size")), 11);
	cr_assert_eq(json_integer_value(json_object_get(t, "get.bps")), 11);
	cr_assert_geq(json_integer_value(json_object_get(t, "get.ns.total")), 2000);
	cr_assert_eq(json_integer_value(json_object_get(t, "get.ns")), json_integer_value(json_object_get(t, "get.ns.total")));
	cr_assert_null(json_object_get(t, "put.n"));            /* zero counters are omitted */
	cr_assert_not_null(json_object_get(t, "put.size"));     /* throughput twins always there */
	cr_assert_not_null(json_object_get(t, "kalive.ns"));    /* latencies always */
	cr_assert_not_null(json_object_get(t, "up.ns.time"));
	json_decref(t);
}

Test(stats, status_json_shape)
{
	st_force_role('p');
	json_t *j = json_object();
	stats_status_json(j);
	cr_assert(json_is_object(json_object_get(j, "tracker")));
	cr_assert(json_is_object(json_object_get(j, "capacity")));
	json_t *si = json_object_get(j, "sys_info");
	cr_assert(json_integer_value(json_object_get(si, "mem_used")) > 0);
	cr_assert(json_is_object(json_object_get(si, "load_avg")));
	json_t *cl = json_object_get(j, "cluster");
	cr_assert(json_is_object(json_object_get(json_object_get(cl, "smap"), "Primary")));
	cr_assert(json_integer_value(json_object_get(cl, "flags")) & 4);
	cr_assert_str_eq(json_string_value(json_object_get(j, "ais_version")), "4.7");
	json_decref(j);
}
