# CoAP alert server (node/coap_*.c): representations without a network,
# then the server against the real libcoap client on 127.0.0.1.
rm_unit_test(node.coap_repr SOURCES test_coap_repr.c test_coap_fake.c
  LIBS rm_coap)
rm_unit_test(node.coap SOURCES test_coap.c test_coap_fake.c
  LIBS rm_coap TIMEOUT 180)
