/*
 * link_gateway.c -- foreign federations and gateway links
 * (docs/PROTOCOL.md §12): verification with the foreign rosters, foreign
 * charters carried by ROSTER frames, foreign agency records, the extra
 * steps of a gateway handshake, the export policy on what is sent, and
 * the streamed marks of a filtered catch-up. Runs on the peer threads
 * and the verifiers; calls only the shared state (link_state.c), the
 * socket (link_nng.c) and the host ops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/peer/peer_int.h"

/* Foreign ROSTER frames a session may send in one second: one per
 * foreign federation and the peer's own charter (§12.2). */
#define FED_FOREIGN_ROSTERS_PER_S  (TRUST_FOREIGN_MAX + 1)

/* ---------------- verification ---------------- */

/* Copies of the foreign federations, rosters referenced. */
static size_t
foreign_snapshot(fed *f, struct trust_foreign *out)
{
	pthread_mutex_lock(&f->roster_mtx);
	for (size_t i = 0; i < f->n_foreign; i++) {
		out[i] = f->foreign[i].t;
		if (out[i].roster != NULL)
			roster_ref(out[i].roster);
	}
	pthread_mutex_unlock(&f->roster_mtx);
	return f->n_foreign;
}

static void
foreign_release(struct trust_foreign *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		roster_free(t[i].roster);
}

/* Is the record p[0..n) of an origin outside the home federation's
 * areas? Its origin id into origin. Only the header is read. */
static bool
origin_outside_home(const fed *f, const uint8_t *p, size_t n, char *origin,
    size_t len)
{
	struct cose_sign1 m;
	struct rm_record rec;
	rm_why w;
	bool out;

	if (f->home_areas.n == 0 || cose_sign1_decode(p, n, &m, &w) != RM_OK ||
	    record_decode(m.payload, m.payload_len, &rec, &w) != RM_OK)
		return false;
	out = !trust_areas_contain_agency(&f->home_areas, rec.origin);
	snprintf(origin, len, "%s", rec.origin);
	record_fini(&rec);
	return out;
}

int
fed_verify_trusted(fed *f, const uint8_t *p, size_t n,
    struct fed_record *out, int *which, bool *outside, bool *untrusted,
    rm_why *why)
{
	struct trust_foreign t[TRUST_FOREIGN_MAX];
	struct roster *r = fed_roster(f);
	size_t nf = foreign_snapshot(f, t);
	char origin[RM_AGENCY_ID_MAX + 1];
	bool out_area = false, foreign = false;
	int rv;

	rv = fed_record_open_trusted(r, t, nf, p, n, out, which, &out_area,
	    why);
	foreign_release(t, nf);
	roster_free(r);
	if (rv == RM_EUNKNOWNSIGNER && !out_area &&
	    origin_outside_home(f, p, n, origin, sizeof(origin))) {
		/* Another region's record relayed by a peer that trusts its
		 * root: expected where this node does not (§12.2). */
		foreign = true;
		rm_fail(why, rv, "origin %s is outside this federation's "
		    "areas and no foreign root here is trusted for it (to "
		    "keep such records: foreign = NAME ROOT AREAS, "
		    "docs/PROTOCOL.md §12.1)", origin);
	}
	if (outside != NULL)
		*outside = out_area;
	if (untrusted != NULL)
		*untrusted = foreign;
	if (rv != RM_OK && rv > 0 && rv < RM_ERR_COUNT) {
		pthread_mutex_lock(&f->stats_mtx);
		if (foreign)
			f->c.foreign_untrusted++;
		else
			f->c.refused[rv]++;
		if (out_area)
			f->c.foreign_refused++;
		pthread_mutex_unlock(&f->stats_mtx);
	}
	return rv;
}

struct roster *
fed_link_roster(struct fed_peer *p)
{
	struct roster *r = NULL;
	fed *f = p->f;

	if (!p->gateway)
		return fed_roster(f);
	pthread_mutex_lock(&f->roster_mtx);
	if (f->foreign[p->fi].t.roster != NULL)
		r = roster_ref(f->foreign[p->fi].t.roster);
	pthread_mutex_unlock(&f->roster_mtx);
	return r;
}

bool
fed_gw_allows_bytes(struct fed_peer *p, const uint8_t *b, size_t n)
{
	struct cose_sign1 msg;
	struct rm_record rec;
	rm_why why;
	bool ok;

	if (!p->gateway)
		return true;
	if (cose_sign1_decode(b, n, &msg, &why) != RM_OK ||
	    record_decode(msg.payload, msg.payload_len, &rec, &why) != RM_OK)
		return false;
	ok = gateway_policy_check(&p->policy, &rec,
	    &p->f->foreign[p->fi].t.areas, NULL) == RM_OK;
	record_fini(&rec);
	return ok;
}

