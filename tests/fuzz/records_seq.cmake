# libFuzzer: CBOR sequences of signed records against a charter
# (roster_load_records: the agencies file, POST /v1/records).
rm_fuzz_test(federation.records_seq
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_records_seq.c
  LIBS rm_trust
  RUNS 200000)
