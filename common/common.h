/*
 * common.h -- riskmesh base layer: error codes, diagnostics, logging,
 * growable buffers, time, hex, and a strict deterministic-CBOR
 * reader/writer over libcbor.
 *
 * Every other module depends on this one and on nothing above it.
 * Nothing here allocates behind the caller's back except rm_buf, whose
 * ownership rules are stated below.
 *
 * Thread rules: all functions are thread-safe unless stated otherwise;
 * an rm_buf or rm_cbor_rd is owned by one thread at a time.
 */
#ifndef RM_COMMON_H
#define RM_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Errors                                                             */
/* ------------------------------------------------------------------ */

/*
 * The one error enum of the project. 0 is success. Library codes
 * (errno, MDB_*, OpenSSL, nng, libcoap) are converted at the edge of the
 * wrapper that calls the library; the original detail goes into an
 * rm_why (below) or the log, once.
 */
typedef enum rm_err {
	RM_OK = 0,
	RM_ENOMEM,       /* allocation failed */
	RM_EINVAL,       /* caller passed an invalid argument */
	RM_ETOOBIG,      /* input or field exceeds a documented limit */
	RM_EMALFORMED,   /* not well-formed (CBOR, COSE, PEM, frame, JSON) */
	RM_ENONCANON,    /* well-formed CBOR but not deterministic (RFC 8949 §4.2.1) */
	RM_EMISSING,     /* a required field is absent */
	RM_EBADVALUE,    /* a field is present with a value outside its domain */
	RM_EUNKNOWN,     /* unknown field, kind, version or frame type */
	RM_EBADSIG,      /* signature does not verify */
	RM_EUNKNOWNSIGNER, /* signer (kid / agency) not in the roster */
	RM_EUNAUTH,      /* signer may not publish this (kind, area, grade) */
	RM_ENOTFOUND,    /* no such object */
	RM_EEXIST,       /* already present (duplicate) */
	RM_EFORK,        /* two different records with one (origin, seq) */
	RM_EGAP,         /* chain gap or prev mismatch */
	RM_EIO,          /* operating-system I/O error */
	RM_ESTORE,       /* storage engine error */
	RM_ECRYPTO,      /* cryptographic library error */
	RM_ECONFIG,      /* configuration error */
	RM_ENET,         /* network / transport error */
	RM_ETIMEDOUT,    /* deadline passed */
	RM_ECLOSED,      /* object closed or shutting down */
	RM_EPROTO,       /* peer violated the protocol */
	RM_EBUSY,        /* temporarily unable; retry */
	RM_EEXPIRED,     /* past its validity */
	RM_EUNSUPPORTED, /* a format or media type not handled */
	RM_ERR_COUNT     /* number of codes; not an error */
} rm_err;

/* Short, stable, lower-case name of an error ("bad signature").
 * Never NULL; unknown codes give "unknown error". */
const char *rm_strerror(int err);

/* Stable identifier of an error for machine output ("EBADSIG"). */
const char *rm_errname(int err);

/*
 * rm_why: a caller-provided diagnostic that says what and why, e.g.
 * "alert.grade: unknown grade \"purple\"". Functions that take an
 * rm_why * write it on failure only; NULL is always accepted. It is the
 * one way the project carries a reason (no other error structs).
 *
 * field names the top-level input field at fault when the failing
 * code knows it ("grade", "texts", "object_id"; set by rm_fail_at),
 * and is "" otherwise (rm_fail); front ends report it (the HTTP API
 * as the "field" of its error body, docs/API.md).
 */
#define RM_WHY_MAX 200
#define RM_WHY_FIELD_MAX 64
typedef struct rm_why {
	char msg[RM_WHY_MAX];
	char field[RM_WHY_FIELD_MAX];
} rm_why;

/* Format into why (if non-NULL) and return err, so decoders can write
 * `return rm_fail(why, RM_EMISSING, "alert.event: required");`. */
