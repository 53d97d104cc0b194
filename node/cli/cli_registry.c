/*
 * cli_registry.c -- DIR/agencies.cbor, the registrars' logs: an RFC 8742
 * CBOR sequence of signed agency records (docs/PROTOCOL.md §5a), read
 * and verified whole against the charter, indexed by agency id (latest
 * version) and by registrar (log head), appended to in one write.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/cli/cli.h"

#define REGISTRY_MAX_BYTES ((size_t)1 << 30)

/* One registrar's log head. */
struct reg_log {
	char id[RM_AGENCY_ID_MAX + 1];
	uint64_t seq;
	rm_hash head;
	rm_utc_ms issued;
};

struct registry {
	rm_buf data;               /* committed bytes, then staged ones */
	size_t committed;          /* bytes in the file */
	size_t n_records;
	struct reg_agency *ag;     /* latest version per agency */
	size_t n_ag, cap_ag;
	size_t *slots;             /* open addressing: index + 1, 0 empty */
	size_t n_slots;            /* power of two, > 2 * n_ag */
	struct reg_log *logs;
	size_t n_logs;
	/* fork_resolution records the registrars signed: the latest version
	 * of each (a wrong --keep is corrected by a new version) */
	struct reg_fork {
		char oid[RM_OBJECT_ID_MAX + 1];
		uint64_t ver;
		rm_hash hash;
	} *forks;
	size_t n_forks, cap_forks;
};

/* ---------------- index ---------------- */

static size_t
id_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;     /* FNV-1a 64 */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

static size_t *
slot_of(const struct registry *reg, const char *id)
{
	size_t m = reg->n_slots - 1, i = id_hash(id) & m;

	while (reg->slots[i] != 0 &&
	    strcmp(reg->ag[reg->slots[i] - 1].id, id) != 0)
		i = (i + 1) & m;
	return &reg->slots[i];
}

static int
index_grow(struct registry *reg, rm_why *why)
{
	size_t n = reg->n_slots ? reg->n_slots * 2 : 256;
	size_t *old = reg->slots, old_n = reg->n_slots;

	if ((reg->slots = calloc(n, sizeof(*reg->slots))) == NULL) {
		reg->slots = old;
		return rm_fail(why, RM_ENOMEM, "agency index: out of memory");
	}
	reg->n_slots = n;
	for (size_t i = 0; i < old_n; i++)
		if (old[i] != 0)
			*slot_of(reg, reg->ag[old[i] - 1].id) = old[i];
	free(old);
	return RM_OK;
}

const struct reg_agency *
registry_find(const struct registry *reg, const char *id)
{
	size_t s;

	if (reg->n_slots == 0)
		return NULL;
	s = *slot_of(reg, id);
	return s ? &reg->ag[s - 1] : NULL;
}

/* The agency entry for id, added (zeroed but for id) if new. */
static struct reg_agency *
agency_slot(struct registry *reg, const char *id, rm_why *why)
{
	struct reg_agency *a;
	size_t *s;

	if ((2 * (reg->n_ag + 1) >= reg->n_slots) &&
	    index_grow(reg, why) != RM_OK)
		return NULL;
	s = slot_of(reg, id);
	if (*s != 0)
		return &reg->ag[*s - 1];
	if (reg->n_ag == reg->cap_ag) {
		size_t cap = reg->cap_ag ? reg->cap_ag * 2 : 64;
		struct reg_agency *n = realloc(reg->ag, cap * sizeof(*n));

		if (n == NULL) {
			rm_fail(why, RM_ENOMEM, "agency index: out of memory");
			return NULL;
		}
		reg->ag = n;
		reg->cap_ag = cap;
	}
	a = &reg->ag[reg->n_ag];
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%.64s", id);
	*s = ++reg->n_ag;
	return a;
}

static struct reg_log *
log_of(struct registry *reg, const char *id, bool add, rm_why *why)
{
	struct reg_log *n;

	for (size_t i = 0; i < reg->n_logs; i++)
		if (strcmp(reg->logs[i].id, id) == 0)
			return &reg->logs[i];
	if (!add)
		return NULL;
	if ((n = realloc(reg->logs, (reg->n_logs + 1) * sizeof(*n))) == NULL) {
		rm_fail(why, RM_ENOMEM, "registrar logs: out of memory");
		return NULL;
	}
	reg->logs = n;
	n = &reg->logs[reg->n_logs++];
	memset(n, 0, sizeof(*n));
	snprintf(n->id, sizeof(n->id), "%s", id);
	return n;
}

/* ---------------- accepting a record ---------------- */

