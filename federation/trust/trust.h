/*
 * trust.h -- the federation's trust root: the signed roster of agencies
 * (codec, load/save, lookup), authorisation of a record by its signer's
 * roster entry, and the signed-record envelope (verify/seal).
 *
 * Pure functions over immutable values: no threads, no network, no
 * process-global state. Several trust roots (one per federation, e.g. the
 * two sides of a gateway) can be used side by side in one process.
 *
 * Depends on schemas/ (record model), crypto/ (keys, COSE_Sign1) and
 * common/. The peer engine (federation/peer/peer.h) builds on it, never
 * the other way. Roster format: docs/PROTOCOL.md §Roster; record
 * envelope: COSE_Sign1 (RFC 9052 §4.2), docs/PROTOCOL.md §Records.
 */
#ifndef RM_TRUST_H
#define RM_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "crypto/crypto.h"
#include "schemas/schemas.h"

/* ================================================================== */
/* Roster                                                             */
/* ================================================================== */

struct fed_record;              /* a verified record, below */

#define ROSTER_AGENCIES_MAX   100000  /* charter + agency records */
#define ROSTER_CHARTER_MAX    1024    /* agencies in the signed charter */
#define ROSTER_AREAS_MAX      16
#define ROSTER_NAME_MAX       256
#define ROSTER_FED_NAME_MAX   64
#define ROSTER_MAX_BYTES      (1024 * 1024)   /* signed roster file */

/* What an agency may publish. */
#define ROSTER_KIND_ALERT     RM_KIND_SET_ALERT

/*
 * One key of an agency with its validity (docs/PROTOCOL.md §5b): it
 * signs records issued in [from, until) (until 0: open) and, when
 * last_seq is non-zero, with log seq <= last_seq.
 */
struct roster_key {
	rm_hash kid;                         /* SHA-256 of the key's SPKI */
	/* The public key: set for charter keys; for an agency record's
	 * keys NULL until roster_key_public() parses spki on first use
	 * (an OpenSSL key costs ~2 KB: 10,000 agencies stay small). */
	_Atomic(crypto_key *) key;
	uint8_t spki[RM_SPKI_MAX];           /* DER as listed (records) */
	size_t spki_len;
	rm_utc_ms from;                      /* UTC ms; 0: since ever */
	rm_utc_ms until;                     /* UTC ms; 0: in use */
	enum rm_key_end end;                 /* why until is set */
	uint64_t last_seq;                   /* 0: no bound */
};

/*
 * One roster entry: from the charter (the root-signed roster, e.g. a
 * registrar; registrar[0] == '\0') or from an agency record a
 * registrar signed (docs/PROTOCOL.md §5a). Owned by the roster.
 */
struct roster_agency {
	char id[RM_AGENCY_ID_MAX + 1];       /* "120000.meteorology" */
	char name_zh[ROSTER_NAME_MAX + 1];
	char name_en[ROSTER_NAME_MAX + 1];
	char role[16];                       /* "centre", "department", "district" */
	rm_kind_set kinds;                   /* kinds it may publish */
	rm_grade max_grade;                  /* highest alert grade allowed */
	size_t n_areas;                      /* area codes it may publish for */
	char areas[ROSTER_AREAS_MAX][RM_AREA_CODE_MAX + 1];
	rm_hash kid;                         /* the key in use, else the newest */
	crypto_key *key;                     /* that key: charter entries only
	                                        (agency records: NULL; use
	                                        roster_key_current and
	                                        roster_key_public) */
	size_t n_keys;                       /* key history, oldest first (0
	                                        when building: just `key`) */
	struct roster_key *keys;
	/* Optional encryption key ("enc" in the charter or the agency
	 * record, docs/PROTOCOL.md §6a): the P-256 key-agreement key
	 * restricted records for this agency are encrypted to; read it with
	 * roster_agency_enc(). has_enc false: the agency cannot be named as
	 * a recipient. enc_kid is the SHA-256 of its SPKI. enc_key is set
	 * for charter entries, parsed from enc_spki on first use for agency
	 * records (as roster_key.key). */
	_Atomic(crypto_key *) enc_key;
	uint8_t enc_spki[RM_SPKI_MAX];
	size_t enc_spki_len;
	bool has_enc;
	rm_hash enc_kid;
	bool removed;                        /* left the federation */
	char registrar[RM_AGENCY_ID_MAX + 1]; /* record origin; "" charter */
	uint64_t record_ver;                 /* version of that record */
	rm_utc_ms record_issued;             /* its issue time */
};

