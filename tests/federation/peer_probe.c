/*
 * peer_probe.c -- rm_peer_probe: a scripted federation peer for the
 * integration tests. It completes the HELLO handshake as one agency,
 * sends records (from files, or forged ones), and prints the REFUSE
 * frames it gets back:
 *
 *   rm_peer_probe --agency ID --key agency.key --ca ca.crt --cert tls.crt
 *       --tls-key tls.key --roster roster.cose --dial URL [--peer ID]
 *       [--insecure] (--send FILE... | --forge KIND | --silent MS)
 *
 * KIND: badsig, unknown-signer, malformed, unauthorised, origin-mismatch.
 * --silent MS: after the handshake send nothing for MS ms (a peer whose
 * connection died without a close), printing any REFUSE received.
 * Output: one line "refused <ERRNAME> <reason>" per REFUSE received within
 * 3 s after sending (it stops early once every record was refused).
 * Exit 0 if the records were sent, 1 on usage or local errors, 2 if the
 * handshake failed (a REFUSE before or within 300 ms after it). The probe
 * does not reconnect.
 * --peer names the node's agency for the TLS server-name check (default:
 * the URL host). The roster is verified with the CA key (the federation
 * root key is the CA key).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/supplemental/tls/tls.h>
#include <nng/supplemental/util/platform.h>

#include "federation/peer/peer.h"

struct probe {
	const char *agency, *key, *ca, *cert, *tls_key, *roster, *agencies, *url,
	    *peer;
	const char *forge, *silent;
	const char **files;
	size_t n_files;
	bool insecure;
	crypto_signer *k;
	struct roster *r;
	nng_socket s;
};

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("rm_peer_probe: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void
usage(void)
{
	die("usage: rm_peer_probe --agency ID --key FILE --ca FILE --cert FILE "
	    "--tls-key FILE --roster FILE [--agencies FILE] --dial URL [--peer ID] [--insecure] "
	    "(--send FILE... | --forge badsig|unknown-signer|malformed|"
	    "unauthorised|origin-mismatch | --silent MS)");
}

static void
parse(struct probe *p, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;

		if (strcmp(a, "--insecure") == 0) {
			p->insecure = true;
			continue;
		}
		if (strcmp(a, "--send") == 0) {
			p->files = (const char **)&argv[i + 1];
			while (i + 1 < argc && strncmp(argv[i + 1], "--", 2))
				p->n_files++, i++;
			continue;
		}
		if (strcmp(a, "--agency") == 0) dst = &p->agency;
		else if (strcmp(a, "--key") == 0) dst = &p->key;
		else if (strcmp(a, "--ca") == 0) dst = &p->ca;
		else if (strcmp(a, "--cert") == 0) dst = &p->cert;
		else if (strcmp(a, "--tls-key") == 0) dst = &p->tls_key;
		else if (strcmp(a, "--roster") == 0) dst = &p->roster;
		else if (strcmp(a, "--agencies") == 0) dst = &p->agencies;
		else if (strcmp(a, "--dial") == 0) dst = &p->url;
		else if (strcmp(a, "--peer") == 0) dst = &p->peer;
		else if (strcmp(a, "--forge") == 0) dst = &p->forge;
		else if (strcmp(a, "--silent") == 0) dst = &p->silent;
		if (dst == NULL || i + 1 >= argc)
			usage();
		*dst = argv[++i];
	}
	if (!p->agency || !p->key || !p->ca || !p->roster || !p->url ||
	    (p->n_files > 0) + (p->forge != NULL) + (p->silent != NULL) != 1)
		usage();
}

static void
tls_setup(struct probe *p, nng_dialer d)
{
	nng_tls_config *cfg;
	rm_buf cert = RM_BUF_INIT, key = RM_BUF_INIT;
	char host[256];
	const char *h = strstr(p->url, "://");
	rm_why why;
	int rv;

	if (!p->cert || !p->tls_key)
		die("tls+tcp:// needs --cert and --tls-key");
	if (rm_file_read(p->cert, 65536, &cert, &why) || rm_buf_cstr(&cert) ||
	    rm_file_read(p->tls_key, 65536, &key, &why) || rm_buf_cstr(&key))
		die("%s", why.msg);
	snprintf(host, sizeof(host), "%s", h ? h + 3 : "");
	if (strrchr(host, ':'))
		*strrchr(host, ':') = '\0';
	if ((rv = nng_tls_config_alloc(&cfg, NNG_TLS_MODE_CLIENT)) ||
	    (rv = nng_tls_config_auth_mode(cfg, NNG_TLS_AUTH_MODE_REQUIRED)) ||
	    (rv = nng_tls_config_ca_file(cfg, p->ca)) ||
	    (rv = nng_tls_config_own_cert(cfg, (char *)cert.data,
	    (char *)key.data, NULL)) ||
	    (rv = nng_tls_config_server_name(cfg, p->peer ? p->peer : host)) ||
	    (rv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cfg)))
		die("TLS setup: %s", nng_strerror(rv));
	nng_tls_config_free(cfg);
	rm_buf_fini(&cert);
	rm_buf_fini(&key);
}

static void
send_buf(struct probe *p, rm_buf *b)
{
	int rv;

	if ((rv = nng_send(p->s, b->data, b->len, 0)) != 0)
		die("send: %s", nng_strerror(rv));
	rm_buf_reset(b);
}

/* Receive one frame within the socket timeout; false on timeout. */
static bool
recv_frame(struct probe *p, nng_msg **m, struct fed_frame *f)
{
	rm_why why;

	for (;;) {
		if (nng_recvmsg(p->s, m, 0) != 0)
			return false;
		if (fed_frame_decode(nng_msg_body(*m), nng_msg_len(*m), f,
		    &why) == RM_OK)
			return true;
		fprintf(stderr, "rm_peer_probe: bad frame: %s\n", why.msg);
		nng_msg_free(*m);
	}
}

