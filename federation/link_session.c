/*
 * link_session.c -- the peer thread: HELLO handshake, roster exchange,
 * version-vector catch-up, push of queued records, refusals
 * (docs/PROTOCOL.md §HELLO, §Catch-up).
 *
 * Everything here runs on the peer's own thread and owns p->s; shared
 * fields of the peer are touched under p->mtx only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/fed_int.h"

#define FED_PULL_MIN_MS        1000   /* least gap between pull VECTORs */
#define FED_REFUSAL_LOG_MS     60000  /* repeat an identical refusal log */
#define FED_CATCHUP_PER_PUMP   2      /* log_range batches per loop turn */

static void session_end(struct fed_peer *p);

/* ---------------- sending ---------------- */

static int
send_buf(struct fed_peer *p, rm_buf *b)
{
	int rv = fed_net_send(p, b->data, b->len);

	if (rv == RM_OK)
		FED_COUNT(p->f, frames_out, 1);
	return rv;
}

/* Our vector, collected from the host. */
struct vec {
	size_t n, cap;
	struct vec_ent {
		char origin[RM_AGENCY_ID_MAX + 1];
		uint64_t seq;
	} *e;
	bool oom;
};

static void
vec_each(void *arg, const char *origin, uint64_t seq)
{
	struct vec *v = arg;

	if (v->oom || strlen(origin) > RM_AGENCY_ID_MAX)
		return;
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 32;
		struct vec_ent *ne = realloc(v->e, cap * sizeof(*ne));

		if (ne == NULL) {
			v->oom = true;
			return;
		}
		v->e = ne;
		v->cap = cap;
	}
	snprintf(v->e[v->n].origin, sizeof(v->e[v->n].origin), "%s", origin);
	v->e[v->n].seq = seq;
	v->n++;
}

static int
vec_load(fed *f, struct vec *v)
{
	int rv;

	memset(v, 0, sizeof(*v));
	if ((rv = f->ops->vector(f->host, vec_each, v)) != RM_OK || v->oom) {
		free(v->e);
		memset(v, 0, sizeof(*v));
		return rv != RM_OK ? rv : RM_ENOMEM;
	}
	return RM_OK;
}

static int
send_vector(struct fed_peer *p)
{
	struct vec v;
	const char **origins = NULL;
	uint64_t *seqs = NULL;
	rm_buf b = RM_BUF_INIT;
	size_t n;
	int rv;

	if ((rv = vec_load(p->f, &v)) != RM_OK) {
		rm_log(RM_LOG_WARN, "fed", "peer %s: cannot read the version "
		    "vector: %s", p->agency, rm_strerror(rv));
		return rv;
	}
	n = v.n > FED_VECTOR_MAX ? FED_VECTOR_MAX : v.n;
	if (v.n > FED_VECTOR_MAX)
		rm_log(RM_LOG_WARN, "fed", "version vector has %zu origins; "
		    "sending the first %d", v.n, FED_VECTOR_MAX);
	rv = RM_ENOMEM;
	if ((origins = calloc(n + 1, sizeof(*origins))) == NULL ||
	    (seqs = calloc(n + 1, sizeof(*seqs))) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		origins[i] = v.e[i].origin;
		seqs[i] = v.e[i].seq;
	}
	if ((rv = fed_frame_vector(&b, origins, seqs, n)) == RM_OK)
		rv = send_buf(p, &b);
	p->s.last_vector_ms = p->s.last_pull_ms = rm_mono_now_ms();
out:
	free(origins);
	free(seqs);
	free(v.e);
	rm_buf_fini(&b);
	return rv;
}

/* Send records as RECORDS frames of <= FED_BATCH_MAX records and about
 * FED_FRAME_SOFT_MAX bytes. */
static int
send_records(struct fed_peer *p, const uint8_t *const *rp, const size_t *rl,
    size_t n)
{
	rm_buf b = RM_BUF_INIT;
	size_t i = 0;
	int rv = RM_OK;

	while (i < n && rv == RM_OK) {
		size_t k = 0, bytes = 0;

		while (i + k < n && k < FED_BATCH_MAX &&
		    (k == 0 || bytes + rl[i + k] <= FED_FRAME_SOFT_MAX))
			bytes += rl[i + k++];
		rm_buf_reset(&b);
		if ((rv = fed_frame_records_begin(&b, k)) != RM_OK)
			break;
		for (size_t j = 0; j < k && rv == RM_OK; j++)
			rv = fed_frame_records_add(&b, rp[i + j], rl[i + j]);
		if (rv == RM_OK && (rv = send_buf(p, &b)) == RM_OK) {
			pthread_mutex_lock(&p->mtx);
			p->records_sent += k;
			pthread_mutex_unlock(&p->mtx);
			FED_COUNT(p->f, records_out, k);
		}
		i += k;
	}
	rm_buf_fini(&b);
	return rv;
}

