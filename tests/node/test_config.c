/*
 * test_config.c -- node.conf parsing, checking and printing, plus the
 * golden tests: every tests/node/config/NAME.in is loaded and the result
 * (the rm_why message, or the effective config as config_write prints
 * it) must equal NAME.ok, with the config directory shown as @DIR@.
 * Set RM_GOLDEN_UPDATE=1 to (re)write the .ok files.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/config/config.h"
#include "node/config/config_int.h"
#include "rm_test.h"

#ifndef RM_CONFIG_GOLDEN
#define RM_CONFIG_GOLDEN "../tests/node/config"
#endif

static char tmpdir[256];

static void
tmp_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rm_test_config.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
}

static void
tmp_teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* Write text to tmpdir/name, return the path (static buffer). */
static const char *
tmp_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	return path;
}

#define MINIMAL                                         \
	"agency = 120116.gov\n"                         \
	"data_dir = data\n"                             \
	"key = /k/agency.key\n"                         \
	"ca = /k/ca.crt\n"                              \
	"roster = /k/roster.cose\n"                     \
	"tls_cert = /k/tls.crt\n"                       \
	"tls_key = /k/tls.key\n"                        \
	"http_token = 0123456789abcdef\n"

static void
test_defaults(void)
{
	struct node_config c;

	config_defaults(&c);
	CU_ASSERT_STRING_EQUAL(c.http_listen, "127.0.0.1:8080");
	CU_ASSERT_STRING_EQUAL(c.coap_listen, "127.0.0.1:5683");
	CU_ASSERT_EQUAL(c.log_level, RM_LOG_INFO);
	CU_ASSERT_EQUAL(c.map_size_mb, 64);
	CU_ASSERT_EQUAL(c.group_max, 1024);
	CU_ASSERT_EQUAL(c.coap_max_age_s, 60);
	CU_ASSERT_EQUAL(c.sync_interval_ms, 30000);
	CU_ASSERT_EQUAL(c.reconnect_max_ms, 5000);
	CU_ASSERT_EQUAL(c.verify_threads, 0);
	CU_ASSERT_FALSE(c.insecure);
	CU_ASSERT_EQUAL(c.n_peers, 0);
	CU_ASSERT_STRING_EQUAL(c.agency, "");
}

static void
test_load_minimal(void)
{
	struct node_config c;
	rm_why why;
	char want[600];
	const char *p;

	tmp_setup();
	p = tmp_file("node.conf", MINIMAL
	    "peer = 120000.command dial tls+tcp://127.0.0.1:7101\n"
	    "peer = 120103.gov listen tls+tcp://127.0.0.1:7103\n");
	CU_ASSERT_EQUAL_FATAL(config_load(p, &c, &why), RM_OK);
	CU_ASSERT_STRING_EQUAL(c.agency, "120116.gov");
	snprintf(want, sizeof(want), "%s/data", tmpdir);
	CU_ASSERT_STRING_EQUAL(c.data_dir, want);   /* relative resolved */
	CU_ASSERT_STRING_EQUAL(c.key_file, "/k/agency.key");
	CU_ASSERT_STRING_EQUAL(c.http_token, "0123456789abcdef");
	CU_ASSERT_EQUAL_FATAL(c.n_peers, 2);
	CU_ASSERT_STRING_EQUAL(c.peers[0].agency, "120000.command");
	CU_ASSERT_FALSE(c.peers[0].listen);
	CU_ASSERT_STRING_EQUAL(c.peers[0].url, "tls+tcp://127.0.0.1:7101");
	CU_ASSERT_TRUE(c.peers[1].listen);
	tmp_teardown();
}