static void
print_refuse(const struct fed_frame *f)
{
	printf("refused %s %.*s\n", rm_errname((int)f->u.refuse.code),
	    (int)f->u.refuse.reason_len, f->u.refuse.reason);
	fflush(stdout);
}

static bool
handshake(struct probe *p)
{
	uint8_t mine[FED_NONCE_BYTES], theirs[FED_NONCE_BYTES];
	uint8_t sig[CRYPTO_ES256_SIG_BYTES];
	char peer[RM_AGENCY_ID_MAX + 1] = "";
	rm_buf b = RM_BUF_INIT;
	bool got_hello = false, got_proof = false;
	struct fed_frame f;
	nng_msg *m;
	rm_why why;

	crypto_random(mine, sizeof(mine));
	fed_frame_hello(&b, p->agency, roster_version(p->r), mine);
	send_buf(p, &b);
	nng_socket_set_ms(p->s, NNG_OPT_RECVTIMEO, got_hello ? 5000 : 1000);
	while (!got_hello || !got_proof) {
		if (!recv_frame(p, &m, &f)) {
			if (!got_hello)
				return false;   /* dropped on connect: retry */
			fprintf(stderr, "rm_peer_probe: handshake timed out\n");
			exit(2);
		}
		switch (f.type) {
		case FED_HELLO:
			snprintf(peer, sizeof(peer), "%.*s",
			    (int)f.u.hello.agency_len, f.u.hello.agency);
			memcpy(theirs, f.u.hello.nonce, FED_NONCE_BYTES);
			if (roster_version(p->r) > f.u.hello.roster_version) {
				size_t n;
				const uint8_t *sr = roster_signed(p->r, &n);

				fed_frame_roster(&b, sr, n);
				send_buf(p, &b);
			}
			fed_hello_transcript(&b, theirs, mine, p->agency, peer);
			if (crypto_signer_sign(p->k, b.data, b.len, sig, &why))
				die("sign: %s", why.msg);
			rm_buf_reset(&b);
			fed_frame_proof(&b, sig);
			send_buf(p, &b);
			got_hello = true;
			nng_socket_set_ms(p->s, NNG_OPT_RECVTIMEO, 5000);
			break;
		case FED_PROOF:
			got_proof = true;
			break;
		case FED_REFUSE:
			print_refuse(&f);
			exit(2);
		default:
			break;
		}
		fed_frame_fini(&f);
		nng_msg_free(m);
	}
	/* As a peer does once the node's PROOF is in: our VECTOR (empty)
	 * tells the node we accepted it, so that its link is UP. */
	fed_frame_vector(&b, NULL, NULL, NULL, 0);
	(void)nng_send(p->s, b.data, b.len, 0);  /* refused: read below */
	rm_buf_reset(&b);
	/* The node checks our PROOF after sending its own: give it a
	 * moment to refuse before counting the handshake as done. */
	nng_socket_set_ms(p->s, NNG_OPT_RECVTIMEO, 300);
	while (recv_frame(p, &m, &f)) {
		if (f.type == FED_REFUSE) {
			print_refuse(&f);
			exit(2);
		}
		fed_frame_fini(&f);
		nng_msg_free(m);
	}
	rm_buf_fini(&b);
	return true;
}

