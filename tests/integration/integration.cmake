# Integration tests: real riskmeshd processes on loopback, driven through
# the riskmesh CLI, curl, coap-client, the peer probe and the load generator.
foreach(t two_nodes_tls forged_peer coap_observe coap_restart coap_junk coap_devices http_api
    rbsr_sync coap_confirm coap_expired
    rbsr_hostile reconnect_reset
    fork_equal_length
    cap_round_trip
    restricted_records
    own_key_rotated
    key_history
    own_log_restore
    risk_register
    risk_rollup
    task_dispatch
    rules_proposals
    rules_review
    rules_review_limits)
  rm_script_test(integration.${t}
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/${t}.sh TIMEOUT 180)
endforeach()
# Interop: node-coap (npm coap, installed by scripts/deps into build/npm)
# and coap-client-openssl over DTLS-PSK observing one node. Exit 77
# (no node, or node-coap not installed: npm had no registry) is SKIP.
rm_script_test(integration.coap_nodecoap
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/coap_nodecoap.sh TIMEOUT 180)
set_tests_properties(integration.coap_nodecoap PROPERTIES SKIP_RETURN_CODE 77)
# The same fork when the forker's log is the shorter one.
rm_script_test(integration.fork_shorter_log
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/fork_equal_length.sh 2 TIMEOUT 180)
# Resolving it: from the origin after a key rotation, or from a registrar.
rm_script_test(integration.fork_resolve_origin
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/fork_resolve.sh origin TIMEOUT 180)
rm_script_test(integration.fork_resolve_registrar
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/fork_resolve.sh registrar
  TIMEOUT 180)
rm_script_test(integration.fork_resolve_dir
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/fork_resolve.sh dir
  TIMEOUT 180)
rm_script_test(integration.task_centre
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/task_centre.sh TIMEOUT 180)
rm_script_test(integration.centre_failure
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/centre_failure.sh TIMEOUT 240)

# Five kill -9 trials under load; each waits (bounded) for 200 acknowledged
# records, so a slow machine takes longer but does not fail.
rm_script_test(integration.crash_kill9
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/crash_kill9.sh TIMEOUT 300)

# Links that hold: ten rounds of bad sessions against a listening and a
# dialing node, each followed by the correct peer and clean SIGTERMs.
rm_script_test(integration.hostile_peer
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/hostile_peer.sh TIMEOUT 300)

# Bounded HTTP load generator and checker for the crash tests
# (crash_kill9.sh, scripts/crash-trials).
add_executable(rm_load_gen load_gen.c)
target_link_libraries(rm_load_gen PRIVATE PkgConfig::JANSSON Threads::Threads)

# Task dispatch: signs acks of any agency for the "not an assignee" test.
add_executable(rm_test_seal_ack ack_seal.c)
target_link_libraries(rm_test_seal_ack PRIVATE rm_trust rm_crypto
  rm_schemas rm_common)

# Gateway links between two federations (docs/PROTOCOL.md §12): what
# crosses, what does not, and foreign-root refusal, both ways.
rm_script_test(integration.gateway
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/gateway.sh TIMEOUT 240)