int rm_fail(rm_why *why, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The same, naming the input at fault: path is its path ("grade",
 * "texts[1].lang", "" for none); why->field becomes its top-level part
 * (up to the first '.' or '[': "texts") and, when path is deeper,
 * the message starts with it ("texts[1].lang: required").
 */
int rm_fail_at(rm_why *why, int err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ------------------------------------------------------------------ */
/* Logging                                                            */
/* ------------------------------------------------------------------ */

/*
 * One logger for the daemon and the CLI. Lines go to stderr as
 * "2026-11-29T18:00:00.123Z LEVEL tag: message". The security channel
 * (rm_log_sec) is for refusals of peer or client input: forged,
 * unauthorised or malformed data; it is always emitted at WARN or above
 * with the tag prefixed by "sec/".
 * Lower layers (crypto, schemas, store) return errors and do not log.
 */
typedef enum rm_log_level {
	RM_LOG_DEBUG = 0,
	RM_LOG_INFO,
	RM_LOG_NOTICE,
	RM_LOG_WARN,
	RM_LOG_ERR,
} rm_log_level;

void rm_log_set_level(rm_log_level level);
rm_log_level rm_log_get_level(void);
/* Parse "debug|info|notice|warn|err"; RM_EBADVALUE otherwise. */
int rm_log_level_parse(const char *s, rm_log_level *out);
/* The name rm_log_level_parse accepts for level ("debug" ... "err");
 * a static string. Out-of-range values give "info". */
const char *rm_log_level_name(rm_log_level level);
void rm_log(rm_log_level level, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rm_vlog(rm_log_level level, const char *tag, const char *fmt, va_list ap);
void rm_log_sec(const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * A rate limit for one kind of log line (refused records, junk
 * datagrams, ...), shared by every thread that logs it: at most `burst`
 * lines in each window of `window_ms` (monotonic time); the lines over
 * it are not logged but counted, and the first line allowed after them
 * is told how many were dropped, so that counts in logs stay true while
 * a flood cannot fill the disk. Lock-free; declare it static with
 * RM_LOG_LIMIT(burst, window_ms) or embed it in an object.
 */
typedef struct rm_log_limit {
	unsigned burst;
	uint32_t window_ms;
	_Atomic long long window_start_ms;
	_Atomic unsigned used;
	_Atomic unsigned long long dropped;
} rm_log_limit;

#define RM_LOG_LIMIT(burst_, window_ms_)                                 \
	{ .burst = (burst_), .window_ms = (window_ms_) }

/* May this line be logged now? true: log it, and *dropped (may be
 * NULL) says how many lines were held back since the previous one that
 * was allowed; false: do not log it (it has been counted). */
bool rm_log_allow(rm_log_limit *l, unsigned long long *dropped);

/* Log at ERR and abort(). Only for broken invariants and start-up
 * failures, never on peer input. */
void rm_fatal(const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* ------------------------------------------------------------------ */
/* Buffers                                                            */
/* ------------------------------------------------------------------ */

/*
 * Growable byte buffer. Zero-initialise (RM_BUF_INIT) before first use;
 * rm_buf_fini frees. On any failed append the buffer keeps its previous
 * contents and length (it is never left half-written) and the call
 * returns RM_ENOMEM or RM_ETOOBIG.
 * `limit` (0 = none) bounds len in bytes.
 */
typedef struct rm_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t limit;
} rm_buf;

#define RM_BUF_INIT { NULL, 0, 0, 0 }

int rm_buf_reserve(rm_buf *b, size_t extra);
int rm_buf_append(rm_buf *b, const void *p, size_t n);
int rm_buf_append_byte(rm_buf *b, uint8_t c);
int rm_buf_printf(rm_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append n zero bytes and NUL-terminate as C string without counting it. */
int rm_buf_cstr(rm_buf *b);
void rm_buf_reset(rm_buf *b);   /* len = 0, keeps memory */
void rm_buf_fini(rm_buf *b);    /* frees memory, zeroes the struct */
/* Transfer the bytes to the caller (free() them); the buffer is emptied. */
uint8_t *rm_buf_steal(rm_buf *b, size_t *len);

/* Read a whole regular file (at most max_bytes) into out (appended);
 * a FIFO, device or directory is refused at once (never waited on).
 * Errors: RM_EIO (with errno text, or "not a regular file", in why),
 * RM_ETOOBIG. */
int rm_file_read(const char *path, size_t max_bytes, rm_buf *out, rm_why *why);
/* Write atomically: path.tmp, fsync, rename, fsync dir. mode as for open(2).
 * Errors: RM_EIO. */
int rm_file_write_atomic(const char *path, const void *p, size_t n,
    unsigned mode, rm_why *why);

/* ------------------------------------------------------------------ */
/* Time                                                               */
/* ------------------------------------------------------------------ */

/* Wall-clock UTC time in milliseconds since the Unix epoch. */
typedef int64_t rm_utc_ms;
/* Monotonic time in milliseconds, for deadlines and intervals only. */
typedef int64_t rm_mono_ms;

rm_utc_ms rm_utc_now_ms(void);
rm_mono_ms rm_mono_now_ms(void);
/* Format as RFC 3339 "2026-08-15T06:00:00.000Z" (24 chars + NUL). */
void rm_utc_format(rm_utc_ms t, char out[32]);
/* Parse RFC 3339 with a mandatory offset ("Z" or "+08:00"), optional
 * fraction. Errors: RM_EBADVALUE. */
int rm_utc_parse(const char *s, rm_utc_ms *out);

/* ------------------------------------------------------------------ */
/* Hex and hashes                                                     */
/* ------------------------------------------------------------------ */

#define RM_HASH_BYTES 32
typedef struct rm_hash {
	uint8_t b[RM_HASH_BYTES];
} rm_hash;

/* Value 0..15 of one hex digit (either case), -1 if c is not one.
 * Shared by hex and percent (RFC 3986 §2.1) decoders. */
int rm_hex_digit(int c);
/* Lower-case hex; out must hold 2*n+1 bytes. */
void rm_hex_encode(const void *p, size_t n, char *out);
/* Decode exactly 2*n hex digits into n bytes. Errors: RM_EMALFORMED. */
int rm_hex_decode(const char *s, void *out, size_t n);
/* Record hash as 64 hex chars + NUL. */
void rm_hash_hex(const rm_hash *h, char out[65]);
int rm_hash_parse(const char *s, rm_hash *out);

/* ------------------------------------------------------------------ */
/* UTF-8 and identifiers                                              */
/* ------------------------------------------------------------------ */

/* True iff p[0..n) is well-formed UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF) without NUL bytes. */
bool rm_utf8_valid(const char *p, size_t n);

/* ------------------------------------------------------------------ */
/* Deterministic CBOR (RFC 8949 §4.2.1)                               */
/* ------------------------------------------------------------------ */

/*
 * Writer: appends minimal-length heads through libcbor's encoders.
 * The caller is responsible for emitting map keys in canonical order
 * (bytewise order of their encodings: shorter text keys first, then
 * lexicographic); every writer returns RM_OK or the rm_buf error.
 */
int rm_cbor_put_uint(rm_buf *b, uint64_t v);
int rm_cbor_put_int(rm_buf *b, int64_t v);
int rm_cbor_put_bytes(rm_buf *b, const void *p, size_t n);
int rm_cbor_put_text(rm_buf *b, const char *s, size_t n);
int rm_cbor_put_cstr(rm_buf *b, const char *s);
int rm_cbor_put_array(rm_buf *b, size_t n);
int rm_cbor_put_map(rm_buf *b, size_t npairs);
int rm_cbor_put_tag(rm_buf *b, uint64_t tag);
int rm_cbor_put_bool(rm_buf *b, bool v);

/*
 * Strict reader. Decodes one item head at a time with libcbor's
 * streaming decoder and rejects, with RM_ENONCANON, anything that is
 * not deterministic: non-minimal heads, indefinite lengths, floats,
 * undefined/simple values, map keys out of order or duplicated.
 * Truncation and reserved encodings give RM_EMALFORMED; exceeding
 * max_depth gives RM_ETOOBIG. Pointers returned for text and byte
 * strings point into the input and live as long as the input.
 */
typedef enum rm_cbor_type {
	RM_CBOR_UINT, RM_CBOR_NEGINT, RM_CBOR_BYTES, RM_CBOR_TEXT,
	RM_CBOR_ARRAY, RM_CBOR_MAP, RM_CBOR_TAG, RM_CBOR_BOOL,
	RM_CBOR_NULL, RM_CBOR_OTHER, RM_CBOR_END
} rm_cbor_type;

typedef struct rm_cbor_rd {
	const uint8_t *p;
	size_t n;
	size_t off;
	unsigned depth;     /* current container nesting, maintained by caller */
	unsigned max_depth;
} rm_cbor_rd;

/* Human name of an item type for "expected X, got Y" diagnostics
 * ("text string", "map", "end of input"); never NULL. */
const char *rm_cbor_type_name(rm_cbor_type t);

void rm_cbor_rd_init(rm_cbor_rd *rd, const void *p, size_t n);
/* Type of the next item without consuming it; RM_CBOR_END at the end. */
rm_cbor_type rm_cbor_rd_peek(const rm_cbor_rd *rd);
int rm_cbor_rd_uint(rm_cbor_rd *rd, uint64_t *out);
/* Accepts major types 0 and 1 within int64_t range; else RM_EBADVALUE. */
int rm_cbor_rd_int(rm_cbor_rd *rd, int64_t *out);
int rm_cbor_rd_bytes(rm_cbor_rd *rd, const uint8_t **p, size_t *n);
/* Text must also be valid UTF-8 without NUL, else RM_EBADVALUE. */
int rm_cbor_rd_text(rm_cbor_rd *rd, const char **p, size_t *n);
int rm_cbor_rd_array(rm_cbor_rd *rd, size_t *n);
int rm_cbor_rd_map(rm_cbor_rd *rd, size_t *npairs);
int rm_cbor_rd_tag(rm_cbor_rd *rd, uint64_t *tag);
/* Skip one complete item (any depth), still enforcing canonical rules. */
int rm_cbor_rd_skip(rm_cbor_rd *rd);
/* RM_OK if all input was consumed, RM_EMALFORMED ("trailing bytes") else. */
int rm_cbor_rd_end(const rm_cbor_rd *rd);

/*
 * Map key order check. Initialise with rm_cbor_keys_init per map;
 * rm_cbor_rd_key reads the next text key and returns RM_ENONCANON if its
 * encoding does not sort strictly after the previous key's encoding in
 * bytewise lexicographic order (RFC 8949 §4.2.1), which also rejects
 * duplicates. A key of the wrong type gives RM_EBADVALUE.
 */
typedef struct rm_cbor_keys {
	const uint8_t *prev;   /* encoded span of the previous key */
	size_t prev_len;
} rm_cbor_keys;

void rm_cbor_keys_init(rm_cbor_keys *k);
int rm_cbor_rd_key(rm_cbor_rd *rd, rm_cbor_keys *k, const char **key,
    size_t *len);
/* Same for maps with integer keys (COSE headers, RFC 9052 §3). */
int rm_cbor_rd_ikey(rm_cbor_rd *rd, rm_cbor_keys *k, int64_t *key);

/* Helper: compare text key with a C string literal. */
bool rm_cbor_key_is(const char *key, size_t len, const char *lit);

/* ---------------- CSV (RFC 4180) ---------------- */

/*
 * A strict reader of RFC 4180 CSV as spreadsheet programs save it:
 * UTF-8 with or without a byte order mark, CRLF or LF line ends, fields
 * quoted with '"' that may hold commas, doubled quotes and line breaks.
 * Blank lines are skipped. The input is borrowed for the reader's life.
 */
#define RM_CSV_FIELDS_MAX 64

typedef struct rm_csv {
	const char *p;
	size_t n, off;
	size_t line;                /* 1-based line of the next byte */
} rm_csv;

void rm_csv_init(rm_csv *c, const char *p, size_t n);
/*
 * The next record: its fields, unescaped and NUL-terminated, in
 * scratch (reset first), fields[0..*nfields) pointing into it until the
 * next call; *line is the line it starts on. Returns RM_OK,
 * RM_ENOTFOUND at the end of the input, or (the reader stops being
 * usable) RM_EMALFORMED (an unclosed quote, text after a closing quote,
 * a quote or a lone CR inside an unquoted field), RM_EBADVALUE (a field
 * that is not UTF-8), RM_ETOOBIG (more than max, or RM_CSV_FIELDS_MAX,
 * fields), RM_ENOMEM; why names the line.
 */
int rm_csv_next(rm_csv *c, rm_buf *scratch, const char **fields, size_t max,
    size_t *nfields, size_t *line, rm_why *why);

/*
 * Writing RFC 4180 CSV for spreadsheet programs (RFC 4180 §2): fields
 * separated by ',', records ended by CRLF, a field quoted with '"' (its
 * quotes doubled) iff it holds a comma, a quote, CR or LF, or starts or
 * ends with a space. A file meant to be opened by a spreadsheet program
 * begins with the UTF-8 byte order mark (rm_csv_bom) so that Chinese
 * text is read as UTF-8. Fields are bytes: the caller hands UTF-8.
 * Formula injection (OWASP "CSV Injection"): a field that starts with
 * = + @ TAB or CR, or with '-' when it is not a plain number ("-0.5"
 * and "-1e3" stay numbers, "-2+3" does not), is written with a leading
 * apostrophe, so that a spreadsheet program shows it as text and never
 * runs it; so is a field that starts with apostrophes before such a
 * start (one more), which keeps the reader's inverse exact.
 * Each function appends to b and returns RM_OK, RM_ENOMEM or
 * RM_ETOOBIG (b's limit); on error b keeps what it had before the call.
 */
int rm_csv_bom(rm_buf *b);
/* One field of n bytes; a ',' before it unless first. */
int rm_csv_field(rm_buf *b, bool first, const char *p, size_t n);
/* A whole record of nf NUL-terminated fields (NULL = empty), then CRLF. */
int rm_csv_row(rm_buf *b, const char *const *fields, size_t nf);

#endif /* RM_COMMON_H */