static struct reg_fork *
fork_find(const struct registry *reg, const char *oid)
{
	for (size_t i = 0; i < reg->n_forks; i++)
		if (strcmp(reg->forks[i].oid, oid) == 0)
			return &reg->forks[i];
	return NULL;
}

/* A registrar's fork resolution (its log continues; seq and prev were
 * checked by the caller): versions of one fork chain like an agency's. */
static int
accept_resolution(struct registry *reg, const struct rm_record *rec,
    const rm_hash *h, struct reg_log *lg, rm_why *why)
{
	struct reg_fork *f = fork_find(reg, rec->object_id);
	uint64_t want = f != NULL ? f->ver + 1 : 1;

	if (rec->ver != want || (f != NULL && (!rec->has_supersedes ||
	    memcmp(&rec->supersedes, &f->hash, sizeof(rm_hash)) != 0)))
		return rm_fail(why, RM_EGAP, "%s: ver %llu, expected %llu "
		    "superseding the last", rec->object_id,
		    (unsigned long long)rec->ver, (unsigned long long)want);
	if (lg == NULL && (lg = log_of(reg, rec->origin, true, why)) == NULL)
		return RM_ENOMEM;
	if (f != NULL) {
		f->ver = rec->ver;
		f->hash = *h;
		goto logged;
	}
	if (reg->n_forks == reg->cap_forks) {
		size_t cap = reg->cap_forks ? reg->cap_forks * 2 : 8;
		void *nf = realloc(reg->forks, cap * sizeof(*reg->forks));

		if (nf == NULL)
			return rm_fail(why, RM_ENOMEM, "out of memory");
		reg->forks = nf;
		reg->cap_forks = cap;
	}
	f = &reg->forks[reg->n_forks++];
	snprintf(f->oid, sizeof(f->oid), "%s", rec->object_id);
	f->ver = rec->ver;
	f->hash = *h;
logged:
	lg->seq = rec->seq;
	lg->head = *h;
	lg->issued = rec->issued_ms;
	reg->n_records++;
	return RM_OK;
}

/* Check rec (hash h, at data[off..off+len)) continues its registrar's
 * log and its agency's versions, then index it. */
static int
accept(struct registry *reg, const struct rm_record *rec, const rm_hash *h,
    size_t off, size_t len, rm_why *why)
{
	const struct reg_agency *prev;
	struct reg_agency *a;
	struct reg_log *lg;
	struct roster_agency e;
	uint64_t want_seq, want_ver;
	int rv;

	if (record_agency(rec) == NULL &&
	    rec->kind != &rm_kind_fork_resolution)
		return rm_fail(why, RM_EBADVALUE, "kind %s, not agency or "
		    "fork_resolution", rec->kind->name);
	lg = log_of(reg, rec->origin, false, why);
	want_seq = lg != NULL ? lg->seq + 1 : 1;
	if (rec->seq != want_seq)
		return rm_fail(why, RM_EGAP, "%s: seq %llu, expected %llu",
		    rec->origin, (unsigned long long)rec->seq,
		    (unsigned long long)want_seq);
	if (lg != NULL && (!rec->has_prev ||
	    memcmp(&rec->prev, &lg->head, sizeof(rm_hash)) != 0))
		return rm_fail(why, RM_EGAP, "%s seq %llu: prev is not the "
		    "hash of seq %llu", rec->origin,
		    (unsigned long long)rec->seq, (unsigned long long)lg->seq);
	if (rec->kind == &rm_kind_fork_resolution)
		return accept_resolution(reg, rec, h, lg, why);
	prev = registry_find(reg, rec->object_id);
	want_ver = prev != NULL ? prev->ver + 1 : 1;
	if (rec->ver != want_ver)
		return rm_fail(why, RM_EGAP, "agency %s: ver %llu, expected "
		    "%llu", rec->object_id, (unsigned long long)rec->ver,
		    (unsigned long long)want_ver);
	if (prev != NULL && (!rec->has_supersedes ||
	    memcmp(&rec->supersedes, &prev->hash, sizeof(rm_hash)) != 0))
		return rm_fail(why, RM_EGAP, "agency %s ver %llu: supersedes "
		    "is not the hash of ver %llu", rec->object_id,
		    (unsigned long long)rec->ver,
		    (unsigned long long)prev->ver);
	if ((rv = roster_agency_from_record(rec, &e, why)) != RM_OK)
		return rv;
	if ((lg == NULL && (lg = log_of(reg, rec->origin, true, why)) == NULL) ||
	    (a = agency_slot(reg, rec->object_id, why)) == NULL) {
		roster_agency_fini(&e);
		return RM_ENOMEM;
	}
	lg->seq = rec->seq;
	lg->head = *h;
	lg->issued = rec->issued_ms;
	if (a->ver > 0)
		roster_agency_fini(&a->entry);
	a->entry = e;
	a->ver = rec->ver;
	a->hash = *h;
	a->issued = rec->issued_ms;
	a->off = off;
	a->len = len;
	reg->n_records++;
	return RM_OK;
}

