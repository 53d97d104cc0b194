# node.config: node.conf parser, checks, printing and golden tests
# (tests/node/config/*.in -> *.ok).
rm_unit_test(node.config SOURCES test_config.c LIBS rm_config)
target_compile_definitions(test_node_config PRIVATE
  RM_CONFIG_GOLDEN="${CMAKE_CURRENT_SOURCE_DIR}/config")
