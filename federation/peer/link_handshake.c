/*
 * link_handshake.c -- HELLO / PROOF and the roster exchange
 * (docs/PROTOCOL.md §4, §5). Runs on the peer thread, below the session:
 * each step returns a verdict (RM_OK, *up when the peer proved itself, or
 * an error with the reason) and the session acts on it. Nothing here
 * calls the session or the sync layer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/peer/peer_int.h"

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
		rv = fed_net_send(p, &b);
	rm_buf_fini(&b);
	if (rv == RM_OK && roster_version(r) > p->s->roster_told)
		p->s->roster_told = roster_version(r);
	return rv;
}

void
fed_hs_offer_roster(struct fed_peer *p)
{
	struct roster *r = fed_roster(p->f);

	if (roster_version(r) > p->s->roster_told)
		(void)send_roster(p, r);
	roster_free(r);
}

int
fed_hs_start(struct fed_peer *p, rm_why *why)
{
	struct fed_session *s = p->s;
	struct roster *r;
	rm_buf b = RM_BUF_INIT;
	int rv;

	if (crypto_random(s->own_nonce, sizeof(s->own_nonce)) != RM_OK)
		return rm_fail(why, RM_ECRYPTO, "no randomness for the nonce");
	r = fed_roster(p->f);
	s->roster_told = roster_version(r);
	rv = fed_frame_hello(&b, p->f->agency_id, roster_version(r),
	    s->own_nonce);
	roster_free(r);
	if (rv == RM_OK)
		rv = fed_net_send(p, &b);
	rm_buf_fini(&b);
	if (rv != RM_OK)
		return rm_fail(why, RM_ENET, "cannot send HELLO: %s",
		    rm_strerror(rv));
	return RM_OK;
}

/* Did the peer prove itself with one of its agency's earlier keys
 * (rotated, revoked)? Then it is that agency's node on an old key (or
 * whoever holds that key): send it the agency record that says so,
 * before the REFUSE, so that it learns why no peer takes its key and
 * refuses to issue (docs/PROTOCOL.md §5b). The record is signed by a
 * registrar: it proves itself, and tells nothing the peer's agency may
 * not know. */
static const char *
proof_by_old_key(struct fed_peer *p, const struct roster_agency *a,
    const struct roster_key *cur, const rm_buf *t)
{
	rm_buf rec = RM_BUF_INIT, b = RM_BUF_INIT;
	const char *said = "";
	bool old = false;

	for (size_t i = 0; i < a->n_keys && !old; i++) {
		const struct roster_key *k = &a->keys[i];

		old = k != cur && roster_key_public(k) != NULL &&
		    crypto_es256_verify(roster_key_public(k), t->data, t->len,
		    p->s->proof) == RM_OK;
	}
	if (!old)
		goto out;
	said = " (it verifies with a key the agency no longer uses)";
	if (p->f->ops->agency_record == NULL ||
	    p->f->ops->agency_record(p->f->host, p->agency, &rec) != RM_OK)
		goto out;
	if (fed_frame_records_begin(&b, 1) == RM_OK &&
	    fed_frame_records_add(&b, rec.data, rec.len) == RM_OK &&
	    fed_net_send(p, &b) == RM_OK)
		said = " (it verifies with a key the agency no longer uses: "
		    "the agency record that says so was sent)";
out:
	rm_buf_fini(&rec);
	rm_buf_fini(&b);
	return said;
}

/* The stashed PROOF against the roster key of the peer: *up on success. */
static int
verify_proof(struct fed_peer *p, bool *up, rm_why *why)
{
	struct fed_session *s = p->s;
	uint64_t gen = atomic_load(&p->f->roster_gen);
	/* a gateway peer proves itself with its own federation's roster */
	struct roster *r = fed_link_roster(p);
	const struct roster_agency *a = r != NULL ? roster_find(r, p->agency) :
	    NULL;
	const struct roster_key *k;
	rm_buf t = RM_BUF_INIT;
	int rv;

	if (r == NULL) {
		rv = rm_fail(why, RM_EUNKNOWNSIGNER, "no roster of federation "
		    "%s: its charter did not arrive",
		    p->f->foreign[p->fi].t.name);
		goto out;
	}
	if (a == NULL) {
		rv = rm_fail(why, RM_EUNKNOWNSIGNER, "agency %s is not in "
		    "roster version %llu", p->agency,
		    (unsigned long long)roster_version(r));
		goto out;
	}
	if ((rv = fed_hello_transcript(&t, s->own_nonce, s->peer_nonce,
	    p->agency, p->f->agency_id)) != RM_OK) {
		rv = rm_fail(why, rv, "PROOF transcript: %s", rm_strerror(rv));
		goto out;
	}
	/* Only the key in use proves the peer (docs/PROTOCOL.md §5b): a
	 * rotated, revoked or removed key no longer opens a link. */
	if ((k = roster_key_current(a, rm_utc_now_ms())) == NULL) {
		const char *said = proof_by_old_key(p, a, NULL, &t);

		rv = rm_fail(why, RM_EUNAUTH, "%s has no key in use (%s)%s",
		    p->agency, a->removed ? "removed from the federation" :
		    "its key was revoked", said);
		goto out;
	}
	rv = roster_key_public(k) != NULL ? crypto_es256_verify(
	    roster_key_public(k), t.data, t.len, s->proof) : RM_EBADSIG;
	if (rv != RM_OK) {
		const char *said = proof_by_old_key(p, a, k, &t);

		rv = rm_fail(why, RM_EBADSIG, "PROOF does not verify with the "
		    "key of %s in use%s", p->agency, said);
		goto out;
	}
	s->proof_roster = gen;
	*up = true;
out:
	rm_buf_fini(&t);
	roster_free(r);
	return rv;
}

