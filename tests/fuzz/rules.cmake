# libFuzzer: the rules file parser (node/rules, docs/RULES.md), then the
# engine over the rules it accepts; seeds in tests/node/data/*.rules.
rm_fuzz_test(node.rules_file
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_rules.c
  LIBS rm_rules
  RUNS 300000
  CORPUS ${PROJECT_SOURCE_DIR}/tests/node/data)