/* ---------------- foreign rosters ---------------- */

static void
foreign_install(fed *f, size_t fi, struct roster *nr)
{
	struct roster *old;

	pthread_mutex_lock(&f->roster_mtx);
	old = f->foreign[fi].t.roster;
	f->foreign[fi].t.roster = roster_ref(nr);
	pthread_mutex_unlock(&f->roster_mtx);
	roster_free(old);
	/* Links re-send vectors (records refused for an unknown signer
	 * come again), re-check gateway PROOFs and offer the roster. */
	atomic_fetch_add(&f->roster_gen, 1);
	atomic_fetch_add(&f->foreign_gen, 1);
	for (size_t i = 0; i < f->n_peers; i++)
		fed_peer_wake(f->peers[i]);
}

void
fed_foreign_apply(fed *f, int fi, const struct fed_record *fr)
{
	struct roster_agency e;
	struct roster *cur, *nr = NULL;
	rm_why why;

	if (fi < 0 || (size_t)fi >= f->n_foreign ||
	    record_agency(&fr->rec) == NULL)
		return;
	pthread_mutex_lock(&f->foreign_mtx);
	pthread_mutex_lock(&f->roster_mtx);
	cur = f->foreign[fi].t.roster != NULL ?
	    roster_ref(f->foreign[fi].t.roster) : NULL;
	pthread_mutex_unlock(&f->roster_mtx);
	if (cur == NULL || !roster_record_newer(cur, &fr->rec) ||
	    roster_agency_from_record(&fr->rec, &e, &why) != RM_OK) {
		pthread_mutex_unlock(&f->foreign_mtx);
		roster_free(cur);
		return;
	}
	if (roster_apply(cur, &e, 1, NULL, NULL, &nr, &why) == RM_OK &&
	    nr != NULL) {
		foreign_install(f, (size_t)fi, nr);
		rm_log(RM_LOG_INFO, "fed", "foreign federation %s: agency "
		    "record for %s applied", f->foreign[fi].t.name,
		    fr->rec.object_id);
	}
	pthread_mutex_unlock(&f->foreign_mtx);
	roster_free(nr);
	roster_agency_fini(&e);
	roster_free(cur);
}

bool
fed_foreign_root_known(const fed *f, const rm_hash *kid)
{
	for (size_t i = 0; i < f->n_foreign; i++)
		if (memcmp(f->foreign[i].t.root_kid.b, kid->b,
		    RM_HASH_BYTES) == 0)
			return true;
	return false;
}

int
fed_gw_on_roster(struct fed_peer *p, const uint8_t *b, size_t n,
    const rm_hash *kid, rm_why *why)
{
	fed *f = p->f;
	struct fed_session *s = p->s;
	rm_mono_ms now = rm_mono_now_ms();
	struct roster *nr, *cur, *rb = NULL;
	size_t fi;
	rm_why w;
	int rv;

	if (now - s->foreign_rx_ms >= 1000) {
		s->foreign_rx_ms = now;
		s->foreign_rx = 0;
	}
	if (++s->foreign_rx > FED_FOREIGN_ROSTERS_PER_S)
		return rm_fail(why, RM_EPROTO, "more than %d foreign ROSTER "
		    "frames in a second", FED_FOREIGN_ROSTERS_PER_S);
	for (fi = 0; fi < f->n_foreign; fi++)
		if (memcmp(f->foreign[fi].t.root_kid.b, kid->b,
		    RM_HASH_BYTES) == 0)
			break;
	if (fi == f->n_foreign) {
		FED_COUNT(f, rosters_foreign_ignored, 1);
		return RM_OK;
	}
	if ((rv = trust_foreign_charter_open(&f->foreign[fi].t, b, n, &nr,
	    &w)) != RM_OK) {
		uint32_t held;

		FED_COUNT(f, frames_malformed, 1);
		if (fed_peer_rlog_allow(p, FED_RLOG_ROSTER, rv, &held))
			rm_log_sec("fed", "peer %s (%s): ROSTER of %s ignored: "
			    "%s: %s (%u more held back)", p->agency, p->url,
			    f->foreign[fi].t.name, rm_errname(rv), w.msg, held);
		return RM_OK;
	}
	if (roster_version(nr) > s->foreign_told[fi])
		s->foreign_told[fi] = roster_version(nr);
	pthread_mutex_lock(&f->foreign_mtx);
	pthread_mutex_lock(&f->roster_mtx);
	cur = f->foreign[fi].t.roster != NULL ?
	    roster_ref(f->foreign[fi].t.roster) : NULL;
	pthread_mutex_unlock(&f->roster_mtx);
	if (cur == NULL || roster_version(nr) > roster_version(cur)) {
		/* keep the agency records applied so far */
		if (cur != NULL && roster_rebase(nr, cur, &rb, &w) == RM_OK) {
			roster_free(nr);
			nr = rb;
		}
		foreign_install(f, fi, nr);
		FED_COUNT(f, rosters_foreign_adopted, 1);
		rm_log(RM_LOG_NOTICE, "fed", "foreign federation %s: adopted "
		    "roster version %llu from peer %s", f->foreign[fi].t.name,
		    (unsigned long long)roster_version(nr), p->agency);
		if (f->ops->foreign_roster_save != NULL &&
		    f->ops->foreign_roster_save(f->host, f->foreign[fi].t.name,
		    b, n) != RM_OK)
			rm_log(RM_LOG_WARN, "fed", "foreign federation %s: "
			    "roster not saved", f->foreign[fi].t.name);
	}
	pthread_mutex_unlock(&f->foreign_mtx);
	roster_free(cur);
	roster_free(nr);
	return RM_OK;
}