/* Our PROOF over the transcript of this session. */
static int
send_proof(struct fed_peer *p, rm_why *why)
{
	struct fed_session *s = p->s;
	uint8_t sig[CRYPTO_ES256_SIG_BYTES];
	rm_buf b = RM_BUF_INIT;
	rm_why swhy;
	int rv;

	rv = fed_hello_transcript(&b, s->peer_nonce, s->own_nonce,
	    p->f->agency_id, p->agency);
	if (rv == RM_OK)
		rv = crypto_signer_sign(p->f->agency_signer, b.data, b.len, sig,
		    &swhy);
	rm_buf_reset(&b);
	if (rv == RM_OK && (rv = fed_frame_proof(&b, sig)) == RM_OK)
		rv = fed_net_send(p, &b);
	if (rv != RM_OK)
		rv = rm_fail(why, rv == RM_ETIMEDOUT ? RM_ENET : rv, "cannot "
		    "send PROOF: %s", rm_strerror(rv));
	rm_buf_fini(&b);
	return rv;
}

/*
 * HELLO on a gateway link (docs/PROTOCOL.md §12.3): the announced roster
 * version is of the peer's federation, which sends its charter (and its
 * agency record) before its PROOF whatever we hold; we do the same.
 */
static int
gw_on_hello(struct fed_peer *p, const struct fed_frame *fr, rm_why *why)
{
	struct fed_session *s = p->s;
	int rv;

	memcpy(s->peer_nonce, fr->u.hello.nonce, FED_NONCE_BYTES);
	s->peer_roster_version = fr->u.hello.roster_version;
	s->hello_rx = true;
	if ((rv = fed_gw_hello_extras(p, why)) != RM_OK)
		return rv;
	return send_proof(p, why);
}

