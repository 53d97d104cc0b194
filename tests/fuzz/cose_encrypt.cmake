# libFuzzer target for the COSE_Encrypt decoder and open (RM_FUZZ=ON with
# clang).
rm_fuzz_test(crypto.cose_encrypt_decode SOURCES fuzz_cose_encrypt.c
  LIBS rm_crypto RUNS 100000)
