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

# Modules and their layering.
#
#   rm_module(<target> SOURCES a.c b.c … USES rm_x rm_y …
#             [PUBLIC <other libs>] [PRIVATE <other libs>])
#   rm_program(<target> SOURCES main.c … USES rm_x … [PRIVATE <libs>])
#
# A module is one folder (the one whose CMakeLists.txt calls rm_module),
# one static library with an explicit source list, and an explicit USES
# list: the project modules it may use. USES is its public link line and
# is recorded in ${PROJECT_BINARY_DIR}/layering.txt (rm_layering_manifest)
# for the `layering.includes` test (cmake/RmLayering.cmake), which fails
# when a file of the folder includes a header of a module not in USES
# (or another module's *_int.h). PUBLIC and PRIVATE are for libraries
# outside the project (LMDB, jansson, …). A program (riskmesh) is
# recorded the same way; a folder may hold one module and one program
# (node/daemon: rm_daemon and riskmeshd), which then share one USES list.
function(rm__record name)
  file(RELATIVE_PATH dir ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  set_property(GLOBAL APPEND PROPERTY RM_MODULES ${name})
  set_property(GLOBAL PROPERTY RM_MODULE_DIR_${name} ${dir})
  set_property(GLOBAL PROPERTY RM_MODULE_USES_${name} "${ARGN}")
endfunction()

function(rm_module name)
  cmake_parse_arguments(M "" "" "SOURCES;USES;PUBLIC;PRIVATE" ${ARGN})
  if(NOT M_SOURCES)
    message(FATAL_ERROR "rm_module(${name}): no SOURCES")
  endif()
  add_library(${name} STATIC ${M_SOURCES})
  target_link_libraries(${name} PUBLIC ${M_USES} ${M_PUBLIC}
    PRIVATE ${M_PRIVATE})
  rm__record(${name} ${M_USES})
endfunction()

function(rm_program name)
  cmake_parse_arguments(M "" "" "SOURCES;USES;PRIVATE" ${ARGN})
  add_executable(${name} ${M_SOURCES})
  target_link_libraries(${name} PRIVATE ${M_USES} ${M_PRIVATE})
  rm__record(${name} ${M_USES})
endfunction()

# Write layering.txt, one line per module folder:
#   <dir> <dir of each module in USES> …
# (a folder's module and program are merged). Call once, after every
# module was added (top-level CMakeLists.txt).
function(rm_layering_manifest out)
  get_property(mods GLOBAL PROPERTY RM_MODULES)
  set(dirs)
  foreach(m ${mods})
    get_property(d GLOBAL PROPERTY RM_MODULE_DIR_${m})
    list(APPEND dirs ${d})
    get_property(uses GLOBAL PROPERTY RM_MODULE_USES_${m})
    foreach(u ${uses})
      get_property(ud GLOBAL PROPERTY RM_MODULE_DIR_${u})
      if(NOT ud)
        message(FATAL_ERROR "${m}: USES ${u}, which is not a module "
          "(declared with rm_module, and before ${m})")
      endif()
      list(APPEND allowed_${d} ${ud})
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES dirs)
  set(text "")
  foreach(d ${dirs})
    set(line ${d})
    if(allowed_${d})
      list(REMOVE_DUPLICATES allowed_${d})
      list(APPEND line ${allowed_${d}})
    endif()
    list(JOIN line " " line)
    string(APPEND text "${line}\n")
  endforeach()
  file(WRITE ${out} "${text}")
endfunction()
