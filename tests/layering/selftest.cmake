# layering.selftest: the checker (cmake/RmLayering.cmake) must fail on
# the fixture tree (c/bad.c includes a/a.h though c USES only b;
# b/bad_int.c includes a's internal a/a_int.h) and name both includes,
# and must pass once the two offending files are left out.
#   cmake -DCHECKER=… -DFIXTURE=… -DWORK=… -P selftest.cmake
execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${FIXTURE}
  -DMANIFEST=${FIXTURE}/layering.txt -P ${CHECKER}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "checker passed a tree with forbidden includes:\n${out}")
endif()
foreach(want
    "layering: c/bad.c: includes \"a/a.h\": c does not list a in USES"
    "layering: b/bad_int.c: includes \"a/a_int.h\": internal header of a"
    "2 forbidden include")
  string(FIND "${out}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "checker output lacks \"${want}\":\n${out}")
  endif()
endforeach()

# The same tree without the two offenders passes.
file(REMOVE_RECURSE ${WORK})
file(COPY ${FIXTURE}/ DESTINATION ${WORK})
file(REMOVE ${WORK}/c/bad.c ${WORK}/b/bad_int.c)
execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${WORK}
  -DMANIFEST=${WORK}/layering.txt -P ${CHECKER}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "checker failed a clean tree:\n${out}")
endif()
message("layering.selftest: forbidden includes found, clean tree passes")
