/*
 * link_handshake.c -- HELLO / PROOF and the roster exchange
 * (docs/PROTOCOL.md §4, §5). Runs on the peer thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/fed_int.h"

int
fed_send_roster(struct fed_peer *p, const struct roster *r)
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
		rv = fed_send_buf(p, &b);
	rm_buf_fini(&b);
	if (rv == RM_OK && roster_version(r) > p->s.roster_told)
		p->s.roster_told = roster_version(r);
	return rv;
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
		fed_session_fail(p, RM_EUNKNOWNSIGNER, "agency %s is not in roster "
		    "version %llu", p->agency,
		    (unsigned long long)roster_version(r));
		goto out;
	}
	rv = fed_hello_transcript(&t, s->own_nonce, s->peer_nonce, p->agency,
	    p->f->agency_id);
	if (rv == RM_OK)
		rv = crypto_es256_verify(a->key, t.data, t.len, s->proof);
	if (rv != RM_OK) {
		fed_session_fail(p, RM_EBADSIG, "PROOF does not verify with the "
		    "roster key of %s", p->agency);
		goto out;
	}
	fed_session_up(p);
out:
	rm_buf_fini(&t);
	roster_free(r);
}

void
fed_on_hello(struct fed_peer *p, const struct fed_frame *fr)
{
	struct fed_session *s = &p->s;
	struct roster *r;
	uint8_t sig[CRYPTO_ES256_SIG_BYTES];
	rm_buf b = RM_BUF_INIT;
	rm_why why;
	int rv;

	if (s->hello_rx) {
		fed_session_fail(p, RM_EPROTO, "second HELLO");
		return;
	}
	if (fr->u.hello.proto != FED_PROTO_VERSION) {
		fed_session_fail(p, RM_EUNKNOWN, "protocol version %llu, this node "
		    "speaks %d", (unsigned long long)fr->u.hello.proto,
		    FED_PROTO_VERSION);
		return;
	}
	if (fr->u.hello.agency_len != strlen(p->agency) ||
	    memcmp(fr->u.hello.agency, p->agency, fr->u.hello.agency_len) !=
	    0) {
		fed_session_fail(p, RM_EUNAUTH, "HELLO claims agency %.*s, this "
		    "link is for %s", (int)fr->u.hello.agency_len,
		    fr->u.hello.agency, p->agency);
		return;
	}
	r = fed_roster(p->f);
	if (fr->u.hello.roster_version <= roster_version(r) &&
	    roster_find(r, p->agency) == NULL) {
		fed_session_fail(p, RM_EUNKNOWNSIGNER, "agency %s is not in roster "
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
	    (rv = fed_send_roster(p, r)) != RM_OK) {
		fed_session_fail(p, RM_ENET, "cannot send ROSTER: %s",
		    rm_strerror(rv));
		goto out;
	}
	rv = fed_hello_transcript(&b, s->peer_nonce, s->own_nonce,
	    p->f->agency_id, p->agency);
	if (rv == RM_OK)
		rv = crypto_signer_sign(p->f->agency_signer, b.data, b.len,
		    sig, &why);
	rm_buf_reset(&b);
	if (rv == RM_OK && (rv = fed_frame_proof(&b, sig)) == RM_OK)
		rv = fed_send_buf(p, &b);
	if (rv != RM_OK)
		fed_session_fail(p, rv == RM_ETIMEDOUT ? RM_ENET : rv, "cannot "
		    "send PROOF: %s", rm_strerror(rv));
out:
	rm_buf_fini(&b);
	roster_free(r);
}

void
fed_on_proof(struct fed_peer *p, const struct fed_frame *fr)
{
	struct fed_session *s = &p->s;
	struct roster *r;
	bool wait;

	if (!s->hello_rx || s->up || s->proof_pending) {
		fed_session_fail(p, RM_EPROTO, "unexpected PROOF");
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

void
fed_on_roster(struct fed_peer *p, const struct fed_frame *fr)
{
	struct fed_session *s = &p->s;
	struct roster *nr, *cur;
	rm_why why;
	int rv;

	if (!s->hello_rx) {
		fed_session_fail(p, RM_EPROTO, "ROSTER before HELLO");
		return;
	}
	if ((rv = roster_open(fr->u.roster.p, fr->u.roster.n, p->f->root_key,
	    &nr, &why)) != RM_OK) {
		FED_COUNT(p->f, frames_malformed, 1);
		fed_session_fail(p, rv, "ROSTER refused: %s", why.msg);
		return;
	}
	cur = fed_roster(p->f);
	rv = strcmp(roster_federation(nr), roster_federation(cur));
	roster_free(cur);
	if (rv != 0) {
		fed_session_fail(p, RM_EBADVALUE, "ROSTER is for federation \"%s\"",
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
			fed_session_fail(p, RM_EPROTO, "HELLO announced roster "
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
