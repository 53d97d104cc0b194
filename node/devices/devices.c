/*
 * devices.c -- the device registry (devices.h): identities, areas and
 * pre-shared keys in DIR/devices, and the receipt payload decoder.
 *
 * File format, one device a line after a comment line:
 *   # riskmesh devices v1: ID AREA PSK-HEX ADDED-MS
 *   siren-0001 120116001 6b65792d6f662d746865... 1786780800000
 * The key is hex so that any byte is safe in the file; the file is
 * rewritten whole (a few MB at DEVICES_MAX) on each add or remove.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "crypto/crypto.h"
#include "node/devices/devices_int.h"

#define DEV_FILE_MAX   (16u * 1024 * 1024)
#define DEV_FILE_HEAD  "# riskmesh devices v1: ID AREA PSK-HEX ADDED-MS\n"

bool
device_id_valid(const char *s, size_t n)
{
	if (s == NULL || n == 0 || n > DEVICE_ID_MAX || s[0] == '.' ||
	    s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool
device_psk_valid(const uint8_t *p, size_t n)
{
	if (p == NULL || n < DEVICE_PSK_MIN || n > DEVICE_PSK_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return false;
	return true;
}

const char *
device_refusal_name(enum device_refusal r)
{
	static const char *const names[DEVICE_REF_COUNT] = { "plain",
	    "identity", "format", "malformed", "not_held", "full", "io" };

	return (unsigned)r < DEVICE_REF_COUNT ? names[r] : "?";
}

/* ---------------- index by id ---------------- */

struct id_key {
	const struct devices *d;
	const char *id;
	size_t n;
};

static bool
dev_eq(const void *ctx, uint32_t i)
{
	const struct id_key *k = ctx;

	return strlen(k->d->dev[i].id) == k->n &&
	    memcmp(k->d->dev[i].id, k->id, k->n) == 0;
}

static uint64_t
dev_hashof(const void *ctx, uint32_t i)
{
	const struct id_key *k = ctx;

	return dix_hash(k->d->dev[i].id, strlen(k->d->dev[i].id), 0);
}

ssize_t
dev_find(const struct devices *d, const char *id, size_t n)
{
	struct id_key k = { d, id, n };
	uint32_t i = dix_find(&d->dev_ix, dix_hash(id, n, 0), dev_eq, &k);

	return i == UINT32_MAX ? -1 : (ssize_t)i;
}

/* Index the device just appended (d->dev[d->n_dev - 1]). */
static int
dev_index_last(struct devices *d)
{
	struct id_key k = { d, NULL, 0 };
	uint32_t i = (uint32_t)(d->n_dev - 1);

	return dix_put(&d->dev_ix, dev_hashof(&k, i), i, d->n_dev,
	    dev_hashof, &k);
}

static int
dev_reindex(struct devices *d)
{
	struct id_key k = { d, NULL, 0 };

	dix_fini(&d->dev_ix);
	for (size_t i = 0; i < d->n_dev; i++)
		if (dix_put(&d->dev_ix, dev_hashof(&k, (uint32_t)i),
		    (uint32_t)i, i + 1, dev_hashof, &k) != RM_OK)
			return RM_ENOMEM;
	return RM_OK;
}

/* ---------------- the file ---------------- */

static int
dev_save(struct devices *d, rm_why *why)
{
	rm_buf b = RM_BUF_INIT;
	char hex[2 * DEVICE_PSK_MAX + 1];
	int rv = rm_buf_append(&b, DEV_FILE_HEAD, strlen(DEV_FILE_HEAD));

	for (size_t i = 0; rv == RM_OK && i < d->n_dev; i++) {
		const struct dev *v = &d->dev[i];
		rm_hex_encode(v->psk, v->psk_len, hex);
		rv = rm_buf_printf(&b, "%s %s %s %lld\n", v->id, v->area, hex,
		    (long long)v->added_ms);
		crypto_wipe(hex, sizeof(hex));
	}
	if (rv != RM_OK)
		rm_fail(why, rv, "%s: out of memory", d->path);
	else
		rv = rm_file_write_atomic(d->path, b.data, b.len, 0600, why);
	if (b.data != NULL)
		crypto_wipe(b.data, b.cap);
	rm_buf_fini(&b);
	return rv;
}

