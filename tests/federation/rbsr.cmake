# federation/rbsr: keys, sums, the message codec and the engine between
# two in-memory sorted sets (mset.c, also used by the benchmark).
rm_unit_test(federation.rbsr SOURCES test_rbsr.c mset.c LIBS rm_rbsr
  TIMEOUT 120)