int
fed_hs_on_hello(struct fed_peer *p, const struct fed_frame *fr, rm_why *why)
{
	struct fed_session *s = p->s;
	struct roster *r;
	int rv;

	if (s->hello_rx)
		return rm_fail(why, RM_EPROTO, "second HELLO");
	if (fr->u.hello.proto != FED_PROTO_VERSION)
		return rm_fail(why, RM_EUNKNOWN, "protocol version %llu, this "
		    "node speaks %d", (unsigned long long)fr->u.hello.proto,
		    FED_PROTO_VERSION);
	if (fr->u.hello.agency_len != strlen(p->agency) ||
	    memcmp(fr->u.hello.agency, p->agency, fr->u.hello.agency_len) !=
	    0)
		return rm_fail(why, RM_EUNAUTH, "HELLO claims agency %.*s, "
		    "this link is for %s", (int)fr->u.hello.agency_len,
		    fr->u.hello.agency, p->agency);
	if (p->gateway)
		return gw_on_hello(p, fr, why);
	r = fed_roster(p->f);
	if (fr->u.hello.roster_version <= roster_version(r) &&
	    roster_find(r, p->agency) == NULL) {
		rv = rm_fail(why, RM_EUNKNOWNSIGNER, "agency %s is not in "
		    "roster version %llu", p->agency,
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
		rv = rm_fail(why, RM_ENET, "cannot send ROSTER: %s",
		    rm_strerror(rv));
		goto out;
	}
	rv = send_proof(p, why);
out:
	roster_free(r);
	return rv;
}

int
fed_hs_on_proof(struct fed_peer *p, const struct fed_frame *fr, bool *up,
    rm_why *why)
{
	struct fed_session *s = p->s;
	struct roster *r;
	bool wait;

	if (!s->hello_rx || s->authed || s->proof_pending)
		return rm_fail(why, RM_EPROTO, "unexpected PROOF");
	memcpy(s->proof, fr->u.proof.sig, CRYPTO_ES256_SIG_BYTES);
	r = fed_roster(p->f);
	wait = !p->gateway && s->peer_roster_version > roster_version(r) &&
	    !s->roster_bad;
	roster_free(r);
	if (wait) {
		s->proof_pending = true;       /* its ROSTER comes first */
		return RM_OK;
	}
	return verify_proof(p, up, why);
}

/* Adopt a newer roster of our federation: persist it through the host. */
static void
roster_adopt(struct fed_peer *p, struct roster *nr, const uint8_t *bytes,
    size_t n)
{
	fed *f = p->f;
	struct roster *old;

	if (!fed_roster_replace(f, nr, &old))
		return;
	rm_log(RM_LOG_NOTICE, "fed", "adopted roster version %llu from peer "
	    "%s (was %llu)", (unsigned long long)roster_version(nr), p->agency,
	    (unsigned long long)roster_version(old));
	roster_free(old);
	if (f->ops->roster_save != NULL &&
	    f->ops->roster_save(f->host, bytes, n) != RM_OK)
		rm_log(RM_LOG_WARN, "fed", "roster version %llu: could not be "
		    "saved", (unsigned long long)roster_version(nr));
}

int
fed_hs_on_roster(struct fed_peer *p, const struct fed_frame *fr, bool *up,
    rm_why *why)
{
	struct fed_session *s = p->s;
	struct roster *nr, *cur;
	rm_why rwhy;
	int rv;

	if (!s->hello_rx)
		return rm_fail(why, RM_EPROTO, "ROSTER before HELLO");
	/* Another federation's charter (docs/PROTOCOL.md §12.2): its own
	 * rate bound, never our roster. */
	{
		rm_hash kid;

		if (trust_signed_kid(fr->u.roster.p, fr->u.roster.n, &kid,
		    &rwhy) == RM_OK && memcmp(kid.b, p->f->root_kid.b,
		    RM_HASH_BYTES) != 0) {
			if (p->gateway || fed_foreign_root_known(p->f, &kid))
				return fed_gw_on_roster(p, fr->u.roster.p,
				    fr->u.roster.n, &kid, why);
			/* relayed by an authenticated peer for nodes that
			 * trust that root: not for us */
			if (s->authed) {
				FED_COUNT(p->f, rosters_foreign_ignored, 1);
				return RM_OK;
			}
			/* before UP: a roster we cannot verify (below) */
		}
	}
	if (p->gateway)
		return rm_fail(why, RM_EPROTO, "a gateway peer sent a ROSTER "
		    "of this node's federation");
	/* Verifying a roster costs a signature check: one before the peer
	 * is authenticated, then at most one a second (roster updates). */
	if (s->rosters_rx > 0 && (!s->authed ||
	    rm_mono_now_ms() - s->last_roster_ms < 1000))
		return rm_fail(why, RM_EPROTO, "ROSTER %s", s->authed ?
		    "more than once a second" : "twice before UP");
	s->rosters_rx++;
	s->last_roster_ms = rm_mono_now_ms();
	if ((rv = roster_open(fr->u.roster.p, fr->u.roster.n, p->f->root_key,
	    &nr, &rwhy)) != RM_OK) {
		uint32_t held;

		/* No trust cliff: the node keeps its roster, and the peer
		 * is still authenticated by the key that roster names. */
		FED_COUNT(p->f, frames_malformed, 1);
		if (fed_peer_rlog_allow(p, FED_RLOG_ROSTER, rv, &held))
			rm_log_sec("fed", "peer %s (%s): ROSTER ignored: %s: %s "
			    "(%u more held back)", p->agency, p->url,
			    rm_errname(rv), rwhy.msg, held);
		s->roster_bad = true;
		if (!s->proof_pending)
			return RM_OK;
		s->proof_pending = false;
		return verify_proof(p, up, why);
	}
	cur = fed_roster(p->f);
	rv = strcmp(roster_federation(nr), roster_federation(cur));
	roster_free(cur);
	if (rv != 0) {
		rv = rm_fail(why, RM_EBADVALUE, "ROSTER is for federation "
		    "\"%s\"", roster_federation(nr));
		roster_free(nr);
		return rv;
	}
	roster_adopt(p, nr, fr->u.roster.p, fr->u.roster.n);
	if (roster_version(nr) > s->roster_told)
		s->roster_told = roster_version(nr);
	roster_free(nr);
	if (!s->proof_pending)
		return RM_OK;
	cur = fed_roster(p->f);
	if (roster_version(cur) < s->peer_roster_version) {
		rv = rm_fail(why, RM_EPROTO, "HELLO announced roster version "
		    "%llu, ROSTER brought %llu",
		    (unsigned long long)s->peer_roster_version,
		    (unsigned long long)roster_version(cur));
	} else {
		s->proof_pending = false;
		rv = verify_proof(p, up, why);
	}
	roster_free(cur);
	return rv;
}

int
fed_hs_recheck(struct fed_peer *p, rm_why *why)
{
	bool changed = atomic_load(&p->f->roster_gen) != p->s->proof_roster;
	bool up = false;
	int rv;

	if (!p->s->authed || !changed)
		return RM_OK;
	if ((rv = verify_proof(p, &up, why)) != RM_OK)
		fed_note_roster_seen(p, 0);   /* no longer authenticated */
	return rv;
}
