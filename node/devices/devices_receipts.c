/*
 * devices_receipts.c -- delivery receipts, first-broadcast times and
 * reach (devices.h), kept in memory and in DIR/receipts.log:
 *   B <hash hex> <ms>                 first broadcast of a record here
 *   R <id> <area> <origin> <oid> <hash hex> <delay ms>
 *                                     a receipt counted
 * One line per write(2); replayed at open; a torn last line is cut.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "node/devices/devices_int.h"

#define DEV_LOG_LINE_MAX 512

/* ---------------- indexes ---------------- */

struct alert_key {
	const struct devices *d;
	const char *origin, *oid;
};

static bool
alert_eq(const void *ctx, uint32_t i)
{
	const struct alert_key *k = ctx;

	return strcmp(k->d->alerts[i].origin, k->origin) == 0 &&
	    strcmp(k->d->alerts[i].oid, k->oid) == 0;
}

static uint64_t
alert_hash(const char *origin, const char *oid)
{
	return dix_hash(oid, strlen(oid), dix_hash(origin, strlen(origin),
	    1));
}

static uint64_t
alert_hashof(const void *ctx, uint32_t i)
{
	const struct alert_key *k = ctx;

	return alert_hash(k->d->alerts[i].origin, k->d->alerts[i].oid);
}

/* Index of alert (origin, oid), added if missing; UINT32_MAX: no memory. */
static uint32_t
alert_get(struct devices *d, const char *origin, const char *oid, bool add)
{
	struct alert_key k = { d, origin, oid };
	uint64_t h = alert_hash(origin, oid);
	uint32_t i = dix_find(&d->alert_ix, h, alert_eq, &k);

	if (i != UINT32_MAX || !add)
		return i;
	if (dev_grow((void **)&d->alerts, &d->cap_alerts, d->n_alerts + 1,
	    sizeof(*d->alerts)) != RM_OK)
		return UINT32_MAX;
	i = (uint32_t)d->n_alerts;
	snprintf(d->alerts[i].origin, sizeof(d->alerts[i].origin), "%s",
	    origin);
	snprintf(d->alerts[i].oid, sizeof(d->alerts[i].oid), "%s", oid);
	if (dix_put(&d->alert_ix, h, i, d->n_alerts + 1, alert_hashof, &k) !=
	    RM_OK)
		return UINT32_MAX;
	d->n_alerts++;
	return i;
}

struct rc_key {
	const struct devices *d;
	const char *id;
	uint32_t alert;
};

static bool
rc_eq(const void *ctx, uint32_t i)
{
	const struct rc_key *k = ctx;

	return k->d->rc[i].alert == k->alert &&
	    strcmp(k->d->rc[i].id, k->id) == 0;
}

static uint64_t
rc_hash(const char *id, uint32_t alert)
{
	return dix_hash(id, strlen(id), alert + 2);
}

static uint64_t
rc_hashof(const void *ctx, uint32_t i)
{
	const struct rc_key *k = ctx;

	return rc_hash(k->d->rc[i].id, k->d->rc[i].alert);
}

static bool
bc_eq(const void *ctx, uint32_t i)
{
	const struct devices *d = ((const void *const *)ctx)[0];
	const rm_hash *h = ((const void *const *)ctx)[1];

	return memcmp(d->bc[i].h.b, h->b, RM_HASH_BYTES) == 0;
}

static uint64_t
bc_hashof(const void *ctx, uint32_t i)
{
	const struct devices *d = ((const void *const *)ctx)[0];

	return dix_hash(d->bc[i].h.b, RM_HASH_BYTES, 3);
}

static ssize_t
bc_find(const struct devices *d, const rm_hash *h)
{
	const void *ctx[2] = { d, h };
	uint32_t i = dix_find(&d->bc_ix, dix_hash(h->b, RM_HASH_BYTES, 3),
	    bc_eq, ctx);

	return i == UINT32_MAX ? -1 : (ssize_t)i;
}

/* ---------------- in memory ---------------- */

