# Imported targets for the Debian 12 packages riskmesh builds on.
find_package(PkgConfig REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(Threads REQUIRED)

pkg_check_modules(CBOR REQUIRED IMPORTED_TARGET libcbor)
pkg_check_modules(LMDB REQUIRED IMPORTED_TARGET lmdb)
pkg_check_modules(COAP REQUIRED IMPORTED_TARGET libcoap-3-openssl)
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)

# nng 1.5 (libnng-dev) ships no pkg-config or CMake package file.
find_path(NNG_INCLUDE_DIR nng/nng.h REQUIRED)
find_library(NNG_LIBRARY nng REQUIRED)
add_library(rm::nng UNKNOWN IMPORTED)
set_target_properties(rm::nng PROPERTIES
  IMPORTED_LOCATION ${NNG_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${NNG_INCLUDE_DIR}
  INTERFACE_LINK_LIBRARIES Threads::Threads)

if(RM_TESTS)
  find_library(CUNIT_LIBRARY cunit REQUIRED)
  find_path(CUNIT_INCLUDE_DIR CUnit/CUnit.h REQUIRED)
  add_library(rm::cunit UNKNOWN IMPORTED)
  set_target_properties(rm::cunit PROPERTIES
    IMPORTED_LOCATION ${CUNIT_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${CUNIT_INCLUDE_DIR})
endif()

# rm_module(<target> SOURCES ... PUBLIC ... PRIVATE ...): a module's static
# library. A module without sources is a configuration error.
function(rm_module name)
  cmake_parse_arguments(M "" "" "SOURCES;PUBLIC;PRIVATE" ${ARGN})
  if(NOT M_SOURCES)
    message(FATAL_ERROR "riskmesh: module ${name} has no sources")
  endif()
  add_library(${name} STATIC ${M_SOURCES})
  target_link_libraries(${name} PUBLIC ${M_PUBLIC} PRIVATE ${M_PRIVATE})
endfunction()