static int
send_roster(struct fed_peer *p, const struct roster *r)
{
	rm_buf b = RM_BUF_INIT;
	const uint8_t *sr;
	size_t n;
	int rv;

	if ((sr = roster_signed(r, &n)) == NULL) {
		rm_log(RM_LOG_WARN, "fed", "peer %s has an older roster, but "
		    "ours (version %llu) has no signed form to send", p->agency,
		    (unsigned long long)roster_version(r));
		return RM_OK;
	}
	if ((rv = fed_frame_roster(&b, sr, n)) == RM_OK)
		rv = send_buf(p, &b);
	rm_buf_fini(&b);
	if (rv == RM_OK && roster_version(r) > p->s.roster_told)
		p->s.roster_told = roster_version(r);
	return rv;
}

/* ---------------- failures ---------------- */

static void
dead_add(struct fed_peer *p, uint32_t pipe)
{
	p->dead[p->dead_next] = pipe;
	p->dead_next = (p->dead_next + 1) % (sizeof(p->dead) / sizeof(p->dead[0]));
}

static bool
dead_has(const struct fed_peer *p, uint32_t pipe)
{
	for (size_t i = 0; i < sizeof(p->dead) / sizeof(p->dead[0]); i++)
		if (p->dead[i] == pipe)
			return true;
	return false;
}

/*
 * The connection broke the protocol or failed the handshake: count it,
 * log it on the security channel (identical reasons at most once a
 * minute), tell the peer why, close the pipe and mark the peer REFUSED.
 */
static void __attribute__((format(printf, 3, 4)))
session_fail(struct fed_peer *p, int code, const char *fmt, ...)
{
	char reason[RM_WHY_MAX];
	rm_buf b = RM_BUF_INIT;
	rm_mono_ms now = rm_mono_now_ms();
	va_list ap;
	uint32_t pipe = p->s.pipe;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (!p->s.up)
		FED_COUNT(p->f, handshakes_failed, 1);
	if (strcmp(reason, p->last_refusal) != 0 ||
	    now - p->last_refusal_ms >= FED_REFUSAL_LOG_MS) {
		rm_log_sec("fed", "peer %s (%s): %s %s: %s", p->agency, p->url,
		    p->s.up ? "connection closed" : "handshake refused",
		    rm_errname(code), reason);
		snprintf(p->last_refusal, sizeof(p->last_refusal), "%s",
		    reason);
		p->last_refusal_ms = now;
	}
	if (fed_frame_refuse(&b, code, reason) == RM_OK)
		(void)send_buf(p, &b);
	rm_buf_fini(&b);
	session_end(p);
	fed_peer_set_state(p, FED_PEER_REFUSED);
	if (pipe != 0) {
		dead_add(p, pipe);
		fed_net_drop(p, pipe);
	}
}

/* ---------------- session lifecycle ---------------- */

static void
session_end(struct fed_peer *p)
{
	struct fed_session *s = &p->s;
	bool was_up = s->up;
	enum fed_peer_state st;

	if (s->pipe == 0)
		return;
	free(s->catchup);
	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&p->mtx);
	st = p->state == FED_PEER_REFUSED ? FED_PEER_REFUSED : FED_PEER_DOWN;
	pthread_mutex_unlock(&p->mtx);
	fed_peer_set_state(p, st);          /* also drops the queue */
	if (was_up)
		rm_log(RM_LOG_NOTICE, "fed", "peer %s down (%s)", p->agency,
		    p->url);
}

