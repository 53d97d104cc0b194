/*
 * test_devices.c -- the device registry and receipts (node/devices):
 * add, list, remove and reload; bad ids, areas and keys; duplicates;
 * the PSK lookup; receipt payloads (text and CBOR) and every refusal;
 * one receipt per (device, alert); reach per district with p50/p99;
 * the receipt log replayed after a reopen, a torn last line cut.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/devices/devices.h"
#include "rm_test.h"

static char dir[64];

static devices *
open_dir(void)
{
	devices *d = NULL;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(devices_open(dir, &d, &why), RM_OK);
	return d;
}

static void
fresh_dir(void)
{
	char p[128];

	if (dir[0] != '\0') {
		snprintf(p, sizeof(p), "%s/" DEVICES_FILE, dir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/" DEVICE_RECEIPTS_FILE, dir);
		unlink(p);
		rmdir(dir);
	}
	snprintf(dir, sizeof(dir), "/tmp/rm-devices.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
}

#define K1 "siren-one-secret-key-0001"

static void
test_registry(void)
{
	char psk[DEVICE_PSK_MAX + 1], path[128];
	uint8_t key[DEVICE_PSK_MAX];
	struct device_info *v;
	struct stat sb;
	size_t n, kl;
	rm_why why;
	devices *d;

	fresh_dir();
	d = open_dir();
	CU_ASSERT_EQUAL(devices_add(d, "siren-1", "120116001",
	    (const uint8_t *)K1, strlen(K1), psk, &why), RM_OK);
	CU_ASSERT_STRING_EQUAL(psk, K1);
	CU_ASSERT_EQUAL(devices_add(d, "panel_2", "120116", NULL, 0, psk,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(strlen(psk), 64);  /* generated: 64 hex digits */
	CU_ASSERT_EQUAL(strspn(psk, "0123456789abcdef"), 64);
	/* duplicate id */
	CU_ASSERT_EQUAL(devices_add(d, "siren-1", "120103", NULL, 0, NULL,
	    &why), RM_EEXIST);
	CU_ASSERT_STRING_EQUAL(why.field, "id");
	/* bad ids, areas, keys */
	CU_ASSERT_EQUAL(devices_add(d, "bad id", "120116", NULL, 0, NULL,
	    &why), RM_EBADVALUE);
	CU_ASSERT_EQUAL(devices_add(d, "-dash", "120116", NULL, 0, NULL,
	    &why), RM_EBADVALUE);
	CU_ASSERT_EQUAL(devices_add(d, "", "120116", NULL, 0, NULL, &why),
	    RM_EBADVALUE);
	CU_ASSERT_EQUAL(devices_add(d, "x123456789012345678901234567890123456"
	    "7890123456789012345678901234", "120116", NULL, 0, NULL, &why),
	    RM_EBADVALUE);                /* 65 characters */
	CU_ASSERT_EQUAL(devices_add(d, "ok-3", "12011", NULL, 0, NULL, &why),
	    RM_EBADVALUE);
	CU_ASSERT_STRING_EQUAL(why.field, "area");
	CU_ASSERT_EQUAL(devices_add(d, "ok-3", "120116", (const uint8_t *)
	    "short", 5, NULL, &why), RM_EBADVALUE);
	CU_ASSERT_STRING_EQUAL(why.field, "psk");
	CU_ASSERT_EQUAL(devices_add(d, "ok-3", "120116", (const uint8_t *)
	    "has a space in it ok", 20, NULL, &why), RM_EBADVALUE);
	CU_ASSERT_TRUE(device_id_valid("a.b_c-9", 7));
	CU_ASSERT_FALSE(device_id_valid("a/b", 3));
	/* PSK lookup */
	CU_ASSERT_TRUE(devices_psk(d, (const uint8_t *)"siren-1", 7, key, &kl));
	CU_ASSERT_EQUAL(kl, strlen(K1));
	CU_ASSERT_EQUAL(memcmp(key, K1, kl), 0);
	CU_ASSERT_FALSE(devices_psk(d, (const uint8_t *)"nobody", 6, key,
	    &kl));
	CU_ASSERT_FALSE(devices_psk(d, (const uint8_t *)"siren-1\0x", 9, key,
	    &kl));
	/* list: sorted, no keys */
	CU_ASSERT_EQUAL_FATAL(devices_list(d, &v, &n), RM_OK);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(v[0].id, "panel_2");
	CU_ASSERT_STRING_EQUAL(v[1].id, "siren-1");
	CU_ASSERT_STRING_EQUAL(v[1].area, "120116001");
	free(v);
	/* the file: mode 0600, survives a reopen */
	snprintf(path, sizeof(path), "%s/" DEVICES_FILE, dir);
	CU_ASSERT_EQUAL_FATAL(stat(path, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 0777, 0600);
	devices_close(d);
	d = open_dir();
	CU_ASSERT_TRUE(devices_psk(d, (const uint8_t *)"siren-1", 7, key, &kl));
	CU_ASSERT_EQUAL(memcmp(key, K1, kl), 0);
	/* remove */
	CU_ASSERT_EQUAL(devices_remove(d, "siren-1", &why), RM_OK);
	CU_ASSERT_EQUAL(devices_remove(d, "siren-1", &why), RM_ENOTFOUND);
	CU_ASSERT_FALSE(devices_psk(d, (const uint8_t *)"siren-1", 7, key,
	    &kl));
	devices_close(d);
	d = open_dir();
	CU_ASSERT_EQUAL_FATAL(devices_list(d, &v, &n), RM_OK);
	CU_ASSERT_EQUAL(n, 1);
	free(v);
	devices_close(d);
}

