/*
 * ack_seal.c -- test helper for tests/integration/task_*.sh: seal one
 * ack record with an agency key, as any agency can, so a test can hand
 * a validly signed ack of a non-assignee to POST /v1/records.
 *
 *   rm_test_seal_ack KEY.pem ORIGIN AREA TASK_ORIGIN TASK_ID STATE OUT
 *
 * The record is seq 1, ver 1 of ORIGIN's log, issued now; a "done" ack
 * gets a note. Prints the record hash. Exit 0 on success, 1 on failure.
 */
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "crypto/crypto.h"
#include "federation/trust/trust.h"
#include "schemas/schemas.h"

int
main(int argc, char **argv)
{
	struct rm_record rec;
	struct rm_ack ack;
	crypto_signer *k = NULL;
	rm_buf out = RM_BUF_INIT;
	rm_hash h;
	rm_why why;
	char hex[65];
	int rv = 1;

	if (argc != 8) {
		fprintf(stderr, "usage: rm_test_seal_ack KEY ORIGIN AREA "
		    "TASK_ORIGIN TASK_ID STATE OUT\n");
		return 2;
	}
	if (crypto_signer_open_pem(argv[1], &k, &why) != RM_OK) {
		fprintf(stderr, "%s\n", why.msg);
		return 1;
	}
	memset(&rec, 0, sizeof(rec));
	memset(&ack, 0, sizeof(ack));
	rec.schema_version = RM_SCHEMA_VERSION;
	rec.kind = &rm_kind_ack;
	rec.body = &ack;
	snprintf(rec.origin, sizeof(rec.origin), "%s", argv[2]);
	rec.ver = rec.seq = 1;
	rec.issued_ms = rm_utc_now_ms();
	rec.n_areas = 1;
	snprintf(rec.areas[0], sizeof(rec.areas[0]), "%s", argv[3]);
	snprintf(ack.task.origin, sizeof(ack.task.origin), "%s", argv[4]);
	snprintf(ack.task.oid, sizeof(ack.task.oid), "%s", argv[5]);
	if (ack_state_parse(argv[6], &ack.state) != RM_OK ||
	    ack_object_id(&ack.task, rec.object_id) != RM_OK) {
		fprintf(stderr, "bad state or task\n");
		goto out;
	}
	ack.note = ack.state == RM_ACK_DONE ? "已办结 (not an assignee)" : NULL;
	ack.reason = ack.state == RM_ACK_REFUSED ? "not ours" : NULL;
	if (fed_record_seal(k, &rec, &out, &h, &why) != RM_OK) {
		fprintf(stderr, "seal: %s\n", why.msg);
		goto out;
	}
	if (rm_file_write_atomic(argv[7], out.data, out.len, 0644,
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
