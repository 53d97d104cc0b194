/*
 * node_devices.c -- riskmeshd's registered devices: the registry and
 * receipt log in the data dir (node/devices), handed to the CoAP
 * server as its PSK lookup and /receipts handler, and to the HTTP API
 * through n->devices (docs/COAP.md "Devices").
 */
#include <string.h>

#include "node/daemon/daemon_int.h"
#include "node/devices/devices.h"

int
node_devices_open(struct node *n, rm_why *why)
{
	struct devices_stats st;
	int rv;

	if ((rv = devices_open(n->cfg.data_dir, &n->devices, why)) != RM_OK)
		return rv;
	devices_get_stats(n->devices, &st);
	rm_log(RM_LOG_INFO, "devices", "%llu registered devices, %llu "
	    "receipts", (unsigned long long)st.devices,
	    (unsigned long long)st.receipts);
	if (st.log_skipped > 0)
		rm_log(RM_LOG_WARN, "devices", "%s/" DEVICE_RECEIPTS_FILE ": "
		    "%llu malformed lines skipped", n->cfg.data_dir,
		    (unsigned long long)st.log_skipped);
	return RM_OK;
}

void
node_devices_close(struct node *n)
{
	devices_close(n->devices);
	n->devices = NULL;
}

static bool
coap_psk(void *arg, const uint8_t *id, size_t len, uint8_t *key,
    size_t *key_len)
{
	struct node *n = arg;

	return devices_psk(n->devices, id, len, key, key_len);
}

/* devices_held_fn: a public alert record held by this node. */
static int
alert_held(void *arg, const rm_hash *h, struct device_alert *out)
{
	struct node *n = arg;
	struct rm_record rec;
	rm_why why;
	int rv;

	if ((rv = service_record_read(n, h, &rec, &why)) != RM_OK)
		return rv;
	if (rec.kind != &rm_kind_alert || record_restricted(&rec)) {
		rv = RM_ENOTFOUND;      /* devices never see restricted ones */
	} else {
		memcpy(out->origin, rec.origin, sizeof(out->origin));
		memcpy(out->oid, rec.object_id, sizeof(out->oid));
		out->issued_ms = rec.issued_ms;
	}
	record_fini(&rec);
	return rv;
}

static int
coap_receipt(void *arg, const uint8_t *identity, size_t id_len, unsigned cf,
    const uint8_t *p, size_t len, bool *dup, rm_why *why)
{
	struct node *n = arg;
	enum device_refusal ref;

	return devices_receipt(n->devices, identity, id_len, cf, p, len,
	    alert_held, n, rm_utc_now_ms(), dup, &ref, why);
}

void
node_devices_coap(struct node *n, struct alertcoap_devices *out)
{
	memset(out, 0, sizeof(*out));
	out->psk = coap_psk;
	out->receipt = coap_receipt;
	out->arg = n;
}

void
node_devices_broadcast(struct node *n, const rm_hash *h)
{
	if (n->devices != NULL)
		devices_broadcast(n->devices, h, rm_utc_now_ms());
}
