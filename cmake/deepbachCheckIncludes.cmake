# The front ends (cli/, bindings/, bench/, examples/) stand on the public API
# alone: no include of a header of libdeepbach/ (nn/, sample/, eval/, util/,
# torch/, io/, score/, corpus/, model/). Run at configure time from the
# top-level CMakeLists.txt, and as the test api.front_ends_use_public_headers:
#
#   cmake -DSOURCE_DIR=<project> -P cmake/deepbachCheckIncludes.cmake
if(NOT SOURCE_DIR)
  set(SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR}/..)
endif()
set(_deepbach_internal_dirs nn sample eval util torch io score corpus model)
list(JOIN _deepbach_internal_dirs "|" _deepbach_internal)
set(_deepbach_bad "")
foreach(front cli bindings bench examples)
  file(GLOB_RECURSE _files ${SOURCE_DIR}/${front}/*.cpp ${SOURCE_DIR}/${front}/*.hpp ${SOURCE_DIR}/${front}/*.h
       ${SOURCE_DIR}/${front}/*.cc ${SOURCE_DIR}/${front}/*.inc)
  foreach(f ${_files})
    file(STRINGS ${f} _lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(line ${_lines})
      if(line MATCHES "#[ \t]*include[ \t]*[<\"](\\.\\./)*(libdeepbach/)?(${_deepbach_internal})/")
        file(RELATIVE_PATH _rel ${SOURCE_DIR} ${f})
        string(STRIP "${line}" line)
        list(APPEND _deepbach_bad "${_rel}: ${line}")
      endif()
    endforeach()
  endforeach()
endforeach()
if(_deepbach_bad)
  list(JOIN _deepbach_bad "\n  " _deepbach_text)
  message(FATAL_ERROR
    "deepbach: front ends must include only the public headers of include/deepbach/ "
    "(docs/architecture.md); these include internal headers of libdeepbach/:\n  ${_deepbach_text}")
endif()