static void
session_start(struct fed_peer *p, uint32_t pipe)
{
	struct fed_session *s = &p->s;
	struct roster *r;
	rm_buf b = RM_BUF_INIT;
	int rv;

	session_end(p);
	s->pipe = pipe;
	s->started_ms = rm_mono_now_ms();
	fed_peer_set_state(p, FED_PEER_HANDSHAKE);
	if (crypto_random(s->own_nonce, sizeof(s->own_nonce)) != RM_OK) {
		session_fail(p, RM_ECRYPTO, "no randomness for the nonce");
		return;
	}
	r = fed_roster(p->f);
	s->roster_told = roster_version(r);
	rv = fed_frame_hello(&b, p->f->agency_id, roster_version(r),
	    s->own_nonce);
	roster_free(r);
	if (rv == RM_OK)
		rv = send_buf(p, &b);
	rm_buf_fini(&b);
	if (rv != RM_OK)
		session_fail(p, RM_ENET, "cannot send HELLO: %s",
		    rm_strerror(rv));
}

static void
session_up(struct fed_peer *p)
{
	p->s.up = true;
	pthread_mutex_lock(&p->mtx);
	p->state = FED_PEER_UP;
	p->connects++;
	p->last_up_ms = rm_utc_now_ms();
	pthread_mutex_unlock(&p->mtx);
	FED_COUNT(p->f, handshakes_ok, 1);
	p->last_refusal[0] = '\0';
	rm_log(RM_LOG_INFO, "fed", "peer %s up (%s)", p->agency, p->url);
	if (send_vector(p) != RM_OK)
		session_fail(p, RM_ENET, "cannot send VECTOR");
}

/* ---------------- handshake ---------------- */

static void
verify_proof(struct fed_peer *p)
{
	struct fed_session *s = &p->s;
	struct roster *r = fed_roster(p->f);
	const struct roster_agency *a = roster_find(r, p->agency);
	rm_buf t = RM_BUF_INIT;
	int rv;

	if (a == NULL) {
		session_fail(p, RM_EUNKNOWNSIGNER, "agency %s is not in roster "
		    "version %llu", p->agency,
		    (unsigned long long)roster_version(r));
		goto out;
	}
	rv = fed_hello_transcript(&t, s->own_nonce, s->peer_nonce, p->agency,
	    p->f->agency_id);
	if (rv == RM_OK)
		rv = crypto_es256_verify(a->key, t.data, t.len, s->proof);
	if (rv != RM_OK) {
		session_fail(p, RM_EBADSIG, "PROOF does not verify with the "
		    "roster key of %s", p->agency);
		goto out;
	}
	session_up(p);
out:
	rm_buf_fini(&t);
	roster_free(r);
}

static void
on_hello(struct fed_peer *p, const struct fed_frame *fr)
{
	struct fed_session *s = &p->s;
	struct roster *r;
	uint8_t sig[CRYPTO_ES256_SIG_BYTES];
	rm_buf b = RM_BUF_INIT;
	rm_why why;
	int rv;

	if (s->hello_rx) {
		session_fail(p, RM_EPROTO, "second HELLO");
		return;
	}
	if (fr->u.hello.proto != FED_PROTO_VERSION) {
		session_fail(p, RM_EUNKNOWN, "protocol version %llu, this node "
		    "speaks %d", (unsigned long long)fr->u.hello.proto,
		    FED_PROTO_VERSION);
		return;
	}
	if (fr->u.hello.agency_len != strlen(p->agency) ||
	    memcmp(fr->u.hello.agency, p->agency, fr->u.hello.agency_len) !=
	    0) {
		session_fail(p, RM_EUNAUTH, "HELLO claims agency %.*s, this "
		    "link is for %s", (int)fr->u.hello.agency_len,
		    fr->u.hello.agency, p->agency);
		return;
	}
	r = fed_roster(p->f);
	if (fr->u.hello.roster_version <= roster_version(r) &&
	    roster_find(r, p->agency) == NULL) {
		session_fail(p, RM_EUNKNOWNSIGNER, "agency %s is not in roster "
		    "version %llu", p->agency,
		    (unsigned long long)roster_version(r));
		goto out;
	}
	memcpy(s->peer_nonce, fr->u.hello.nonce, FED_NONCE_BYTES);
	s->peer_roster_version = fr->u.hello.roster_version;
	s->hello_rx = true;
	if (s->peer_roster_version > s->roster_told)
		s->roster_told = s->peer_roster_version;
	/* The newer roster travels first. */
	if (roster_version(r) > s->peer_roster_version &&
	    (rv = send_roster(p, r)) != RM_OK) {
		session_fail(p, RM_ENET, "cannot send ROSTER: %s",
		    rm_strerror(rv));
		goto out;
	}
	rv = fed_hello_transcript(&b, s->peer_nonce, s->own_nonce,
	    p->f->agency_id, p->agency);
	if (rv == RM_OK)
		rv = crypto_es256_sign(p->f->agency_key, b.data, b.len, sig,
		    &why);
	rm_buf_reset(&b);
	if (rv == RM_OK && (rv = fed_frame_proof(&b, sig)) == RM_OK)
		rv = send_buf(p, &b);
	if (rv != RM_OK)
		session_fail(p, rv == RM_ETIMEDOUT ? RM_ENET : rv, "cannot "
		    "send PROOF: %s", rm_strerror(rv));
out:
	rm_buf_fini(&b);
	roster_free(r);
}

