/*
 * devices.h -- registered devices (DTLS-PSK identities), their delivery
 * receipts and the reach of an alert (docs/COAP.md "Devices").
 *
 * A device is an identity (the PSK identity it sends in the DTLS
 * handshake, RFC 4279 §2), an area code (where it is installed) and a
 * pre-shared key. The registry lives in DIR/devices, rewritten
 * atomically (rm_file_write_atomic: temp file, fsync, rename, fsync of
 * the directory) with mode 0600 on every change; the keys never leave
 * this module except through devices_psk() (the CoAP server's PSK
 * callback) and the one answer of devices_add() that generated a key.
 *
 * Receipts and first-broadcast times go to DIR/receipts.log, an
 * append-only text log (mode 0600) replayed by devices_open(), so they
 * survive a restart: each line is written with one write(2) before the
 * receipt is acknowledged (a daemon crash loses nothing; a power loss
 * may lose the lines not yet synced, which devices_close() fsyncs). A
 * torn last line is cut off at open.
 *
 * Thread rules: every function is thread-safe (one mutex per registry);
 * none blocks on anything but the mutex and a write(2) to the log.
 * Nothing here logs (lower layer); the daemon logs what the counters
 * and errors say.
 */
#ifndef RM_NODE_DEVICES_H
#define RM_NODE_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "schemas/schemas.h"

#define DEVICE_ID_MAX        64      /* identity bytes */
#define DEVICE_PSK_MIN       16      /* key bytes */
#define DEVICE_PSK_MAX       64
#define DEVICE_PSK_GEN_BYTES 32      /* random bytes of a generated key,
                                        printed as 64 hex digits */
#define DEVICES_MAX          100000  /* registered devices */
#define DEVICE_RECEIPTS_MAX  1000000 /* receipts kept */
#define DEVICE_ALERTS_MAX    65536   /* alerts (and versions) with a
                                        first-broadcast time */
#define DEVICE_DISTRICT_LEN  6       /* district = first 6 digits */
#define DEVICES_FILE         "devices"
#define DEVICE_RECEIPTS_FILE "receipts.log"

/* Content formats of a receipt (RFC 7252 §12.3). */
#define DEVICE_CF_TEXT 0   /* text/plain;charset=utf-8: 64 hex digits */
#define DEVICE_CF_CBOR 60  /* application/cbor: {"hash": bstr 32} */

/* The identity rule in words, for errors and help. */
#define DEVICE_ID_RULE "1..64 characters of A-Z a-z 0-9 . _ -, not " \
	"starting with . or -"
#define DEVICE_PSK_RULE "16..64 printable ASCII characters (0x21-0x7e)"

typedef struct devices devices;

/* One registered device as listed (never its key). */
struct device_info {
	char id[DEVICE_ID_MAX + 1];
	char area[RM_AREA_CODE_MAX + 1];
	rm_utc_ms added_ms;
	uint64_t receipts;         /* receipts accepted from it */
};

/* Why a receipt was refused (counters, docs/COAP.md). */
enum device_refusal {
	DEVICE_REF_PLAIN,          /* not over DTLS: 4.01 */
	DEVICE_REF_IDENTITY,       /* identity not (or no longer)
	                              registered: 4.01 */
	DEVICE_REF_FORMAT,         /* content format not 0 or 60: 4.15 */
	DEVICE_REF_MALFORMED,      /* payload not a receipt: 4.00 */
	DEVICE_REF_NOT_HELD,       /* no alert with that hash here: 4.04 */
	DEVICE_REF_FULL,           /* DEVICE_RECEIPTS_MAX reached, or out
	                              of memory: 5.03 */
	DEVICE_REF_IO,             /* the receipts log cannot be written or
	                              synced (disk full, I/O error): 5.03 */
	DEVICE_REF_COUNT
};

/* Counter name of a refusal ("plain", "identity", "format",
 * "malformed", "not_held", "full"). */
const char *device_refusal_name(enum device_refusal r);

struct devices_stats {
	uint64_t devices;          /* registered now */
	uint64_t receipts;         /* receipts kept (all alerts) */
	uint64_t accepted;         /* receipts accepted since start */
	uint64_t duplicate;        /* receipts for a (device, alert) already
	                              counted: acknowledged, not counted */
	uint64_t refused[DEVICE_REF_COUNT];
	uint64_t log_skipped;      /* malformed log lines skipped at open */
};

/* True iff s[0..n) follows DEVICE_ID_RULE. */
bool device_id_valid(const char *s, size_t n);
/* True iff p[0..n) follows DEVICE_PSK_RULE. */
bool device_psk_valid(const uint8_t *p, size_t n);

/*
 * Open the registry and the receipt log in directory dir (created by
 * the store before; files are created when missing, mode 0600).
 * Errors: RM_EIO (unreadable file, with the path), RM_EMALFORMED ("DIR/
 * devices:LINE: why": a registry line that does not parse), RM_ENOMEM.
 * On error *out is untouched.
 */
int devices_open(const char *dir, devices **out, rm_why *why);
/* fsync the log, wipe the keys (crypto_wipe), free. NULL is fine. */
void devices_close(devices *d);

