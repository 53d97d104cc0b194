/*
 * node_roster.c -- the roster this node authorises with: the charter
 * (the root-signed roster file) plus the newest agency record of every
 * agency (docs/PROTOCOL.md §5a), from the registrars' log file at start
 * (config `agencies`), from the store, and from every agency record the
 * store takes afterwards (ours, a peer's, POST /v1/records).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "node/service/service.h"

/* Skipped agency records (a charter agency, a key another agency
 * holds) are logged at most 10 times a minute, and counted. */
static rm_log_limit skip_log = RM_LOG_LIMIT(10, 60000);
static rm_log_limit file_log = RM_LOG_LIMIT(20, 60000);

static void
skip_entry(void *arg, const struct roster_agency *e, const char *reason)
{
	struct node *n = arg;
	unsigned long long more;

	if (n != NULL)
		atomic_fetch_add(&n->ctr.agency_skipped, 1);
	if (rm_log_allow(&skip_log, &more))
		rm_log_sec("node", "agency record for %s from %s (ver %llu) not "
		    "applied: %s%s", e->id, e->registrar,
		    (unsigned long long)e->record_ver, reason,
		    more ? " (more were skipped)" : "");
}

/* ---------------- the registrars' log file ---------------- */

#define FILE_INFLIGHT 256

struct file_walk {
	struct node *n;             /* NULL: only check (riskmeshd -n) */
	const char *path;
	size_t stored, held, refused;
	/* records handed to the store, and their completions: queued
	 * together so that one group commit takes many (no fsync each) */
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	size_t queued, done;
};

static void
file_put_done(void *arg, int err, const struct store_put_result *res)
{
	struct file_walk *fw = arg;

	pthread_mutex_lock(&fw->mtx);
	if (err == RM_OK && res != NULL && res->stored)
		fw->stored++;
	else if (err == RM_OK)
		fw->held++;
	else {
		fw->refused++;
		if (rm_log_allow(&file_log, NULL))
			rm_log(RM_LOG_WARN, "node", "%s: a record was not "
			    "stored: %s", fw->path, rm_strerror(err));
	}
	fw->done++;
	pthread_cond_signal(&fw->cv);
	pthread_mutex_unlock(&fw->mtx);
}

static int
file_record(void *arg, size_t index, const struct fed_record *fr, int err,
    const rm_why *why)
{
	struct file_walk *fw = arg;
	int rv;

	if (err != RM_OK) {
		pthread_mutex_lock(&fw->mtx);
		fw->refused++;
		pthread_mutex_unlock(&fw->mtx);
		if (rm_log_allow(&file_log, NULL))
			rm_log_sec("node", "%s: record %zu refused: %s: %s",
			    fw->path, index, rm_strerror(err), why->msg);
		return RM_OK;
	}
	if (fw->n == NULL || fw->n->store == NULL)
		return RM_OK;
	if (store_has(fw->n->store, &fr->hash)) {
		pthread_mutex_lock(&fw->mtx);
		fw->held++;
		pthread_mutex_unlock(&fw->mtx);
		return RM_OK;
	}
	/* At most FILE_INFLIGHT queued (each holds a decoded copy): the
	 * store commits them in groups meanwhile. */
	pthread_mutex_lock(&fw->mtx);
	while (fw->queued - fw->done >= FILE_INFLIGHT)
		pthread_cond_wait(&fw->cv, &fw->mtx);
	fw->queued++;
	pthread_mutex_unlock(&fw->mtx);
	rv = store_put(fw->n->store, fr->bytes, fr->len, &fr->hash, NULL,
	    file_put_done, fw);
	if (rv != RM_OK) {
		/* not queued: done is not called */
		pthread_mutex_lock(&fw->mtx);
		fw->queued--;
		fw->refused++;
		pthread_mutex_unlock(&fw->mtx);
		if (rm_log_allow(&file_log, NULL))
			rm_log(RM_LOG_WARN, "node", "%s: record %zu not stored: "
			    "%s", fw->path, index, rm_strerror(rv));
	}
	return RM_OK;
}