static int
bc_add(struct devices *d, const rm_hash *h, rm_utc_ms ms)
{
	const void *ctx[2] = { d, h };

	if (d->n_bc >= DEVICE_ALERTS_MAX || bc_find(d, h) >= 0)
		return RM_EEXIST;
	if (dev_grow((void **)&d->bc, &d->cap_bc, d->n_bc + 1,
	    sizeof(*d->bc)) != RM_OK)
		return RM_ENOMEM;
	d->bc[d->n_bc].h = *h;
	d->bc[d->n_bc].ms = ms;
	if (dix_put(&d->bc_ix, dix_hash(h->b, RM_HASH_BYTES, 3),
	    (uint32_t)d->n_bc, d->n_bc + 1, bc_hashof, ctx) != RM_OK)
		return RM_ENOMEM;
	d->n_bc++;
	return RM_OK;
}

/* Record a receipt; RM_EEXIST when (id, alert) has one. */
static int
rc_add(struct devices *d, const char *id, const char *area,
    const char *origin, const char *oid, int64_t delay_ms)
{
	uint32_t a = alert_get(d, origin, oid, true);
	struct rc_key k = { d, id, a };
	struct dev_receipt *r;

	if (a == UINT32_MAX)
		return RM_ENOMEM;
	if (dix_find(&d->rc_ix, rc_hash(id, a), rc_eq, &k) != UINT32_MAX)
		return RM_EEXIST;
	if (d->n_rc >= DEVICE_RECEIPTS_MAX)
		return RM_EBUSY;
	if (dev_grow((void **)&d->rc, &d->cap_rc, d->n_rc + 1,
	    sizeof(*d->rc)) != RM_OK)
		return RM_ENOMEM;
	r = &d->rc[d->n_rc];
	r->alert = a;
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->area, sizeof(r->area), "%s", area);
	r->delay_ms = delay_ms < 0 ? 0 : delay_ms;
	if (dix_put(&d->rc_ix, rc_hash(id, a), (uint32_t)d->n_rc, d->n_rc + 1,
	    rc_hashof, &k) != RM_OK)
		return RM_ENOMEM;
	d->n_rc++;
	return RM_OK;
}

/* ---------------- the log ---------------- */

/* Replay one line; false when it does not parse. */
static bool
log_line(struct devices *d, char *line)
{
	char *f[7], *save = NULL, *end;
	rm_hash h;
	long long v;
	int k = 0;

	for (char *t = strtok_r(line, " ", &save); t != NULL;
	    t = strtok_r(NULL, " ", &save)) {
		if (k == 7)
			return false;
		f[k++] = t;
	}
	if (k < 3)
		return false;
	errno = 0;
	v = strtoll(f[k - 1], &end, 10);
	if (*end != '\0' || errno != 0)
		return false;
	if (strcmp(f[0], "B") == 0 && k == 3)
		return rm_hash_parse(f[1], &h) == RM_OK &&
		    bc_add(d, &h, v) != RM_ENOMEM;
	if (strcmp(f[0], "R") != 0 || k != 7 ||
	    !device_id_valid(f[1], strlen(f[1])) || !area_code_valid(f[2]) ||
	    !agency_id_valid(f[3]) || !object_id_valid(f[4]) ||
	    rm_hash_parse(f[5], &h) != RM_OK)
		return false;
	return rc_add(d, f[1], f[2], f[3], f[4], v) != RM_ENOMEM;
}