/* ---------------- load ---------------- */

int
registry_load(const char *path, const struct roster *charter,
    struct registry **out, rm_why *why)
{
	struct registry *reg;
	rm_why w;
	size_t off = 0;
	int rv;

	*out = NULL;
	if ((reg = calloc(1, sizeof(*reg))) == NULL)
		return rm_fail(why, RM_ENOMEM, "%s: out of memory", path);
	if (access(path, F_OK) == 0 &&
	    (rv = rm_file_read(path, REGISTRY_MAX_BYTES, &reg->data, &w)) !=
	    RM_OK) {
		rm_fail(why, rv, "%s", w.msg);
		goto fail;
	}
	while (off < reg->data.len) {
		struct fed_record fr;
		rm_cbor_rd rd;

		rm_cbor_rd_init(&rd, reg->data.data + off, reg->data.len - off);
		if ((rv = rm_cbor_rd_skip(&rd)) != RM_OK) {
			rm_fail(why, RM_EMALFORMED, "%s: record %zu (byte %zu): "
			    "truncated or not CBOR (%s)", path, reg->n_records,
			    off, rm_strerror(rv));
			rv = RM_EMALFORMED;
			goto fail;
		}
		if ((rv = fed_record_open(charter, reg->data.data + off, rd.off,
		    &fr, &w)) != RM_OK) {
			rm_fail(why, rv, "%s: record %zu (byte %zu): %s: %s",
			    path, reg->n_records, off, rm_errname(rv), w.msg);
			goto fail;
		}
		rv = accept(reg, &fr.rec, &fr.hash, off, rd.off, &w);
		fed_record_fini(&fr);
		if (rv != RM_OK) {
			rm_fail(why, rv, "%s: record %zu (byte %zu): %s", path,
			    reg->n_records, off, w.msg);
			goto fail;
		}
		off += rd.off;
	}
	reg->committed = reg->data.len;
	*out = reg;
	return RM_OK;
fail:
	registry_free(reg);
	return rv;
}

void
registry_free(struct registry *reg)
{
	if (reg == NULL)
		return;
	for (size_t i = 0; i < reg->n_ag; i++)
		roster_agency_fini(&reg->ag[i].entry);
	free(reg->ag);
	free(reg->slots);
	free(reg->logs);
	free(reg->forks);
	rm_buf_fini(&reg->data);
	free(reg);
}

size_t
registry_records(const struct registry *reg)
{
	return reg->n_records;
}

size_t
registry_count(const struct registry *reg)
{
	return reg->n_ag;
}

const struct reg_agency *
registry_at(const struct registry *reg, size_t i)
{
	return i < reg->n_ag ? &reg->ag[i] : NULL;
}

const uint8_t *
registry_data(const struct registry *reg, size_t *n)
{
	*n = reg->data.len;
	return reg->data.data;
}

int
registry_record(const struct registry *reg, const struct reg_agency *ra,
    struct rm_record *rec, rm_why *why)
{
	struct cose_sign1 msg;
	int rv;

	if ((rv = cose_sign1_decode(reg->data.data + ra->off, ra->len, &msg,
	    why)) != RM_OK)
		return rv;
	return record_decode(msg.payload, msg.payload_len, rec, why);
}

/* ---------------- append ---------------- */

/* The next record of registrar reg_id's log: kind, origin, seq, prev and
 * an issue time after the log's last (and after `after`). */
static void
log_next(struct registry *reg, const char *reg_id,
    const struct rm_kind_ops *kind, rm_utc_ms after, struct rm_record *rec)
{
	rm_why why;
	struct reg_log *lg = log_of(reg, reg_id, false, &why);
	rm_utc_ms now = rm_utc_now_ms();

	if (lg != NULL && now <= lg->issued)
		now = lg->issued + 1;
	if (now <= after)
		now = after + 1;
	memset(rec, 0, sizeof(*rec));
	rec->schema_version = RM_SCHEMA_VERSION;
	rec->kind = kind;
	snprintf(rec->origin, sizeof(rec->origin), "%s", reg_id);
	rec->seq = lg != NULL ? lg->seq + 1 : 1;
	rec->issued_ms = now;
	if (lg != NULL) {
		rec->has_prev = true;
		rec->prev = lg->head;
	}
}