static void
on_proof(struct fed_peer *p, const struct fed_frame *fr)
{
	struct fed_session *s = &p->s;
	struct roster *r;
	bool wait;

	if (!s->hello_rx || s->up || s->proof_pending) {
		session_fail(p, RM_EPROTO, "unexpected PROOF");
		return;
	}
	memcpy(s->proof, fr->u.proof.sig, CRYPTO_ES256_SIG_BYTES);
	r = fed_roster(p->f);
	wait = s->peer_roster_version > roster_version(r);
	roster_free(r);
	if (wait)
		s->proof_pending = true;       /* its ROSTER comes first */
	else
		verify_proof(p);
}

/* Adopt a newer roster; returns true if it replaced ours. */
static bool
roster_adopt(struct fed_peer *p, struct roster *nr, const uint8_t *bytes,
    size_t n)
{
	fed *f = p->f;
	struct roster *old = NULL;

	pthread_mutex_lock(&f->roster_mtx);
	if (roster_version(nr) > roster_version(f->roster) &&
	    strcmp(roster_federation(nr), roster_federation(f->roster)) == 0) {
		old = f->roster;
		f->roster = roster_ref(nr);
	}
	pthread_mutex_unlock(&f->roster_mtx);
	if (old == NULL)
		return false;
	rm_log(RM_LOG_NOTICE, "fed", "adopted roster version %llu from peer "
	    "%s (was %llu)", (unsigned long long)roster_version(nr), p->agency,
	    (unsigned long long)roster_version(old));
	roster_free(old);
	if (f->ops->roster_save != NULL &&
	    f->ops->roster_save(f->host, bytes, n) != RM_OK)
		rm_log(RM_LOG_WARN, "fed", "roster version %llu: could not be "
		    "saved", (unsigned long long)roster_version(nr));
	return true;
}

static void
on_roster(struct fed_peer *p, const struct fed_frame *fr)
{
	struct fed_session *s = &p->s;
	struct roster *nr, *cur;
	rm_why why;
	int rv;

	if (!s->hello_rx) {
		session_fail(p, RM_EPROTO, "ROSTER before HELLO");
		return;
	}
	if ((rv = roster_open(fr->u.roster.p, fr->u.roster.n, p->f->root_key,
	    &nr, &why)) != RM_OK) {
		FED_COUNT(p->f, frames_malformed, 1);
		session_fail(p, rv, "ROSTER refused: %s", why.msg);
		return;
	}
	cur = fed_roster(p->f);
	rv = strcmp(roster_federation(nr), roster_federation(cur));
	roster_free(cur);
	if (rv != 0) {
		session_fail(p, RM_EBADVALUE, "ROSTER is for federation \"%s\"",
		    roster_federation(nr));
		roster_free(nr);
		return;
	}
	roster_adopt(p, nr, fr->u.roster.p, fr->u.roster.n);
	if (roster_version(nr) > s->roster_told)
		s->roster_told = roster_version(nr);
	roster_free(nr);
	if (s->proof_pending) {
		cur = fed_roster(p->f);
		if (roster_version(cur) < s->peer_roster_version) {
			session_fail(p, RM_EPROTO, "HELLO announced roster "
			    "version %llu, ROSTER brought %llu",
			    (unsigned long long)s->peer_roster_version,
			    (unsigned long long)roster_version(cur));
		} else {
			s->proof_pending = false;
			verify_proof(p);
		}
		roster_free(cur);
	}
}

/* ---------------- exchange ---------------- */