/* A relative config path resolves against cwd + its directory. */
static void
test_relative_config_path(void)
{
	struct node_config c;
	char cwd[512], want[700];
	rm_why why;

	tmp_setup();
	CU_ASSERT_FATAL(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(want, sizeof(want), "%s/sub", tmpdir);
	CU_ASSERT_EQUAL_FATAL(mkdir(want, 0700), 0);
	tmp_file("sub/node.conf", MINIMAL);
	CU_ASSERT_EQUAL_FATAL(chdir(tmpdir), 0);
	CU_ASSERT_EQUAL(config_load("./sub/node.conf", &c, &why), RM_OK);
	snprintf(want, sizeof(want), "%s/sub/data", tmpdir);
	CU_ASSERT_STRING_EQUAL(c.data_dir, want);
	CU_ASSERT_EQUAL(config_load("sub/node.conf", &c, &why), RM_OK);
	CU_ASSERT_STRING_EQUAL(c.data_dir, want);
	CU_ASSERT_EQUAL_FATAL(chdir(cwd), 0);
	tmp_teardown();
}

static void
test_unreadable(void)
{
	struct node_config c;
	rm_why why;

	memset(&c, 0x5a, sizeof(c));
	CU_ASSERT_EQUAL(config_load("/nonexistent/node.conf", &c, &why),
	    RM_EIO);
	CU_ASSERT_STRING_EQUAL(why.msg,
	    "/nonexistent/node.conf: No such file or directory");
	CU_ASSERT_EQUAL(c.agency[0], 0x5a);   /* untouched on error */
}

static void
test_check(void)
{
	struct node_config c;
	rm_why why;

	config_defaults(&c);
	CU_ASSERT_EQUAL(config_check(&c, &why), RM_ECONFIG);
	CU_ASSERT_STRING_EQUAL(why.msg, "agency: required key missing");
	strcpy(c.agency, "120116.gov");
	strcpy(c.data_dir, "/d");
	strcpy(c.key_file, "/k");
	strcpy(c.ca_file, "/c");
	strcpy(c.roster_file, "/r");
	strcpy(c.tls_cert_file, "/t");
	CU_ASSERT_EQUAL(config_check(&c, &why), RM_ECONFIG);
	CU_ASSERT_STRING_EQUAL(why.msg, "tls_key: required key missing");
	strcpy(c.tls_key_file, "/t");
	strcpy(c.http_token, "0123456789abcde");
	CU_ASSERT_EQUAL(config_check(&c, &why), RM_ECONFIG);
	CU_ASSERT_STRING_EQUAL(why.msg,
	    "http_token: too short (15 characters, at least 16)");
	strcpy(c.http_token, "0123456789abcdef");
	CU_ASSERT_EQUAL(config_check(&c, &why), RM_OK);

	c.n_peers = 1;
	strcpy(c.peers[0].agency, "120000.command");
	strcpy(c.peers[0].url, "tcp://127.0.0.1:1");
	CU_ASSERT_EQUAL(config_check(&c, &why), RM_ECONFIG);
	CU_ASSERT_STRING_EQUAL(why.msg, "peer: 120000.command: tcp:// "
	    "without TLS needs insecure = yes");
	c.insecure = true;
	CU_ASSERT_EQUAL(config_check(&c, &why), RM_OK);
	c.peers[1] = c.peers[0];
	c.n_peers = 2;
	CU_ASSERT_EQUAL(config_check(&c, &why), RM_ECONFIG);
	CU_ASSERT_STRING_EQUAL(why.msg, "peer: duplicate peer 120000.command");
}

/* config_write output loads back to the same struct. */
static void
test_write_roundtrip(void)
{
	struct node_config a, b;
	rm_why why;
	char path[512];
	FILE *f;

	tmp_setup();
	CU_ASSERT_EQUAL_FATAL(config_load(tmp_file("a.conf", MINIMAL
	    "insecure = yes\nmap_size_mb = 128\nlog_level = warn\n"
	    "peer = 120000.command dial tcp://127.0.0.1:7101\n"),
	    &a, &why), RM_OK);
	snprintf(path, sizeof(path), "%s/b.conf", tmpdir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(path, "w"));
	CU_ASSERT_EQUAL(config_write(&a, f, true, true), RM_OK);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(config_load(path, &b, &why), RM_OK);
	CU_ASSERT_STRING_EQUAL(a.data_dir, b.data_dir);
	CU_ASSERT_STRING_EQUAL(b.http_token, "0123456789abcdef");
	CU_ASSERT_STRING_EQUAL(a.http_listen, b.http_listen);
	CU_ASSERT_EQUAL(a.n_peers, b.n_peers);
	CU_ASSERT_EQUAL(b.map_size_mb, 128);
	CU_ASSERT_EQUAL(b.log_level, RM_LOG_WARN);
	CU_ASSERT_TRUE(b.insecure);
	CU_ASSERT_STRING_EQUAL(b.peers[0].url, "tcp://127.0.0.1:7101");

	/* without secrets the token is hidden, so the file does not load */
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(path, "w"));
	CU_ASSERT_EQUAL(config_write(&a, f, false, false), RM_OK);
	fclose(f);
	CU_ASSERT_EQUAL(config_load(path, &b, &why), RM_ECONFIG);
	CU_ASSERT(strstr(why.msg, "http_token: required key missing") != NULL);
	tmp_teardown();
}

