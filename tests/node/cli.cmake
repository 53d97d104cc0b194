# riskmesh CLI: script tests (bash, each in its own temp dir) driving the
# real binary; rm_test_seal makes signed records for `riskmesh verify`.
add_executable(rm_test_seal cli_seal.c)
target_link_libraries(rm_test_seal PRIVATE rm_trust rm_crypto
  rm_schemas rm_common)
foreach(t federation agency_node verify usage alert_http records risk_check)
  rm_script_test(node.cli_${t}
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/${t}.sh
    LABEL unit TIMEOUT 60)
endforeach()
# 10,000 agencies: keys and certificates for each (about a minute here)
rm_script_test(node.cli_records_10k
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/records_10k.sh
  LABEL scale TIMEOUT 600)
# node/CMakeLists.txt's install() rule, into a temp prefix
rm_script_test(node.cli_install
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/install.sh ${CMAKE_COMMAND}
  LABEL unit TIMEOUT 60)
