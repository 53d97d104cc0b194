# Record model codec (schemas/): unit tests and the cbor2 interop check.
set(RM_SCHEMAS_FIXTURES ${CMAKE_CURRENT_SOURCE_DIR}/fixtures.c)

rm_unit_test(schemas.record SOURCES test_record.c ${RM_SCHEMAS_FIXTURES}
  LIBS rm_schemas)
rm_unit_test(schemas.reject SOURCES test_reject.c ${RM_SCHEMAS_FIXTURES}
  LIBS rm_schemas)
rm_unit_test(schemas.names SOURCES test_names.c LIBS rm_schemas)
# A kind defined only in the tests (notice_kind.c), also used by the
# store and federation tests.
set(RM_NOTICE_KIND ${CMAKE_CURRENT_SOURCE_DIR}/notice_kind.c)
rm_unit_test(schemas.kind SOURCES test_kind.c ${RM_NOTICE_KIND}
  LIBS rm_schemas)

# Independent implementation: python3-cbor2 (Debian) must decode our
# sample and re-encode it canonically to the same bytes. Debian's
# python3 has cbor2; a python3 earlier on PATH (pyenv, venv) may not.
add_executable(rm_record_sample record_sample.c ${RM_SCHEMAS_FIXTURES})
target_link_libraries(rm_record_sample PRIVATE rm_schemas)
if(NOT DEFINED RM_PYTHON3_CBOR2)
  set(RM_PYTHON3_CBOR2 "")
  find_program(RM_PY3_PATH python3)
  foreach(py /usr/bin/python3 ${RM_PY3_PATH})
    if(NOT RM_PYTHON3_CBOR2 AND EXISTS ${py})
      execute_process(COMMAND ${py} -c "import cbor2"
        RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
      if(rc EQUAL 0)
        set(RM_PYTHON3_CBOR2 ${py})
      endif()
    endif()
  endforeach()
  set(RM_PYTHON3_CBOR2 "${RM_PYTHON3_CBOR2}" CACHE FILEPATH
    "python3 interpreter that has the cbor2 module")
endif()
if(RM_PYTHON3_CBOR2)
  rm_script_test(schemas.cbor2_interop
    COMMAND ${RM_PYTHON3_CBOR2} ${CMAKE_CURRENT_SOURCE_DIR}/check_cbor2.py
      $<TARGET_FILE:rm_record_sample>
      ${CMAKE_CURRENT_BINARY_DIR}/cbor2_interop
    LABEL unit TIMEOUT 30)
else()
  message(WARNING "riskmesh: no python3 with cbor2; schemas.cbor2_interop not registered")
endif()
rm_unit_test(schemas.risk SOURCES test_risk.c LIBS rm_schemas)
rm_unit_test(schemas.task SOURCES test_task.c LIBS rm_schemas)
rm_unit_test(schemas.indicator_val SOURCES test_indicator_val.c
  LIBS rm_schemas)
rm_unit_test(schemas.indicator SOURCES test_indicator.c LIBS rm_schemas)
rm_unit_test(schemas.proposal SOURCES test_proposal.c LIBS rm_schemas)