static void
test_set(void)
{
	struct node_config c;
	rm_why why;

	config_defaults(&c);
	CU_ASSERT_EQUAL(config_set(&c, "group_max", "7", NULL, &why), RM_OK);
	CU_ASSERT_EQUAL(c.group_max, 7);
	CU_ASSERT_EQUAL(config_set(&c, "data_dir", "d", "/base", &why), RM_OK);
	CU_ASSERT_STRING_EQUAL(c.data_dir, "/base/d");
	CU_ASSERT_EQUAL(config_set(&c, "peer", "120000.command dial "
	    "tls+tcp://127.0.0.1:9", NULL, &why), RM_OK);
	CU_ASSERT_EQUAL(c.n_peers, 1);
	CU_ASSERT_EQUAL(config_set(&c, "coap_listen", "off", NULL, &why),
	    RM_OK);
	CU_ASSERT_STRING_EQUAL(c.coap_listen, "off");
	CU_ASSERT_EQUAL(config_set(&c, "http_listen", "off", NULL, &why),
	    RM_ECONFIG);
	CU_ASSERT_STRING_EQUAL(why.msg, "http_listen: \"off\" is not "
	    "HOST:PORT with port 1..65535");
	CU_ASSERT_STRING_EQUAL(c.http_listen, "127.0.0.1:8080");
	CU_ASSERT_EQUAL(config_set(&c, "nope", "1", NULL, &why), RM_ECONFIG);
	CU_ASSERT_STRING_EQUAL(why.msg, "nope: unknown key");
	CU_ASSERT_EQUAL(config_set(&c, "insecure", "", NULL, &why),
	    RM_ECONFIG);
	CU_ASSERT_STRING_EQUAL(why.msg, "insecure: empty value");
	CU_ASSERT_EQUAL(config_set(&c, "map_size_mb", "18446744073709551616",
	    NULL, &why), RM_ECONFIG);
	CU_ASSERT_STRING_EQUAL(why.msg,
	    "map_size_mb: bad number \"18446744073709551616\"");
	CU_ASSERT_EQUAL(c.map_size_mb, 64);
}

/* More peers than CONFIG_PEERS_MAX are refused at the line that
 * overflows. */
static void
test_too_many_peers(void)
{
	struct node_config c;
	rm_buf text = RM_BUF_INIT;
	rm_why why;

	tmp_setup();
	rm_buf_printf(&text, "%s", MINIMAL);
	for (int i = 0; i <= CONFIG_PEERS_MAX; i++)
		rm_buf_printf(&text, "peer = 1201%02d.gov dial tls+tcp://h:%d\n",
		    i, 1000 + i);
	rm_buf_cstr(&text);
	CU_ASSERT_EQUAL(config_load(tmp_file("many.conf",
	    (const char *)text.data), &c, &why), RM_ECONFIG);
	CU_ASSERT(strstr(why.msg, "many.conf:73: peer: too many peers "
	    "(at most 64)") != NULL);
	rm_buf_fini(&text);
	tmp_teardown();
}

/* A line over 4096 bytes is refused, not silently split. */
static void
test_long_line(void)
{
	struct node_config c;
	char *text = malloc(6000);
	rm_why why;

	tmp_setup();
	snprintf(text, 6000, "%sdata_dir = /", MINIMAL);
	memset(text + strlen(text), 'a', 5000);
	text[5900] = '\0';
	CU_ASSERT_EQUAL(config_load(tmp_file("long.conf", text), &c, &why),
	    RM_ECONFIG);
	CU_ASSERT(strstr(why.msg, "long.conf:9: line too long") != NULL);
	free(text);
	tmp_teardown();
}

