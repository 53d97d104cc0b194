/*
 * daemon_int.h -- private to node/daemon: the device registry's wiring
 * (node_devices.c) used by node_main.c.
 */
#ifndef RM_NODE_DAEMON_INT_H
#define RM_NODE_DAEMON_INT_H

#include "node/coap/coap_srv.h"
#include "node/daemon/daemon.h"

/* Open the registry and receipts in the data dir into n->devices
 * (after the store: the directory exists). Errors: devices_open's. */
int node_devices_open(struct node *n, rm_why *why);
/* Close n->devices (after the HTTP and CoAP servers stopped). */
void node_devices_close(struct node *n);
/* The CoAP server's hooks (PSK lookup, receipts) over n->devices. */
void node_devices_coap(struct node *n, struct alertcoap_devices *out);
/* A public alert version reached the CoAP server: its first broadcast
 * here (store writer thread; one short write at most). */
void node_devices_broadcast(struct node *n, const rm_hash *h);

#endif /* RM_NODE_DAEMON_INT_H */