/* A removal that cannot be saved leaves the registry as it was, also
 * with the array full (64 devices, its first capacity: the failure path
 * wiped the slot past the end). The file is made unwritable by putting
 * a non-empty directory in its place (the tests may run as root). */
static void
test_remove_unsaved(void)
{
	char id[16], path[128], inner[160];
	uint8_t key[DEVICE_PSK_MAX];
	struct device_info *v;
	size_t n, kl;
	rm_why why;
	devices *d;

	fresh_dir();
	d = open_dir();
	for (int i = 0; i < 64; i++) {
		snprintf(id, sizeof(id), "dev-%02d", i);
		CU_ASSERT_EQUAL_FATAL(devices_add(d, id, "120116", NULL, 0,
		    NULL, &why), RM_OK);
	}
	snprintf(path, sizeof(path), "%s/" DEVICES_FILE, dir);
	snprintf(inner, sizeof(inner), "%s/x", path);
	CU_ASSERT_EQUAL_FATAL(unlink(path), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(inner, 0700), 0);
	CU_ASSERT_NOT_EQUAL(devices_remove(d, "dev-10", &why), RM_OK);
	CU_ASSERT_NOT_EQUAL(devices_remove(d, "dev-63", &why), RM_OK);
	CU_ASSERT_TRUE(devices_psk(d, (const uint8_t *)"dev-10", 6, key, &kl));
	CU_ASSERT_TRUE(devices_psk(d, (const uint8_t *)"dev-63", 6, key, &kl));
	CU_ASSERT_EQUAL_FATAL(devices_list(d, &v, &n), RM_OK);
	CU_ASSERT_EQUAL(n, 64);
	free(v);
	devices_close(d);
	rmdir(inner);
	rmdir(path);
}

static void
test_bad_file(void)
{
	char path[128];
	devices *d = NULL;
	rm_why why;
	FILE *f;

	fresh_dir();
	snprintf(path, sizeof(path), "%s/" DEVICES_FILE, dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(path, "w"));
	fputs("# riskmesh devices v1\nsiren-1 120116 zz 0\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(devices_open(dir, &d, &why), RM_EMALFORMED);
	CU_ASSERT_PTR_NULL(d);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, ":2:"));
}

static const uint8_t HASH[32] = { 0xea, 0x42, 0x84, 0x28, 1, 2, 3, 4, 5, 6,
	7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
	25, 26, 27, 28 };

