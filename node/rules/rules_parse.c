/*
 * rules_parse.c -- the rules file (docs/RULES.md): blocks of
 *
 *   rule ID
 *       KEY VALUE          (scope, when, pending, warning, event,
 *       ...                 headline, lang, task, subject, auto_issue)
 *   end
 *
 * one statement a line, comments from a '#' at the start of a line or
 * after a blank (as node.conf). Every error is reported with its line;
 * the parse goes on after one, so an operator sees them all at once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/rules/rules_int.h"

struct parser {
	const char *name;
	struct rules_set *set;
	size_t cap;
	struct rules_rule *cur;      /* open block, or NULL */
	unsigned seen;               /* KEY_* bits of the open block */
	size_t n_errors;
	struct perr {
		unsigned line;
		char msg[480];
	} *errs;                     /* the first RULES_ERRORS_MAX */
	rules_err_fn each;
	void *arg;
	rm_why *why;
};

enum { K_SCOPE = 1, K_WHEN = 2, K_PENDING = 4, K_WARNING = 8, K_EVENT = 16,
	K_HEADLINE = 32, K_LANG = 64, K_TASK = 128, K_SUBJECT = 256,
	K_AUTO = 512 };

static const struct {
	const char *name;
	unsigned bit;
} keys[] = { { "scope", K_SCOPE }, { "when", K_WHEN },
	{ "pending", K_PENDING }, { "warning", K_WARNING },
	{ "event", K_EVENT }, { "headline", K_HEADLINE }, { "lang", K_LANG },
	{ "task", K_TASK }, { "subject", K_SUBJECT },
	{ "auto_issue", K_AUTO } };

