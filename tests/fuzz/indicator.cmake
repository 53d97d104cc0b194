# libFuzzer: the indicator kinds' decoders (through record_decode) and
# the CSV reader of bulk indicator values.
rm_fuzz_test(schemas.indicator_decode
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_indicator.c
  LIBS rm_schemas
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/indicator)
rm_fuzz_test(schemas.indicator_csv
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_indicator_csv.c
  LIBS rm_schemas
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/indicator_csv
  RUNS 300000)
