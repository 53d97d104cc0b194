# libFuzzer target for the federation frame decoder (RM_FUZZ=ON, clang).
if(TARGET rm_peer)
  rm_fuzz_test(federation.frame_decode SOURCES fuzz_frame.c fuzz_seeded.c
    LIBS rm_peer RUNS 200000)
endif()