static void err_at(struct parser *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
err_at(struct parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (p->n_errors < RULES_ERRORS_MAX) {
		va_start(ap, fmt);
		vsnprintf(p->errs[p->n_errors].msg, sizeof(p->errs[0].msg), fmt,
		    ap);
		va_end(ap);
		p->errs[p->n_errors].line = line;
	}
	p->n_errors++;
}

/* The errors in line order (a block's missing keys are found at its
 * end but belong to its rule line): a stable insertion sort. */
static void
report(struct parser *p)
{
	size_t n = p->n_errors < RULES_ERRORS_MAX ? p->n_errors :
	    RULES_ERRORS_MAX;

	for (size_t i = 1; i < n; i++) {
		struct perr e = p->errs[i];
		size_t j = i;

		for (; j > 0 && p->errs[j - 1].line > e.line; j--)
			p->errs[j] = p->errs[j - 1];
		p->errs[j] = e;
	}
	if (n > 0)
		rm_fail(p->why, RM_ECONFIG, "%s:%u: %s", p->name,
		    p->errs[0].line, p->errs[0].msg);
	for (size_t i = 0; i < n && p->each != NULL; i++)
		p->each(p->arg, p->errs[i].line, p->errs[i].msg);
}

static void
open_rule(struct parser *p, unsigned line, const char *id)
{
	struct rules_rule *r;

	if (!proposal_rule_id_valid(id)) {
		err_at(p, line, "rule \"%.70s\": an id is 1..%d of A-Z a-z 0-9 "
		    ". _ -", id, RULES_ID_MAX);
		id = "?";
	} else if (rules_find(p->set, id) != NULL)
		err_at(p, line, "rule %s: the id is taken by the rule of line "
		    "%u", id, rules_find(p->set, id)->line);
	if (p->set->n == RULES_MAX) {
		err_at(p, line, "more than %d rules", RULES_MAX);
		return;
	}
	if (p->set->n == p->cap) {
		size_t cap = p->cap == 0 ? 8 : p->cap * 2;
		void *nr = realloc(p->set->rules, cap * sizeof(*r));

		if (nr == NULL) {
			err_at(p, line, "out of memory");
			return;
		}
		p->set->rules = nr;
		p->cap = cap;
	}
	r = &p->set->rules[p->set->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->line = line;
	snprintf(r->lang, sizeof(r->lang), "zh-CN");
	p->cur = r;
	p->seen = 0;
}

/* A text value into dst (cap bytes with the NUL). */
static void
text_value(struct parser *p, unsigned line, const char *key,
    const char *v, char *dst, size_t cap)
{
	if (strlen(v) >= cap)
		err_at(p, line, "%s: longer than %zu bytes", key, cap - 1);
	else
		memcpy(dst, v, strlen(v) + 1);
}

static void
scope_value(struct parser *p, unsigned line, char *v)
{
	struct rules_rule *r = p->cur;

	for (char *s = strtok(v, " \t"); s != NULL; s = strtok(NULL, " \t")) {
		if (strlen(s) > RM_AREA_CODE_MAX || !area_code_valid(s)) {
			err_at(p, line, "scope: \"%.40s\" is not a GB/T 2260 area "
			    "code (6, 9 or 12 digits; 120100 means all of "
			    "1201...)", s);
			continue;
		}
		if (r->n_scope == RULES_SCOPE_MAX) {
			err_at(p, line, "scope: more than %d areas",
			    RULES_SCOPE_MAX);
			return;
		}
		memcpy(r->scope[r->n_scope++], s, strlen(s) + 1);
	}
}

static void
key_value(struct parser *p, unsigned line, const char *key, char *v)
{
	struct rules_rule *r = p->cur;
	char why[400];

	if (strcmp(key, "scope") == 0)
		scope_value(p, line, v);
	else if (strcmp(key, "when") == 0) {
		if (rules_cond_parse(v, r, why, sizeof(why)) != RM_OK)
			err_at(p, line, "when: %s", why);
	} else if (strcmp(key, "pending") == 0) {
		if (rules_duration_parse(v, &r->pending_ms) != RM_OK)
			err_at(p, line, "pending \"%.32s\": a duration is a number "
			    "and s, m, h or d (30m, 3h), at most 7d", v);
	} else if (strcmp(key, "warning") == 0) {
		r->action = RULES_WARNING;
		if (risk_grade_parse(v, &r->grade) != RM_OK)
			err_at(p, line, "warning \"%.32s\": a grade is blue, "
			    "yellow, orange or red", v);
	} else if (strcmp(key, "task") == 0) {
		r->action = RULES_TASK;
		if (strcmp(v, RULES_RESPONSIBLE) != 0 &&
		    (strlen(v) > RM_AGENCY_ID_MAX || !agency_id_valid(v)))
			err_at(p, line, "task \"%.70s\": the assignee is "
			    "\"responsible\" (the risk's responsible unit) or an "
			    "agency id (%s)", v, RM_AGENCY_ID_RULE);
		else
			memcpy(r->assignee, v, strlen(v) + 1);
	} else if (strcmp(key, "event") == 0)
		text_value(p, line, key, v, r->event, sizeof(r->event));
	else if (strcmp(key, "headline") == 0)
		text_value(p, line, key, v, r->headline, sizeof(r->headline));
	else if (strcmp(key, "subject") == 0)
		text_value(p, line, key, v, r->subject, sizeof(r->subject));
	else if (strcmp(key, "lang") == 0)
		text_value(p, line, key, v, r->lang, sizeof(r->lang));
	else if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0)
		r->auto_issue = strcmp(v, "yes") == 0;
	else
		err_at(p, line, "auto_issue \"%.32s\": yes or no", v);
}

/* The block is complete and consistent (at its `end` or at EOF). */
static void
close_rule(struct parser *p)
{
	const struct rules_rule *r = p->cur;
	unsigned s = p->seen, l = r->line;

	if (!(s & K_SCOPE))
		err_at(p, l, "rule %s: no scope (the area codes it watches)",
		    r->id);
	if (!(s & K_WHEN))
		err_at(p, l, "rule %s: no when (its condition)", r->id);
	if (!(s & (K_WARNING | K_TASK)))
		err_at(p, l, "rule %s: no action (warning GRADE or task "
		    "ASSIGNEE)", r->id);
	if ((s & K_WARNING) && (s & K_TASK))
		err_at(p, l, "rule %s: warning and task: one action a rule",
		    r->id);
	if ((s & K_WARNING) && !(s & K_TASK) &&
	    (s & (K_EVENT | K_HEADLINE)) != (K_EVENT | K_HEADLINE))
		err_at(p, l, "rule %s: a warning needs event and headline "
		    "(the alert's texts)", r->id);
	if ((s & K_TASK) && !(s & K_WARNING)) {
		if (!(s & K_SUBJECT))
			err_at(p, l, "rule %s: a task needs a subject", r->id);
		if (s & (K_EVENT | K_HEADLINE | K_LANG))
			err_at(p, l, "rule %s: event, headline and lang are for "
			    "warnings, not tasks", r->id);
		if (r->auto_issue)
			err_at(p, l, "rule %s: auto_issue is for warnings (a "
			    "task proposal is always confirmed)", r->id);
	}
	if (rules_is_review(r) && (s & K_WARNING))
		err_at(p, l, "rule %s: review_overdue raises a review task per "
		    "overdue risk (task responsible or an agency id), not a "
		    "warning", r->id);
	if (rules_is_review(r) && (s & K_PENDING))
		err_at(p, l, "rule %s: review_overdue has no pending period (a "
		    "review date passes at midnight, China Standard Time)",
		    r->id);
	if ((s & K_WARNING) && !(s & K_TASK) && (s & K_SUBJECT))
		err_at(p, l, "rule %s: subject is for tasks; a warning has "
		    "event and headline", r->id);
	p->cur = NULL;
}

/* The line without its comment and surrounding blanks (in place). */
static char *
strip(char *s)
{
	char *e;

	for (size_t i = 0; s[i] != '\0'; i++)
		if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' ||
		    s[i - 1] == '\t')) {
			s[i] = '\0';
			break;
		}
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void
statement(struct parser *p, unsigned line, char *s)
{
	char *v = s + strcspn(s, " \t");
	size_t k;

	if (*v != '\0')
		*v++ = '\0';
	while (*v == ' ' || *v == '\t')
		v++;
	if (strcmp(s, "rule") == 0) {
		if (p->cur != NULL) {
			err_at(p, line, "rule inside rule %s (line %u): close it "
			    "with end", p->cur->id, p->cur->line);
			close_rule(p);
		}
		open_rule(p, line, *v != '\0' ? v : "");
		return;
	}
	if (strcmp(s, "end") == 0) {
		if (p->cur == NULL)
			err_at(p, line, "end without rule");
		else if (*v != '\0')
			err_at(p, line, "end takes nothing after it");
		if (p->cur != NULL)
			close_rule(p);
		return;
	}
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (strcmp(s, keys[k].name) == 0)
			break;
	if (k == sizeof(keys) / sizeof(keys[0]))
		err_at(p, line, "unknown keyword \"%.32s\" (rule, end, scope, "
		    "when, pending, warning, event, headline, lang, task, "
		    "subject, auto_issue)", s);
	else if (p->cur == NULL)
		err_at(p, line, "%s outside a rule (start one with rule ID)",
		    s);
	else if (*v == '\0')
		err_at(p, line, "%s: needs a value", s);
	else if ((p->seen & keys[k].bit) && keys[k].bit != K_WHEN &&
	    keys[k].bit != K_SCOPE)
		err_at(p, line, "%s given twice in rule %s", s, p->cur->id);
	else {
		p->seen |= keys[k].bit;
		key_value(p, line, s, v);
	}
}

