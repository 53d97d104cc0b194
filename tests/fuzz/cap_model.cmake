# libFuzzer: the CBOR form of the CAP 1.2 model that alert records carry
# (schemas/cap_model.h), seeded with the shared corpus's documents in
# that form (tests/fuzz/corpus/cap_model, made from sims/data/cap).
rm_fuzz_test(schemas.cap_model
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_cap_model.c
  LIBS rm_cap
  RUNS 300000
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/cap_model)
