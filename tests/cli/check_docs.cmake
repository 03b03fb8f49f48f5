# The documentation keeps up with the code:
#   - every public header of include/deepbach/ (*.hpp, and version.hpp.in as
#     version.hpp) is named in docs/api.md and in docs/architecture.md;
#   - every subcommand the command registers in cli/*.cpp
#     (add_subcommand("NAME", ...)) appears as "deepbach NAME" in docs/cli.md;
#   - docs/cli.md and README.md name no "deepbach bench" (the benchmarks are
#     the programs of bench/).
# Run by the test docs.public_headers_documented (tests/docs.cmake):
#
#   cmake -DSOURCE_DIR=<project> -P tests/cli/check_docs.cmake
cmake_minimum_required(VERSION 3.18)
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "check_docs.cmake: pass -DSOURCE_DIR=<the project's source folder>")
endif()

set(missing "")

# Reads a file into out, or records that it is missing.
function(read_doc rel out)
  if(NOT EXISTS "${SOURCE_DIR}/${rel}")
    set(missing "${missing};${rel}: no such file" PARENT_SCOPE)
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  file(READ "${SOURCE_DIR}/${rel}" text)
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

read_doc(docs/api.md api)
read_doc(docs/architecture.md architecture)
read_doc(docs/cli.md cli)
read_doc(README.md readme)

# 1. Public headers, each named as a word of its own ("options.hpp" counts in
#    "<deepbach/options.hpp>", not in "myoptions.hpp").
file(GLOB headers RELATIVE "${SOURCE_DIR}/include/deepbach"
     "${SOURCE_DIR}/include/deepbach/*.hpp" "${SOURCE_DIR}/include/deepbach/*.hpp.in")
if(NOT headers)
  list(APPEND missing "include/deepbach/: no public header found")
endif()
list(SORT headers)
foreach(header ${headers})
  string(REGEX REPLACE "\\.in$" "" name "${header}")
  string(REPLACE "." "\\." pattern "${name}")
  foreach(doc api architecture)
    if(NOT "${${doc}}" MATCHES "(^|[^A-Za-z0-9_])${pattern}")
      list(APPEND missing "docs/${doc}.md does not name the public header ${name}")
    endif()
  endforeach()
endforeach()

# 2. Every subcommand of the command, as "deepbach NAME" in docs/cli.md.
file(GLOB cli_sources "${SOURCE_DIR}/cli/*.cpp")
set(subcommands "")
foreach(src ${cli_sources})
  file(READ "${src}" code)
  string(REGEX MATCHALL "add_subcommand\\([ \t\r\n]*\"[^\"]+\"" calls "${code}")
  foreach(call ${calls})
    string(REGEX REPLACE "^add_subcommand\\([ \t\r\n]*\"([^\"]+)\"$" "\\1" name "${call}")
    list(APPEND subcommands "${name}")
  endforeach()
endforeach()
list(REMOVE_DUPLICATES subcommands)
if(NOT subcommands)
  list(APPEND missing "cli/*.cpp: no add_subcommand(\"NAME\" found")
endif()
foreach(name ${subcommands})
  string(REGEX REPLACE "([][+.*?()^$|\\\\])" "\\\\\\1" pattern "${name}")
  if(NOT "${cli}" MATCHES "deepbach ${pattern}([^A-Za-z0-9_-]|$)")
    list(APPEND missing "docs/cli.md does not document the subcommand 'deepbach ${name}' (cli/*.cpp registers it)")
  endif()
endforeach()

# 3. The removed bench command.
foreach(pair "cli=docs/cli.md" "readme=README.md")
  string(REGEX REPLACE "=.*" "" doc "${pair}")
  string(REGEX REPLACE "^[^=]*=" "" file "${pair}")
  string(FIND "${${doc}}" "deepbach bench" at)
  if(NOT at EQUAL -1)
    list(APPEND missing "${file} names 'deepbach bench', a command that no longer exists (the benchmarks are the programs of bench/)")
  endif()
endforeach()

list(REMOVE_ITEM missing "")
if(missing)
  list(JOIN missing "\n  " text)
  message(FATAL_ERROR "the documentation does not match the code:\n  ${text}")
endif()
list(LENGTH headers n_headers)
list(JOIN subcommands ", " shown)
message(STATUS "docs: ${n_headers} public headers named in docs/api.md and docs/architecture.md; "
               "subcommands in docs/cli.md: ${shown}")
