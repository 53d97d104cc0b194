# One helper registers every test:
#   rm_unit_test(<module>.<name> SOURCES a.c [b.c] LIBS rm_x [TIMEOUT s])
#     builds a CUnit executable linked with tests/common/cunit_main.c
#   rm_script_test(<group>.<name> COMMAND ... LABEL integration [TIMEOUT s])
#   rm_fuzz_test(<module>.<name> SOURCES f.c LIBS rm_x [RUNS n])
# Labels: unit, integration, fuzz, bench.

function(rm_unit_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
  string(REPLACE "." "_" exe "test_${name}")
  add_executable(${exe} ${T_SOURCES} ${PROJECT_SOURCE_DIR}/tests/common/cunit_main.c)
  target_include_directories(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/tests/common)
  target_link_libraries(${exe} PRIVATE ${T_LIBS} rm::cunit)
  add_test(NAME ${name} COMMAND ${exe})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 60)
  endif()
  if(name IN_LIST RM_NET_TESTS)
    # binds loopback ports: never at the same time as another such test
    set_tests_properties(${name} PROPERTIES RESOURCE_LOCK rm_loopback)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "RM_TEST_DATA=${PROJECT_SOURCE_DIR}/sims/data;RM_BUILD_DIR=${PROJECT_BINARY_DIR}")
endfunction()

function(rm_script_test name)
  cmake_parse_arguments(T "" "TIMEOUT;LABEL" "COMMAND" ${ARGN})
  add_test(NAME ${name} COMMAND ${T_COMMAND})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  if(NOT T_LABEL)
    set(T_LABEL integration)
  endif()
  if(T_LABEL STREQUAL "integration")
    # multi-process tests run one at a time: they share loopback port ranges
    set_tests_properties(${name} PROPERTIES RESOURCE_LOCK rm_loopback)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "RM_SRC_DIR=${PROJECT_SOURCE_DIR};RM_BUILD_DIR=${PROJECT_BINARY_DIR};RM_TEST_DATA=${PROJECT_SOURCE_DIR}/sims/data")
endfunction()

# libFuzzer targets: built only with RM_FUZZ=ON and clang; each runs
# briefly as a test (bounded by -runs and -max_total_time).
function(rm_fuzz_test name)
  cmake_parse_arguments(T "" "RUNS;CORPUS" "SOURCES;LIBS" ${ARGN})
  if(NOT RM_FUZZ)
    return()
  endif()
  string(REPLACE "." "_" exe "fuzz_${name}")
  add_executable(${exe} ${T_SOURCES})
  target_compile_options(${exe} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${exe} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${exe} PRIVATE ${T_LIBS})
  add_dependencies(fuzz_all ${exe})
  if(NOT T_RUNS)
    set(T_RUNS 1000000)
  endif()
  # New inputs go to the first directory (in the build tree); the
  # seeds in the source tree are only read.
  set(corpus_args)
  if(T_CORPUS)
    set(work ${CMAKE_CURRENT_BINARY_DIR}/${exe}_corpus)
    file(MAKE_DIRECTORY ${work})
    set(corpus_args ${work} ${T_CORPUS})
  endif()
  add_test(NAME ${name}
    COMMAND ${exe} -runs=${T_RUNS} -max_total_time=60 -max_len=65536 ${corpus_args})
  set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT 120)
endfunction()