/* '#' starts a comment only at the start of a line or after whitespace. */
static void
test_comment_rule(void)
{
	struct node_config c;
	rm_why why;
	char line[64];

	strcpy(line, "a#b # c");
	CU_ASSERT_PTR_EQUAL(cfg_comment_start(line), line + 4);
	strcpy(line, "#x");
	CU_ASSERT_PTR_EQUAL(cfg_comment_start(line), line);
	strcpy(line, "a\t#b");
	CU_ASSERT_PTR_EQUAL(cfg_comment_start(line), line + 2);
	strcpy(line, "a#b#c");
	CU_ASSERT_PTR_NULL(cfg_comment_start(line));

	tmp_setup();
	CU_ASSERT_EQUAL_FATAL(config_load(tmp_file("h.conf",
	    "  # indented comment line\n"
	    "agency = 120116.gov\n"
	    "data_dir = /srv/a#b/c\n"
	    "key = /k/agency.key#1\t# tab comment\n"
	    "ca = /k/ca.crt\n"
	    "roster = /k/roster.cose\n"
	    "tls_cert = /k/tls.crt\n"
	    "tls_key = /k/tls.key\n"
	    "http_token = abcdefghijklmnopq#rs # the token\n"
	    "#peer = 120000.command dial tls+tcp://127.0.0.1:7101\n"),
	    &c, &why), RM_OK);
	CU_ASSERT_STRING_EQUAL(c.http_token, "abcdefghijklmnopq#rs");
	CU_ASSERT_STRING_EQUAL(c.data_dir, "/srv/a#b/c");
	CU_ASSERT_STRING_EQUAL(c.key_file, "/k/agency.key#1");
	CU_ASSERT_EQUAL(c.n_peers, 0);

	/* "key = #x": the '#' follows whitespace, so the value is empty */
	CU_ASSERT_EQUAL(config_load(tmp_file("e.conf", MINIMAL
	    "log_level = #debug\n"), &c, &why), RM_ECONFIG);
	CU_ASSERT(strstr(why.msg, "e.conf:9: log_level: empty value") != NULL);
	tmp_teardown();
}

/* config_set refuses what node.conf cannot carry; *c stays unchanged. */
static void
test_set_uncarriable(void)
{
	static const struct {
		const char *key, *val, *why;
	} bad[] = {
		{ "data_dir", "/a #b", "data_dir: value contains whitespace "
		  "followed by '#' (node.conf reads a comment from there)" },
		{ "data_dir", "/a\t#b", "data_dir: value contains whitespace "
		  "followed by '#' (node.conf reads a comment from there)" },
		{ "data_dir", "/a ", "data_dir: value starts or ends with "
		  "whitespace (node.conf trims it)" },
		{ "key", " /a", "key: value starts or ends with whitespace "
		  "(node.conf trims it)" },
		{ "ca", "/a\nb", "ca: value contains a line break" },
		{ "ca", "/a\rb", "ca: value contains a line break" },
		{ "data_dir", "#a", "data_dir: value starts with '#' "
		  "(node.conf reads it as a comment)" },
		{ "http_token", "#abcdefghijklmnop", "http_token: value starts "
		  "with '#' (node.conf reads it as a comment)" },
		{ "peer", "120000.command dial tls+tcp://h:1 #x", "peer: value "
		  "contains whitespace followed by '#' (node.conf reads a "
		  "comment from there)" },
	};
	struct node_config c, before;
	rm_why why;

	config_defaults(&c);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		before = c;
		CU_ASSERT_EQUAL(config_set(&c, bad[i].key, bad[i].val, NULL,
		    &why), RM_ECONFIG);
		CU_ASSERT_STRING_EQUAL(why.msg, bad[i].why);
		CU_ASSERT_EQUAL(memcmp(&before, &c, sizeof(c)), 0);
	}
	/* a relative path joined to a base dir the file cannot carry */
	CU_ASSERT_EQUAL(config_set(&c, "data_dir", "d", "/x #y", &why),
	    RM_ECONFIG);
	CU_ASSERT_STRING_EQUAL(why.msg, "data_dir: base directory: value "
	    "contains whitespace followed by '#' (node.conf reads a comment "
	    "from there)");
	CU_ASSERT_EQUAL(config_set(&c, "data_dir", "/abs", "/x #y", &why),
	    RM_OK);
	/* '#' not after whitespace is an ordinary character */
	CU_ASSERT_EQUAL(config_set(&c, "data_dir", "/a#b", NULL, &why), RM_OK);
	CU_ASSERT_STRING_EQUAL(c.data_dir, "/a#b");
	CU_ASSERT_EQUAL(config_set(&c, "data_dir", "/a b#", NULL, &why),
	    RM_OK);
}