int
dev_log_open(struct devices *d, rm_why *why)
{
	rm_buf b = RM_BUF_INIT;
	struct stat sb;
	rm_why w;
	size_t good = 0;
	int rv;

	/* Not through a symbolic link: the torn-tail cut and every append
	 * would go to whatever file it names. */
	if (lstat(d->log_path, &sb) == 0 && S_ISLNK(sb.st_mode))
		return rm_fail(why, RM_EINVAL, "%s is a symbolic link: the "
		    "receipts log must be a regular file", d->log_path);
	if (stat(d->log_path, &sb) == 0) {
		if ((rv = rm_file_read(d->log_path, (size_t)1 << 31, &b, &w)) !=
		    RM_OK) {
			rm_buf_fini(&b);
			return rm_fail(why, rv, "%s", w.msg);
		}
		for (size_t off = 0; off < b.len;) {
			uint8_t *nl = memchr(b.data + off, '\n', b.len - off);
			char line[DEV_LOG_LINE_MAX];
			size_t ll;

			if (nl == NULL)
				break;  /* torn tail */
			ll = (size_t)(nl - (b.data + off));
			if (ll < sizeof(line)) {
				memcpy(line, b.data + off, ll);
				line[ll] = '\0';
				if (!log_line(d, line))
					d->st.log_skipped++;
			} else {
				d->st.log_skipped++;
			}
			off += ll + 1;
			good = off;
		}
		rm_buf_fini(&b);
	}
	d->log_fd = open(d->log_path, O_WRONLY | O_CREAT | O_APPEND |
	    O_CLOEXEC | O_NOFOLLOW, 0600);
	if (d->log_fd < 0)
		return rm_fail(why, RM_EIO, "%s: %s", d->log_path,
		    strerror(errno));
	if (fstat(d->log_fd, &sb) == 0 && (size_t)sb.st_size > good &&
	    ftruncate(d->log_fd, (off_t)good) != 0)
		return rm_fail(why, RM_EIO, "%s: cannot cut the torn last "
		    "line: %s", d->log_path, strerror(errno));
	return RM_OK;
}

static int
log_append(struct devices *d, const char *line, size_t n)
{
	ssize_t w = write(d->log_fd, line, n);

	if (w == (ssize_t)n)
		return RM_OK;
	if (w > 0) {            /* never leave half a line before the next */
		struct stat sb;
		if (fstat(d->log_fd, &sb) == 0)
			(void)!ftruncate(d->log_fd, sb.st_size - w);
	}
	return RM_EIO;
}

void
devices_broadcast(devices *d, const rm_hash *h, rm_utc_ms now)
{
	char line[128], hex[65];
	int n;

	pthread_mutex_lock(&d->mu);
	if (bc_find(d, h) < 0 && d->n_bc < DEVICE_ALERTS_MAX) {
		rm_hash_hex(h, hex);
		n = snprintf(line, sizeof(line), "B %s %lld\n", hex,
		    (long long)now);
		if (log_append(d, line, (size_t)n) == RM_OK)
			(void)bc_add(d, h, now);
	}
	pthread_mutex_unlock(&d->mu);
}

static int
refuse(struct devices *d, enum device_refusal r, enum device_refusal *ref,
    int err)
{
	d->st.refused[r]++;
	*ref = r;
	return err;
}

