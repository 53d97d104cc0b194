/*
 * coap_restore.c -- observers that outlive a restart of the node.
 *
 * libcoap 4.3.1 keeps observations in memory only and has no call to
 * re-create one (coap_persist_*() came with 4.3.2), and a device that
 * observed before a restart is not told: coap-client 4.3.1 does not
 * even re-register when Max-Age runs out. So the server keeps its own
 * list of plain-UDP observations in a file (alertcoap_opts.observers_file:
 * written at most once a second while it changes, and at a clean stop),
 * and after a restart notifies the observers it read back itself, on
 * libcoap's socket (coap_peek.c found it), with the token they
 * registered with (RFC 7641 §4.2: a notification matches by token and
 * endpoint):
 *
 *  - once at start (the set may have changed while the node was down),
 *    then on every change of their resource, in the round libcoap's
 *    observers are notified in (so "the next alert" reaches them as fast
 *    as it reaches the others);
 *  - NON, Observe 2^22 + n (n counting up per notification): above any
 *    value the node's libcoap sent before the restart unless it sent 4
 *    million notifications on one resource, and less than 2^23 ahead, so
 *    fresh by RFC 7641 §3.4 for a device that checks the order;
 *  - the first block only (Block2 0/1/1024, Size2) when the body does
 *    not fit one datagram: the device fetches the rest from the resource
 *    as for any notification (coap_peek.c answers it with Observe too).
 *
 * A restored observer ends when the device registers again (same
 * endpoint and token: libcoap has it now), answers a notification with
 * an RST (it forgot the token: RFC 7641 §3.6), or after
 * SRV_RESTORED_TTL_S without a registration. DTLS sessions cannot be
 * taken over by another process; devices on coaps:// re-register when
 * their session is re-established.
 *
 * File format, one observer a line (text, so an operator can read it):
 *   udp ADDRESS PORT TOKEN-HEX|- all|AREA-CODE CONTENT-FORMAT SINCE-S
 * Lines that do not parse are skipped and counted in the log line that
 * reports the restore.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "node/coap/coap_int.h"

#define RESTORE_SAVE_GAP_MS 1000     /* at most one write a second */
#define RESTORE_LINE_MAX    256
#define RESTORE_OBSERVE_BASE (1u << 22)
/* Most bytes read back: room for SRV_RESTORED_MAX full lines and as
 * many skipped ones (the file we write is far smaller). */
#define RESTORE_FILE_MAX ((off_t)2 * SRV_RESTORED_MAX * RESTORE_LINE_MAX)

static rm_utc_ms
now_s(void)
{
	return (rm_utc_ms)time(NULL);
}

void
csrv_restore_dirty(struct alertcoap *c)
{
	if (c->observers_file != NULL && !c->closing)
		c->obs_dirty = true;
}

static void
restored_del_at(struct alertcoap *c, size_t i)
{
	c->restored[i] = c->restored[--c->n_restored];
	atomic_store(&c->st_restored, c->n_restored);
	csrv_restore_dirty(c);
}

/* One line for the observer at (sa, token) on resource all/area. */
static int
line_of(char *out, size_t len, const struct sockaddr *sa, const uint8_t *tok,
    size_t tok_len, bool all, const char *area, unsigned cf, uint64_t since)
{
	char ip[INET6_ADDRSTRLEN], th[2 * SRV_TOKEN_MAX + 1] = "-";
	unsigned port;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)sa;
		inet_ntop(AF_INET, &x->sin_addr, ip, sizeof(ip));
		port = ntohs(x->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)sa;
		inet_ntop(AF_INET6, &x->sin6_addr, ip, sizeof(ip));
		port = ntohs(x->sin6_port);
	} else {
		return -1;
	}
	if (tok_len > 0)
		rm_hex_encode(tok, tok_len, th);
	return snprintf(out, len, "udp %s %u %s %s %u %" PRIu64 "\n", ip, port,
	    th, all ? "all" : area, cf, since);
}