/* The token rule (CONFIG_TOKEN_RULE) is checked by config_set. */
static void
test_token_rule(void)
{
	struct node_config c;
	rm_why why;
	char t[CONFIG_TOKEN_MAX + 2];

	config_defaults(&c);
	CU_ASSERT_EQUAL(config_set(&c, "http_token", "0123456789abcde", NULL,
	    &why), RM_ECONFIG);
	CU_ASSERT_STRING_EQUAL(why.msg,
	    "http_token: too short (15 characters, at least 16)");
	memset(t, 'a', CONFIG_TOKEN_MAX + 1);
	t[CONFIG_TOKEN_MAX + 1] = '\0';
	CU_ASSERT_EQUAL(config_set(&c, "http_token", t, NULL, &why),
	    RM_ECONFIG);
	CU_ASSERT_STRING_EQUAL(why.msg,
	    "http_token: too long (129 characters, at most 128)");
	t[CONFIG_TOKEN_MAX] = '\0';
	CU_ASSERT_EQUAL(config_set(&c, "http_token", t, NULL, &why), RM_OK);
	CU_ASSERT_EQUAL(strlen(c.http_token), CONFIG_TOKEN_MAX);
	CU_ASSERT_EQUAL(config_set(&c, "http_token", "0123456789 abcdef",
	    NULL, &why), RM_ECONFIG);
	CU_ASSERT_STRING_EQUAL(why.msg, "http_token: character 11 is not "
	    "printable ASCII or is a space (16..128 printable ASCII "
	    "characters, no spaces, not starting with '#')");
	CU_ASSERT_EQUAL(config_set(&c, "http_token", "0123456789\x7f" "abcdef",
	    NULL, &why), RM_ECONFIG);
	CU_ASSERT_STRING_EQUAL(c.http_token, t);   /* unchanged */
	CU_ASSERT_STRING_EQUAL(CONFIG_TOKEN_RULE, "16..128 printable ASCII "
	    "characters, no spaces, not starting with '#'");
}

/* Every field of a and b is equal. */
static void
assert_same_config(const struct node_config *a, const struct node_config *b)
{
	CU_ASSERT_STRING_EQUAL(a->agency, b->agency);
	CU_ASSERT_STRING_EQUAL(a->data_dir, b->data_dir);
	CU_ASSERT_STRING_EQUAL(a->key_file, b->key_file);
	CU_ASSERT_STRING_EQUAL(a->ca_file, b->ca_file);
	CU_ASSERT_STRING_EQUAL(a->roster_file, b->roster_file);
	CU_ASSERT_STRING_EQUAL(a->tls_cert_file, b->tls_cert_file);
	CU_ASSERT_STRING_EQUAL(a->tls_key_file, b->tls_key_file);
	CU_ASSERT_STRING_EQUAL(a->http_listen, b->http_listen);
	CU_ASSERT_STRING_EQUAL(a->http_token, b->http_token);
	CU_ASSERT_STRING_EQUAL(a->coap_listen, b->coap_listen);
	CU_ASSERT_EQUAL(a->insecure, b->insecure);
	CU_ASSERT_EQUAL(a->log_level, b->log_level);
	CU_ASSERT_EQUAL(a->map_size_mb, b->map_size_mb);
	CU_ASSERT_EQUAL(a->group_max, b->group_max);
	CU_ASSERT_EQUAL(a->coap_max_age_s, b->coap_max_age_s);
	CU_ASSERT_EQUAL(a->sync_interval_ms, b->sync_interval_ms);
	CU_ASSERT_EQUAL(a->reconnect_max_ms, b->reconnect_max_ms);
	CU_ASSERT_EQUAL(a->verify_threads, b->verify_threads);
	CU_ASSERT_EQUAL_FATAL(a->n_peers, b->n_peers);
	for (size_t i = 0; i < a->n_peers; i++) {
		CU_ASSERT_STRING_EQUAL(a->peers[i].agency, b->peers[i].agency);
		CU_ASSERT_EQUAL(a->peers[i].listen, b->peers[i].listen);
		CU_ASSERT_STRING_EQUAL(a->peers[i].url, b->peers[i].url);
	}
}