/* One line "ID AREA HEX MS" into *v. */
static int
dev_parse_line(char *line, struct dev *v)
{
	char *f[4], *save = NULL, *end;
	size_t hl;
	int k = 0;

	for (char *t = strtok_r(line, " ", &save); t != NULL;
	    t = strtok_r(NULL, " ", &save))
		if (k == 4 || (f[k++] = t) == NULL)
			return RM_EMALFORMED;
	if (k != 4 || !device_id_valid(f[0], strlen(f[0])) ||
	    !area_code_valid(f[1]))
		return RM_EMALFORMED;
	hl = strlen(f[2]);
	if (hl % 2 != 0 || hl / 2 > DEVICE_PSK_MAX ||
	    rm_hex_decode(f[2], v->psk, hl / 2) != RM_OK ||
	    !device_psk_valid(v->psk, hl / 2))
		return RM_EMALFORMED;
	v->psk_len = hl / 2;
	errno = 0;
	v->added_ms = strtoll(f[3], &end, 10);
	if (*end != '\0' || errno != 0)
		return RM_EMALFORMED;
	snprintf(v->id, sizeof(v->id), "%s", f[0]);
	snprintf(v->area, sizeof(v->area), "%s", f[1]);
	return RM_OK;
}

static int
dev_load(struct devices *d, rm_why *why)
{
	rm_buf b = RM_BUF_INIT;
	struct stat sb;
	rm_why w;
	char *p, *nl;
	unsigned line = 0;
	int rv;

	if (stat(d->path, &sb) != 0 && errno == ENOENT)
		return RM_OK;           /* no device yet */
	if ((rv = rm_file_read(d->path, DEV_FILE_MAX, &b, &w)) != RM_OK) {
		rm_buf_fini(&b);
		return rm_fail(why, rv, "%s", w.msg);
	}
	if ((rv = rm_buf_cstr(&b)) != RM_OK)
		goto out;
	for (p = (char *)b.data; *p != '\0'; p = nl + 1) {
		struct dev v;

		line++;
		if ((nl = strchr(p, '\n')) == NULL) {
			rv = rm_fail(why, RM_EMALFORMED, "%s:%u: no newline at "
			    "the end", d->path, line);
			goto out;
		}
		*nl = '\0';
		if (*p == '#' || *p == '\0')
			continue;
		memset(&v, 0, sizeof(v));
		if (dev_parse_line(p, &v) != RM_OK) {
			rv = rm_fail(why, RM_EMALFORMED, "%s:%u: not \"ID AREA "
			    "PSK-HEX ADDED-MS\"", d->path, line);
			goto out;
		}
		if (dev_find(d, v.id, strlen(v.id)) >= 0 ||
		    d->n_dev == DEVICES_MAX) {
			rv = rm_fail(why, RM_EMALFORMED, "%s:%u: device %s "
			    "twice, or more than %d devices", d->path, line,
			    v.id, DEVICES_MAX);
			goto out;
		}
		if (dev_grow((void **)&d->dev, &d->cap_dev, d->n_dev + 1,
		    sizeof(*d->dev)) != RM_OK) {
			rv = rm_fail(why, RM_ENOMEM, "%s: out of memory",
			    d->path);
			goto out;
		}
		d->dev[d->n_dev++] = v;
		crypto_wipe(&v, sizeof(v));
		if (dev_index_last(d) != RM_OK) {
			rv = rm_fail(why, RM_ENOMEM, "%s: out of memory",
			    d->path);
			goto out;
		}
	}
out:
	if (b.data != NULL)
		crypto_wipe(b.data, b.cap);
	rm_buf_fini(&b);
	return rv;
}

/* ---------------- API ---------------- */

int
devices_open(const char *dir, devices **out, rm_why *why)
{
	struct devices *d;
	int rv;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return rm_fail(why, RM_ENOMEM, "devices: out of memory");
	pthread_mutex_init(&d->mu, NULL);
	d->log_fd = -1;
	if (snprintf(d->path, sizeof(d->path), "%s/" DEVICES_FILE, dir) >=
	    (int)sizeof(d->path) || snprintf(d->log_path,
	    sizeof(d->log_path), "%s/" DEVICE_RECEIPTS_FILE, dir) >=
	    (int)sizeof(d->log_path)) {
		rv = rm_fail(why, RM_EINVAL, "devices: directory name too "
		    "long");
		goto fail;
	}
	if ((rv = dev_load(d, why)) != RM_OK ||
	    (rv = dev_log_open(d, why)) != RM_OK)
		goto fail;
	*out = d;
	return RM_OK;
fail:
	devices_close(d);
	return rv;
}

