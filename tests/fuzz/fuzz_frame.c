/*
 * fuzz_frame.c -- libFuzzer harness for fed_frame_decode
 * (docs/PROTOCOL.md §Frames).
 *
 * Two modes, chosen by the first input byte:
 *   even: the rest of the input is decoded as is;
 *   odd:  the rest is a list of (offset, xor) byte pairs applied to one
 *         of a few valid built-in frames (chosen by the second byte), so
 *         mutations reach the per-type decoders without a corpus.
 * On success the decoder's documented invariants are checked: a known
 * type, every borrowed pointer inside the input, the limits, and that
 * re-encoding a decoded frame gives the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "federation/peer/peer.h"
#include "fuzz_seeded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
inside(const void *vp, size_t n, const uint8_t *base, size_t len)
{
	const uint8_t *p = vp;

	return p >= base && p <= base + len && n <= (size_t)(base + len - p);
}

static void
reencode(const struct fed_frame *f, const uint8_t *p, size_t n)
{
	rm_buf b = RM_BUF_INIT;
	char agency[RM_AGENCY_ID_MAX + 1];
	int rv = RM_OK;

	switch (f->type) {
	case FED_HELLO:
		memcpy(agency, f->u.hello.agency, f->u.hello.agency_len);
		agency[f->u.hello.agency_len] = '\0';
		if (f->u.hello.proto != FED_PROTO_VERSION)
			goto out;
		rv = fed_frame_hello(&b, agency, f->u.hello.roster_version,
		    f->u.hello.nonce);
		break;
	case FED_PROOF:
		rv = fed_frame_proof(&b, f->u.proof.sig);
		break;
	case FED_ROSTER:
		rv = fed_frame_roster(&b, f->u.roster.p, f->u.roster.n);
		break;
	case FED_RECONCILE:
		rv = fed_frame_reconcile(&b, f->u.reconcile.session,
		    f->u.reconcile.msg, f->u.reconcile.n);
		break;
	case FED_WANT:
		rv = fed_frame_want(&b, f->u.want.w, f->u.want.n);
		break;
	case FED_RECORDS:
		rv = fed_frame_records_begin(&b, f->u.records.n);
		for (size_t i = 0; i < f->u.records.n && rv == RM_OK; i++)
			rv = fed_frame_records_add(&b, f->u.records.p[i],
			    f->u.records.len[i]);
		break;
	default:
		goto out;
	}
	if (rv != RM_OK || b.len != n || memcmp(b.data, p, n) != 0)
		abort();
out:
	rm_buf_fini(&b);
}

static void
check(const uint8_t *p, size_t n)
{
	struct fed_frame f;
	rm_why why;
	int rv;

	why.msg[0] = '\0';
	rv = fed_frame_decode(p, n, &f, &why);
	if (rv != RM_OK) {
		if (why.msg[0] == '\0' || rv <= 0 || rv >= RM_ERR_COUNT)
			abort();
		return;
	}
	switch (f.type) {
	case FED_HELLO:
		if (f.u.hello.agency_len > RM_AGENCY_ID_MAX ||
		    !inside(f.u.hello.agency, f.u.hello.agency_len, p, n) ||
		    !inside(f.u.hello.nonce, FED_NONCE_BYTES, p, n))
			abort();
		break;
	case FED_PROOF:
		if (!inside(f.u.proof.sig, CRYPTO_ES256_SIG_BYTES, p, n))
			abort();
		break;
	case FED_ROSTER:
		if (!inside(f.u.roster.p, f.u.roster.n, p, n))
			abort();
		break;
	case FED_VECTOR:
		if (f.u.vector.n > FED_VECTOR_MAX)
			abort();
		for (size_t i = 0; i < f.u.vector.n; i++)
			if (!inside(f.u.vector.entries[i].origin,
			    f.u.vector.entries[i].origin_len, p, n) ||
			    f.u.vector.entries[i].origin_len > RM_AGENCY_ID_MAX)
				abort();
		break;
	case FED_RECORDS:
		if (f.u.records.n > FED_BATCH_MAX)
			abort();
		for (size_t i = 0; i < f.u.records.n; i++)
			if (!inside(f.u.records.p[i], f.u.records.len[i], p, n))
				abort();
		break;
	case FED_RECONCILE:
		if (f.u.reconcile.session == 0 ||
		    f.u.reconcile.n > RBSR_MSG_MAX ||
		    !inside(f.u.reconcile.msg, f.u.reconcile.n, p, n))
			abort();
		break;
	case FED_WANT:
		if (f.u.want.n == 0 || f.u.want.n > FED_WANT_MAX)
			abort();
		for (size_t i = 0; i < f.u.want.n; i++)
			if (f.u.want.w[i].prefix_len == 0 ||
			    f.u.want.w[i].prefix_len > RM_HASH_BYTES ||
			    !inside(f.u.want.w[i].prefix,
			    f.u.want.w[i].prefix_len, p, n))
				abort();
		break;
	case FED_REFUSE:
		if (f.u.refuse.reason_len > FED_REASON_MAX ||
		    f.u.refuse.code == 0 || f.u.refuse.code >= RM_ERR_COUNT ||
		    !inside(f.u.refuse.reason, f.u.refuse.reason_len, p, n))
			abort();
		break;
	default:
		abort();
	}
	reencode(&f, p, n);
	fed_frame_fini(&f);
}

static void
seed(unsigned which, rm_buf *b)
{
	static const uint8_t nonce[FED_NONCE_BYTES] = { 7 };
	static const uint8_t sig[CRYPTO_ES256_SIG_BYTES] = { 9 };
	const char *origins[] = { "120000.command", "120103.emergency" };
	const uint64_t seqs[] = { 3, 300 };
	const rm_hash heads[] = { { { 1 } }, { { 2 } } };

	static const uint8_t msg[] = { 0x81, 0x83, 0x01, 0x40, 0x00 };
	const struct fed_want want[2] = { { 1700000000000ull, nonce, 16 },
	    { 3, sig, 32 } };

	switch (which % 8) {
	case 0:
		fed_frame_hello(b, "120103.emergency", 5, nonce);
		break;
	case 1:
		fed_frame_proof(b, sig);
		break;
	case 2:
		fed_frame_roster(b, (const uint8_t *)"\xd2\x84\x40\xa0", 4);
		break;
	case 3:
		fed_frame_vector(b, origins, seqs, heads, 2);
		break;
	case 4:
		fed_frame_records_begin(b, 2);
		fed_frame_records_add(b, (const uint8_t *)"\xd2\x84", 2);
		fed_frame_records_add(b, (const uint8_t *)"abc", 3);
		break;
	case 6:
		fed_frame_reconcile(b, 7, msg, sizeof(msg));
		break;
	case 7:
		fed_frame_want(b, want, 2);
		break;
	default:
		fed_frame_refuse(b, RM_EBADSIG, "record 3fa2: bad signature");
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_seeded_run(data, size, seed, check);
}