/* Find origin in a decoded vector (canonical order: length, bytes). */
static const struct fed_vector_entry *
vector_find(const struct fed_frame *fr, const char *origin)
{
	size_t n = strlen(origin), lo = 0, hi = fr->u.vector.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct fed_vector_entry *e = &fr->u.vector.entries[mid];
		int c = e->origin_len != n ? (e->origin_len < n ? -1 : 1) :
		    memcmp(e->origin, origin, n);

		if (c == 0)
			return e;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void
on_vector(struct fed_peer *p, const struct fed_frame *fr)
{
	struct fed_session *s = &p->s;
	struct vec v;
	struct fed_catchup *c;
	bool pull = false;
	size_t nc = 0;

	if (vec_load(p->f, &v) != RM_OK)
		return;
	if ((c = calloc(v.n + 1, sizeof(*c))) == NULL) {
		free(v.e);
		return;
	}
	for (size_t i = 0; i < v.n; i++) {
		const struct fed_vector_entry *e = vector_find(fr,
		    v.e[i].origin);
		uint64_t theirs = e != NULL ? e->seq : 0;

		if (v.e[i].seq > theirs) {
			snprintf(c[nc].origin, sizeof(c[nc].origin), "%s",
			    v.e[i].origin);
			c[nc].after = theirs;
			c[nc].upto = v.e[i].seq;
			nc++;
		}
	}
	/* Does the peer have anything we lack? Then let it know ours. */
	for (size_t i = 0; i < fr->u.vector.n && !pull; i++) {
		const struct fed_vector_entry *e = &fr->u.vector.entries[i];
		size_t j;

		for (j = 0; j < v.n; j++)
			if (strlen(v.e[j].origin) == e->origin_len &&
			    memcmp(v.e[j].origin, e->origin, e->origin_len) ==
			    0)
				break;
		pull = e->seq > (j < v.n ? v.e[j].seq : 0);
	}
	free(v.e);
	free(s->catchup);
	s->catchup = c;
	s->n_catchup = nc;
	if (pull && rm_mono_now_ms() - s->last_pull_ms >= FED_PULL_MIN_MS)
		(void)send_vector(p);
}

static void
ingest_done(void *ctx, int err, bool stored)
{
	fed *f = ctx;

	if (err == RM_OK && !stored)
		FED_COUNT(f, records_duplicate, 1);
	atomic_fetch_sub(&f->pending_ingest, 1);
}

static void
refuse_record(struct fed_peer *p, const uint8_t *rp, size_t rl, int err,
    const char *why)
{
	char hex[65], sh[16], reason[RM_WHY_MAX + 32];
	rm_buf b = RM_BUF_INIT;
	rm_hash h;

	pthread_mutex_lock(&p->mtx);
	p->records_refused++;
	pthread_mutex_unlock(&p->mtx);
	cose_record_hash(rp, rl, &h);
	if (!fed_refused_seen(p->f, &h)) {
		rm_hash_hex(&h, hex);
		rm_log_sec("fed", "refused record %s from peer %s: %s: %s",
		    hex, p->agency, rm_errname(err), why);
	}
	fed_hash_short(&h, sh);
	snprintf(reason, sizeof(reason), "record %s: %s", sh, why);
	if (fed_frame_refuse(&b, err, reason) == RM_OK)
		(void)send_buf(p, &b);
	rm_buf_fini(&b);
}

static void
on_records(struct fed_peer *p, const struct fed_frame *fr)
{
	fed *f = p->f;

	pthread_mutex_lock(&p->mtx);
	p->records_received += fr->u.records.n;
	pthread_mutex_unlock(&p->mtx);
	FED_COUNT(f, records_in, fr->u.records.n);
	for (size_t i = 0; i < fr->u.records.n; i++) {
		struct fed_record rec;
		rm_why why;
		int rv;

		rv = fed_verify(f, fr->u.records.p[i], fr->u.records.len[i],
		    &rec, &why);
		if (rv != RM_OK) {
			refuse_record(p, fr->u.records.p[i],
			    fr->u.records.len[i], rv, why.msg);
			continue;
		}
		atomic_fetch_add(&f->pending_ingest, 1);
		rv = f->ops->ingest(f->host, p->agency, &rec, ingest_done, f);
		if (rv != RM_OK) {
			atomic_fetch_sub(&f->pending_ingest, 1);
			rm_log(RM_LOG_DEBUG, "fed", "record %s seq %llu from peer "
			    "%s not ingested: %s", rec.rec.origin,
			    (unsigned long long)rec.rec.seq, p->agency,
			    rm_strerror(rv));
		}
		fed_record_fini(&rec);
	}
}

static void
on_message(struct fed_peer *p, uint32_t pipe, const uint8_t *buf, size_t len)
{
	struct fed_frame fr;
	rm_why why;
	int rv;

	if (dead_has(p, pipe))
		return;
	FED_COUNT(p->f, frames_in, 1);
	rv = fed_frame_decode(buf, len, &fr, &why);
	if (pipe != p->s.pipe) {
		/* First frame of a connection we have not been told about. */
		if (rv != RM_OK || fr.type != FED_HELLO) {
			if (rv == RM_OK)
				fed_frame_fini(&fr);
			return;
		}
		session_start(p, pipe);
		if (p->s.pipe != pipe) {
			fed_frame_fini(&fr);
			return;
		}
	}
	if (rv != RM_OK) {
		FED_COUNT(p->f, frames_malformed, 1);
		session_fail(p, rv, "malformed frame: %s", why.msg);
		return;
	}
	switch (fr.type) {
	case FED_HELLO:
		on_hello(p, &fr);
		break;
	case FED_PROOF:
		on_proof(p, &fr);
		break;
	case FED_ROSTER:
		on_roster(p, &fr);
		break;
	case FED_VECTOR:
		if (!p->s.up)
			session_fail(p, RM_EPROTO, "VECTOR before handshake");
		else
			on_vector(p, &fr);
		break;
	case FED_RECORDS:
		if (!p->s.up)
			session_fail(p, RM_EPROTO, "RECORDS before handshake");
		else
			on_records(p, &fr);
		break;
	case FED_REFUSE:
		rm_log(RM_LOG_NOTICE, "fed", "peer %s refused: %s: %.*s",
		    p->agency, rm_errname((int)fr.u.refuse.code),
		    (int)fr.u.refuse.reason_len, fr.u.refuse.reason);
		if (!p->s.up)
			session_fail(p, RM_EPROTO, "peer refused the "
			    "handshake");
		break;
	}
	fed_frame_fini(&fr);
}

/* ---------------- pumping ---------------- */

struct collect {
	size_t n, cap;
	uint8_t **p;
	size_t *len;
	bool oom;
};

static int
collect_each(void *arg, const uint8_t *rp, size_t rl)
{
	struct collect *c = arg;
	uint8_t *copy;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		uint8_t **np = realloc(c->p, cap * sizeof(*np));
		size_t *nl;

		if (np == NULL)
			goto oom;
		c->p = np;
		if ((nl = realloc(c->len, cap * sizeof(*nl))) == NULL)
			goto oom;
		c->len = nl;
		c->cap = cap;
	}
	if ((copy = malloc(rl ? rl : 1)) == NULL)
		goto oom;
	memcpy(copy, rp, rl);
	c->p[c->n] = copy;
	c->len[c->n++] = rl;
	return RM_OK;
oom:
	c->oom = true;
	return RM_ENOMEM;
}

