# JSON alert <-> record (node/repr): links only what it exercises.
rm_unit_test(node.json SOURCES test_json.c LIBS rm_repr)