/*
 * A roster: the federation's signed list of agencies. Encoded as a
 * COSE_Sign1 (signed by the federation root key, i.e. the CA key) over a
 * deterministic CBOR map (docs/PROTOCOL.md §Roster). Immutable once
 * built; share it by reference (roster_ref / roster_free).
 */
struct roster;

/* Build an empty roster (for `riskmesh federation init`). */
int roster_new(const char *federation_name, uint64_t version,
    struct roster **out, rm_why *why);
/* Add or replace an agency entry (by id); the key and the enc_key (if
 * any) are referenced. Only on rosters being built, before roster_sign.
 * Errors: RM_EBADVALUE (a bad entry, a signing key another agency uses,
 * an enc_key that is also a signing key), RM_ETOOBIG, RM_ENOMEM. */
int roster_put_agency(struct roster *r, const struct roster_agency *a,
    rm_why *why);
/* Encode and sign with the root's signer; appends the COSE_Sign1 to out. */
int roster_sign(const struct roster *r, crypto_signer *root, rm_buf *out,
    rm_why *why);
/* Verify a signed roster with the root public key and decode it.
 * Errors: any of the COSE/CBOR errors, RM_EBADSIG, RM_ETOOBIG,
 * RM_EBADVALUE (bad agency entry: id, area code, grade, key). */
int roster_open(const uint8_t *p, size_t n, const crypto_key *root,
    struct roster **out, rm_why *why);
/* Convenience: read and open a roster file. */
int roster_load(const char *path, const crypto_key *root,
    struct roster **out, rm_why *why);

/* The signed encoding the roster was opened from (roster_open,
 * roster_load), sent to peers with an older roster; NULL (and *n = 0) for
 * a roster built with roster_new. Borrowed: valid while r is held. */
const uint8_t *roster_signed(const struct roster *r, size_t *n);

struct roster *roster_ref(struct roster *r);
void roster_free(struct roster *r);

uint64_t roster_version(const struct roster *r);
/* Issue time of the roster (UTC ms): set by roster_new to the current
 * time, or read from the signed "issued" field by roster_open. */
rm_utc_ms roster_issued(const struct roster *r);
const char *roster_federation(const struct roster *r);
size_t roster_count(const struct roster *r);
/* i-th entry in id order, or NULL. Borrowed: valid while r is held. */
const struct roster_agency *roster_at(const struct roster *r, size_t i);
const struct roster_agency *roster_find(const struct roster *r,
    const char *agency_id);
/* The agency one of whose keys (current or past) has this kid, and that
 * key (*key, may be NULL): O(log n). NULL if no agency has it. */
const struct roster_agency *roster_find_kid(const struct roster *r,
    const rm_hash *kid, const struct roster_key **key);

/*
 * Was key k of agency a good for rec (docs/PROTOCOL.md §5b)? rec was
 * signed with k: k.from <= rec.issued, rec.issued < k.until when until
 * is set, rec.seq <= k.last_seq when last_seq is set. Errors:
 * RM_EUNAUTH with why naming the bound (the key's end, its time, the
 * record's issue time or seq).
 */
int roster_key_check(const struct roster_agency *a,
    const struct roster_key *k, const struct rm_record *rec, rm_why *why);

/* The public key of k, parsed from its SPKI on first use (thread-safe;
 * kept for the life of the roster entry); NULL if the SPKI is not a
 * P-256 key whose kid is k->kid. Borrowed. */
const crypto_key *roster_key_public(const struct roster_key *k);
/* The encryption key of a (roster_agency.enc_key), parsed on first use
 * like roster_key_public; NULL if it has none or it does not parse. */
const crypto_key *roster_agency_enc(const struct roster_agency *a);

/* The key agency a signs new records with at time now: the open key
 * (no until), or one whose until is still ahead; NULL if none (the
 * agency is removed, or its key revoked or rotated). */
const struct roster_key *roster_key_current(const struct roster_agency *a,
    rm_utc_ms now);

/* ---------------- agency records (docs/PROTOCOL.md §5a) ---------------- */

/*
 * Is `a` a registrar: an agency the charter trusts to act for other
 * agencies (publish their agency records, resolve their forks)? Its
 * kinds include "agency", which only the root-signed charter can grant
 * (docs/PROTOCOL.md §5a). False for NULL. Pure.
 */
bool roster_is_registrar(const struct roster_agency *a);

