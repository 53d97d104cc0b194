/*
 * cli_agency_rec.c -- agency records (schemas/agency.cddl) as the CLI
 * writes them: the next version of an agency built from its latest one
 * (key history kept), signed by its province's registrar and staged in
 * the federation directory's registry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/cli/cli.h"

rm_kind_set
cli_agency_kinds(void)
{
	rm_kind_set s = kind_set_all() &
	    ~((rm_kind_set)1u << kind_index(&rm_kind_agency));
	const struct rm_kind_ops *k;

	/* a kind another kind's permission covers (roster_kind), or with
	 * its own rule (authorise: acks, fork resolutions), is never
	 * granted by its own name */
	for (unsigned i = 0; (k = kind_at(i)) != NULL; i++)
		if (k->roster_kind != NULL || k->authorise != NULL)
			s &= ~((rm_kind_set)1u << i);
	return s;
}

void
cli_key_state(const struct roster_agency *a, rm_utc_ms now, char *out,
    size_t n)
{
	const struct roster_key *k;
	char t[32];

	if (a->removed) {
		snprintf(out, n, "removed");
		return;
	}
	if (a->n_keys == 0) {
		snprintf(out, n, "active");
		return;
	}
	if ((k = roster_key_current(a, now)) == NULL) {
		snprintf(out, n, "%s", key_end_name(a->keys[a->n_keys - 1].end));
		return;
	}
	if (k->until == 0) {
		snprintf(out, n, "active");
		return;
	}
	rm_utc_format(k->until, t);
	snprintf(out, n, "active until %s (%s)", t, key_end_name(k->end));
}

bool
cli_agency_key_usable(const struct feddir *fd, const char *id)
{
	const struct reg_agency *ra = registry_find(fd->reg, id);

	return ra == NULL ||
	    roster_key_current(&ra->entry, rm_utc_now_ms()) != NULL;
}

int
cli_agency_latest(const struct cli_cmd *c, const struct feddir *fd,
    const char *id, struct rm_record *rec)
{
	const struct reg_agency *ra = registry_find(fd->reg, id);
	rm_why why;

	memset(rec, 0, sizeof(*rec));
	if (ra == NULL)
		return cli_fail(c, "%s: no agency record in %s/%s%s", id,
		    fd->dir, FEDDIR_RECORDS, roster_find(fd->charter, id) ?
		    " (it is named by the charter, roster.cose)" : "");
	if (registry_record(fd->reg, ra, rec, &why) != RM_OK)
		return cli_fail(c, "%s: %s", id, why.msg);
	return CLI_EXIT_OK;
}

int
cli_agency_sign(const struct cli_cmd *c, struct feddir *fd,
    const struct rm_agency *b)
{
	char reg[RM_AGENCY_ID_MAX + 1];
	crypto_signer *s;
	rm_why why;
	int rv;

	registrar_id(b->areas[0], reg);
	if ((rv = feddir_registrar_signer(c, fd, reg, &s)) != 0)
		return rv;
	if (registry_append(fd->reg, s, reg, b, &why) != RM_OK)
		return cli_fail(c, "%s: %s", b->id, why.msg);
	return CLI_EXIT_OK;
}

void
cli_agency_close_keys(struct rm_agency *b, rm_utc_ms at, enum rm_key_end end)
{
	for (size_t i = 0; i < b->n_keys; i++) {
		struct rm_agency_key *k = &b->keys[i];

		if (k->until != 0)
			continue;
		k->until = at > k->from ? at : k->from + 1;
		k->end = end;
	}
}

static int
area_cmp(const void *x, const void *y)
{
	return strcmp(x, y);
}

/* b's fields from e (names borrowed from e). */
static void
body_fields(struct rm_agency *b, const struct roster_agency *e)
{
	const char *names[RM_KINDS_MAX];
	size_t nk;

	snprintf(b->id, sizeof(b->id), "%s", e->id);
	b->name_zh = (char *)e->name_zh;
	b->name_en = (char *)e->name_en;
	snprintf(b->role, sizeof(b->role), "%s", e->role);
	b->n_areas = e->n_areas;
	memcpy(b->areas, e->areas, sizeof(b->areas[0]) * e->n_areas);
	qsort(b->areas, b->n_areas, sizeof(b->areas[0]), area_cmp);
	nk = kind_set_names(e->kinds & cli_agency_kinds(), names,
	    RM_KINDS_MAX);
	b->n_kinds = nk < RM_KINDS_MAX ? nk : RM_KINDS_MAX;
	for (size_t i = 0; i < b->n_kinds; i++)
		snprintf(b->kinds[i], sizeof(b->kinds[i]), "%s", names[i]);
	b->max_grade = e->max_grade;
	b->removed = false;
	/* The encryption key of restricted records (docs/PROTOCOL.md §6a),
	 * when the agency has one (DIR/agencies/ID/enc.key). */
	b->enc_len = 0;
	if (e->enc_key != NULL) {
		rm_buf spki = RM_BUF_INIT;

		if (crypto_key_spki(e->enc_key, &spki) == RM_OK &&
		    spki.len <= RM_SPKI_MAX) {
			memcpy(b->enc, spki.data, spki.len);
			b->enc_len = spki.len;
		}
		rm_buf_fini(&spki);
	}
}