int
node_roster_from_file(struct node *n, const struct roster *charter,
    const char *path, struct roster **out, rm_why *why)
{
	struct file_walk fw;
	rm_buf b = RM_BUF_INIT;
	rm_why w;
	int rv;

	memset(&fw, 0, sizeof(fw));
	fw.n = n;
	fw.path = path;
	pthread_mutex_init(&fw.mtx, NULL);
	pthread_cond_init(&fw.cv, NULL);

	if (out != NULL)
		*out = NULL;
	if (path == NULL || path[0] == '\0') {
		if (out != NULL)
			*out = roster_ref((struct roster *)charter);
		rv = RM_OK;
		goto out;
	}
	if ((rv = rm_file_read(path, NODE_AGENCIES_FILE_MAX, &b, &w)) !=
	    RM_OK) {
		rv = rm_fail(why, rv, "%s", w.msg);
		goto out;
	}
	rv = roster_load_records(charter, b.data, b.len, file_record, &fw,
	    skip_entry, out, &w);
	rm_buf_fini(&b);
	/* every queued record committed (or failed) before we go on */
	pthread_mutex_lock(&fw.mtx);
	while (fw.done < fw.queued)
		pthread_cond_wait(&fw.cv, &fw.mtx);
	pthread_mutex_unlock(&fw.mtx);
	if (rv != RM_OK) {
		rv = rm_fail(why, rv, "%s: %s", path, w.msg);
		goto out;
	}
	if (n != NULL)
		rm_log(RM_LOG_INFO, "node", "%s: %zu records stored, %zu held "
		    "already, %zu refused", path, fw.stored, fw.held,
		    fw.refused);
out:
	pthread_cond_destroy(&fw.cv);
	pthread_mutex_destroy(&fw.mtx);
	return rv;
}

/* ---------------- agency records in the store ---------------- */

#define collect node_agency_batch

static int
collect_add(struct collect *c, const struct rm_record *rec)
{
	rm_why why;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct roster_agency *ne = realloc(c->e, cap * sizeof(*ne));

		if (ne == NULL)
			return RM_ENOMEM;
		c->e = ne;
		c->cap = cap;
	}
	if (roster_agency_from_record(rec, &c->e[c->n], &why) != RM_OK) {
		/* verified, yet a key does not parse: skipped */
		if (rm_log_allow(&skip_log, NULL))
			rm_log_sec("node", "agency record for %s from %s not "
			    "applied: %s", rec->object_id, rec->origin, why.msg);
		return RM_OK;
	}
	c->n++;
	return RM_OK;
}

static void
collect_fini(struct collect *c)
{
	for (size_t i = 0; i < c->n; i++)
		roster_agency_fini(&c->e[i]);
	free(c->e);
	memset(c, 0, sizeof(*c));
}

struct store_walk {
	const struct roster *base;
	struct node_agency_batch c;
};

/* Is rec's signer a registrar of r's charter (home or one foreign
 * federation)? Another federation's agency records never enter r. */
static bool
of_federation(const struct roster *r, const struct rm_record *rec)
{
	const struct roster_agency *a = roster_find(r, rec->origin);

	return a != NULL && a->registrar[0] == '\0' && roster_is_registrar(a);
}

/* Only agency records that change the base: at start the store mostly
 * holds what the agencies file already gave. */
static int
collect_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct store_walk *sw = arg;

	(void)h;
	(void)p;
	(void)n;
	if (!of_federation(sw->base, rec) ||
	    !roster_record_newer(sw->base, rec))
		return RM_OK;
	return collect_add(&sw->c, rec);
}

int
node_roster_from_store(struct node *n, const struct roster *base,
    struct roster **out, rm_why *why)
{
	struct store_walk sw;
	int rv;

