/*
 * test_cap_fx.h -- shared by the CAP 1.2 tests (node/cap): a valid base
 * document, variants of it made by replacing one piece, and the check
 * that a document is refused naming the element and the rule.
 */
#ifndef RM_TEST_CAP_FX_H
#define RM_TEST_CAP_FX_H

#include <stddef.h>

#include "node/cap/cap.h"

/* A valid CAP 1.2 Update with every kind of value the rules touch. */
extern const char cap_fx_base[];

/* base with the first `from` replaced by `to` (heap; free it); the
 * test fails if from is not in base. */
char *cap_fx_variant(const char *base, const char *from, const char *to);

/* Parse doc; assert err (RM_OK: accepted, and it round-trips through
 * cap_write equivalently), and for a refusal that why.field == field
 * and why.msg contains rule. */
void cap_fx_expect(const char *doc, size_t len, int err, const char *field,
    const char *rule);

/* The whole of file path (heap, NUL-terminated; free it) or NULL. */
char *cap_fx_read(const char *path, size_t *len);

#endif
