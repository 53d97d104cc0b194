# node.config: node.conf parser, checks, printing and golden tests
# (tests/node/config/*.in -> *.ok).
if(TARGET rm_node)
  rm_unit_test(node.config SOURCES test_config.c LIBS rm_node)
  target_compile_definitions(test_node_config PRIVATE
    RM_CONFIG_GOLDEN="${CMAKE_CURRENT_SOURCE_DIR}/config")
endif()
