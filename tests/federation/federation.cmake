# federation module: roster, envelopes, frames, links; and the
# rm_peer_probe tool used by the integration tests.
set(RM_FED_FIXTURE ${CMAKE_CURRENT_SOURCE_DIR}/fed_fixture.c)

if(TARGET rm_federation)
  rm_unit_test(federation.roster SOURCES test_roster.c ${RM_FED_FIXTURE}
    LIBS rm_federation)
  rm_unit_test(federation.envelope SOURCES test_envelope.c ${RM_FED_FIXTURE}
    LIBS rm_federation)
  rm_unit_test(federation.frame SOURCES test_frame.c ${RM_FED_FIXTURE}
    LIBS rm_federation)
  rm_unit_test(federation.link SOURCES test_link.c ${RM_FED_FIXTURE}
    LIBS rm_federation TIMEOUT 120)

  # Misbehaving peers in test_link run as this separate process.
  add_executable(rm_peer_probe peer_probe.c)
  target_link_libraries(rm_peer_probe PRIVATE rm_federation rm::nng)
  add_dependencies(test_federation_link rm_peer_probe)
endif()
