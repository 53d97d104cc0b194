/*
 * risk_gen.c -- N signed risk records of one agency, for
 * scripts/bench-risks (a benchmark tool, never run by ctest):
 *
 *   bench_risk_gen KEY.pem ORIGIN N OUTPREFIX FROM_MS
 *
 * Signs N versions 1 of risk objects "b000001".. as ORIGIN with the
 * agency key KEY.pem (its log: seq 1..N, each prev the hash of the one
 * before), spread over the districts and streets of Tianjin (120000),
 * every grade, status, category, responsible unit and review dates over
 * three years, issued evenly from FROM_MS (Unix ms: at or after the
 * key's validity) to now; writes them as
 * CBOR sequences (RFC 8742) of at most 256 KiB each to OUTPREFIX.000,
 * OUTPREFIX.001, ... (pieces for POST /v1/records, which stores each
 * record before the next: the script posts many pieces at once, so
 * that their records share the store's group commits), and prints
 * the number of pieces and the signing rate.
 *
 *   bench_risk_gen KEY.pem ORIGIN N - FROM_MS STORE_DIR
 *
 * instead stores the same records straight into the node store at
 * STORE_DIR (store_put, group commit; the node must not be running),
 * without the HTTP path's checks: a fast way to give a node a million
 * records for scripts/bench-coldjoin, which measures the node that
 * joins it, not this one. Prints the rate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#include "crypto/crypto.h"
#include "federation/trust/trust.h"
#include "node/store/store.h"
#include "schemas/schemas.h"

#define PIECE_MAX (256 * 1024)  /* POST /v1/records takes 1 MiB */

static const char *const districts[] = { "120101", "120102", "120103",
	"120104", "120105", "120106", "120110", "120111", "120112", "120113",
	"120114", "120115", "120116", "120117", "120118", "120119" };
#define ND (sizeof(districts) / sizeof(districts[0]))
static const char *const depts[] = { "120000.emergency", "120000.water",
	"120000.gas", "120000.housing" };
static const struct {
	enum rm_risk_category cat;
	enum rm_risk_subcategory sub;
} kinds[] = {
	{ RM_RISK_NATURAL, RM_RISK_FLOOD },
	{ RM_RISK_NATURAL, RM_RISK_RAINSTORM_WATERLOGGING },
	{ RM_RISK_NATURAL, RM_RISK_TYPHOON },
	{ RM_RISK_ACCIDENT, RM_RISK_GAS },
	{ RM_RISK_ACCIDENT, RM_RISK_FIRE },
	{ RM_RISK_ACCIDENT, RM_RISK_BUILDING },
	{ RM_RISK_PUBLIC_HEALTH, RM_RISK_INFECTIOUS_DISEASE },
	{ RM_RISK_SOCIAL_SECURITY, RM_RISK_CROWD },
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Straight into a store: at most INFLIGHT records queued at once. */
#define INFLIGHT 4096
static struct {
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	long queued, done, failed;
} sq = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0 };

static void
stored(void *arg, int err, const struct store_put_result *res)
{
	(void)arg;
	(void)res;
	pthread_mutex_lock(&sq.mtx);
	sq.done++;
	sq.failed += err != RM_OK;
	pthread_cond_broadcast(&sq.cv);
	pthread_mutex_unlock(&sq.mtx);
}

/* Wait until at most `left` records are queued and not yet stored. */
static void
store_drain(long left)
{
	pthread_mutex_lock(&sq.mtx);
	while (sq.queued - sq.done > left)
		pthread_cond_wait(&sq.cv, &sq.mtx);
	pthread_mutex_unlock(&sq.mtx);
}

static int
store_one(store *st, const rm_buf *one, const rm_hash *h)
{
	store_drain(INFLIGHT);
	pthread_mutex_lock(&sq.mtx);
	sq.queued++;
	pthread_mutex_unlock(&sq.mtx);
	if (store_put(st, one->data, one->len, h, NULL, stored, NULL) !=
	    RM_OK) {
		fprintf(stderr, "store_put failed\n");
		return -1;
	}
	return 0;
}

static int
flush_piece(rm_buf *b, const char *prefix, unsigned *pieces)
{
	char path[512];
	FILE *f;

	if (b->len == 0)
		return 0;
	snprintf(path, sizeof(path), "%s.%04u", prefix, (*pieces)++);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	rm_buf_reset(b);
	return 0;
}

