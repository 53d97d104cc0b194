# libFuzzer: record_decode must accept exactly what record_encode emits.
# Built only with -DRM_FUZZ=ON and CC=clang.
rm_fuzz_test(schemas.record_decode
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_record.c
  LIBS rm_schemas
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/record)
