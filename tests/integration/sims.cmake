# The sims harness (sims/run, sims/README.md): the link relay it cuts and
# heals links with, and every scenario in its CI size (--ci: 6-8 nodes,
# seconds). Ports 29000-31999, apart from the integration tests'
# 21000-28999, so the sims run beside them but one at a time among
# themselves (RESOURCE_LOCK rm_sims). Exit 77 (a scenario a build cannot
# run) is reported as skipped, never as passed.
add_executable(rm_relay ${PROJECT_SOURCE_DIR}/sims/relay/rm_relay.c)
foreach(s typhoon split restore join gateway flap propagation cost)
  rm_script_test(sims.${s}
    COMMAND bash ${PROJECT_SOURCE_DIR}/sims/run ${s} --ci --seed 8
      --out ${CMAKE_CURRENT_BINARY_DIR}/sims-out/${s}
    LABEL sims TIMEOUT 240)
  set_tests_properties(sims.${s} PROPERTIES RESOURCE_LOCK rm_sims
    SKIP_RETURN_CODE 77)
endforeach()
