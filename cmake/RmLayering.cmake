# Layering check (ctest: layering.includes), run as
#   cmake -DROOT=<source dir> -DMANIFEST=<layering.txt> -P RmLayering.cmake
#
# MANIFEST has one line per module folder, relative to ROOT:
#   <dir> <dir of a module it USES> …
# (written by rm_layering_manifest() in cmake/RmDeps.cmake). Every *.c and
# *.h directly in a module folder is scanned for `#include "a/b/x.h"`.
# An include is allowed when x.h lives in the file's own folder, or in the
# folder of a module in its USES list and is not an internal header
# (*_int.h). Anything else fails, with one line per offending include:
#   layering: node/http/http_routes.c:12: includes "node/store/store_int.h": …
# Includes without a folder ("x.h") and <system> headers are not checked.
cmake_minimum_required(VERSION 3.25)

if(NOT ROOT OR NOT MANIFEST)
  message(FATAL_ERROR "usage: cmake -DROOT=dir -DMANIFEST=file -P RmLayering.cmake")
endif()
file(STRINGS ${MANIFEST} lines)
set(modules)
foreach(line ${lines})
  separate_arguments(entry UNIX_COMMAND "${line}")
  list(GET entry 0 dir)
  list(REMOVE_AT entry 0)
  list(APPEND modules ${dir})
  set(uses_${dir} ${entry})
endforeach()

set(bad 0)
set(files 0)
foreach(dir ${modules})
  file(GLOB srcs LIST_DIRECTORIES false ${ROOT}/${dir}/*.c ${ROOT}/${dir}/*.h)
  foreach(src ${srcs})
    math(EXPR files "${files} + 1")
    file(RELATIVE_PATH rel ${ROOT} ${src})
    file(STRINGS ${src} incs REGEX "^[ \t]*#[ \t]*include[ \t]*\"[^\"]*/[^\"]*\"")
    foreach(inc ${incs})
      string(REGEX REPLACE "^[^\"]*\"([^\"]*)\".*$" "\\1" hdr "${inc}")
      get_filename_component(hdir ${hdr} DIRECTORY)
      get_filename_component(hname ${hdr} NAME)
      set(why "")
      if(hdir STREQUAL dir)
        continue()
      elseif(NOT hdir IN_LIST modules)
        set(why "${hdir} is not a module")
      elseif(NOT hdir IN_LIST uses_${dir})
        set(why "${dir} does not list ${hdir} in USES")
      elseif(hname MATCHES "_int\\.h$")
        set(why "internal header of ${hdir}")
      endif()
      if(why)
        message("layering: ${rel}: includes \"${hdr}\": ${why}")
        math(EXPR bad "${bad} + 1")
      endif()
    endforeach()
  endforeach()
endforeach()
list(LENGTH modules nmod)
if(bad GREATER 0)
  message(FATAL_ERROR "layering: ${bad} forbidden include(s) in ${files} files of ${nmod} modules")
endif()
message("layering: ${files} files of ${nmod} modules, no forbidden include")