	memset(&sw, 0, sizeof(sw));
	sw.base = base;
	*out = NULL;
	rv = store_active(n->store, &rm_kind_agency, NULL, rm_utc_now_ms(),
	    collect_each, &sw);
	if (rv != RM_OK) {
		collect_fini(&sw.c);
		return rm_fail(why, rv, "agency records: %s", rm_strerror(rv));
	}
	rv = roster_apply(base, sw.c.e, sw.c.n, skip_entry, n, out, why);
	collect_fini(&sw.c);
	return rv;
}

/* Called by the store observer (writer thread) with obs_mtx held. */
void
node_roster_observe(struct node *n, const struct store_event *ev)
{
	struct node_agency_batch *c = &n->agency_pending;
	struct roster *cur, *nr;
	rm_why why;

	if (!ev->fork_evidence && record_agency(ev->rec) != NULL &&
	    ev->is_latest) {
		cur = node_roster(n);
		if (of_federation(cur, ev->rec) &&
		    collect_add(c, ev->rec) != RM_OK)
			rm_log(RM_LOG_ERR, "node", "agency record %s: out of "
			    "memory", ev->rec->object_id);
		roster_free(cur);
	}
	if (!ev->commit_last || c->n == 0)
		return;
	cur = node_roster(n);
	if (roster_apply(cur, c->e, c->n, skip_entry, n, &nr, &why) != RM_OK)
		rm_log(RM_LOG_ERR, "node", "roster: %zu agency records not "
		    "applied: %s", c->n, why.msg);
	else {
		if (n->fed != NULL)
			(void)fed_roster_update(n->fed, nr);
		atomic_fetch_add(&n->ctr.agency_applied, c->n);
		rm_log(RM_LOG_INFO, "node", "roster: %zu agency record%s "
		    "applied, %zu agencies", c->n, c->n == 1 ? "" : "s",
		    roster_count(nr));
		roster_free(nr);
	}
	roster_free(cur);
	collect_fini(c);
}

/* ---------------- foreign federations (§12.1) ---------------- */

/* DATA_DIR/foreign/NAME.cose into out[len]; -1 if it does not fit. */
static int
foreign_path(const struct node *n, const char *name, bool dir, char *out,
    size_t len)
{
	int k = dir ? snprintf(out, len, "%s/foreign", n->cfg.data_dir) :
	    snprintf(out, len, "%s/foreign/%s.cose", n->cfg.data_dir, name);

	return k < 0 || (size_t)k >= len ? -1 : 0;
}

int
node_foreign_save(struct node *n, const char *name, const uint8_t *p,
    size_t len)
{
	char path[CONFIG_PATH_MAX + 96];
	bool known = false;
	rm_why why;
	int rv;

	for (size_t i = 0; i < n->cfg.n_foreign; i++)
		known |= strcmp(n->cfg.foreign[i].name, name) == 0;
	if (!known || strchr(name, '/') != NULL || name[0] == '.')
		return RM_EINVAL;
	if (foreign_path(n, name, true, path, sizeof(path)) != 0)
		return RM_EIO;
	(void)mkdir(path, 0700);
	if (foreign_path(n, name, false, path, sizeof(path)) != 0)
		return RM_EIO;
	rv = rm_file_write_atomic(path, p, len, 0644, &why);
	if (rv != RM_OK)
		rm_log(RM_LOG_ERR, "node", "foreign federation %s: cannot save "
		    "its roster: %s", name, why.msg);
	else
		rm_log(RM_LOG_NOTICE, "node", "foreign federation %s: roster "
		    "saved to %s", name, path);
	return rv;
}