static void
collect_fini(struct collect *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->p[i]);
	free(c->p);
	free(c->len);
}

/* Stream one log_range batch of the first pending catch-up. */
static int
pump_catchup(struct fed_peer *p)
{
	struct fed_session *s = &p->s;
	struct fed_catchup *c = &s->catchup[0];
	struct collect col = { 0 };
	int rv;

	rv = p->f->ops->log_range(p->f->host, c->origin, c->after, c->upto,
	    FED_BATCH_MAX, collect_each, &col);
	if (rv == RM_OK && col.n > 0)
		rv = send_records(p, (const uint8_t *const *)col.p, col.len,
		    col.n);
	c->after += col.n;
	if (rv != RM_OK || col.n == 0 || c->after >= c->upto) {
		if (rv != RM_OK && rv != RM_ETIMEDOUT && rv != RM_ENET)
			rm_log(RM_LOG_WARN, "fed", "catch-up of %s for peer %s "
			    "stopped: %s", c->origin, p->agency,
			    rm_strerror(rv));
		memmove(&s->catchup[0], &s->catchup[1],
		    (s->n_catchup - 1) * sizeof(*c));
		s->n_catchup--;
	}
	collect_fini(&col);
	return rv == RM_ETIMEDOUT || rv == RM_ENET ? rv : RM_OK;
}

