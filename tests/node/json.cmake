# JSON alert <-> record (node/json_*.c): links only what it exercises.
rm_unit_test(node.json SOURCES test_json.c
  ${PROJECT_SOURCE_DIR}/node/json_parse.c
  ${PROJECT_SOURCE_DIR}/node/json_emit.c
  ${PROJECT_SOURCE_DIR}/node/json_util.c
  LIBS rm_crypto rm_schemas rm_common PkgConfig::JANSSON)
