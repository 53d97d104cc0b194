# crypto module tests: unit tests, the cose_tool helper and the
# independent-implementation interop test (python3-cbor2 and
# python3-cryptography from Debian).
rm_unit_test(crypto.keys SOURCES test_keys.c LIBS rm_crypto)
rm_unit_test(crypto.hash SOURCES test_hash.c LIBS rm_crypto)
rm_unit_test(crypto.x509 SOURCES test_x509.c LIBS rm_crypto)
rm_unit_test(crypto.cose SOURCES test_cose.c LIBS rm_crypto)
rm_unit_test(crypto.signer SOURCES test_signer.c LIBS rm_crypto)
rm_unit_test(crypto.cose_encrypt SOURCES test_cose_encrypt.c LIBS rm_crypto)

add_executable(cose_tool cose_tool.c)
target_link_libraries(cose_tool PRIVATE rm_crypto)

# Debian's python3 has the cbor2 and cryptography packages; prefer it
# over whatever python3 comes first in PATH (pyenv, venvs).
find_program(RM_SYSTEM_PYTHON3 NAMES python3 PATHS /usr/bin
  NO_DEFAULT_PATH)
if(NOT RM_SYSTEM_PYTHON3)
  find_program(RM_SYSTEM_PYTHON3 NAMES python3 REQUIRED)
endif()
rm_script_test(crypto.cose_interop
  COMMAND ${RM_SYSTEM_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/cose_interop.py
          $<TARGET_FILE:cose_tool>
  LABEL unit)
# COSE_Encrypt (restricted records) against the same independent
# implementation, in both directions, plus a published COSE example.
rm_script_test(crypto.cose_encrypt_interop
  COMMAND ${RM_SYSTEM_PYTHON3}
          ${CMAKE_CURRENT_SOURCE_DIR}/cose_encrypt_interop.py
          $<TARGET_FILE:cose_tool>
  LABEL unit)