/* Tricky values set with config_set, written with config_write (with and
 * without comments), load back with config_load as the same struct. */
static void
test_tricky_roundtrip(void)
{
	static const char *const kv[][2] = {
		{ "agency", "120116.gov" },
		{ "data_dir", "/srv/risk#mesh/data dir" },
		{ "key", "/k/a#.key" },
		{ "ca", "/k/ca.crt#" },
		{ "roster", "/k/x=y/roster.cose" },
		{ "tls_cert", "/k/tls cert.crt" },
		{ "tls_key", "/k/#/tls.key" },
		{ "http_listen", "[::1]:8443" },
		{ "http_token", "abcdefghijklmnopq#rs" },
		{ "coap_listen", "off" },
		{ "insecure", "yes" },
		{ "log_level", "notice" },
		{ "map_size_mb", "1048576" },
		{ "group_max", "1" },
		{ "coap_max_age_s", "0" },
		{ "sync_interval_ms", "100" },
		{ "reconnect_max_ms", "3600000" },
		{ "verify_threads", "64" },
		{ "peer", "120000.command listen tcp://127.0.0.1:7101" },
		{ "peer", "120103.gov dial tls+tcp://[::1]:7103" },
	};
	struct node_config a, b;
	rm_why why;
	char path[512];
	FILE *f;

	tmp_setup();
	config_defaults(&a);
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		CU_ASSERT_EQUAL_FATAL(config_set(&a, kv[i][0], kv[i][1], NULL,
		    &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(config_check(&a, &why), RM_OK);
	snprintf(path, sizeof(path), "%s/t.conf", tmpdir);
	for (int comments = 0; comments < 2; comments++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(path, "w"));
		CU_ASSERT_EQUAL(config_write(&a, f, comments, true), RM_OK);
		fclose(f);
		memset(&b, 0x5a, sizeof(b));
		CU_ASSERT_EQUAL_FATAL(config_load(path, &b, &why), RM_OK);
		assert_same_config(&a, &b);
	}
	CU_ASSERT_STRING_EQUAL(b.http_token, "abcdefghijklmnopq#rs");
	CU_ASSERT_STRING_EQUAL(b.data_dir, "/srv/risk#mesh/data dir");
	tmp_teardown();
}

/* config_write refuses a struct (filled directly) that would not load
 * back, and writes nothing. */
static void
test_write_refuses(void)
{
	struct node_config c;
	char *text = NULL;
	size_t len = 0;
	FILE *m;

	config_defaults(&c);
	strcpy(c.agency, "120116.gov");
	strcpy(c.data_dir, "/a #b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m = open_memstream(&text, &len));
	CU_ASSERT_EQUAL(config_write(&c, m, true, true), RM_ECONFIG);
	fclose(m);
	CU_ASSERT_EQUAL(len, 0);
	free(text);

	strcpy(c.data_dir, "/a");
	strcpy(c.http_token, "#secret-secret-secret");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m = open_memstream(&text, &len));
	CU_ASSERT_EQUAL(config_write(&c, m, false, true), RM_ECONFIG);
	/* hidden, so not written: nothing to carry */
	CU_ASSERT_EQUAL(config_write(&c, m, false, false), RM_OK);
	fclose(m);
	CU_ASSERT(strstr(text, "# http_token = (hidden)\n") != NULL);
	free(text);

	c.n_peers = 1;
	strcpy(c.peers[0].agency, "120000.command");
	strcpy(c.peers[0].url, "tcp://h:1\n");
	text = NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(m = open_memstream(&text, &len));
	CU_ASSERT_EQUAL(config_write(&c, m, false, false), RM_ECONFIG);
	fclose(m);
	free(text);
}

/* The commented output states the comment rule first. */
static void
test_write_syntax_header(void)
{
	struct node_config c;
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	static const char want[] = "# Syntax: key = value, one per line. A "
	    "comment starts at a '#' that begins\n# the line or follows a "
	    "space or tab; any other '#' is part of the value.\n\n# ";

	config_defaults(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m = open_memstream(&text, &len));
	CU_ASSERT_EQUAL(config_write(&c, m, true, false), RM_OK);
	fclose(m);
	CU_ASSERT(strncmp(text, want, sizeof(want) - 1) == 0);
	free(text);
}

struct describe_ctx {
	int n;
	bool saw_map, saw_token, token_rule;
};

static void
describe_one(void *arg, const char *key, const char *type, const char *dflt,
    const char *help)
{
	struct describe_ctx *d = arg;

	d->n++;
	if (strcmp(key, "map_size_mb") == 0) {
		d->saw_map = strcmp(type, "number") == 0 &&
		    strcmp(dflt, "64") == 0 && strstr(help, "MiB") != NULL;
	}
	if (strcmp(key, "http_token") == 0) {
		d->saw_token = strcmp(dflt, "required") == 0;
		d->token_rule = strstr(help, CONFIG_TOKEN_RULE) != NULL;
	}
}

static void
test_describe(void)
{
	struct describe_ctx d = { 0, false, false, false };

	config_describe(describe_one, &d);
	CU_ASSERT_EQUAL(d.n, 29);   /* + foreign, gateway */
	CU_ASSERT_TRUE(d.saw_map);
	CU_ASSERT_TRUE(d.saw_token);
	CU_ASSERT_TRUE(d.token_rule);
}

/* Replace every occurrence of dir in s by "@DIR@"; returns malloc'd. */
static char *
subst_dir(const char *s, const char *dir)
{
	size_t dl = strlen(dir);
	char *out = malloc(strlen(s) * 2 + 16), *o = out;

	while (*s) {
		if (strncmp(s, dir, dl) == 0) {
			memcpy(o, "@DIR@", 5);
			o += 5;
			s += dl;
		} else
			*o++ = *s++;
	}
	*o = '\0';
	return out;
}

static char *
read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void
test_golden(void)
{
	const char *dir = RM_CONFIG_GOLDEN;
	bool update = getenv("RM_GOLDEN_UPDATE") != NULL;
	DIR *d = opendir(dir);
	struct dirent *e;
	int ncases = 0, nok = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		char in[1024], ok[1024], *got = NULL, *want, *s;
		size_t gl = 0;
		struct node_config c;
		rm_why why;
		FILE *m;

		if (l < 4 || strcmp(e->d_name + l - 3, ".in") != 0)
			continue;
		snprintf(in, sizeof(in), "%s/%s", dir, e->d_name);
		snprintf(ok, sizeof(ok), "%s/%.*s.ok", dir, (int)(l - 3),
		    e->d_name);
		m = open_memstream(&got, &gl);
		if (config_load(in, &c, &why) == RM_OK) {
			config_write(&c, m, false, true);
			nok++;
		} else
			fprintf(m, "%s\n", why.msg);
		fclose(m);
		s = subst_dir(got, dir);
		if (update) {
			FILE *f = fopen(ok, "w");
			fputs(s, f);
			fclose(f);
		}
		want = read_all(ok);
		if (want == NULL || strcmp(want, s) != 0)
			fprintf(stderr, "\n%s: got\n%s--- want\n%s", in, s,
			    want ? want : "(missing .ok)\n");
		CU_ASSERT_PTR_NOT_NULL(want);
		if (want != NULL)
			CU_ASSERT_STRING_EQUAL(s, want);
		free(want);
		free(s);
		free(got);
		ncases++;
	}
	closedir(d);
	CU_ASSERT(ncases >= 20);
	CU_ASSERT_EQUAL(nok, 3);   /* ok_minimal, ok_full, ok_hash; the rest
				    * fail */
}

