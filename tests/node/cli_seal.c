/*
 * cli_seal.c -- test helper for tests/node/cli: seal one alert record
 * with an agency key, so `riskmesh verify` can be tested without a
 * running daemon.
 *
 *   rm_test_seal KEY.pem ORIGIN AREA GRADE OUT.cose [SEQ [ISSUED_MS]]
 *
 * SEQ (default 1; above 1 the prev hash is zeros) and ISSUED_MS (default
 * now) make records a key should no longer be good for (a backdated
 * record, one past a revocation's last seq).
 * Prints the record hash. Exit 0 on success, 1 on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "crypto/crypto.h"
#include "federation/trust/trust.h"
#include "schemas/schemas.h"

int
main(int argc, char **argv)
{
	struct rm_record rec;
	struct rm_alert alert;
	struct rm_alert_text text;
	crypto_signer *k = NULL;
	rm_buf out = RM_BUF_INIT;
	rm_hash h;
	rm_why why;
	char hex[65];
	rm_grade grade;
	int rv = 1;

	if (argc < 6 || argc > 8) {
		fprintf(stderr, "usage: rm_test_seal KEY ORIGIN AREA GRADE "
		    "OUT [SEQ [ISSUED_MS]]\n");
		return 2;
	}
	if (crypto_signer_open_pem(argv[1], &k, &why) != RM_OK) {
		fprintf(stderr, "%s\n", why.msg);
		return 1;
	}
	if (grade_parse(argv[4], &grade) != RM_OK) {
		fprintf(stderr, "bad grade %s\n", argv[4]);
		goto out;
	}
	memset(&rec, 0, sizeof(rec));
	memset(&alert, 0, sizeof(alert));
	memset(&text, 0, sizeof(text));
	rec.schema_version = RM_SCHEMA_VERSION;
	rec.kind = &rm_kind_alert;
	rec.body = &alert;
	snprintf(rec.origin, sizeof(rec.origin), "%s", argv[2]);
	snprintf(rec.object_id, sizeof(rec.object_id), "%s-test-001",
	    argv[2]);
	rec.ver = 1;
	rec.seq = argc > 6 ? strtoull(argv[6], NULL, 10) : 1;
	rec.has_prev = rec.seq > 1;
	rec.issued_ms = argc > 7 ? strtoll(argv[7], NULL, 10) :
	    rm_utc_now_ms();
	rec.n_areas = 1;
	snprintf(rec.areas[0], sizeof(rec.areas[0]), "%s", argv[3]);
	record_alert(&rec)->identifier = rec.object_id;
	record_alert(&rec)->status = RM_STATUS_ACTUAL;
	record_alert(&rec)->msg_type = RM_MSGTYPE_ALERT;
	record_alert(&rec)->categories = RM_CAT_MET;
	record_alert(&rec)->urgency = RM_URGENCY_IMMEDIATE;
	record_alert(&rec)->severity = grade_cap_severity(grade);
	record_alert(&rec)->certainty = RM_CERTAINTY_LIKELY;
	record_alert(&rec)->grade = grade;
	record_alert(&rec)->effective_ms = rec.issued_ms;
	text.lang = "zh-CN";
	text.event = "大风";
	text.headline = "测试大风预警";
	record_alert(&rec)->n_texts = 1;
	record_alert(&rec)->texts = &text;
	if (fed_record_seal(k, &rec, &out, &h, &why) != RM_OK) {
		fprintf(stderr, "seal: %s\n", why.msg);
		goto out;
	}
	if (rm_file_write_atomic(argv[5], out.data, out.len, 0644,
	    &why) != RM_OK) {
		fprintf(stderr, "%s\n", why.msg);
		goto out;
	}
	rm_hash_hex(&h, hex);
	printf("%s\n", hex);
	rv = 0;
out:
	rm_buf_fini(&out);
	crypto_signer_free(k);
	return rv;
}