int
rules_parse(const char *text, size_t len, const char *name,
    struct rules_set **out, size_t *n_errors, rules_err_fn each, void *arg,
    rm_why *why)
{
	struct parser p;
	char buf[RULES_LINE_MAX + 2];
	unsigned line = 0;
	size_t off = 0;

	if (n_errors != NULL)
		*n_errors = 0;
	if (len > RULES_FILE_MAX)
		return rm_fail(why, RM_ETOOBIG, "%s: larger than %d bytes", name,
		    RULES_FILE_MAX);
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.each = each;
	p.arg = arg;
	p.why = why;
	if ((p.set = calloc(1, sizeof(*p.set))) == NULL ||
	    (p.errs = calloc(RULES_ERRORS_MAX, sizeof(*p.errs))) == NULL) {
		free(p.set);
		return rm_fail(why, RM_ENOMEM, "out of memory");
	}
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl != NULL ? (size_t)(nl - text) - off : len - off;

		line++;
		if (n > RULES_LINE_MAX)
			err_at(&p, line, "longer than %d bytes", RULES_LINE_MAX);
		else if (memchr(text + off, '\0', n) != NULL)
			err_at(&p, line, "NUL byte: a rules file is text");
		else if (!rm_utf8_valid(text + off, n))
			err_at(&p, line, "not UTF-8 text");
		else {
			char *s;

			memcpy(buf, text + off, n);
			buf[n] = '\0';
			if (*(s = strip(buf)) != '\0')
				statement(&p, line, s);
		}
		off += n + 1;
	}
	if (p.cur != NULL) {
		err_at(&p, p.cur->line, "rule %s has no end", p.cur->id);
		close_rule(&p);
	}
	report(&p);
	free(p.errs);
	if (n_errors != NULL)
		*n_errors = p.n_errors;
	if (p.n_errors > 0) {
		rules_set_free(p.set);
		return RM_ECONFIG;
	}
	*out = p.set;
	return RM_OK;
}

int
rules_load(const char *path, struct rules_set **out, size_t *n_errors,
    rules_err_fn each, void *arg, rm_why *why)
{
	rm_buf b = RM_BUF_INIT;
	int rv;

	if (n_errors != NULL)
		*n_errors = 0;
	if ((rv = rm_file_read(path, RULES_FILE_MAX, &b, why)) == RM_OK)
		rv = rules_parse((const char *)b.data, b.len, path, out, n_errors,
		    each, arg, why);
	rm_buf_fini(&b);
	return rv;
}

void
rules_set_free(struct rules_set *s)
{
	if (s == NULL)
		return;
	free(s->rules);
	free(s);
}

const struct rules_rule *
rules_find(const struct rules_set *s, const char *id)
{
	for (size_t i = 0; s != NULL && i < s->n; i++)
		if (strcmp(s->rules[i].id, id) == 0)
			return &s->rules[i];
	return NULL;
}
