# libFuzzer target for the RBSR message decoder (RM_FUZZ=ON, clang).
if(TARGET rm_rbsr)
  rm_fuzz_test(federation.rbsr_decode SOURCES fuzz_rbsr.c fuzz_seeded.c
    LIBS rm_rbsr RUNS 200000)
endif()