/* Sign rec with s onto the staged bytes and index it; undone on error. */
static int
seal_accept(struct registry *reg, crypto_signer *s,
    const struct rm_record *rec, rm_why *why)
{
	size_t off = reg->data.len;
	rm_hash h;
	int rv;

	if ((rv = fed_record_seal(s, rec, &reg->data, &h, why)) != RM_OK)
		return rv;
	if ((rv = accept(reg, rec, &h, off, reg->data.len - off, why)) !=
	    RM_OK)
		reg->data.len = off;
	return rv;
}

int
registry_append(struct registry *reg, crypto_signer *s, const char *reg_id,
    const struct rm_agency *b, rm_why *why)
{
	const struct reg_agency *prev = registry_find(reg, b->id);
	struct rm_record rec;

	log_next(reg, reg_id, &rm_kind_agency, prev != NULL ? prev->issued :
	    0, &rec);
	snprintf(rec.object_id, sizeof(rec.object_id), "%s", b->id);
	rec.ver = prev != NULL ? prev->ver + 1 : 1;
	rec.n_areas = b->n_areas;
	for (size_t i = 0; i < b->n_areas; i++)
		memcpy(rec.areas[i], b->areas[i], sizeof(rec.areas[i]));
	if (prev != NULL) {
		rec.has_supersedes = true;
		rec.supersedes = prev->hash;
	}
	rec.body = (void *)b;
	return seal_accept(reg, s, &rec, why);
}

int
registry_append_resolution(struct registry *reg, crypto_signer *s,
    const char *reg_id, const struct rm_fork_ref *ref, const char *area,
    bool again, rm_why *why)
{
	const struct reg_fork *f;
	struct rm_record rec;

	log_next(reg, reg_id, &rm_kind_fork_resolution, 0, &rec);
	snprintf(rec.object_id, sizeof(rec.object_id), "fork:%s:%llu",
	    ref->origin, (unsigned long long)ref->seq);
	if ((f = fork_find(reg, rec.object_id)) != NULL && !again)
		return rm_fail(why, RM_EEXIST, "%s seq %llu: this directory "
		    "resolved that fork already (ver %llu); give --again to "
		    "sign a new version (a node keeps the first resolution it "
		    "could apply)", ref->origin, (unsigned long long)ref->seq,
		    (unsigned long long)f->ver);
	rec.ver = f != NULL ? f->ver + 1 : 1;
	if (f != NULL) {
		rec.has_supersedes = true;
		rec.supersedes = f->hash;
	}
	rec.n_areas = 1;
	snprintf(rec.areas[0], sizeof(rec.areas[0]), "%s", area);
	rec.body = (void *)ref;
	return seal_accept(reg, s, &rec, why);
}

int
registry_commit(struct registry *reg, const char *path, rm_why *why)
{
	const uint8_t *p = reg->data.data + reg->committed;
	size_t n = reg->data.len - reg->committed;
	int fd;

	if (n == 0)
		return RM_OK;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0644)) < 0)
		return rm_fail(why, RM_EIO, "%s: %s", path, strerror(errno));
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rm_fail(why, RM_EIO, "%s: write: %s", path,
			    w < 0 ? strerror(errno) : "no progress");
			close(fd);
			return RM_EIO;
		}
		p += w;
		n -= (size_t)w;
	}
	if (fsync(fd) != 0) {
		rm_fail(why, RM_EIO, "%s: fsync: %s", path, strerror(errno));
		close(fd);
		return RM_EIO;
	}
	if (close(fd) != 0)
		return rm_fail(why, RM_EIO, "%s: close: %s", path,
		    strerror(errno));
	reg->committed = reg->data.len;
	return RM_OK;
}

/* ---------------- the roster view ---------------- */

static void
view_skip(void *arg, const struct roster_agency *e, const char *reason)
{
	fprintf(stderr, "%s%s (from %s): not applied: %s\n",
	    (const char *)arg, e->id, e->registrar, reason);
}

int
registry_view(const struct registry *reg, const struct roster *charter,
    const char *prefix, struct roster **out, rm_why *why)
{
	struct roster_agency *es;
	int rv;

	if ((es = calloc(reg->n_ag ? reg->n_ag : 1, sizeof(*es))) == NULL)
		return rm_fail(why, RM_ENOMEM, "roster: out of memory");
	for (size_t i = 0; i < reg->n_ag; i++)
		es[i] = reg->ag[i].entry;       /* shallow: roster_apply refs */
	rv = roster_apply(charter, es, reg->n_ag, view_skip, (void *)prefix,
	    out, why);
	free(es);
	return rv;
}