int
main(int argc, char **argv)
{
	static char name[] = "基准风险点 bench risk";
	static char loc[] = "某街道某路段";
	rm_buf piece = RM_BUF_INIT, one = RM_BUF_INIT;
	crypto_signer *sg;
	store *st = NULL;
	unsigned pieces = 0;
	rm_hash prev;
	rm_utc_ms t0, span;
	rm_why why;
	double ts;
	long n;

	if ((argc != 6 && argc != 7) || (n = atol(argv[3])) <= 0) {
		fprintf(stderr, "usage: bench_risk_gen KEY.pem ORIGIN N "
		    "OUTPREFIX FROM_MS\n"
		    "       bench_risk_gen KEY.pem ORIGIN N - FROM_MS "
		    "STORE_DIR\n");
		return 2;
	}
	if (argc == 7) {
		struct store_opts so = { .dir = argv[6],
		    .map_size_bytes = 4ULL << 30 };

		if (store_open(&so, &st, &why) != RM_OK) {
			fprintf(stderr, "%s: %s\n", argv[6], why.msg);
			return 1;
		}
	}
	if (crypto_signer_open_pem(argv[1], &sg, &why) != RM_OK) {
		fprintf(stderr, "%s: %s\n", argv[1], why.msg);
		return 1;
	}
	t0 = (rm_utc_ms)atoll(argv[5]);
	span = rm_utc_now_ms() - t0;
	ts = now_s();
	for (long i = 1; i <= n; i++) {
		struct rm_record r;
		struct rm_risk k;
		/* independent attributes: bits of a multiplicative hash */
		uint32_t x = (uint32_t)i * 2654435761u;
		long d = (long)(x >> 4) % (long)ND, day = (long)(x >> 8) % 1095;
		struct tm tm;
		time_t rt = (time_t)(1735689600 + day * 86400); /* 2025-01-01 */

		memset(&r, 0, sizeof(r));
		memset(&k, 0, sizeof(k));
		r.schema_version = RM_SCHEMA_VERSION;
		r.kind = &rm_kind_risk;
		r.body = &k;
		snprintf(r.origin, sizeof(r.origin), "%s", argv[2]);
		snprintf(r.object_id, sizeof(r.object_id), "b%06ld", i);
		r.ver = 1;
		r.seq = (uint64_t)i;
		r.has_prev = i > 1;
		r.prev = prev;
		r.issued_ms = t0 + span * i / n;
		r.n_areas = 1;
		if ((x >> 28) % 4 == 0)  /* a street of the district */
			snprintf(r.areas[0], sizeof(r.areas[0]), "%s%03ld",
			    districts[d], 1 + (long)(x >> 2) % 20);
		else
			snprintf(r.areas[0], sizeof(r.areas[0]), "%s",
			    districts[d]);
		snprintf(k.id, sizeof(k.id), "%s", r.object_id);
		k.name = name;
		k.location = loc;
		k.category = kinds[(x >> 12) % 8].cat;
		k.subcategory = kinds[(x >> 12) % 8].sub;
		k.grade = (rm_grade)(1 + (x >> 16) % 4);
		k.status = (x >> 20) % 5 < 3 ? RM_RISK_IDENTIFIED :
		    RM_RISK_CONTROLLED;
		if ((x >> 24) % 2 == 0)
			snprintf(k.responsible, sizeof(k.responsible), "%s.gov",
			    districts[d]);
		else
			snprintf(k.responsible, sizeof(k.responsible), "%s",
			    depts[(x >> 26) % 4]);
		gmtime_r(&rt, &tm);
		strftime(k.review, sizeof(k.review), "%Y-%m-%d", &tm);
		rm_buf_reset(&one);
		if (fed_record_seal(sg, &r, &one, &prev, &why) != RM_OK) {
			fprintf(stderr, "seal %ld: %s\n", i, why.msg);
			return 1;
		}
		if (st != NULL) {
			if (store_one(st, &one, &prev) != 0)
				return 1;
			continue;
		}
		if (piece.len + one.len > PIECE_MAX &&
		    flush_piece(&piece, argv[4], &pieces) != 0)
			return 1;
		if (rm_buf_append(&piece, one.data, one.len) != RM_OK)
			return 1;
	}
	if (st != NULL) {
		store_drain(0);
		store_close(st);
		if (sq.failed != 0) {
			fprintf(stderr, "%ld records not stored\n", sq.failed);
			return 1;
		}
		ts = now_s() - ts;
		printf("%ld records signed and stored in %.2f s (%.0f/s)\n",
		    n, ts, (double)n / ts);
		return 0;
	}
	if (flush_piece(&piece, argv[4], &pieces) != 0)
		return 1;
	ts = now_s() - ts;
	printf("%u pieces, %ld records signed and encoded in %.2f s "
	    "(%.0f/s)\n", pieces, n, ts, (double)n / ts);
	rm_buf_fini(&piece);
	rm_buf_fini(&one);
	crypto_signer_free(sg);
	return 0;
}
