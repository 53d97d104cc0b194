# libFuzzer: the CAP 1.2 reader and writer (node/cap), seeded with the
# shared corpus (sims/data/cap, valid and invalid files).
rm_fuzz_test(node.cap_parse
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_cap.c
  LIBS rm_cap
  RUNS 300000
  CORPUS ${PROJECT_SOURCE_DIR}/sims/data/cap
         ${PROJECT_SOURCE_DIR}/sims/data/cap/invalid)