/* Make key (SPKI) the current key of b: kept if it is, else the open
 * key is closed as rotated and key added from now. */
static int
body_key(const struct cli_cmd *c, struct rm_agency *b, const rm_buf *spki)
{
	rm_utc_ms now = rm_utc_now_ms();
	struct rm_agency_key *k;

	if (spki->len == 0 || spki->len > RM_SPKI_MAX)
		return cli_fail(c, "%s: agency.key: bad public key", b->id);
	for (size_t i = 0; i < b->n_keys; i++) {
		k = &b->keys[i];
		if (k->spki_len != spki->len ||
		    memcmp(k->spki, spki->data, spki->len) != 0)
			continue;
		if (k->until != 0)
			return cli_fail(c, "%s: agency.key is a key the agency "
			    "no longer uses (%s); give --new-keys", b->id,
			    key_end_name(k->end));
		return CLI_EXIT_OK;
	}
	if (b->n_keys == RM_AGENCY_KEYS_MAX)
		return cli_fail(c, "%s: key history full (%d keys); remove the "
		    "agency and add it under a new id", b->id,
		    RM_AGENCY_KEYS_MAX);
	cli_agency_close_keys(b, now, RM_KEY_ROTATED);
	k = &b->keys[b->n_keys++];
	memset(k, 0, sizeof(*k));
	memcpy(k->spki, spki->data, spki->len);
	k->spki_len = spki->len;
	/* After every key it replaces was closed. */
	k->from = now;
	for (size_t i = 0; i + 1 < b->n_keys; i++)
		if (b->keys[i].until > k->from)
			k->from = b->keys[i].until;
	return CLI_EXIT_OK;
}

/* Same encoding: nothing to sign. */
static bool
body_same(const struct rm_agency *x, const struct rm_agency *y)
{
	rm_buf a = RM_BUF_INIT, b = RM_BUF_INIT;
	bool same;

	same = rm_kind_agency.encode(x, &a) == RM_OK &&
	    rm_kind_agency.encode(y, &b) == RM_OK && a.len == b.len &&
	    memcmp(a.data, b.data, a.len) == 0;
	rm_buf_fini(&a);
	rm_buf_fini(&b);
	return same;
}

int
cli_agency_stage(const struct cli_cmd *c, struct feddir *fd,
    const struct roster_agency *e, bool *changed)
{
	const struct rm_agency *old = NULL;
	struct rm_record prev;
	struct rm_agency *b;
	rm_buf spki = RM_BUF_INIT;
	rm_why why;
	int rv = CLI_EXIT_FAIL;

	*changed = false;
	memset(&prev, 0, sizeof(prev));
	if (registrar_areas_ok(e, &why) != RM_OK)
		return cli_fail(c, "%s: areas: %s", e->id, why.msg);
	if (roster_find(fd->charter, e->id) != NULL)
		return cli_fail(c, "%s is named by the charter (roster.cose); "
		    "agency records cannot replace it", e->id);
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return cli_fail(c, "out of memory");
	if (registry_find(fd->reg, e->id) != NULL) {
		if ((rv = cli_agency_latest(c, fd, e->id, &prev)) != 0)
			goto out;
		old = record_agency(&prev);
		b->n_keys = old->n_keys;
		memcpy(b->keys, old->keys, sizeof(b->keys[0]) * old->n_keys);
		b->enc_len = old->enc_len;
		memcpy(b->enc, old->enc, old->enc_len);
	}
	body_fields(b, e);
	if (crypto_key_spki(e->key, &spki) != RM_OK) {
		rv = cli_fail(c, "%s: agency.key: cannot encode", e->id);
		goto out;
	}
	if ((rv = body_key(c, b, &spki)) != 0)
		goto out;
	rv = CLI_EXIT_OK;
	if (old != NULL && body_same(old, b))
		goto out;
	if ((rv = cli_agency_sign(c, fd, b)) != 0)
		goto out;
	*changed = true;
out:
	rm_buf_fini(&spki);
	record_fini(&prev);
	free(b);
	return rv;
}