static void
test_decode(void)
{
	char hex[66];
	uint8_t cb[64];
	rm_hash h;
	rm_why why;

	rm_hex_encode(HASH, 32, hex);
	CU_ASSERT_EQUAL(devices_receipt_decode(DEVICE_CF_TEXT,
	    (const uint8_t *)hex, 64, &h, &why), RM_OK);
	CU_ASSERT_EQUAL(memcmp(h.b, HASH, 32), 0);
	strcat(hex, "\n");
	CU_ASSERT_EQUAL(devices_receipt_decode(DEVICE_CF_TEXT,
	    (const uint8_t *)hex, 65, &h, &why), RM_OK);
	hex[0] = 'E';                   /* upper case is fine */
	CU_ASSERT_EQUAL(devices_receipt_decode(DEVICE_CF_TEXT,
	    (const uint8_t *)hex, 64, &h, &why), RM_OK);
	hex[1] = 'g';
	CU_ASSERT_EQUAL(devices_receipt_decode(DEVICE_CF_TEXT,
	    (const uint8_t *)hex, 64, &h, &why), RM_EMALFORMED);
	CU_ASSERT_EQUAL(devices_receipt_decode(DEVICE_CF_TEXT,
	    (const uint8_t *)hex, 63, &h, &why), RM_EMALFORMED);
	CU_ASSERT_EQUAL(devices_receipt_decode(DEVICE_CF_TEXT, NULL, 0, &h,
	    &why), RM_EMALFORMED);
	/* CBOR {"hash": h'..'}: a1 64 "hash" 58 20 <32> */
	cb[0] = 0xa1;
	cb[1] = 0x64;
	memcpy(cb + 2, "hash", 4);
	cb[6] = 0x58;
	cb[7] = 0x20;
	memcpy(cb + 8, HASH, 32);
	memset(&h, 0, sizeof(h));
	CU_ASSERT_EQUAL(devices_receipt_decode(DEVICE_CF_CBOR, cb, 40, &h,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(memcmp(h.b, HASH, 32), 0);
	CU_ASSERT_NOT_EQUAL(devices_receipt_decode(DEVICE_CF_CBOR, cb, 39, &h,
	    &why), RM_OK);              /* truncated */
	cb[40] = 0;
	CU_ASSERT_NOT_EQUAL(devices_receipt_decode(DEVICE_CF_CBOR, cb, 41, &h,
	    &why), RM_OK);              /* trailing byte */
	cb[7] = 0x1f;                   /* 31 bytes */
	CU_ASSERT_NOT_EQUAL(devices_receipt_decode(DEVICE_CF_CBOR, cb, 39, &h,
	    &why), RM_OK);
	cb[7] = 0x20;
	cb[2] = 'H';                    /* unknown key */
	CU_ASSERT_NOT_EQUAL(devices_receipt_decode(DEVICE_CF_CBOR, cb, 40, &h,
	    &why), RM_OK);
	cb[0] = 0xa0;                   /* empty map */
	CU_ASSERT_NOT_EQUAL(devices_receipt_decode(DEVICE_CF_CBOR, cb, 1, &h,
	    &why), RM_OK);
	cb[0] = 0x80;                   /* an array */
	CU_ASSERT_NOT_EQUAL(devices_receipt_decode(DEVICE_CF_CBOR, cb, 1, &h,
	    &why), RM_OK);
	/* other content formats */
	CU_ASSERT_EQUAL(devices_receipt_decode(50, cb, 40, &h, &why),
	    RM_EUNSUPPORTED);
	CU_ASSERT_EQUAL(devices_receipt_decode(42, cb, 40, &h, &why),
	    RM_EUNSUPPORTED);
}

/* The node holds one alert: HASH, (120000.emergency, typhoon-1),
 * issued at 1000. */
static int
held(void *arg, const rm_hash *h, struct device_alert *out)
{
	(void)arg;
	if (memcmp(h->b, HASH, 32) != 0)
		return RM_ENOTFOUND;
	snprintf(out->origin, sizeof(out->origin), "120000.emergency");
	snprintf(out->oid, sizeof(out->oid), "typhoon-1");
	out->issued_ms = 1000;
	return RM_OK;
}

static int
post(devices *d, const char *id, const char *body, rm_utc_ms now, bool *dup,
    enum device_refusal *ref)
{
	rm_why why;

	return devices_receipt(d, (const uint8_t *)id, id ? strlen(id) : 0,
	    DEVICE_CF_TEXT, (const uint8_t *)body, strlen(body), held, NULL,
	    now, dup, ref, &why);
}

/* A receipt the log cannot take (here: the file size limit, EFBIG) is
 * refused as "io", counted, and not found in the log after a restart. */
static void
test_receipt_io(void)
{
	char hex[65], path[128];
	struct devices_stats st;
	enum device_refusal ref;
	struct rlimit old, lim;
	struct stat sb;
	rm_hash h;
	bool dup;
	devices *d;

	fresh_dir();
	d = open_dir();
	rm_hex_encode(HASH, 32, hex);
	memcpy(h.b, HASH, 32);
	CU_ASSERT_EQUAL(devices_add(d, "s1", "120116001", NULL, 0, NULL, NULL),
	    RM_OK);
	devices_broadcast(d, &h, 2000);
	snprintf(path, sizeof(path), "%s/" DEVICE_RECEIPTS_FILE, dir);
	CU_ASSERT_EQUAL_FATAL(stat(path, &sb), 0);
	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = (rlim_t)sb.st_size;  /* not one byte more */
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_FSIZE, &lim), 0);
	CU_ASSERT_EQUAL(post(d, "s1", hex, 2100, &dup, &ref), RM_EIO);
	CU_ASSERT_EQUAL(ref, DEVICE_REF_IO);
	CU_ASSERT_EQUAL(setrlimit(RLIMIT_FSIZE, &old), 0);
	devices_get_stats(d, &st);
	CU_ASSERT_EQUAL(st.refused[DEVICE_REF_IO], 1);
	CU_ASSERT_EQUAL(st.accepted, 0);
	CU_ASSERT_STRING_EQUAL(device_refusal_name(DEVICE_REF_IO), "io");
	devices_close(d);
	CU_ASSERT_EQUAL(stat(path, &sb) == 0 ? 0 : -1, 0);
	d = open_dir();
	devices_get_stats(d, &st);
	CU_ASSERT_EQUAL(st.receipts, 0);    /* the refused one is not there */
	CU_ASSERT_EQUAL(post(d, "s1", hex, 2100, &dup, &ref), RM_OK);
	CU_ASSERT_FALSE(dup);               /* and counts when it can be */
	devices_close(d);
}