static int
pump_queue(struct fed_peer *p)
{
	struct fed_qrec *head, *q, *next;
	const uint8_t **rp;
	size_t *rl, n = 0, bytes = 0;
	int rv = RM_OK;

	pthread_mutex_lock(&p->mtx);
	head = p->q_head;
	for (q = head; q != NULL && n < FED_BATCH_MAX &&
	    (n == 0 || bytes + q->len <= FED_FRAME_SOFT_MAX); q = q->next) {
		bytes += q->len;
		n++;
	}
	/* Detach the first n records. */
	if (n > 0) {
		struct fed_qrec *last = head;

		for (size_t i = 1; i < n; i++)
			last = last->next;
		p->q_head = last->next;
		if (p->q_head == NULL)
			p->q_tail = NULL;
		last->next = NULL;
		p->q_len -= n;
	}
	pthread_mutex_unlock(&p->mtx);
	if (n == 0)
		return RM_OK;
	rp = calloc(n, sizeof(*rp));
	rl = calloc(n, sizeof(*rl));
	if (rp != NULL && rl != NULL) {
		size_t i = 0;

		for (q = head; q != NULL; q = q->next, i++) {
			rp[i] = q->bytes;
			rl[i] = q->len;
		}
		rv = send_records(p, rp, rl, n);
	} else {
		rv = RM_ENOMEM;
	}
	free(rp);
	free(rl);
	for (q = head; q != NULL; q = next) {
		next = q->next;
		free(q);
	}
	if (rv != RM_OK) {
		/* Drop the rest too and let vectors repair. */
		fed_peer_queue_drop(p);
	}
	return rv;
}

/* Work to do while UP. Returns true if more is pending. */
static bool
pump(struct fed_peer *p)
{
	struct fed_session *s = &p->s;
	struct roster *r;
	bool overflow, more;
	rm_mono_ms now = rm_mono_now_ms();

	pthread_mutex_lock(&p->mtx);
	overflow = p->q_overflow;
	p->q_overflow = false;
	pthread_mutex_unlock(&p->mtx);
	r = fed_roster(p->f);
	if (roster_version(r) > s->roster_told)
		(void)send_roster(p, r);
	roster_free(r);
	if (overflow || now - s->last_vector_ms >= p->f->sync_interval_ms)
		(void)send_vector(p);
	for (int i = 0; i < FED_CATCHUP_PER_PUMP && s->n_catchup > 0; i++)
		if (pump_catchup(p) != RM_OK) {
			s->n_catchup = 0;
			break;
		}
	(void)pump_queue(p);
	pthread_mutex_lock(&p->mtx);
	more = p->q_head != NULL || s->n_catchup > 0;
	pthread_mutex_unlock(&p->mtx);
	return more;
}

static void
take_events(struct fed_peer *p)
{
	struct { uint32_t pipe; bool add; } ev[16];
	size_t n;

	pthread_mutex_lock(&p->mtx);
	n = p->n_ev;
	memcpy(ev, p->ev, n * sizeof(ev[0]));
	p->n_ev = 0;
	pthread_mutex_unlock(&p->mtx);
	for (size_t i = 0; i < n; i++) {
		if (ev[i].add) {
			if (ev[i].pipe != p->s.pipe && !dead_has(p, ev[i].pipe))
				session_start(p, ev[i].pipe);
		} else {
			dead_add(p, ev[i].pipe);
			if (ev[i].pipe == p->s.pipe)
				session_end(p);
		}
	}
}

void *
fed_peer_main(void *arg)
{
	struct fed_peer *p = arg;
	fed *f = p->f;
	bool busy = false;

	while (!atomic_load(&f->stopping)) {
		uint8_t *buf;
		size_t len;
		uint32_t pipe;
		int rv;

		take_events(p);
		if (p->s.pipe != 0 && !p->s.up && rm_mono_now_ms() -
		    p->s.started_ms > (rm_mono_ms)f->handshake_timeout_ms)
			session_fail(p, RM_ETIMEDOUT, "handshake not complete "
			    "after %u ms", f->handshake_timeout_ms);
		rv = fed_net_recv(p, busy ? 1 : FED_RECV_POLL_MS, &buf, &len,
		    &pipe);
		if (rv == RM_OK) {
			on_message(p, pipe, buf, len);
			free(buf);
		} else if (rv == RM_ECLOSED) {
			break;
		}
		busy = p->s.up && p->s.pipe != 0 ? pump(p) : false;
	}
	session_end(p);
	return NULL;
}