/* `foreign` and `gateway` (docs/PROTOCOL.md §12): parsed, written back
 * unchanged, and cross-checked. */
static void
test_gateways(void)
{
	struct node_config a, b;
	rm_why why;
	char path[512];
	FILE *f;
	static const struct {
		const char *lines, *needle;
	} bad[] = {
		{ "gateway = 110000.command dial tls+tcp://h:1 beijing "
		  "kinds=alert\n", "federation beijing has no foreign line" },
		{ "foreign = beijing bj.crt 110000\n"
		  "foreign = beijing bj2.crt 110000\n", "configured twice" },
		{ "foreign = beijing bj.crt 11x\n", "area codes" },
		{ "foreign = beijing bj.crt\n", "NAME ROOT_CERT" },
		{ "foreign = beijing bj.crt 110000\n"
		  "gateway = 110000.command dial tls+tcp://h:1 beijing\n",
		  "expected" },
		{ "foreign = beijing bj.crt 110000\n"
		  "gateway = 110000.command dial tcp://h:1 beijing kinds=alert\n",
		  "tcp:// without TLS" },
		{ "foreign = beijing bj.crt 110000\n"
		  "peer = 110000.command dial tls+tcp://h:2\n"
		  "gateway = 110000.command dial tls+tcp://h:1 beijing "
		  "kinds=alert\n", "also a peer" },
		{ "foreign = beijing bj.crt 110000\n"
		  "gateway = 110000.command dial tls+tcp://h:1 beijing "
		  "kinds=alert\n"
		  "gateway = 110000.command listen tls+tcp://h:3 beijing "
		  "kinds=alert\n", "duplicate gateway" },
	};

	tmp_setup();
	CU_ASSERT_EQUAL_FATAL(config_load(tmp_file("g.conf", MINIMAL
	    "foreign = beijing bj.crt 110000,120100\n"
	    "gateway = 110000.command listen tls+tcp://127.0.0.1:7301 "
	    "beijing kinds=alert,agency   areas=110000 grade=yellow\n"),
	    &a, &why), RM_OK);
	CU_ASSERT_EQUAL(a.n_foreign, 1);
	CU_ASSERT_STRING_EQUAL(a.foreign[0].name, "beijing");
	CU_ASSERT(strstr(a.foreign[0].root_file, "/bj.crt") != NULL);
	CU_ASSERT(a.foreign[0].root_file[0] == '/');     /* resolved */
	CU_ASSERT_STRING_EQUAL(a.foreign[0].areas, "110000,120100");
	CU_ASSERT_EQUAL(a.n_gateways, 1);
	CU_ASSERT_STRING_EQUAL(a.gateways[0].peer.agency, "110000.command");
	CU_ASSERT_TRUE(a.gateways[0].peer.listen);
	CU_ASSERT_STRING_EQUAL(a.gateways[0].federation, "beijing");
	/* the policy's words joined by single spaces */
	CU_ASSERT_STRING_EQUAL(a.gateways[0].policy,
	    "kinds=alert,agency areas=110000 grade=yellow");
	snprintf(path, sizeof(path), "%s/g2.conf", tmpdir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(path, "w"));
	CU_ASSERT_EQUAL(config_write(&a, f, true, true), RM_OK);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(config_load(path, &b, &why), RM_OK);
	CU_ASSERT(memcmp(&a.foreign, &b.foreign, sizeof(a.foreign)) == 0);
	CU_ASSERT(memcmp(&a.gateways, &b.gateways, sizeof(a.gateways)) == 0);
	CU_ASSERT_EQUAL(b.n_foreign, 1);
	CU_ASSERT_EQUAL(b.n_gateways, 1);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[2048];

		snprintf(text, sizeof(text), "%s%s", MINIMAL, bad[i].lines);
		CU_ASSERT_EQUAL(config_load(tmp_file("bad.conf", text), &b,
		    &why), RM_ECONFIG);
		if (strstr(why.msg, bad[i].needle) == NULL) {
			fprintf(stderr, "case %zu: \"%s\" lacks \"%s\"\n", i,
			    why.msg, bad[i].needle);
			CU_FAIL("rm_why text");
		}
	}
	tmp_teardown();
}

static CU_TestInfo config_tests[] = {
	{ "defaults", test_defaults },
	{ "load_minimal", test_load_minimal },
	{ "relative_config_path", test_relative_config_path },
	{ "unreadable", test_unreadable },
	{ "check", test_check },
	{ "write_roundtrip", test_write_roundtrip },
	{ "describe", test_describe },
	{ "set", test_set },
	{ "too_many_peers", test_too_many_peers },
	{ "long_line", test_long_line },
	{ "comment_rule", test_comment_rule },
	{ "set_uncarriable", test_set_uncarriable },
	{ "token_rule", test_token_rule },
	{ "tricky_roundtrip", test_tricky_roundtrip },
	{ "write_refuses", test_write_refuses },
	{ "write_syntax_header", test_write_syntax_header },
	{ "golden", test_golden },
	{ "gateways", test_gateways },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("node.config", config_tests);
}