static void
forge(struct probe *p, rm_buf *out)
{
	const struct roster_agency *a = roster_find(p->r, p->agency);
	struct rm_record r;
	struct rm_alert alert;
	struct rm_alert_text t = { .lang = "zh-CN", .event = "探测",
		.headline = "rm_peer_probe" };
	crypto_signer *signer = p->k, *fresh = NULL;
	crypto_key *fresh_key = NULL;
	char ident[RM_OBJECT_ID_MAX + 1];
	rm_why why;

	if (strcmp(p->forge, "malformed") == 0) {
		rm_buf_append(out, "\xd2\x84\x43garbage", 10);
		return;
	}
	if (a == NULL)
		die("agency %s is not in the roster", p->agency);
	memset(&r, 0, sizeof(r));
	memset(&alert, 0, sizeof(alert));
	r.schema_version = RM_SCHEMA_VERSION;
	r.kind = &rm_kind_alert;
	r.body = &alert;
	snprintf(r.origin, sizeof(r.origin), "%s", p->agency);
	r.issued_ms = rm_utc_now_ms();
	snprintf(r.object_id, sizeof(r.object_id), "probe-%lld",
	    (long long)r.issued_ms);
	r.ver = 1;
	r.seq = (uint64_t)r.issued_ms;      /* far beyond any real log */
	r.has_prev = true;
	crypto_random(r.prev.b, sizeof(r.prev.b));
	r.n_areas = 1;
	snprintf(r.areas[0], sizeof(r.areas[0]), "%s", a->areas[0]);
	snprintf(ident, sizeof(ident), "%s", r.object_id);
	record_alert(&r)->identifier = ident;
	record_alert(&r)->status = RM_STATUS_TEST;
	record_alert(&r)->msg_type = RM_MSGTYPE_ALERT;
	record_alert(&r)->categories = RM_CAT_OTHER;
	record_alert(&r)->urgency = RM_URGENCY_UNKNOWN;
	record_alert(&r)->severity = grade_cap_severity(RM_GRADE_BLUE);
	record_alert(&r)->certainty = RM_CERTAINTY_UNKNOWN;
	record_alert(&r)->grade = RM_GRADE_BLUE;
	record_alert(&r)->effective_ms = r.issued_ms;
	record_alert(&r)->n_texts = 1;
	record_alert(&r)->texts = &t;
	if (strcmp(p->forge, "unknown-signer") == 0) {
		if (crypto_key_generate(&fresh_key, &why) != RM_OK ||
		    crypto_signer_from_key(fresh_key, &fresh, &why) != RM_OK)
			die("fresh key: %s", why.msg);
		signer = fresh;
	} else if (strcmp(p->forge, "unauthorised") == 0) {
		if (a->max_grade < RM_GRADE_RED) {
			record_alert(&r)->grade = a->max_grade + 1;
			record_alert(&r)->severity = grade_cap_severity(record_alert(&r)->grade);
		} else {
			snprintf(r.areas[0], sizeof(r.areas[0]), "%s",
			    strncmp(a->areas[0], "65", 2) ? "650000" : "110000");
		}
	} else if (strcmp(p->forge, "origin-mismatch") == 0) {
		const struct roster_agency *o = roster_at(p->r, 0);

		if (o != NULL && strcmp(o->id, p->agency) == 0)
			o = roster_at(p->r, 1);
		if (o == NULL)
			die("origin-mismatch needs a second agency in the "
			    "roster");
		snprintf(r.origin, sizeof(r.origin), "%s", o->id);
	} else if (strcmp(p->forge, "badsig") != 0) {
		usage();
	}
	if (fed_record_seal(signer, &r, out, NULL, &why) != RM_OK)
		die("seal: %s", why.msg);
	if (strcmp(p->forge, "badsig") == 0)
		out->data[out->len - 7] ^= 0x01;
	crypto_signer_free(fresh);
	crypto_key_free(fresh_key);
}