int
devices_receipt(devices *d, const uint8_t *identity, size_t id_len,
    unsigned cf, const uint8_t *p, size_t n, devices_held_fn held,
    void *arg, rm_utc_ms now, bool *dup, enum device_refusal *ref,
    rm_why *why)
{
	char id[DEVICE_ID_MAX + 1], area[RM_AREA_CODE_MAX + 1], hex[65];
	char line[DEV_LOG_LINE_MAX];
	struct device_alert al;
	rm_hash h;
	ssize_t i, b;
	int64_t delay;
	off_t end = -1;
	uint32_t a;
	int rv, len;

	*dup = false;
	pthread_mutex_lock(&d->mu);
	if (identity == NULL) {
		rv = refuse(d, DEVICE_REF_PLAIN, ref, rm_fail(why, RM_EUNAUTH,
		    "receipts only over coaps:// from a registered device"));
		goto out;
	}
	if (!device_id_valid((const char *)identity, id_len) ||
	    (i = dev_find(d, (const char *)identity, id_len)) < 0) {
		rv = refuse(d, DEVICE_REF_IDENTITY, ref, rm_fail(why,
		    RM_EUNAUTH, "identity not registered"));
		goto out;
	}
	memcpy(id, d->dev[i].id, sizeof(id));
	memcpy(area, d->dev[i].area, sizeof(area));
	if ((rv = devices_receipt_decode(cf, p, n, &h, why)) != RM_OK) {
		rv = refuse(d, rv == RM_EUNSUPPORTED ? DEVICE_REF_FORMAT :
		    DEVICE_REF_MALFORMED, ref, rv);
		goto out;
	}
	/* held() reads the store: not under the lock */
	pthread_mutex_unlock(&d->mu);
	rv = held(arg, &h, &al);
	pthread_mutex_lock(&d->mu);
	if (rv != RM_OK) {
		rv = refuse(d, DEVICE_REF_NOT_HELD, ref, rm_fail(why,
		    RM_ENOTFOUND, "no alert with this hash here"));
		goto out;
	}
	a = alert_get(d, al.origin, al.oid, false);
	if (a != UINT32_MAX) {
		struct rc_key k = { d, id, a };
		if (dix_find(&d->rc_ix, rc_hash(id, a), rc_eq, &k) !=
		    UINT32_MAX) {
			d->st.duplicate++;
			*dup = true;
			rv = RM_OK;
			goto out;
		}
	}
	if (d->n_rc >= DEVICE_RECEIPTS_MAX) {
		rv = refuse(d, DEVICE_REF_FULL, ref, rm_fail(why, RM_EBUSY,
		    "receipt table full (%d)", DEVICE_RECEIPTS_MAX));
		goto out;
	}
	b = bc_find(d, &h);
	delay = now - (b >= 0 ? d->bc[b].ms : al.issued_ms);
	if (delay < 0)
		delay = 0;
	rm_hash_hex(&h, hex);
	len = snprintf(line, sizeof(line), "R %s %s %s %s %s %lld\n", id, area,
	    al.origin, al.oid, hex, (long long)delay);
	/* On disk before the 2.04: an acknowledged receipt is never lost
	 * (a repeat after a crash would count twice otherwise). */
	if (len <= 0 || (size_t)len >= sizeof(line)) {
		rv = refuse(d, DEVICE_REF_MALFORMED, ref, rm_fail(why,
		    RM_ETOOBIG, "receipt line too long"));
		goto out;
	}
	if ((end = lseek(d->log_fd, 0, SEEK_END)) < 0 ||
	    log_append(d, line, (size_t)len) != RM_OK ||
	    fdatasync(d->log_fd) != 0) {
		int e = errno;
		/* refused: the line must not count at the next start */
		if (end >= 0)
			(void)!ftruncate(d->log_fd, end);
		rv = refuse(d, DEVICE_REF_IO, ref, rm_fail(why, RM_EIO,
		    "%s: cannot write the receipt: %s", d->log_path,
		    strerror(e)));
		goto out;
	}
	if ((rv = rc_add(d, id, area, al.origin, al.oid, delay)) != RM_OK) {
		rv = refuse(d, DEVICE_REF_FULL, ref, rm_fail(why, RM_EBUSY,
		    "out of memory"));
		goto out;
	}
	d->st.accepted++;
out:
	pthread_mutex_unlock(&d->mu);
	return rv;
}

/* ---------------- reach ---------------- */

static int
i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n). */
static int64_t
pct(const int64_t *v, size_t n, unsigned p)
{
	size_t r;

	if (n == 0)
		return -1;
	r = (n * p + 99) / 100;
	return v[r == 0 ? 0 : r - 1];
}

static void
district_of(const char *area, char out[RM_AREA_CODE_MAX + 1])
{
	snprintf(out, RM_AREA_CODE_MAX + 1, "%.*s", DEVICE_DISTRICT_LEN, area);
}

/* Row of district dist in r (added when missing; rows stay sorted). */
static struct device_reach_row *
row_get(struct device_reach *r, size_t cap, const char *dist)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(r->rows[mid].district, dist);
		if (c == 0)
			return &r->rows[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (r->n == cap)
		return NULL;
	memmove(&r->rows[lo + 1], &r->rows[lo], (r->n - lo) *
	    sizeof(r->rows[0]));
	memset(&r->rows[lo], 0, sizeof(r->rows[0]));
	snprintf(r->rows[lo].district, sizeof(r->rows[lo].district), "%s",
	    dist);
	r->n++;
	return &r->rows[lo];
}

