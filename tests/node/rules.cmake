# node.rules_*: the rules file parser (every error with its line) and the
# engine with recorded series (tests/node/data/*.csv, *.rules).
rm_unit_test(node.rules_parse SOURCES test_rules_parse.c LIBS rm_rules)
rm_unit_test(node.rules_engine SOURCES test_rules_engine.c LIBS rm_rules)
foreach(t test_node_rules_parse test_node_rules_engine)
  target_compile_definitions(${t} PRIVATE
    RM_RULES_DIR="${CMAKE_CURRENT_SOURCE_DIR}")
endforeach()
# node.rules_target: off_target (definition facts, recorded values) and
# review_overdue in the parser and the engine.
rm_unit_test(node.rules_target SOURCES test_rules_target.c LIBS rm_rules)
