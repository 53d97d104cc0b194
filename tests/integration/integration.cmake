# Integration tests: real riskmeshd processes on loopback, driven through
# the riskmesh CLI, curl, coap-client and the peer probe.
foreach(t two_nodes_tls forged_peer coap_observe crash_kill9 http_api
    own_log_restore)
  rm_script_test(integration.${t}
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/${t}.sh TIMEOUT 180)
endforeach()
rm_script_test(integration.centre_failure
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/centre_failure.sh TIMEOUT 240)
