/*
 * coap_restore.c -- observers that outlive a restart of the node.
 *
 * libcoap 4.3.1 keeps observations in memory only and has no call to
 * re-create one (coap_persist_*() came with 4.3.2), and a device that
 * observed before a restart is not told: coap-client 4.3.1 does not
 * even re-register when Max-Age runs out. The server keeps its
 * plain-UDP observers itself (coap_own.c), so it saves that table to a
 * file (alertcoap_opts.observers_file: written at most once a second
 * while it changes, and at a clean stop) with the server's Observe
 * counter, and at start reads it back into the same table: the
 * observers are simply registered again, with the token they
 * registered with (RFC 7641 §4.2: a notification matches by token and
 * endpoint), and are notified at once (the set may have changed while
 * the node was down), then as any other observer. The Observe counter
 * goes on from the saved value plus OWN_OBSERVE_SLACK (rounds a kill -9
 * may have lost), so values keep growing for the devices (RFC 7641
 * §3.4); a file without it starts at 2^22, above what libcoap sent.
 *
 * A restored observer ends as any other (GET with Observe: 1, an RST,
 * a CON never acknowledged), or SRV_RESTORED_TTL_S after it was saved
 * when it has not registered again by then. DTLS sessions cannot be
 * taken over by another process; devices on coaps:// re-register when
 * their session is re-established.
 *
 * File format, one observer a line (text, so an operator can read it):
 *   udp ADDRESS PORT TOKEN-HEX|- all|AREA-CODE CONTENT-FORMAT SINCE-S
 * and one line `observe N` (the counter). Lines that do not parse are
 * skipped and counted in the log line that reports the restore.
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

#include "node/coap/coap_own_int.h"

#define RESTORE_SAVE_GAP_MS 1000     /* at most one write a second */
#define RESTORE_LINE_MAX    256
/* Most bytes read back: room for OWN_MAX full lines and as
 * many skipped ones (the file we write is far smaller). */
#define RESTORE_FILE_MAX ((off_t)2 * OWN_MAX * RESTORE_LINE_MAX)

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
	for (size_t i = 0; rv == RM_OK && c->own != NULL &&
	    i < c->own->n_slots; i++) {
		const struct own_obs *o = &c->own->v[i];
		if (o->res == NULL)
			continue;
		if ((k = line_of(line, sizeof(line), &o->to.sa, o->tok,
		    o->tok_len, o->res->all, o->res->area, o->cf,
		    o->restored ? o->since_s : (uint64_t)now_s())) > 0)
			rv = rm_buf_append(&b, line, (size_t)k);
	}
	if (rv == RM_OK && c->own != NULL &&
	    (k = snprintf(line, sizeof(line), "observe %u\n",
	    (unsigned)c->own->observe)) > 0)
		rv = rm_buf_append(&b, line, (size_t)k);
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

bool
csrv_restore_load(struct alertcoap *c)
{
	char line[RESTORE_LINE_MAX];
	size_t bad = 0, old = 0, n = 0;
	uint64_t now = (uint64_t)now_s();
	unsigned obs;
	FILE *f;

	if (c->own == NULL || (f = open_observers(c)) == NULL)
		return false;
	while (ftello(f) < RESTORE_FILE_MAX &&
	    fgets(line, sizeof(line), f) != NULL) {
		struct srv_restored o;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "observe %u", &obs) == 1) {
			c->own->observe = (obs + OWN_OBSERVE_SLACK) & 0xffffffu;
			continue;
		}
		/* a "since" in the future would never expire (and could wrap) */
		if (!parse_line(line, &o) || o.since_s > now + 3600) {
			bad++;
			continue;
		}
		if (o.since_s + SRV_RESTORED_TTL_S < now || !c->allow_plain) {
			old++;      /* expired, or plain observers not allowed */
			continue;
		}
		if (csrv_own_restore(c, &o))
			n++;
		else
			bad++;
	}
	fclose(f);
	if (n > 0 || bad > 0 || old > 0)
		rm_log(RM_LOG_NOTICE, SRV_TAG, "%zu observers restored from %s "
		    "(Observe from %u), %zu older than %d h dropped, %zu lines "
		    "not valid or over the table", n, c->observers_file,
		    (unsigned)c->own->observe, old, SRV_RESTORED_TTL_S / 3600,
		    bad);
	return n > 0;
}
