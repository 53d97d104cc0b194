# CAP 1.2 (node/cap): the shared corpus (sims/data/cap) with its
# verdicts and round trips, one case per rule, the bounds (DTDs,
# entities, size, depth), and the CLI's offline commands.
set(cap_fx ${CMAKE_CURRENT_SOURCE_DIR}/test_cap_fx.c)
rm_unit_test(node.cap_rules SOURCES test_cap_rules.c ${cap_fx} LIBS rm_cap)
rm_unit_test(node.cap_corpus SOURCES test_cap_corpus.c ${cap_fx}
  LIBS rm_cap)
rm_unit_test(node.cap_limits SOURCES test_cap_limits.c ${cap_fx}
  LIBS rm_cap)
# The model as deterministic CBOR in alert records (schemas/cap_model.h).
rm_unit_test(node.cap_cbor SOURCES test_cap_cbor.c ${cap_fx} LIBS rm_cap)
rm_script_test(node.cli_cap
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/cap.sh
  LABEL unit TIMEOUT 60)
