# CoAP alert server (node/coap/): representations without a network,
# then the server against the real libcoap client on 127.0.0.1 (one
# server per program, fixture in test_coap_fx.c): GET and discovery,
# Observe, and the area table under a flood of requests.
# The own observe engine's pure pieces: message bytes, heap, MID map.
rm_unit_test(node.coap_wire SOURCES test_coap_wire.c LIBS rm_coap)
rm_unit_test(node.coap_repr SOURCES test_coap_repr.c test_coap_fake.c
  LIBS rm_coap)
rm_unit_test(node.coap SOURCES test_coap.c test_coap_fx.c test_coap_fake.c
  LIBS rm_coap TIMEOUT 120)
rm_unit_test(node.coap_observe SOURCES test_coap_observe.c test_coap_fx.c
  test_coap_fake.c LIBS rm_coap TIMEOUT 180)
rm_unit_test(node.coap_flood SOURCES test_coap_flood.c test_coap_fx.c
  test_coap_fake.c LIBS rm_coap TIMEOUT 180)
# Observations over raw UDP: the exact observers gauge (register,
# cancel, RST) and node-coap's block requests with Observe.
rm_unit_test(node.coap_life SOURCES test_coap_life.c test_coap_fx.c
  test_coap_fake.c LIBS rm_coap TIMEOUT 120)
