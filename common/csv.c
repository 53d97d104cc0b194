/*
 * csv.c -- a strict RFC 4180 reader for the spreadsheets offices keep
 * (common.h, "CSV"): UTF-8 with or without a byte order mark, CRLF or LF
 * line ends, quoted fields with commas, doubled quotes and line breaks.
 * Each record is unescaped into the caller's scratch buffer; fields
 * point into it until the next call.
 */
#include <string.h>

#include "common/common.h"

void
rm_csv_init(rm_csv *c, const char *p, size_t n)
{
	memset(c, 0, sizeof(*c));
	c->p = p;
	c->n = n;
	c->line = 1;
	/* A spreadsheet program's UTF-8 byte order mark (U+FEFF). */
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		c->off = 3;
}

/*
 * Formula injection (OWASP "CSV Injection"): a spreadsheet program runs
 * a cell that starts with = + @ TAB CR, or with '-' unless the cell is
 * a plain number ("-0.5", "-1e3"). Such a cell is written with a
 * leading apostrophe, and the reader takes it off again.
 */
static bool
plain_number(const char *p, size_t n)
{
	size_t i = 0, digits = 0;

	if (i < n && p[i] == '-')
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		digits++;
	if (i < n && p[i] == '.')
		for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			digits++;
	if (digits == 0)
		return false;
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		size_t exp = 0;

		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			exp++;
		if (exp == 0)
			return false;
	}
	return i == n;
}

static bool
formula_start(const char *p, size_t n)
{
	if (n == 0)
		return false;
	switch (p[0]) {
	case '=': case '+': case '@': case '\t': case '\r':
		return true;
	case '-':
		return !plain_number(p, n);
	default:
		return false;
	}
}

/*
 * A cell the writer guards: one or more apostrophes, then a formula
 * start. So a cell that itself starts with apostrophes before a formula
 * start gets one more, and every cell reads back as it was written.
 */
static bool
guarded(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] == '\'')
		i++;
	return i > 0 && formula_start(p + i, n - i);
}

static bool
needs_guard(const char *p, size_t n)
{
	return formula_start(p, n) || guarded(p, n);
}

/* At a record end: CRLF, LF, or the end of the input. */
static bool
at_eol(const rm_csv *c)
{
	return c->off == c->n || c->p[c->off] == '\n' ||
	    (c->p[c->off] == '\r' && c->off + 1 < c->n &&
	    c->p[c->off + 1] == '\n');
}

static void
skip_eol(rm_csv *c)
{
	if (c->off < c->n && c->p[c->off] == '\r')
		c->off++;
	if (c->off < c->n && c->p[c->off] == '\n') {
		c->off++;
		c->line++;
	}
}

/* One field at c->off into b (NUL-terminated); *start = its offset. */
static int
field(rm_csv *c, rm_buf *b, size_t *start, rm_why *why)
{
	char nul = '\0';

	*start = b->len;
	if (c->off < c->n && c->p[c->off] == '"') {
		size_t open_line = c->line;

		c->off++;
		for (;;) {
			size_t run = 0;
			char ch;

			/* plain bytes up to the next quote or line end are
			 * copied at once */
			while (c->off + run < c->n && c->p[c->off + run] != '"' &&
			    c->p[c->off + run] != '\r' &&
			    c->p[c->off + run] != '\n')
				run++;
			if (rm_buf_append(b, c->p + c->off, run) != RM_OK)
				return rm_fail(why, RM_ENOMEM, "out of memory");
			c->off += run;
			if (c->off == c->n)
				return rm_fail(why, RM_EMALFORMED, "line %zu: a "
				    "quoted field is not closed (opened on line "
				    "%zu)", c->line, open_line);
			ch = c->p[c->off++];
			if (ch == '"') {
				if (c->off < c->n && c->p[c->off] == '"') {
					c->off++;
				} else
					break;
			} else if (ch == '\r' && c->off < c->n &&
			    c->p[c->off] == '\n') {
				continue;       /* CRLF in a cell reads as LF */
			} else if (ch == '\n')
				c->line++;
			if (rm_buf_append(b, &ch, 1) != RM_OK)
				return rm_fail(why, RM_ENOMEM, "out of memory");
		}
		if (c->off < c->n && c->p[c->off] != ',' && !at_eol(c))
			return rm_fail(why, RM_EMALFORMED, "line %zu: text after "
			    "a closing quote (a quote inside a field is written "
			    "\"\")", c->line);
	} else {
		size_t from = c->off;

		while (c->off < c->n && c->p[c->off] != ',' && !at_eol(c)) {
			char ch = c->p[c->off++];

			if (ch == '"')
				return rm_fail(why, RM_EMALFORMED, "line %zu: a "
				    "quote inside an unquoted field", c->line);
			if (ch == '\r')
				return rm_fail(why, RM_EMALFORMED, "line %zu: a "
				    "carriage return without a line feed", c->line);
		}
		if (rm_buf_append(b, c->p + from, c->off - from) != RM_OK)
			return rm_fail(why, RM_ENOMEM, "out of memory");
	}
	if (b->len > *start && memchr(b->data + *start, '\0', b->len - *start)
	    != NULL)
		return rm_fail(why, RM_EBADVALUE, "line %zu: a field holds a "
		    "NUL byte", c->line);
	if (!rm_utf8_valid((const char *)b->data + *start, b->len - *start))
		return rm_fail(why, RM_EBADVALUE, "line %zu: a field is not "
		    "UTF-8", c->line);
	/* The writer's guard against formulas (rm_csv_field) comes off. */
	if (guarded((const char *)b->data + *start, b->len - *start)) {
		memmove(b->data + *start, b->data + *start + 1,
		    b->len - *start - 1);
		b->len--;
	}
	return rm_buf_append(b, &nul, 1) == RM_OK ? RM_OK :
	    rm_fail(why, RM_ENOMEM, "out of memory");
}

