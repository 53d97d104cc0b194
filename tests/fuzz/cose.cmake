# libFuzzer target for the COSE_Sign1 decoder (RM_FUZZ=ON with clang).
rm_fuzz_test(crypto.cose_decode SOURCES fuzz_cose.c LIBS rm_crypto
  RUNS 200000)