/*
 * The roster entry an agency record describes. rec has passed
 * fed_record_open (its signer is a registrar that may publish for its
 * areas). Keys are parsed from their SPKI; unknown kind names grant
 * nothing. *out owns what it holds: roster_agency_fini. Errors:
 * RM_EINVAL (not an agency record), RM_EBADVALUE (a key that is not a
 * P-256 SPKI), RM_ENOMEM.
 */
int roster_agency_from_record(const struct rm_record *rec,
    struct roster_agency *out, rm_why *why);
void roster_agency_fini(struct roster_agency *a);

/*
 * A new roster: r with the n entries put, each replacing the entry of
 * the same id only if it is newer (record_issued, then registrar id,
 * then record_ver; an older or equal one changes nothing). Entries that
 * may not be applied are reported to skip(arg, entry, reason) (may be
 * NULL) for the caller to count and log: an entry for a charter agency
 * (the root's entries are final), or one with a key another agency
 * holds (reason: that agency's id). Entries are copied (keys referenced); the
 * caller still owns them. The charter part (federation, version,
 * signed bytes) is r's. Cost: O(n log n + roster size). Errors:
 * RM_ENOMEM, RM_ETOOBIG (more than ROSTER_AGENCIES_MAX).
 */
int roster_apply(const struct roster *r, const struct roster_agency *entries,
    size_t n, void (*skip)(void *arg, const struct roster_agency *e,
    const char *reason), void *arg, struct roster **out, rm_why *why);

/* Would the agency record rec change r (roster_apply's "newer" rule, or
 * an entry for a charter agency, which roster_apply reports)? False for
 * an older or the same version, and for a record that is not an agency
 * record: callers skip building its entry. */
bool roster_record_newer(const struct roster *r, const struct rm_record *rec);

/*
 * A new roster: the charter `charter` (a newer root-signed roster) with
 * the agency-record entries of `view` that it does not override. Used
 * when a newer charter arrives. Errors: RM_ENOMEM.
 */
int roster_rebase(const struct roster *charter, const struct roster *view,
    struct roster **out, rm_why *why);


/*
 * May agency `a` publish rec? Checks: rec->origin == a->id, the kind is
 * in a->kinds (or the kind that covers it, rm_kind_ops.roster_kind: an
 * escalation needs "task"; or, for a kind with its own rule,
 * rm_kind_ops.authorise with roster_is_registrar(a) says yes), every area of rec is contained by one of a->areas, and
 * for a graded kind (rm_kind_ops.grade, e.g. alerts) its grade <=
 * a->max_grade. Kind-specific fields are reached only through rec->kind.
 * The grade rule is skipped for a restricted record whose body is not
 * decrypted (body NULL): relays see no grade (docs/PROTOCOL.md §6a).
 * Errors: RM_EUNAUTH with why naming the failed rule.
 */
int roster_authorise(const struct roster_agency *a,
    const struct rm_record *rec, rm_why *why);

/*
 * Verify every signed record of an RFC 8742 CBOR sequence (a
 * registrars' log file, a POST /v1/records body) against r and build
 * the roster that applies the agency records among them (roster_apply).
 * each(arg, index, fr, err, why) is called for every record in order:
 * err RM_OK with fr verified (fr->bytes point into p), or the refusal
 * (fr NULL; why says what); a non-zero return stops the walk and is
 * returned. *out (may be NULL: just walk) is the new roster, or r
 * referenced if no agency record applied. Errors: RM_EMALFORMED (bytes
 * that are not a CBOR item; why names the offset), what each returns,
 * roster_apply's.
 */
int roster_load_records(const struct roster *r, const uint8_t *p, size_t n,
    int (*each)(void *arg, size_t index, const struct fed_record *fr,
    int err, const rm_why *why), void *arg,
    void (*skip)(void *arg, const struct roster_agency *e,
    const char *reason), struct roster **out, rm_why *why);

/* ================================================================== */
/* Signed records                                                      */
/* ================================================================== */

/* A verified record: signature checked against the roster, body decoded,
 * origin == signer, authorised. Owns `rec` (record_fini via
 * fed_record_fini); `bytes` borrows the caller's input. */
struct fed_record {
	rm_hash hash;               /* SHA-256 of the signed bytes */
	const uint8_t *bytes;       /* COSE_Sign1 encoding (borrowed) */
	size_t len;
	struct rm_record rec;       /* decoded body */
};