static int
send_roster_bytes(struct fed_peer *p, const struct roster *r)
{
	rm_buf b = RM_BUF_INIT;
	const uint8_t *sr;
	size_t n;
	int rv = RM_OK;

	if ((sr = roster_signed(r, &n)) == NULL)
		return RM_OK;
	if ((rv = fed_frame_roster(&b, sr, n)) == RM_OK)
		rv = fed_net_send(p, &b);
	rm_buf_fini(&b);
	return rv;
}

void
fed_gw_offer_foreign(struct fed_peer *p)
{
	fed *f = p->f;
	struct trust_foreign t[TRUST_FOREIGN_MAX];
	size_t nf;

	if (f->n_foreign == 0)
		return;
	nf = foreign_snapshot(f, t);
	for (size_t i = 0; i < nf; i++) {
		/* a gateway's own federation knows its charter */
		if (t[i].roster == NULL || (p->gateway && p->fi == i) ||
		    roster_version(t[i].roster) <= p->s->foreign_told[i])
			continue;
		if (send_roster_bytes(p, t[i].roster) == RM_OK)
			p->s->foreign_told[i] = roster_version(t[i].roster);
	}
	foreign_release(t, nf);
}

/* ---------------- the gateway handshake ---------------- */

int
fed_gw_hello_extras(struct fed_peer *p, rm_why *why)
{
	struct roster *r = fed_roster(p->f);
	rm_buf rec = RM_BUF_INIT, b = RM_BUF_INIT;
	int rv;

	rv = send_roster_bytes(p, r);
	roster_free(r);
	if (rv == RM_OK && p->f->ops->agency_record != NULL &&
	    p->f->ops->agency_record(p->f->host, p->f->agency_id, &rec) ==
	    RM_OK && (rv = fed_frame_records_begin(&b, 1)) == RM_OK &&
	    (rv = fed_frame_records_add(&b, rec.data, rec.len)) == RM_OK)
		rv = fed_net_send(p, &b);
	rm_buf_fini(&rec);
	rm_buf_fini(&b);
	if (rv != RM_OK)
		return rm_fail(why, RM_ENET, "cannot send the charter and "
		    "agency record: %s", rm_strerror(rv));
	return RM_OK;
}

int
fed_gw_on_records_early(struct fed_peer *p, const struct fed_frame *fr,
    rm_why *why)
{
	fed *f = p->f;
	const struct trust_foreign *tf = &f->foreign[p->fi].t;
	struct roster *r;
	struct fed_record rec;
	int rv;
	rm_why w;

	if (!p->gateway || !p->s->hello_rx || fr->u.records.n != 1)
		return rm_fail(why, RM_EPROTO, "RECORDS before handshake");
	/* Only the foreign federation of this link verifies it. */
	if ((r = fed_link_roster(p)) == NULL)
		return rm_fail(why, RM_EUNKNOWNSIGNER, "agency record before "
		    "UP: no charter of %s", tf->name);
	rv = fed_record_open(r, fr->u.records.p[0], fr->u.records.len[0],
	    &rec, &w);
	roster_free(r);
	if (rv != RM_OK)
		return rm_fail(why, rv, "agency record before UP: %s", w.msg);
	if (record_agency(&rec.rec) == NULL ||
	    strcmp(rec.rec.object_id, p->agency) != 0)
		rv = rm_fail(why, RM_EPROTO, "RECORDS before UP other than "
		    "the agency record of %s", p->agency);
	else if ((rv = trust_areas_check_record(&tf->areas, &rec.rec, &w)) !=
	    RM_OK)
		rv = rm_fail(why, rv, "agency record before UP: foreign "
		    "record of %s: %s", tf->name, w.msg);
	else
		fed_foreign_apply(f, (int)p->fi, &rec);
	fed_record_fini(&rec);
	return rv;
}