static void
test_receipts(void)
{
	static const char *const areas[] = { "120116" };
	char hex[65], other[65], path[128];
	struct device_reach *r;
	struct devices_stats st;
	enum device_refusal ref;
	rm_hash h;
	bool dup;
	devices *d;
	int fd;

	fresh_dir();
	d = open_dir();
	rm_hex_encode(HASH, 32, hex);
	memset(other, '0', 64);
	other[64] = '\0';
	memcpy(h.b, HASH, 32);
	CU_ASSERT_EQUAL(devices_add(d, "s1", "120116001", NULL, 0, NULL, NULL),
	    RM_OK);
	CU_ASSERT_EQUAL(devices_add(d, "s2", "120116002001", NULL, 0, NULL,
	    NULL), RM_OK);
	CU_ASSERT_EQUAL(devices_add(d, "s3", "120116", NULL, 0, NULL, NULL),
	    RM_OK);
	CU_ASSERT_EQUAL(devices_add(d, "far", "120103", NULL, 0, NULL, NULL),
	    RM_OK);
	devices_broadcast(d, &h, 2000);
	devices_broadcast(d, &h, 9000);    /* the first broadcast wins */
	/* refusals, each counted */
	CU_ASSERT_EQUAL(post(d, NULL, hex, 2100, &dup, &ref), RM_EUNAUTH);
	CU_ASSERT_EQUAL(ref, DEVICE_REF_PLAIN);
	CU_ASSERT_EQUAL(post(d, "ghost", hex, 2100, &dup, &ref), RM_EUNAUTH);
	CU_ASSERT_EQUAL(ref, DEVICE_REF_IDENTITY);
	CU_ASSERT_EQUAL(post(d, "s1", "zz", 2100, &dup, &ref), RM_EMALFORMED);
	CU_ASSERT_EQUAL(ref, DEVICE_REF_MALFORMED);
	CU_ASSERT_EQUAL(post(d, "s1", other, 2100, &dup, &ref), RM_ENOTFOUND);
	CU_ASSERT_EQUAL(ref, DEVICE_REF_NOT_HELD);
	{
		rm_why why;
		CU_ASSERT_EQUAL(devices_receipt(d, (const uint8_t *)"s1", 2, 50,
		    (const uint8_t *)hex, 64, held, NULL, 2100, &dup, &ref,
		    &why), RM_EUNSUPPORTED);
		CU_ASSERT_EQUAL(ref, DEVICE_REF_FORMAT);
	}
	/* accepted: delays 100, 300, 1000 ms after the broadcast at 2000 */
	CU_ASSERT_EQUAL(post(d, "s1", hex, 2100, &dup, &ref), RM_OK);
	CU_ASSERT_FALSE(dup);
	CU_ASSERT_EQUAL(post(d, "s1", hex, 2500, &dup, &ref), RM_OK);
	CU_ASSERT_TRUE(dup);               /* counted once */
	CU_ASSERT_EQUAL(post(d, "s2", hex, 2300, &dup, &ref), RM_OK);
	CU_ASSERT_EQUAL(post(d, "far", hex, 3000, &dup, &ref), RM_OK);
	devices_get_stats(d, &st);
	CU_ASSERT_EQUAL(st.accepted, 3);
	CU_ASSERT_EQUAL(st.duplicate, 1);
	CU_ASSERT_EQUAL(st.refused[DEVICE_REF_PLAIN], 1);
	CU_ASSERT_EQUAL(st.refused[DEVICE_REF_IDENTITY], 1);
	CU_ASSERT_EQUAL(st.refused[DEVICE_REF_MALFORMED], 1);
	CU_ASSERT_EQUAL(st.refused[DEVICE_REF_NOT_HELD], 1);
	CU_ASSERT_EQUAL(st.refused[DEVICE_REF_FORMAT], 1);
	/* reach: 120103 has a receipt but no device in the alert's area */
	CU_ASSERT_EQUAL_FATAL(devices_reach(d, "120000.emergency", "typhoon-1",
	    areas, 1, &r), RM_OK);
	CU_ASSERT_EQUAL_FATAL(r->n, 2);
	CU_ASSERT_STRING_EQUAL(r->rows[0].district, "120103");
	CU_ASSERT_EQUAL(r->rows[0].registered, 0);
	CU_ASSERT_EQUAL(r->rows[0].receipts, 1);
	CU_ASSERT_EQUAL(r->rows[0].p50_ms, 1000);
	CU_ASSERT_STRING_EQUAL(r->rows[1].district, "120116");
	CU_ASSERT_EQUAL(r->rows[1].registered, 3);
	CU_ASSERT_EQUAL(r->rows[1].receipts, 2);
	CU_ASSERT_EQUAL(r->rows[1].p50_ms, 100);
	CU_ASSERT_EQUAL(r->rows[1].p99_ms, 300);
	CU_ASSERT_EQUAL(r->total.registered, 3);
	CU_ASSERT_EQUAL(r->total.receipts, 3);
	CU_ASSERT_EQUAL(r->total.p50_ms, 300);
	CU_ASSERT_EQUAL(r->total.p99_ms, 1000);
	free(r);
	CU_ASSERT_EQUAL_FATAL(devices_reach(d, "120000.emergency", "other",
	    areas, 1, &r), RM_OK);
	CU_ASSERT_EQUAL(r->total.receipts, 0);
	CU_ASSERT_EQUAL(r->total.p50_ms, -1);
	free(r);
	devices_close(d);
	/* a torn last line is cut; everything before it is kept */
	snprintf(path, sizeof(path), "%s/" DEVICE_RECEIPTS_FILE, dir);
	fd = open(path, O_WRONLY | O_APPEND);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "R s3 120116", 11), 11);
	close(fd);
	d = open_dir();
	devices_get_stats(d, &st);
	CU_ASSERT_EQUAL(st.receipts, 3);
	CU_ASSERT_EQUAL(st.log_skipped, 0);
	CU_ASSERT_EQUAL(post(d, "s2", hex, 5000, &dup, &ref), RM_OK);
	CU_ASSERT_TRUE(dup);               /* still counted once */
	CU_ASSERT_EQUAL(post(d, "s3", hex, 2000, &dup, &ref), RM_OK);
	CU_ASSERT_FALSE(dup);
	devices_close(d);
	d = open_dir();
	CU_ASSERT_EQUAL_FATAL(devices_reach(d, "120000.emergency", "typhoon-1",
	    areas, 1, &r), RM_OK);
	CU_ASSERT_EQUAL(r->total.receipts, 4);
	CU_ASSERT_EQUAL(r->total.p50_ms, 100);  /* 0, 100, 300, 1000 */
	free(r);
	devices_close(d);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "registry", test_registry },
		{ "bad_file", test_bad_file },
		{ "remove_unsaved", test_remove_unsaved },
		{ "receipt_decode", test_decode },
		{ "receipts_reach", test_receipts },
		{ "receipt_io", test_receipt_io },
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{ "node.devices", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	CU_register_suites(suites);
}