int
rm_csv_next(rm_csv *c, rm_buf *scratch, const char **fields, size_t max,
    size_t *nfields, size_t *line, rm_why *why)
{
	size_t starts[RM_CSV_FIELDS_MAX], n = 0;
	int rv;

	*nfields = 0;
	if (max > RM_CSV_FIELDS_MAX)
		max = RM_CSV_FIELDS_MAX;
	/* A last line end, or blank lines, end nothing. */
	while (c->off < c->n && at_eol(c))
		skip_eol(c);
	if (c->off == c->n)
		return RM_ENOTFOUND;
	*line = c->line;
	rm_buf_reset(scratch);
	for (;;) {
		if (n == max)
			return rm_fail(why, RM_ETOOBIG, "line %zu: more than %zu "
			    "fields", *line, max);
		if ((rv = field(c, scratch, &starts[n], why)) != RM_OK)
			return rv;
		n++;
		if (c->off < c->n && c->p[c->off] == ',') {
			c->off++;
			continue;
		}
		skip_eol(c);
		break;
	}
	/* The scratch buffer may have moved while it grew. */
	for (size_t i = 0; i < n; i++)
		fields[i] = (const char *)scratch->data + starts[i];
	*nfields = n;
	return RM_OK;
}

/* ---------------- writing ---------------- */

int
rm_csv_bom(rm_buf *b)
{
	return rm_buf_append(b, "\xef\xbb\xbf", 3);
}

static bool
needs_quotes(const char *p, size_t n)
{
	if (n > 0 && (p[0] == ' ' || p[n - 1] == ' '))
		return true;
	for (size_t i = 0; i < n; i++)
		if (p[i] == ',' || p[i] == '"' || p[i] == '\r' || p[i] == '\n')
			return true;
	return false;
}

int
rm_csv_field(rm_buf *b, bool first, const char *p, size_t n)
{
	size_t mark = b->len, i, run;
	int rv = RM_OK;

	if (!first)
		rv = rm_buf_append_byte(b, ',');
	if (rv == RM_OK && !needs_quotes(p, n)) {
		if (needs_guard(p, n))
			rv = rm_buf_append_byte(b, '\'');
		if (rv == RM_OK)
			rv = rm_buf_append(b, p, n);
	} else if (rv == RM_OK) {
		rv = rm_buf_append_byte(b, '"');
		if (rv == RM_OK && needs_guard(p, n))
			rv = rm_buf_append_byte(b, '\'');
		/* Copy runs between quotes, doubling each quote. */
		for (i = 0; rv == RM_OK && i < n; i += run) {
			const char *q = memchr(p + i, '"', n - i);

			run = q != NULL ? (size_t)(q - (p + i)) + 1 : n - i;
			rv = rm_buf_append(b, p + i, run);
			if (rv == RM_OK && q != NULL)
				rv = rm_buf_append_byte(b, '"');
		}
		if (rv == RM_OK)
			rv = rm_buf_append_byte(b, '"');
	}
	if (rv != RM_OK)
		b->len = mark;
	return rv;
}

int
rm_csv_row(rm_buf *b, const char *const *fields, size_t nf)
{
	size_t mark = b->len;
	int rv = RM_OK;

	for (size_t i = 0; rv == RM_OK && i < nf; i++) {
		const char *f = fields[i] != NULL ? fields[i] : "";

		rv = rm_csv_field(b, i == 0, f, strlen(f));
	}
	if (rv == RM_OK)
		rv = rm_buf_append(b, "\r\n", 2);
	if (rv != RM_OK)
		b->len = mark;
	return rv;
}
