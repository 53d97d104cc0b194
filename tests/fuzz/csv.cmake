# libFuzzer: the RFC 4180 reader (CSV imports: agencies, risk registers).
rm_fuzz_test(common.csv_read
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_csv.c
  LIBS rm_common
  RUNS 300000)
