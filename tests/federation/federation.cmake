# federation modules: trust (roster, envelope) and peer (frames, links);
# each test links only the module it exercises. rm_peer_probe is the
# misbehaving peer used by the link tests.
set(RM_FED_FIXTURE ${CMAKE_CURRENT_SOURCE_DIR}/fed_fixture.c)
set(RM_FX_HOST ${CMAKE_CURRENT_SOURCE_DIR}/fx_host.c
  ${CMAKE_CURRENT_SOURCE_DIR}/mset.c)

rm_unit_test(federation.roster SOURCES test_roster.c ${RM_FED_FIXTURE}
  LIBS rm_trust)
rm_unit_test(federation.envelope SOURCES test_envelope.c ${RM_FED_FIXTURE}
  LIBS rm_trust)
rm_unit_test(federation.restricted SOURCES test_restricted.c
  ${RM_FED_FIXTURE} LIBS rm_trust)
rm_unit_test(federation.frame SOURCES test_frame.c ${RM_FED_FIXTURE}
  LIBS rm_peer)
rm_unit_test(federation.link SOURCES test_link.c ${RM_FED_FIXTURE}
  ${RM_FX_HOST} ${PROJECT_SOURCE_DIR}/tests/schemas/notice_kind.c
  LIBS rm_peer TIMEOUT 120)

# Misbehaving peers in test_link run as this separate process.
add_executable(rm_peer_probe peer_probe.c)
target_link_libraries(rm_peer_probe PRIVATE rm_peer rm::nng)
add_dependencies(test_federation_link rm_peer_probe)

# The verifier pool of the peer engine (internal API, no sockets).
rm_unit_test(federation.verify_pool SOURCES test_verify_pool.c
  ${RM_FED_FIXTURE} ${RM_FX_HOST} LIBS rm_peer TIMEOUT 120)

# The refusal log limiter of a link (internal API, clock injected).
rm_unit_test(federation.refusal_log SOURCES test_refusal_log.c LIBS rm_peer)
rm_unit_test(federation.roster_records SOURCES test_roster_records.c
  ${RM_FED_FIXTURE} LIBS rm_trust)
# Range-based set reconciliation over links (two engines, loopback).
rm_unit_test(federation.link_reconcile SOURCES test_link_reconcile.c
  ${RM_FED_FIXTURE} ${RM_FX_HOST} LIBS rm_peer TIMEOUT 120)

# Foreign federations (trust) and gateway export policies (peer),
# docs/PROTOCOL.md §12.
rm_unit_test(federation.foreign SOURCES test_foreign.c ${RM_FED_FIXTURE}
  LIBS rm_trust)
rm_unit_test(federation.gateway_policy SOURCES test_gateway_policy.c
  ${RM_FED_FIXTURE} LIBS rm_peer)
