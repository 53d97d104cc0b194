# Store tests (node/store/); fixtures in test_store_fx.c.
set(RM_STORE_TEST_LIBS rm_store rm_crypto rm_schemas rm_common
  PkgConfig::LMDB Threads::Threads)
rm_unit_test(node.store_basic
  SOURCES test_store_basic.c test_store_fx.c LIBS ${RM_STORE_TEST_LIBS}
  TIMEOUT 120)
rm_unit_test(node.store_merge
  SOURCES test_store_merge.c test_store_fx.c LIBS ${RM_STORE_TEST_LIBS})
rm_unit_test(node.store_active
  SOURCES test_store_active.c test_store_fx.c LIBS ${RM_STORE_TEST_LIBS})
rm_unit_test(node.store_crash
  SOURCES test_store_crash.c test_store_fx.c LIBS ${RM_STORE_TEST_LIBS}
  TIMEOUT 120)
# A kind the store has never heard of (defined in tests/schemas/).
rm_unit_test(node.store_kind
  SOURCES test_store_kind.c test_store_fx.c
    ${PROJECT_SOURCE_DIR}/tests/schemas/notice_kind.c
  LIBS ${RM_STORE_TEST_LIBS})
# Fork resolution (store_resolve.c).
rm_unit_test(node.store_resolve
  SOURCES test_store_resolve.c test_store_fx.c LIBS ${RM_STORE_TEST_LIBS})
# The query engine over the in-force indexes, and the layout 3 -> 4
# migration (store_query.c, store_history.c, store_migrate.c).
rm_unit_test(node.store_query
  SOURCES test_store_query.c test_store_fx.c LIBS ${RM_STORE_TEST_LIBS})
# Many own records in one write transaction (store_batch.c).
rm_unit_test(node.store_batch
  SOURCES test_store_batch.c test_store_fx.c LIBS ${RM_STORE_TEST_LIBS}
  TIMEOUT 120)
# Batches numbered and signed by the caller (store_sealed.c).
rm_unit_test(node.store_sealed
  SOURCES test_store_sealed.c test_store_fx.c LIBS ${RM_STORE_TEST_LIBS}
  TIMEOUT 120)
# A full disk: LMDB's writes fail with ENOSPC (interposed in the test).
rm_unit_test(node.store_full
  SOURCES test_store_full.c test_store_fx.c
  LIBS ${RM_STORE_TEST_LIBS} ${CMAKE_DL_LIBS})
# The RBSR index: range sums, nth, keys, get, layout 4 -> 5
# (store_timeline.c, store_rbsr.c, store_migrate.c).
rm_unit_test(node.store_rbsr
  SOURCES test_store_rbsr.c test_store_fx.c
  LIBS ${RM_STORE_TEST_LIBS} TIMEOUT 120)