int
csrv_restore_save(struct alertcoap *c)
{
	rm_buf b = RM_BUF_INIT;
	char line[RESTORE_LINE_MAX];
	unsigned long long held = 0;
	rm_why why;
	int rv = RM_OK, k;

	if (c->observers_file == NULL)
		return RM_OK;
	c->obs_dirty = false;
	c->obs_saved_ms = rm_mono_now_ms();
	rv = rm_buf_append(&b, "# riskmesh CoAP observers (docs/COAP.md)\n",
	    41);
	for (size_t i = 0; rv == RM_OK && i < c->n_obs; i++) {
		const struct srv_obs *o = &c->obs[i];
		const coap_address_t *a = coap_session_get_addr_remote(o->s);
		const struct srv_res *u = coap_resource_get_userdata(o->r);

		if (a == NULL || u == NULL ||
		    coap_session_get_proto(o->s) != COAP_PROTO_UDP)
			continue;
		if ((k = line_of(line, sizeof(line), &a->addr.sa, o->tok,
		    o->tok_len, u->all, u->area, o->cf, (uint64_t)now_s())) > 0)
			rv = rm_buf_append(&b, line, (size_t)k);
	}
	for (size_t i = 0; rv == RM_OK && i < c->n_restored; i++) {
		const struct srv_restored *o = &c->restored[i];
		if ((k = line_of(line, sizeof(line),
		    (const struct sockaddr *)&o->to, o->tok, o->tok_len, o->all,
		    o->area, o->cf, o->since_s)) > 0)
			rv = rm_buf_append(&b, line, (size_t)k);
	}
	if (rv == RM_OK)
		rv = rm_file_write_atomic(c->observers_file, b.data, b.len,
		    0600, &why);
	if (rv != RM_OK && rm_log_allow(&c->lib_log, &held))
		rm_log(RM_LOG_WARN, SRV_TAG, "cannot save the observers to %s: "
		    "%s", c->observers_file, rv == RM_ENOMEM ? "out of memory" :
		    why.msg);
	rm_buf_fini(&b);
	return rv;
}

int
csrv_restore_wait_ms(const struct alertcoap *c)
{
	rm_mono_ms due;

	if (!c->obs_dirty)
		return -1;
	due = c->obs_saved_ms + RESTORE_SAVE_GAP_MS - rm_mono_now_ms();
	return due <= 0 ? 0 : (int)due;
}

void
csrv_restore_tick(struct alertcoap *c)
{
	if (csrv_restore_wait_ms(c) == 0)
		(void)csrv_restore_save(c);
}

/* Parse one line; true when it names a valid observer. */
static bool
parse_line(char *line, struct srv_restored *o)
{
	char ip[INET6_ADDRSTRLEN + 1], th[2 * SRV_TOKEN_MAX + 2], res[16];
	unsigned port, cf;
	uint64_t since;
	size_t tl;

	memset(o, 0, sizeof(*o));
	if (sscanf(line, "udp %46s %u %17s %15s %u %" SCNu64, ip, &port, th,
	    res, &cf, &since) != 6 || port == 0 || port > 65535 ||
	    !alertcoap_cf_supported(cf))
		return false;
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 *x = (void *)&o->to;
		if (inet_pton(AF_INET6, ip, &x->sin6_addr) != 1)
			return false;
		x->sin6_family = AF_INET6;
		x->sin6_port = htons((uint16_t)port);
		o->tolen = sizeof(*x);
	} else {
		struct sockaddr_in *x = (void *)&o->to;
		if (inet_pton(AF_INET, ip, &x->sin_addr) != 1)
			return false;
		x->sin_family = AF_INET;
		x->sin_port = htons((uint16_t)port);
		o->tolen = sizeof(*x);
	}
	if (strcmp(th, "-") != 0) {
		tl = strlen(th);
		if (tl % 2 != 0 || tl / 2 > SRV_TOKEN_MAX ||
		    rm_hex_decode(th, o->tok, tl / 2) != RM_OK)
			return false;
		o->tok_len = tl / 2;
	}
	if (strcmp(res, "all") == 0)
		o->all = true;
	else if (strlen(res) < sizeof(o->area) && area_code_valid(res))
		memcpy(o->area, res, strlen(res) + 1);
	else
		return false;
	o->cf = cf;
	o->since_s = since;
	return true;
}