static bool
overlaps_any(const char *area, const char *const *areas, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (area_overlaps(area, areas[i]))
			return true;
	return false;
}

int
devices_reach(devices *d, const char *origin, const char *oid,
    const char *const *areas, size_t n_areas, struct device_reach **out)
{
	struct device_reach *r = NULL;
	int64_t *delay = NULL, *sorted = NULL;
	char dist[RM_AREA_CODE_MAX + 1];
	size_t cap, nd = 0, *start = NULL;
	uint32_t a;
	int rv = RM_ENOMEM;

	pthread_mutex_lock(&d->mu);
	a = alert_get(d, origin, oid, false);
	cap = d->n_dev + d->n_rc + 1;
	if ((r = calloc(1, sizeof(*r) + cap * sizeof(r->rows[0]))) == NULL ||
	    (delay = calloc(d->n_rc + 1, sizeof(*delay))) == NULL ||
	    (sorted = calloc(d->n_rc + 1, sizeof(*sorted))) == NULL)
		goto out;
	for (size_t i = 0; i < d->n_dev; i++) {
		if (!overlaps_any(d->dev[i].area, areas, n_areas))
			continue;
		district_of(d->dev[i].area, dist);
		row_get(r, cap, dist)->registered++;
		r->total.registered++;
	}
	for (size_t i = 0; a != UINT32_MAX && i < d->n_rc; i++) {
		if (d->rc[i].alert != a)
			continue;
		district_of(d->rc[i].area, dist);
		row_get(r, cap, dist)->receipts++;
		r->total.receipts++;
		delay[nd++] = d->rc[i].delay_ms;
	}
	/* percentiles per district: gather each district's delays */
	if ((start = calloc(r->n + 1, sizeof(*start))) == NULL)
		goto out;
	for (size_t k = 0; k < r->n; k++)
		start[k + 1] = start[k] + r->rows[k].receipts;
	{
		size_t *fill = calloc(r->n + 1, sizeof(*fill));
		if (fill == NULL)
			goto out;
		for (size_t i = 0; a != UINT32_MAX && i < d->n_rc; i++) {
			struct device_reach_row *row;
			if (d->rc[i].alert != a)
				continue;
			district_of(d->rc[i].area, dist);
			row = row_get(r, cap, dist);
			sorted[start[row - r->rows] + fill[row - r->rows]++] =
			    d->rc[i].delay_ms;
		}
		free(fill);
	}
	for (size_t k = 0; k < r->n; k++) {
		int64_t *v = sorted + start[k];
		size_t m = r->rows[k].receipts;
		qsort(v, m, sizeof(*v), i64_cmp);
		r->rows[k].p50_ms = pct(v, m, 50);
		r->rows[k].p99_ms = pct(v, m, 99);
	}
	qsort(delay, nd, sizeof(*delay), i64_cmp);
	r->total.p50_ms = pct(delay, nd, 50);
	r->total.p99_ms = pct(delay, nd, 99);
	*out = r;
	r = NULL;
	rv = RM_OK;
out:
	pthread_mutex_unlock(&d->mu);
	free(start);
	free(sorted);
	free(delay);
	free(r);
	return rv;
}

void
devices_close(devices *d)
{
	if (d == NULL)
		return;
	if (d->log_fd >= 0) {
		(void)fdatasync(d->log_fd);
		close(d->log_fd);
	}
	if (d->dev != NULL)
		crypto_wipe(d->dev, d->cap_dev * sizeof(*d->dev));
	free(d->dev);
	free(d->alerts);
	free(d->rc);
	free(d->bc);
	dix_fini(&d->dev_ix);
	dix_fini(&d->alert_ix);
	dix_fini(&d->rc_ix);
	dix_fini(&d->bc_ix);
	pthread_mutex_destroy(&d->mu);
	free(d);
}