/*
 * Verify a signed record against a roster: size <= COSE_SIGN1_MAX,
 * COSE_Sign1 well-formed (RM_EMALFORMED/RM_ENONCANON/...), kid in roster
 * (RM_EUNKNOWNSIGNER), signature valid (RM_EBADSIG), body valid
 * (schemas errors), body origin equals the signer (RM_EUNAUTH),
 * authorised (RM_EUNAUTH). A restricted record (docs/PROTOCOL.md §6a)
 * is authorised on what is visible (origin, kind, areas; its grade is
 * encrypted and is checked by each recipient, fed_record_decrypt), and
 * its COSE_Encrypt must be well-formed (cose_encrypt_recipients errors)
 * with exactly one recipient per agency in "to", each the kid of that
 * agency's roster enc_key (RM_EBADVALUE otherwise, RM_ENOTFOUND for a
 * recipient not in the roster). Its body stays NULL. On error *out is
 * zeroed.
 */
int fed_record_open(const struct roster *r, const uint8_t *p, size_t n,
    struct fed_record *out, rm_why *why);
void fed_record_fini(struct fed_record *fr);

/* Encode rec and sign it with the agency's signer s: appends the
 * COSE_Sign1 to out and, if hash is non-NULL, stores the record hash.
 * A restricted rec (record_restricted) must have its enc set
 * (fed_record_restrict); its body, if any, is not written. */
int fed_record_seal(crypto_signer *s, const struct rm_record *rec,
    rm_buf *out, rm_hash *hash, rm_why *why);

/* ---------------- restricted records (docs/PROTOCOL.md §6a) ------- */

/*
 * Encrypt rec's body for its recipients: rec->body (the plaintext
 * draft) and rec->to (record_set_to) must be set, and every common
 * field the AAD binds (origin, kind, oid, ver: call this where ver is
 * final, e.g. in the store's seal callback). Encodes the body
 * (record_body_encode), encrypts it with cose_encrypt_seal for the
 * roster enc_key of every agency in rec->to, with
 * record_restricted_aad as external AAD, and sets rec->enc/enc_len to
 * the COSE_Encrypt (heap, owned by rec: record_fini frees it; an
 * earlier enc is freed). The body stays; fed_record_seal writes only
 * enc. The plaintext is wiped. Errors: RM_EINVAL (not restricted or no
 * body), RM_ENOTFOUND (a recipient is not in r, field "to"),
 * RM_EBADVALUE (a recipient has no encryption key in r, field "to"),
 * the body's validation errors, those of cose_encrypt_seal. On error
 * rec is unchanged.
 */
int fed_record_restrict(const struct roster *r, struct rm_record *rec,
    rm_why *why);

/*
 * Decrypt a restricted record addressed to me (a decrypter on the
 * private half of an agency's roster enc_key): cose_encrypt_open with
 * record_restricted_aad, then record_body_decode, then the full
 * roster_authorise of the origin's entry in r (grade included, which
 * relays cannot check). On success rec->body is set (owned by rec:
 * record_fini, or record_body_free for a shallow copy); on error rec is
 * unchanged and no plaintext is left in memory. Errors: RM_EINVAL (not
 * restricted, body already set), RM_ENOTFOUND (not encrypted for me),
 * RM_EBADSIG (tampered, or lifted into another record: AAD), the body's
 * decoding errors, RM_EUNKNOWNSIGNER (origin not in r), RM_EUNAUTH (the
 * content breaks the origin's roster rules, e.g. a grade above its
 * maximum). Thread-safe; me may be shared.
 */
int fed_record_decrypt(const struct roster *r, crypto_decrypter *me,
    struct rm_record *rec, rm_why *why);

/* Short hex prefix of a hash for messages: 8 hex digits, "…" and a NUL
 * (at most 16 bytes). */
void fed_hash_short(const rm_hash *h, char out[16]);

/* ================================================================== */
/* Foreign federations (docs/PROTOCOL.md §12.1)                        */
/* ================================================================== */

#define TRUST_AREAS_MAX      16   /* area codes of a foreign federation
                                     or a gateway policy */
#define TRUST_FOREIGN_MAX    16   /* foreign federations per node */

/* A list of area codes read with area_contains semantics ("110000" is
 * every 11xxxx code). */
struct trust_areas {
	size_t n;
	char code[TRUST_AREAS_MAX][RM_AREA_CODE_MAX + 1];
};