int
node_foreign_load(struct node *n, rm_why *why)
{
	char path[CONFIG_PATH_MAX + 96];

	for (size_t i = 0; i < n->cfg.n_foreign; i++) {
		const struct config_foreign *cf = &n->cfg.foreign[i];
		struct trust_foreign tf;
		struct roster *charter = NULL, *r = NULL;
		rm_buf b = RM_BUF_INIT;
		rm_why w;
		int rv;

		if (n->foreign_root[i] == NULL &&
		    (rv = x509_public_key(cf->root_file, &n->foreign_root[i],
		    &w)) != RM_OK)
			return rm_fail(why, rv, "foreign %s: %s", cf->name,
			    w.msg);
		if ((rv = trust_foreign_init(&tf, cf->name, n->foreign_root[i],
		    cf->areas, &w)) != RM_OK)
			return rm_fail(why, rv, "%s", w.msg);
		if (n->store == NULL ||
		    foreign_path(n, cf->name, false, path, sizeof(path)) != 0 ||
		    rm_file_read(path, ROSTER_MAX_BYTES, &b, &w) != RM_OK) {
			rm_buf_fini(&b);
			continue;            /* none yet: it comes from links */
		}
		rv = trust_foreign_charter_open(&tf, b.data, b.len, &charter,
		    &w);
		rm_buf_fini(&b);
		if (rv != RM_OK) {
			rm_log_sec("node", "foreign federation %s: %s ignored: "
			    "%s", cf->name, path, w.msg);
			continue;
		}
		if ((rv = node_roster_from_store(n, charter, &r, &w)) != RM_OK) {
			roster_free(charter);
			return rm_fail(why, rv, "foreign %s: %s", cf->name,
			    w.msg);
		}
		roster_free(charter);
		n->foreign_roster[i] = r;
		rm_log(RM_LOG_INFO, "node", "foreign federation %s: roster "
		    "version %llu, %zu agencies", cf->name,
		    (unsigned long long)roster_version(r), roster_count(r));
	}
	return RM_OK;
}

/* ---------------- records handed in over the API ---------------- */

struct api_walk {
	struct node *n;
	struct service_ingest *res;
};

static int
api_record(void *arg, size_t index, const struct fed_record *fr, int err,
    const rm_why *why)
{
	struct api_walk *aw = arg;
	struct service_ingest *res = aw->res;
	struct store_put_result pr;
	int rv;

	if (err == RM_OK) {
		if (store_has(aw->n->store, &fr->hash)) {
			res->duplicate++;
			return RM_OK;
		}
		rv = store_put_wait(aw->n->store, fr->bytes, fr->len,
		    &fr->hash, NULL, &pr);
		if (rv == RM_OK) {
			if (pr.stored)
				res->stored++;
			else
				res->duplicate++;
			return RM_OK;
		}
		err = rv;
		why = NULL;
	}
	if (err > 0 && err < RM_ERR_COUNT)
		atomic_fetch_add(&aw->n->ctr.ingest_refused[err], 1);
	if (res->n_refused < SERVICE_INGEST_REFUSED_MAX) {
		struct service_ingest_refusal *r =
		    &res->refused[res->n_refused++];

		r->index = index;
		r->err = err;
		snprintf(r->reason, sizeof(r->reason), "%s", why != NULL ?
		    why->msg : rm_strerror(err));
	}
	res->n_refused_total++;
	return RM_OK;
}

int
service_records_ingest(struct node *n, const uint8_t *p, size_t len,
    struct service_ingest *res, rm_why *why)
{
	struct api_walk aw = { n, res };
	struct roster *r = node_roster(n);
	rm_why w;
	int rv;

	memset(res, 0, sizeof(*res));
	if (len == 0) {
		roster_free(r);
		return rm_fail_at(why, RM_EMISSING, "", "no records: send an RFC "
		    "8742 CBOR sequence of COSE_Sign1 records");
	}
	/* Verified against the roster in use; agency records among them
	 * reach the roster through the store observer, like a peer's. */
	rv = roster_load_records(r, p, len, api_record, &aw, NULL, NULL, &w);
	roster_free(r);
	if (rv != RM_OK)
		return rm_fail_at(why, rv, "", "%s", w.msg);
	return RM_OK;
}
