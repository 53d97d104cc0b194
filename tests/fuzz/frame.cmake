# libFuzzer target for the federation frame decoder (RM_FUZZ=ON, clang).
if(TARGET rm_federation)
  rm_fuzz_test(federation.frame_decode SOURCES fuzz_frame.c
    LIBS rm_federation RUNS 200000)
endif()
