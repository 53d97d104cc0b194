# JSON alert <-> record: request parser and error bodies (node/http),
# emitter (node/repr).
rm_unit_test(node.json SOURCES test_json.c LIBS rm_http)