/*
 * Register a device. psk NULL: a key of DEVICE_PSK_GEN_BYTES random
 * bytes (crypto_random) printed as 64 lower-case hex digits is made,
 * and those 64 characters are the key (a device types them as its
 * key, e.g. coap-client -k). The key (given or made) is written to
 * psk_out (NUL-terminated, at least DEVICE_PSK_MAX + 1 bytes) when
 * psk_out is non-NULL. The registry file is rewritten before return.
 * Errors (field in why): RM_EBADVALUE ("id": DEVICE_ID_RULE; "area":
 * not a GB/T 2260 code; "psk": DEVICE_PSK_RULE), RM_EEXIST ("id":
 * already registered), RM_ETOOBIG (DEVICES_MAX), RM_ECRYPTO (no
 * randomness), RM_EIO (file not written: nothing changed).
 */
int devices_add(devices *d, const char *id, const char *area,
    const uint8_t *psk, size_t psk_len, char *psk_out, rm_why *why);

/* Unregister: later handshakes with the identity fail; its receipts
 * stay counted. Errors: RM_ENOTFOUND ("id"), RM_EIO (nothing changed). */
int devices_remove(devices *d, const char *id, rm_why *why);

/* Snapshot of the registry, sorted by id (free() *out). RM_ENOMEM. */
int devices_list(devices *d, struct device_info **out, size_t *n);

/*
 * The key of identity id[0..n) into key (DEVICE_PSK_MAX bytes), its
 * length in *key_len. False when the identity is not registered (the
 * handshake must fail). For the CoAP server's PSK callback.
 */
bool devices_psk(devices *d, const uint8_t *id, size_t n, uint8_t *key,
    size_t *key_len);

/*
 * Decode a receipt payload: cf DEVICE_CF_TEXT, exactly 64 hex digits
 * (either case) optionally followed by one "\n" (or "\r\n");
 * DEVICE_CF_CBOR, exactly one deterministic CBOR map {"hash": bstr of
 * 32 bytes} and nothing after it. Pure; no counters.
 * Errors: RM_EUNSUPPORTED (another cf), RM_EMALFORMED / RM_ENONCANON /
 * RM_EMISSING / RM_EUNKNOWN / RM_EBADVALUE (why says what).
 */
int devices_receipt_decode(unsigned cf, const uint8_t *p, size_t n,
    rm_hash *out, rm_why *why);

/* What the node holds for a record hash (devices_held_fn). */
struct device_alert {
	char origin[RM_AGENCY_ID_MAX + 1];
	char oid[RM_OBJECT_ID_MAX + 1];
	rm_utc_ms issued_ms;       /* used when no broadcast was recorded */
};
/* RM_OK and *out filled when the hash is a (public) alert record held
 * here; RM_ENOTFOUND otherwise; other errors are passed on. */
typedef int (*devices_held_fn)(void *arg, const rm_hash *h,
    struct device_alert *out);

/*
 * A receipt POSTed by a device. identity NULL: the request did not come
 * over DTLS. Checks, in order: DTLS (DEVICE_REF_PLAIN), the identity
 * registered (DEVICE_REF_IDENTITY), the payload (FORMAT, MALFORMED),
 * the alert held (held(): NOT_HELD), room (FULL). A receipt for a
 * (device, alert object) already counted is a duplicate: RM_OK with
 * *dup true, nothing recorded. Otherwise the receipt is recorded with
 * the device's area at that time and its delivery time: now minus the
 * first broadcast of that record hash on this node (devices_broadcast,
 * or issued_ms when none was recorded), at least 0. Every outcome is
 * counted. On refusal *ref says why.
 * Errors: RM_EUNAUTH (PLAIN, IDENTITY), RM_EUNSUPPORTED (FORMAT), the
 * decoder's (MALFORMED), RM_ENOTFOUND (NOT_HELD), RM_EBUSY (FULL).
 */
int devices_receipt(devices *d, const uint8_t *identity, size_t id_len,
    unsigned cf, const uint8_t *p, size_t n, devices_held_fn held,
    void *arg, rm_utc_ms now, bool *dup, enum device_refusal *ref,
    rm_why *why);

/* Record hash h broadcast at `now` unless a time is recorded already
 * (the first broadcast wins; at most DEVICE_ALERTS_MAX are kept, later
 * ones fall back to the issue time). */
void devices_broadcast(devices *d, const rm_hash *h, rm_utc_ms now);

/* One district (or the totals) of a reach. */
struct device_reach_row {
	char district[RM_AREA_CODE_MAX + 1]; /* 6 digits; "" for totals */
	uint64_t registered;       /* devices registered now whose area
	                              overlaps the alert's */
	uint64_t receipts;         /* devices that confirmed it */
	int64_t p50_ms, p99_ms;    /* delivery time, nearest rank; -1 when
	                              no receipt */
};

struct device_reach {
	size_t n;                  /* districts, ascending code */
	struct device_reach_row total;
	struct device_reach_row rows[];
};

/*
 * Reach of alert object (origin, oid) whose areas are areas[0..n_areas):
 * one row per district (a device's area cut to its first 6 digits)
 * that has a registered device overlapping the areas or a receipt for
 * the alert, and the totals. *out: free(). RM_ENOMEM.
 */
int devices_reach(devices *d, const char *origin, const char *oid,
    const char *const *areas, size_t n_areas, struct device_reach **out);

void devices_get_stats(devices *d, struct devices_stats *out);

#endif /* RM_NODE_DEVICES_H */