int
devices_add(devices *d, const char *id, const char *area,
    const uint8_t *psk, size_t psk_len, char *psk_out, rm_why *why)
{
	struct dev v;
	uint8_t rnd[DEVICE_PSK_GEN_BYTES];
	int rv;

	memset(&v, 0, sizeof(v));
	if (id == NULL || !device_id_valid(id, strlen(id)))
		return rm_fail_at(why, RM_EBADVALUE, "id", "must be %s",
		    DEVICE_ID_RULE);
	if (area == NULL || !area_code_valid(area))
		return rm_fail_at(why, RM_EBADVALUE, "area", "must be a GB/T "
		    "2260 area code of 6, 9 or 12 digits");
	if (psk != NULL && !device_psk_valid(psk, psk_len))
		return rm_fail_at(why, RM_EBADVALUE, "psk", "must be %s",
		    DEVICE_PSK_RULE);
	if (psk == NULL) {
		if (crypto_random(rnd, sizeof(rnd)) != RM_OK)
			return rm_fail_at(why, RM_ECRYPTO, "psk", "no "
			    "randomness");
		rm_hex_encode(rnd, sizeof(rnd), (char *)v.psk);
		crypto_wipe(rnd, sizeof(rnd));
		v.psk_len = 2 * sizeof(rnd);
	} else {
		memcpy(v.psk, psk, psk_len);
		v.psk_len = psk_len;
	}
	snprintf(v.id, sizeof(v.id), "%s", id);
	snprintf(v.area, sizeof(v.area), "%s", area);
	v.added_ms = rm_utc_now_ms();
	pthread_mutex_lock(&d->mu);
	if (dev_find(d, id, strlen(id)) >= 0) {
		rv = rm_fail_at(why, RM_EEXIST, "id", "device %s is already "
		    "registered (remove it first to change its key)", id);
	} else if (d->n_dev == DEVICES_MAX) {
		rv = rm_fail_at(why, RM_ETOOBIG, "id", "%d devices registered "
		    "already (the limit)", DEVICES_MAX);
	} else if (dev_grow((void **)&d->dev, &d->cap_dev, d->n_dev + 1,
	    sizeof(*d->dev)) != RM_OK) {
		rv = rm_fail(why, RM_ENOMEM, "devices: out of memory");
	} else {
		d->dev[d->n_dev++] = v;
		if ((rv = dev_save(d, why)) != RM_OK ||
		    (rv = dev_index_last(d)) != RM_OK) {
			crypto_wipe(&d->dev[--d->n_dev], sizeof(v));
			(void)dev_reindex(d);
		}
	}
	pthread_mutex_unlock(&d->mu);
	if (rv == RM_OK && psk_out != NULL) {
		memcpy(psk_out, v.psk, v.psk_len);
		psk_out[v.psk_len] = '\0';
	}
	crypto_wipe(&v, sizeof(v));
	return rv;
}

int
devices_remove(devices *d, const char *id, rm_why *why)
{
	struct dev gone;
	ssize_t i;
	int rv;

	pthread_mutex_lock(&d->mu);
	if (id == NULL || (i = dev_find(d, id, strlen(id))) < 0) {
		pthread_mutex_unlock(&d->mu);
		return rm_fail_at(why, RM_ENOTFOUND, "id", "no device %s",
		    id ? id : "");
	}
	gone = d->dev[i];
	d->dev[i] = d->dev[--d->n_dev];
	if ((rv = dev_save(d, why)) != RM_OK) {
		d->dev[d->n_dev++] = d->dev[i];
		d->dev[i] = gone;
	} else {
		/* the slot the last device left (only when saved: after a
		 * failure n_dev is back and may equal the capacity) */
		crypto_wipe(&d->dev[d->n_dev], sizeof(gone));
	}
	crypto_wipe(&gone, sizeof(gone));
	if (dev_reindex(d) != RM_OK && rv == RM_OK)
		rv = rm_fail(why, RM_ENOMEM, "devices: out of memory");
	pthread_mutex_unlock(&d->mu);
	return rv;
}

static int
info_cmp(const void *a, const void *b)
{
	return strcmp(((const struct device_info *)a)->id,
	    ((const struct device_info *)b)->id);
}