/* Print each REFUSE received within ms, stopping early once `want` have
 * come; returns how many did. */
static size_t
read_refusals(struct probe *p, int ms, size_t want)
{
	rm_mono_ms deadline = rm_mono_now_ms() + ms;
	size_t refused = 0;

	nng_socket_set_ms(p->s, NNG_OPT_RECVTIMEO, 200);
	while (rm_mono_now_ms() < deadline && refused < want) {
		struct fed_frame f;
		nng_msg *m;

		if (!recv_frame(p, &m, &f))
			continue;
		if (f.type == FED_REFUSE) {
			print_refuse(&f);
			refused++;
		}
		fed_frame_fini(&f);
		nng_msg_free(m);
	}
	return refused;
}

int
main(int argc, char **argv)
{
	struct probe p;
	crypto_key *root;
	rm_buf b = RM_BUF_INIT, rec = RM_BUF_INIT;
	nng_dialer d;
	rm_why why;
	size_t sent;
	int rv;

	memset(&p, 0, sizeof(p));
	parse(&p, argc, argv);
	if (crypto_signer_open_pem(p.key, &p.k, &why) ||
	    x509_public_key(p.ca, &root, &why) ||
	    roster_load(p.roster, root, &p.r, &why))
		die("%s", why.msg);
	if (p.agencies != NULL) {     /* the roster in use: charter + records */
		struct roster *view;

		if (rm_file_read(p.agencies, 64u << 20, &rec, &why) ||
		    roster_load_records(p.r, rec.data, rec.len, NULL, NULL,
		    NULL, &view, &why))
			die("%s: %s", p.agencies, why.msg);
		roster_free(p.r);
		p.r = view;
		rm_buf_reset(&rec);
	}
	if (strncmp(p.url, "tcp://", 6) == 0 && !p.insecure)
		die("tcp:// needs --insecure");
	/* A node still closing our previous connection drops the next one
	 * (pair1 takes one peer at a time): retry a few times. */
	for (int attempt = 0;; attempt++) {
		if ((rv = nng_pair1_open(&p.s)) ||
		    (rv = nng_socket_set_size(p.s, NNG_OPT_RECVMAXSZ,
		    FED_FRAME_MAX)) ||
		    (rv = nng_socket_set_ms(p.s, NNG_OPT_SENDTIMEO, 5000)) ||
		    (rv = nng_socket_set_ms(p.s, NNG_OPT_RECONNMINT, 60000)) ||
		    (rv = nng_socket_set_ms(p.s, NNG_OPT_RECONNMAXT, 60000)) ||
		    (rv = nng_dialer_create(&d, p.s, p.url)))
			die("%s: %s", p.url, nng_strerror(rv));
		if (strncmp(p.url, "tls+", 4) == 0)
			tls_setup(&p, d);
		if ((rv = nng_dialer_start(d, 0)) != 0)
			die("dial %s: %s", p.url, nng_strerror(rv));
		if (handshake(&p))
			break;
		nng_close(p.s);
		if (attempt == 4) {
			fprintf(stderr, "rm_peer_probe: no HELLO from %s\n",
			    p.url);
			exit(2);
		}
		nng_msleep(300);
	}

	if (p.silent != NULL) {
		(void)read_refusals(&p, atoi(p.silent), 1);
		nng_close(p.s);
		roster_free(p.r);
		crypto_signer_free(p.k);
		crypto_key_free(root);
		return 0;
	}
	if (p.forge != NULL) {
		forge(&p, &rec);
		fed_frame_records_begin(&b, 1);
		fed_frame_records_add(&b, rec.data, rec.len);
	} else {
		fed_frame_records_begin(&b, p.n_files);
		for (size_t i = 0; i < p.n_files; i++) {
			rm_buf_reset(&rec);
			if (rm_file_read(p.files[i], COSE_SIGN1_MAX, &rec, &why))
				die("%s", why.msg);
			fed_frame_records_add(&b, rec.data, rec.len);
		}
	}
	send_buf(&p, &b);
	sent = p.forge != NULL ? 1 : p.n_files;

	(void)read_refusals(&p, 3000, sent);
	nng_close(p.s);
	rm_buf_fini(&b);
	rm_buf_fini(&rec);
	roster_free(p.r);
	crypto_signer_free(p.k);
	crypto_key_free(root);
	return 0;
}