/* The observers file for reading, or NULL: only a regular file (not a
 * symlink, FIFO or device, which could block the start or never end),
 * opened without blocking; anything else is logged and ignored, and
 * replaced by the next save (rm_file_write_atomic renames over it). */
static FILE *
open_observers(struct alertcoap *c)
{
	struct stat st;
	FILE *f;
	int fd;

	if (c->observers_file == NULL)
		return NULL;
	fd = open(c->observers_file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			rm_log(RM_LOG_WARN, SRV_TAG, "observers file %s not read:"
			    " %s", c->observers_file, errno == ELOOP ?
			    "a symbolic link" : strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rm_log(RM_LOG_WARN, SRV_TAG, "observers file %s not read: not "
		    "a regular file", c->observers_file);
		close(fd);
		return NULL;
	}
	if (st.st_size > RESTORE_FILE_MAX)
		rm_log(RM_LOG_WARN, SRV_TAG, "observers file %s: %lld bytes, "
		    "only the first %lld read", c->observers_file,
		    (long long)st.st_size, (long long)RESTORE_FILE_MAX);
	if ((f = fdopen(fd, "r")) == NULL)
		close(fd);
	return f;
}

void
csrv_restore_load(struct alertcoap *c)
{
	char line[RESTORE_LINE_MAX];
	size_t bad = 0, old = 0;
	uint64_t now = (uint64_t)now_s();
	FILE *f;

	if ((f = open_observers(c)) == NULL)
		return;
	while (ftello(f) < RESTORE_FILE_MAX &&
	    fgets(line, sizeof(line), f) != NULL) {
		struct srv_restored o, *p;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		/* a "since" in the future would never expire (and could wrap) */
		if (!parse_line(line, &o) || o.since_s > now + 3600) {
			bad++;
			continue;
		}
		if (o.since_s + SRV_RESTORED_TTL_S < now) {
			old++;
			continue;
		}
		if (c->n_restored == SRV_RESTORED_MAX) {
			bad++;
			continue;
		}
		if (c->n_restored == c->cap_restored) {
			size_t cap = c->cap_restored ? 2 * c->cap_restored : 16;
			if ((p = realloc(c->restored, cap * sizeof(*p))) == NULL)
				break;
			c->restored = p;
			c->cap_restored = cap;
		}
		c->restored[c->n_restored++] = o;
	}
	fclose(f);
	atomic_store(&c->st_restored, c->n_restored);
	if (c->n_restored > 0 || bad > 0 || old > 0)
		rm_log(RM_LOG_NOTICE, SRV_TAG, "%zu observers restored from %s "
		    "(notified until they register again), %zu older than "
		    "%d h dropped, %zu lines not valid", c->n_restored,
		    c->observers_file, old, SRV_RESTORED_TTL_S / 3600, bad);
}

/* A notification of the current set to one restored observer. */
static void
notify_one(struct alertcoap *c, struct srv_restored *o, coap_resource_t *r,
    uint32_t seq)
{
	uint8_t out[1280], v[8];
	rm_buf b = RM_BUF_INIT;
	unsigned last = 0;
	size_t n = 0, take;
	rm_why why;
	bool more;

	if (csrv_body(c, r, o->all ? NULL : o->area, o->cf, &b, &why) !=
	    RM_OK) {
		rm_buf_fini(&b);
		return;
	}
	take = b.len > 1024 ? 1024 : b.len;
	more = take < b.len;
	out[n++] = (uint8_t)(1 << 6 | COAP_MESSAGE_NON << 4 | o->tok_len);
	out[n++] = 0x45;        /* 2.05 */
	o->mid = ++c->own_mid;
	out[n++] = (uint8_t)(o->mid >> 8);
	out[n++] = (uint8_t)o->mid;
	memcpy(out + n, o->tok, o->tok_len);
	n += o->tok_len;
	n += csrv_opt(out + n, &last, COAP_OPTION_ETAG, v,
	    coap_encode_var_safe8(v, sizeof(v), csrv_etag(b.data, b.len)));
	n += csrv_opt(out + n, &last, COAP_OPTION_OBSERVE, v,
	    csrv_uint(v, RESTORE_OBSERVE_BASE + (seq & 0x3fffff)));
	if (o->cf != 0)     /* libcoap leaves out text/plain too */
		n += csrv_opt(out + n, &last, COAP_OPTION_CONTENT_FORMAT, v,
		    csrv_uint(v, o->cf));
	n += csrv_opt(out + n, &last, COAP_OPTION_MAXAGE, v,
	    csrv_uint(v, (uint64_t)c->max_age_s));
	if (more) {
		n += csrv_opt(out + n, &last, COAP_OPTION_BLOCK2, v,
		    csrv_uint(v, 8u | 6u));     /* 0/1/1024 */
		n += csrv_opt(out + n, &last, COAP_OPTION_SIZE2, v,
		    csrv_uint(v, b.len));
	}
	if (take > 0) {
		out[n++] = 0xff;
		memcpy(out + n, b.data, take);
		n += take;
	}
	rm_buf_fini(&b);
	if (sendto(c->udp_fd, out, n, 0, (const struct sockaddr *)&o->to,
	    o->tolen) < 0)
		rm_log(RM_LOG_DEBUG, SRV_TAG, "restored observer: %s",
		    strerror(errno));
	else
		atomic_fetch_add(&c->st_restored_sent, 1);
}

void
csrv_restore_notify(struct alertcoap *c, const srv_code *changed, size_t n,
    bool every)
{
	uint64_t now = (uint64_t)now_s();

	if (c->n_restored == 0 || c->udp_fd < 0)
		return;
	c->restored_seq++;
	for (size_t i = c->n_restored; i-- > 0;) {
		struct srv_restored *o = &c->restored[i];
		coap_resource_t *r;
		bool hit = every || o->all;

		if (o->since_s + SRV_RESTORED_TTL_S < now) {
			restored_del_at(c, i);
			continue;
		}
		for (size_t j = 0; !hit && j < n; j++)
			hit = area_overlaps(o->area, changed[j]);
		if (!hit)
			continue;
		r = o->all ? c->all : csrv_served(c, o->area) ?
		    csrv_area_get(c, o->area, false) : NULL;
		if (r != NULL)
			notify_one(c, o, r, c->restored_seq);
	}
}

void
csrv_restore_registered(struct alertcoap *c, coap_session_t *s,
    coap_bin_const_t t)
{
	const coap_address_t *a;

	if (c->n_restored == 0 || (a = coap_session_get_addr_remote(s)) == NULL)
		return;
	for (size_t i = c->n_restored; i-- > 0;) {
		struct srv_restored *o = &c->restored[i];
		if (csrv_sa_eq((const struct sockaddr *)&o->to, &a->addr.sa) &&
		    o->tok_len == t.length &&
		    (t.length == 0 || memcmp(o->tok, t.s, t.length) == 0))
			restored_del_at(c, i);
	}
}

void
csrv_restore_rst(struct alertcoap *c, const coap_address_t *from,
    coap_mid_t mid)
{
	for (size_t i = c->n_restored; i-- > 0;) {
		struct srv_restored *o = &c->restored[i];
		if (o->mid == (uint16_t)mid &&
		    csrv_sa_eq((const struct sockaddr *)&o->to, &from->addr.sa)) {
			restored_del_at(c, i);
			return;
		}
	}
}