int
devices_list(devices *d, struct device_info **out, size_t *n)
{
	struct device_info *v;

	pthread_mutex_lock(&d->mu);
	if ((v = calloc(d->n_dev ? d->n_dev : 1, sizeof(*v))) == NULL) {
		pthread_mutex_unlock(&d->mu);
		return RM_ENOMEM;
	}
	for (size_t i = 0; i < d->n_dev; i++) {
		memcpy(v[i].id, d->dev[i].id, sizeof(v[i].id));
		memcpy(v[i].area, d->dev[i].area, sizeof(v[i].area));
		v[i].added_ms = d->dev[i].added_ms;
	}
	for (size_t r = 0; r < d->n_rc; r++) {
		ssize_t i = dev_find(d, d->rc[r].id, strlen(d->rc[r].id));
		if (i >= 0)
			v[i].receipts++;
	}
	*n = d->n_dev;
	pthread_mutex_unlock(&d->mu);
	qsort(v, *n, sizeof(*v), info_cmp);
	*out = v;
	return RM_OK;
}

bool
devices_psk(devices *d, const uint8_t *id, size_t n, uint8_t *key,
    size_t *key_len)
{
	ssize_t i;

	if (!device_id_valid((const char *)id, n))
		return false;
	pthread_mutex_lock(&d->mu);
	if ((i = dev_find(d, (const char *)id, n)) >= 0) {
		memcpy(key, d->dev[i].psk, d->dev[i].psk_len);
		*key_len = d->dev[i].psk_len;
	}
	pthread_mutex_unlock(&d->mu);
	return i >= 0;
}

int
devices_receipt_decode(unsigned cf, const uint8_t *p, size_t n, rm_hash *out,
    rm_why *why)
{
	char hex[2 * RM_HASH_BYTES + 1];
	rm_cbor_rd rd;
	rm_cbor_keys k;
	const uint8_t *b;
	const char *key;
	size_t np, kl, bl;
	int rv;

	if (cf == DEVICE_CF_TEXT) {
		if (n >= 1 && p[n - 1] == '\n')
			n--;
		if (n >= 1 && p[n - 1] == '\r')
			n--;
		if (n != 2 * RM_HASH_BYTES)
			return rm_fail_at(why, RM_EMALFORMED, "hash", "text "
			    "receipt: exactly 64 hex digits");
		memcpy(hex, p, n);
		hex[n] = '\0';
		if (rm_hex_decode(hex, out->b, RM_HASH_BYTES) != RM_OK)
			return rm_fail_at(why, RM_EMALFORMED, "hash", "text "
			    "receipt: exactly 64 hex digits");
		return RM_OK;
	}
	if (cf != DEVICE_CF_CBOR)
		return rm_fail(why, RM_EUNSUPPORTED, "Content-Format %u: use "
		    "0 (text/plain, the hash in hex) or 60 (application/cbor, "
		    "{\"hash\": bstr 32})", cf);
	rm_cbor_rd_init(&rd, p, n);
	rd.max_depth = 2;
	if ((rv = rm_cbor_rd_map(&rd, &np)) != RM_OK)
		return rm_fail(why, rv, "cbor receipt: a map {\"hash\": bstr "
		    "32}");
	if (np != 1)
		return rm_fail(why, np == 0 ? RM_EMISSING : RM_EUNKNOWN,
		    "cbor receipt: exactly one key, \"hash\"");
	rm_cbor_keys_init(&k);
	if ((rv = rm_cbor_rd_key(&rd, &k, &key, &kl)) != RM_OK)
		return rm_fail(why, rv, "cbor receipt: a text key");
	if (kl != 4 || memcmp(key, "hash", 4) != 0)
		return rm_fail_at(why, RM_EUNKNOWN, "hash", "cbor receipt: "
		    "unknown key (only \"hash\")");
	if ((rv = rm_cbor_rd_bytes(&rd, &b, &bl)) != RM_OK || bl !=
	    RM_HASH_BYTES)
		return rm_fail_at(why, rv != RM_OK ? rv : RM_EBADVALUE, "hash",
		    "cbor receipt: a byte string of 32 bytes");
	if ((rv = rm_cbor_rd_end(&rd)) != RM_OK)
		return rm_fail(why, rv, "cbor receipt: bytes after the map");
	memcpy(out->b, b, RM_HASH_BYTES);
	return RM_OK;
}

void
devices_get_stats(devices *d, struct devices_stats *out)
{
	pthread_mutex_lock(&d->mu);
	*out = d->st;
	out->devices = d->n_dev;
	out->receipts = d->n_rc;
	pthread_mutex_unlock(&d->mu);
}
