# Registered devices (node/devices): the registry, receipt payloads,
# receipts and reach. The DTLS side: integration.coap_devices.
rm_unit_test(node.devices SOURCES test_devices.c LIBS rm_devices)
