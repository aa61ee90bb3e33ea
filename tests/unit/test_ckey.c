/* test_ckey: the cluster secret (core/ckey.c): the key file (generated 0600, refused when others
 * can read it, malformed), derived intra MACs (current and previous secret), sealed secrets
 * (round trip, tamper, another key), base64url; and the replay memory (core/replay.c). */
#include "core/ckey.h"
#include "core/err.h"
#include "core/replay.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tdir[64];

static void mkdir_tmp(void)
{
	snprintf(tdir, sizeof(tdir), "/tmp/ckey-XXXXXX");
	cr_assert(mkdtemp(tdir));
	unsetenv(CKEY_ENV_FILE);
}

static void rm_tmp(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tdir);
	cr_assert(system(cmd) == 0);
	ckey_fini();
}

static void write_file(const char *name, const char *txt, mode_t mode)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/%s", tdir, name);
	FILE *f = fopen(p, "w");
	cr_assert(f);
	fputs(txt, f);
	fclose(f);
	chmod(p, mode);
}

#define K1 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define K2 "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

TestSuite(ckey, .init = mkdir_tmp, .fini = rm_tmp);

Test(ckey, generates_0600_and_reloads_the_same)
{
	char err[256] = "", p[128];
	cr_assert_eq(ckey_load(tdir, err, sizeof(err)), 0, "%s", err);
	snprintf(p, sizeof(p), "%s/%s", tdir, CKEY_FILE_NAME);
	struct stat st;
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	uint8_t a[CKEY_MAC_LEN], b[CKEY_MAC_LEN];
	cr_assert_eq(ckey_intra_mac(0, 0, "x", 1, a), 0);
	ckey_fini();
	cr_assert_eq(ckey_load(tdir, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ckey_intra_mac(0, 0, "x", 1, b), 0);
	cr_assert(ckey_equal(a, b, sizeof(a)));
	cr_assert_eq(ckey_intra_mac(1, 0, "x", 1, b), AIS_ENOTFOUND);
}

Test(ckey, refuses_readable_or_malformed_files)
{
	char err[256] = "";
	write_file(CKEY_FILE_NAME, K1 "\n", 0644);
	cr_assert_eq(ckey_load(tdir, err, sizeof(err)), AIS_EFORBIDDEN);
	cr_assert(strstr(err, "0600"), "%s", err);
	write_file(CKEY_FILE_NAME, "1234\n", 0600);
	cr_assert_eq(ckey_load(tdir, err, sizeof(err)), AIS_EINVAL);
	write_file(CKEY_FILE_NAME, K1 "\n" K2 "\nextra\n", 0600);
	cr_assert_eq(ckey_load(tdir, err, sizeof(err)), AIS_EINVAL);
	cr_assert_not(ckey_loaded());
}

Test(ckey, previous_secret_is_accepted)
{
	char err[256] = "";
	uint8_t old[CKEY_MAC_LEN], cur[CKEY_MAC_LEN], prev[CKEY_MAC_LEN];
	write_file(CKEY_FILE_NAME, K2 "\n", 0600);
	cr_assert_eq(ckey_load(tdir, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ckey_intra_mac(0, 0, "msg", 3, old), 0);
	char sealed[256], out[64];
	cr_assert_eq(ckey_seal("top-secret", sealed, sizeof(sealed)), 0);
	/* rotation: K1 is new, K2 the previous one */
	write_file(CKEY_FILE_NAME, K1 "\n" K2 "\n", 0600);
	cr_assert_eq(ckey_load(tdir, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ckey_intra_mac(0, 0, "msg", 3, cur), 0);
	cr_assert_eq(ckey_intra_mac(1, 0, "msg", 3, prev), 0);
	cr_assert_not(ckey_equal(cur, old, sizeof(cur)));
	cr_assert(ckey_equal(prev, old, sizeof(prev)));
	cr_assert_eq(ckey_open(sealed, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "top-secret");
	/* after the rotation is over: the old key's seals no longer open */
	write_file(CKEY_FILE_NAME, K1 "\n", 0600);
	cr_assert_eq(ckey_load(tdir, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ckey_open(sealed, out, sizeof(out)), AIS_EINVAL);
}

Test(ckey, reload_with_grace)
{
	char err[256] = "";
	uint8_t a[CKEY_MAC_LEN], b[CKEY_MAC_LEN];
	write_file(CKEY_FILE_NAME, K2 "\n", 0600);
	cr_assert_eq(ckey_load(tdir, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ckey_intra_mac(0, 0, "m", 1, a), 0);
	uint64_t g = ckey_gen();
	cr_assert_eq(ckey_reload(100, 50, err, sizeof(err)), 0); /* unchanged */
	cr_assert_eq(ckey_gen(), g);
	write_file(CKEY_FILE_NAME, K1 "\n", 0600);
	cr_assert_eq(ckey_reload(100, 50, err, sizeof(err)), 1, "%s", err);
	cr_assert_neq(ckey_gen(), g);
	/* K1 signs; K2 (dropped) is accepted until 150 */
	cr_assert_eq(ckey_intra_mac(0, 100, "m", 1, b), 0);
	cr_assert_not(ckey_equal(a, b, sizeof(a)));
	cr_assert_eq(ckey_intra_mac(1, 149, "m", 1, b), 0);
	cr_assert(ckey_equal(a, b, sizeof(a)));
	cr_assert_eq(ckey_intra_mac(1, 150, "m", 1, b), AIS_ENOTFOUND);
	/* a bad file: the keys stay */
	write_file(CKEY_FILE_NAME, "nonsense\n", 0600);
	cr_assert_lt(ckey_reload(120, 50, err, sizeof(err)), 0);
	cr_assert_eq(ckey_intra_mac(0, 120, "m", 1, b), 0);
	write_file(CKEY_FILE_NAME, K1 "\n", 0644);
	cr_assert_eq(ckey_reload(120, 50, err, sizeof(err)), AIS_EFORBIDDEN);
}

Test(ckey, seal_open)
{
	uint8_t k[CKEY_LEN];
	memset(k, 7, sizeof(k));
	cr_assert_eq(ckey_set(k, NULL), 0);
	char s1[256], s2[256], out[600];
	cr_assert_eq(ckey_seal("wJalrXUtnFEMI/K7MDENG", s1, sizeof(s1)), 0);
	cr_assert_eq(ckey_seal("wJalrXUtnFEMI/K7MDENG", s2, sizeof(s2)), 0);
	cr_assert(ckey_is_sealed(s1));
	cr_assert_str_neq(s1, s2); /* random IV */
	cr_assert_null(strstr(s1, "wJalr"));
	cr_assert_eq(ckey_open(s1, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "wJalrXUtnFEMI/K7MDENG");
	/* tampered: every position */
	size_t n = strlen(s1);
	for (size_t i = strlen(CKEY_SEAL_PREFIX); i < n; i++) {
		char t[256];
		memcpy(t, s1, n + 1);
		t[i] = t[i] == 'A' ? 'B' : 'A';
		cr_assert_neq(ckey_open(t, out, sizeof(out)), 0, "%zu", i);
	}
	cr_assert_eq(ckey_open("enc:v1:", out, sizeof(out)), AIS_EINVAL);
	cr_assert_eq(ckey_open("plain", out, sizeof(out)), AIS_EINVAL);
	cr_assert_eq(ckey_open(s1, out, 5), AIS_EINVAL); /* no room */
	/* another cluster's key */
	memset(k, 8, sizeof(k));
	cr_assert_eq(ckey_set(k, NULL), 0);
	cr_assert_eq(ckey_open(s1, out, sizeof(out)), AIS_EINVAL);
	/* long secrets and the empty one */
	char big[513], sb[1024];
	memset(big, 'x', 512);
	big[512] = '\0';
	cr_assert_eq(ckey_seal(big, sb, sizeof(sb)), 0);
	cr_assert_eq(ckey_open(sb, out, sizeof(out)), 0);
	cr_assert_str_eq(out, big);
	cr_assert_eq(ckey_seal(big, sb, 100), AIS_EINVAL);
	cr_assert_eq(ckey_seal("", sb, sizeof(sb)), 0);
	cr_assert_eq(ckey_open(sb, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "");
}

Test(ckey, no_key_no_seal)
{
	char s[256];
	cr_assert_eq(ckey_seal("x", s, sizeof(s)), AIS_EUNAVAIL);
	uint8_t m[CKEY_MAC_LEN];
	cr_assert_eq(ckey_intra_mac(0, 0, "x", 1, m), AIS_EUNAVAIL);
}

Test(ckey, b64url)
{
	static const struct { const char *in, *out; } v[] = {
		{"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"}, {"\xfb\xff", "-_8"}};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char out[32];
		uint8_t dec[32];
		size_t n = strlen(v[i].in);
		ckey_b64url((const uint8_t *)v[i].in, n, out, sizeof(out));
		cr_assert_str_eq(out, v[i].out);
		cr_assert_eq(ckey_b64url_dec(out, strlen(out), dec, sizeof(dec)), (long)n);
		cr_assert_eq(memcmp(dec, v[i].in, n), 0);
	}
	uint8_t d[8];
	cr_assert_eq(ckey_b64url_dec("Zm9v=", 5, d, sizeof(d)), -1);
	cr_assert_eq(ckey_b64url_dec("Zm+v", 4, d, sizeof(d)), -1);
	cr_assert_eq(ckey_b64url_dec("Z", 1, d, sizeof(d)), -1);
	cr_assert_eq(ckey_b64url_dec("Zm9vYmFy", 8, d, 3), -1);
}

/* ---------------- replay ---------------- */

Test(replay, once_until_expiry)
{
	replay_t *rp = replay_new(1000);
	cr_assert(rp);
	cr_assert_eq(replay_check(rp, 42, 100, 200), 0);
	cr_assert_eq(replay_check(rp, 42, 150, 250), AIS_EEXIST);
	cr_assert_eq(replay_check(rp, 43, 150, 250), 0);
	cr_assert_eq(replay_count(rp, 150), 2u);
	/* after its expiry the nonce is forgotten (its message is refused by its time anyway) */
	cr_assert_eq(replay_check(rp, 42, 201, 300), 0);
	replay_free(rp);
}

Test(replay, full_refuses_rather_than_forgets)
{
	replay_t *rp = replay_new(64);
	int ok = 0, full = 0;
	for (uint64_t i = 0; i < 5000; i++) {
		int rc = replay_check(rp, i * 0x9e3779b97f4a7c15ULL, 10, 1000);
		ok += rc == 0;
		full += rc == AIS_EAGAIN;
	}
	cr_assert(full > 0 && ok >= 64 && ok + full == 5000, "ok %d full %d", ok, full);
	/* every accepted nonce is still refused as a replay */
	for (uint64_t i = 0; i < 5000; i++) {
		int rc = replay_check(rp, i * 0x9e3779b97f4a7c15ULL, 10, 1000);
		cr_assert(rc == AIS_EEXIST || rc == AIS_EAGAIN);
	}
	/* once they expired there is room again */
	cr_assert_eq(replay_check(rp, 7, 2000, 3000), 0);
	replay_free(rp);
}

Test(replay, many_live_rebuilds)
{
	replay_t *rp = replay_new(0);
	for (uint64_t i = 1; i <= 100000; i++)
		cr_assert_eq(replay_check(rp, i, (int64_t)i, (int64_t)i + 50000), 0);
	cr_assert_eq(replay_count(rp, 100000), 50000u);
	for (uint64_t i = 50001; i <= 100000; i++)
		cr_assert_eq(replay_check(rp, i, 100000, 200000), AIS_EEXIST);
	replay_free(rp);
}

/* consecutive nonces (a thread's redirect counter, net/rsig.c) spread over every shard: the memory
 * holds as many of them as its size says, not one shard's share */
Test(replay, counter_nonces_use_every_shard)
{
	replay_t *rp = replay_new(1024);
	cr_assert(rp);
	uint64_t base = 0xfedcba9876543210ULL;
	for (uint64_t i = 0; i < 600; i++)
		cr_assert_eq(replay_check(rp, base + i, 1000, 1000 + 60000000000LL), 0, "nonce %llu", (unsigned long long)i);
	cr_assert_eq(replay_check(rp, base + 7, 1000, 1000 + 60000000000LL), AIS_EEXIST);
	cr_assert_eq(replay_count(rp, 1000), 600);
	replay_free(rp);
}