/* ---------------- streamed marks ---------------- */

uint64_t
fed_gw_mark(const struct fed_peer *p, const char *origin)
{
	for (size_t i = 0; i < p->s->n_mark; i++)
		if (strcmp(p->s->mark[i].origin, origin) == 0)
			return p->s->mark[i].seq;
	return 0;
}

void
fed_gw_mark_set(struct fed_peer *p, const char *origin, uint64_t seq)
{
	struct fed_session *s = p->s;
	struct fed_mark *m;

	for (size_t i = 0; i < s->n_mark; i++)
		if (strcmp(s->mark[i].origin, origin) == 0) {
			if (seq > s->mark[i].seq)
				s->mark[i].seq = seq;
			return;
		}
	if (s->n_mark == s->cap_mark) {
		size_t cap = s->cap_mark ? s->cap_mark * 2 : 16;

		if (cap > FED_VECTOR_MAX ||
		    (m = realloc(s->mark, cap * sizeof(*m))) == NULL)
			return;         /* no mark: streamed again, harmless */
		s->mark = m;
		s->cap_mark = cap;
	}
	snprintf(s->mark[s->n_mark].origin, sizeof(s->mark[0].origin), "%s",
	    origin);
	s->mark[s->n_mark++].seq = seq;
}

/* ---------------- public ---------------- */

int
fed_gateway_add(fed *f, const char *agency_id, const char *url, bool listen,
    const char *federation, const struct gateway_policy *policy,
    rm_why *why)
{
	struct fed_peer *p;
	size_t fi;
	int rv;

	for (fi = 0; fi < f->n_foreign; fi++)
		if (federation != NULL &&
		    strcmp(f->foreign[fi].t.name, federation) == 0)
			break;
	if (fi == f->n_foreign)
		return rm_fail(why, RM_ECONFIG, "gateway %s: no foreign "
		    "federation \"%s\" configured", agency_id,
		    federation != NULL ? federation : "");
	if (!trust_areas_contain_agency(&f->foreign[fi].t.areas, agency_id))
		return rm_fail(why, RM_ECONFIG, "gateway %s: not inside the "
		    "areas of federation %s", agency_id, federation);
	if (strncmp(url, "tls+tcp://", 10) == 0 &&
	    f->foreign[fi].ca_file == NULL)
		return rm_fail(why, RM_ECONFIG, "gateway %s: tls+tcp:// needs "
		    "the root certificate of %s", agency_id, federation);
	if ((rv = fed_peer_add(f, agency_id, url, listen, why)) != RM_OK)
		return rv;
	p = f->peers[f->n_peers - 1];
	p->gateway = true;
	p->fi = fi;
	p->policy = *policy;
	return RM_OK;
}

struct roster *
fed_foreign_roster(fed *f, const char *name)
{
	struct roster *r = NULL;

	pthread_mutex_lock(&f->roster_mtx);
	for (size_t i = 0; i < f->n_foreign; i++)
		if (strcmp(f->foreign[i].t.name, name) == 0 &&
		    f->foreign[i].t.roster != NULL)
			r = roster_ref(f->foreign[i].t.roster);
	pthread_mutex_unlock(&f->roster_mtx);
	return r;
}

int
fed_foreign_update(fed *f, const char *name, struct roster *nr)
{
	for (size_t i = 0; i < f->n_foreign; i++) {
		if (strcmp(f->foreign[i].t.name, name) != 0)
			continue;
		if (strcmp(roster_federation(nr), name) != 0)
			return RM_EINVAL;
		pthread_mutex_lock(&f->foreign_mtx);
		foreign_install(f, i, nr);
		pthread_mutex_unlock(&f->foreign_mtx);
		return RM_OK;
	}
	return RM_ENOTFOUND;
}

bool
fed_gateway_policy(fed *f, const char *peer, struct gateway_policy *policy,
    struct trust_areas *far)
{
	for (size_t i = 0; i < f->n_peers; i++) {
		const struct fed_peer *p = f->peers[i];

		if (!p->gateway || strcmp(p->agency, peer) != 0)
			continue;
		if (policy != NULL)
			*policy = p->policy;
		if (far != NULL)
			*far = f->foreign[p->fi].t.areas;
		return true;
	}
	return false;
}

const char *
fed_foreign_name(fed *f, size_t i)
{
	return i < f->n_foreign ? f->foreign[i].t.name : NULL;
}