/*
 * Parse "110000,120100" (1..TRUST_AREAS_MAX codes, comma-separated, no
 * spaces). Each item is an area code (area_code_valid) or a shorthand
 * of 2 or 4 digits read as the code padded with zeros ("11" is
 * "110000"). Duplicates are kept once. On error *out is unchanged.
 * Errors: RM_EBADVALUE (empty list or item, not a code), RM_ETOOBIG
 * (more than TRUST_AREAS_MAX).
 */
int trust_areas_parse(const char *list, struct trust_areas *out,
    rm_why *why);
/* "110000,120000" into out[0..len) (truncated, NUL-terminated). */
void trust_areas_format(const struct trust_areas *a, char *out, size_t len);
/* True iff one of a's codes contains area (area_contains). False for
 * an empty list. Pure. */
bool trust_areas_contain(const struct trust_areas *a, const char *area);
/* True iff the area code of an agency id ("110105.gov": 110105) is
 * contained by a. False for a malformed id. */
bool trust_areas_contain_agency(const struct trust_areas *a,
    const char *agency_id);
/*
 * Is rec inside a: the area code of its origin and every area of the
 * record contained by a's codes? RM_OK, or RM_EUNAUTH with why naming
 * the first area (or the origin) outside. Pure.
 */
int trust_areas_check_record(const struct trust_areas *a,
    const struct rm_record *rec, rm_why *why);
/* The areas of a federation as its charter states them: the union of
 * the areas of the charter's registrars (roster_is_registrar), at most
 * TRUST_AREAS_MAX (the rest are dropped). Empty for a charter without
 * registrars. */
void trust_roster_areas(const struct roster *r, struct trust_areas *out);

/*
 * A foreign federation this node trusts, for its areas only. Values:
 * the caller owns the struct; `root` is borrowed; `roster` is the
 * foreign roster in use (charter + its agency records), referenced by
 * whoever fills the struct, NULL while no charter of it is known.
 */
struct trust_foreign {
	char name[ROSTER_FED_NAME_MAX + 1];  /* the charter's "federation" */
	const crypto_key *root;              /* its root (CA) public key */
	rm_hash root_kid;                    /* kid of root */
	struct trust_areas areas;            /* what its root is trusted for */
	struct roster *roster;               /* in use, or NULL */
};

/*
 * Fill tf (roster NULL) from a name, a root key (borrowed) and an area
 * list (trust_areas_parse). Errors: RM_EBADVALUE (empty or too long
 * name, bad areas), RM_ECRYPTO (kid).
 */
int trust_foreign_init(struct trust_foreign *tf, const char *name,
    const crypto_key *root, const char *areas, rm_why *why);

/* The kid of the key that signed a COSE_Sign1 (no verification).
 * Errors: those of cose_sign1_decode. */
int trust_signed_kid(const uint8_t *p, size_t n, rm_hash *kid, rm_why *why);

/*
 * Open a charter of foreign federation tf (a ROSTER frame's payload):
 * roster_open with tf->root, then its "federation" must be tf->name
 * (RM_EUNAUTH otherwise). *out is referenced. Errors: roster_open's,
 * RM_EUNAUTH.
 */
int trust_foreign_charter_open(const struct trust_foreign *tf,
    const uint8_t *p, size_t n, struct roster **out, rm_why *why);

/* Which trust root verified a record (fed_record_open_trusted). */
#define TRUST_HOME     (-1)    /* the home roster */
#define TRUST_NONE     (-2)    /* no roster knows the signer */

/*
 * Verify a record against the home roster or one foreign federation
 * (docs/PROTOCOL.md §12.1): the kid is looked up in `home` first and
 * only if home does not know it in fs[0..nf) (their rosters in use, in
 * order; NULL rosters skipped). A record of foreign federation i passes
 * fed_record_open against fs[i].roster and trust_areas_check_record
 * against fs[i].areas: a foreign record for an area outside them, or
 * whose origin is an agency id the home roster names (a foreign root
 * that claims one of ours), is refused with RM_EUNAUTH ("foreign record
 * of NAME ...") and *outside (may be NULL) set true. *which (may be NULL) gets TRUST_HOME, the
 * index i, or TRUST_NONE (signer unknown everywhere:
 * RM_EUNKNOWNSIGNER). Errors: those of fed_record_open, RM_EUNAUTH. On
 * error *out is zeroed. Thread-safe (pure over the rosters given).
 */
int fed_record_open_trusted(const struct roster *home,
    const struct trust_foreign *fs, size_t nf, const uint8_t *p, size_t n,
    struct fed_record *out, int *which, bool *outside, rm_why *why);

#endif /* RM_TRUST_H */
