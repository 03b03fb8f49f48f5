# The downstream project examples/consumer built against an installed
# libdeepbach, in three steps (a CTest fixture chain, see tests/examples.cmake):
#
#   STEP=install  cmake --install BUILD_DIR into PREFIX (emptied first)
#   STEP=build    configures SOURCE_DIR in CONSUMER_BUILD with CMAKE_PREFIX_PATH=PREFIX (same
#                 generator, compiler and configuration), checks that the package came from PREFIX
#                 and that the compiler sees PREFIX's headers and not those of the source or build
#                 tree (FORBIDDEN_INCLUDES), then builds it
#   STEP=run      runs CONSUMER_EXE on MELODY with MODEL, writing OUT, which must exist and
#                 validate against the MusicXML schema (with XMLLINT, SCHEMA_DIR); it must have
#                 sampled with each backend, evaluated, and (HAVE_TORCH) trained a tiny model
#   STEP=build with SOURCE_DIR=bench builds the benchmarks against the package the same way
function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " shown)
    message(FATAL_ERROR "${what} failed (${rc}): ${shown}\n${out}${err}")
  endif()
  message(STATUS "${what}: ok\n${out}")
  set(run_step_out "${out}" PARENT_SCOPE)
endfunction()

if(STEP STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  set(config_args)
  if(CONFIG)
    set(config_args --config ${CONFIG})
  endif()
  run_step("install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX} ${config_args})
  file(GLOB_RECURSE config_file "${PREFIX}/*/deepbachConfig.cmake")
  if(NOT config_file OR NOT EXISTS "${PREFIX}/include/deepbach/deepbach.hpp"
     OR NOT EXISTS "${PREFIX}/include/deepbach/version.hpp")
    message(FATAL_ERROR "the install into ${PREFIX} lacks deepbachConfig.cmake or the headers")
  endif()

elseif(STEP STREQUAL "build")
  file(REMOVE_RECURSE "${CONSUMER_BUILD}")
  set(args -S ${SOURCE_DIR} -B ${CONSUMER_BUILD} -G ${GENERATOR} "-DCMAKE_PREFIX_PATH=${PREFIX_PATH}"
      -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
  if(PLATFORM)
    list(APPEND args -A ${PLATFORM})
  endif()
  if(TOOLSET)
    list(APPEND args -T ${TOOLSET})
  endif()
  if(BUILD_TYPE)
    list(APPEND args -DCMAKE_BUILD_TYPE=${BUILD_TYPE})
  endif()
  run_step("configure" ${CMAKE_COMMAND} ${args})

  # find_package(deepbach) must have found the package just installed.
  file(STRINGS "${CONSUMER_BUILD}/CMakeCache.txt" found REGEX "^deepbach_DIR:")
  string(REGEX REPLACE "^[^=]*=" "" found "${found}")
  file(REAL_PATH "${PREFIX}" prefix_real)
  file(REAL_PATH "${found}" found_real)
  string(FIND "${found_real}/" "${prefix_real}/" at)
  if(NOT at EQUAL 0)
    message(FATAL_ERROR "find_package(deepbach) found '${found}', not the package in ${PREFIX}")
  endif()

  # The include directories on the compile line: PREFIX/include, never the
  # source tree's include/ or the build tree's generated headers.
  if(EXISTS "${CONSUMER_BUILD}/compile_commands.json")
    file(READ "${CONSUMER_BUILD}/compile_commands.json" commands)
    string(REGEX MATCHALL "(-I|-isystem )[^ \"]+" flags "${commands}")
    set(saw_prefix OFF)
    foreach(flag ${flags})
      string(REGEX REPLACE "^(-I|-isystem )" "" dir "${flag}")
      file(REAL_PATH "${dir}" dir_real)
      foreach(forbidden ${FORBIDDEN_INCLUDES})
        file(REAL_PATH "${forbidden}" forbidden_real)
        if(dir_real STREQUAL forbidden_real)
          message(FATAL_ERROR "the consumer compiles with ${dir}, not only the installed headers:\n${commands}")
        endif()
      endforeach()
      if(dir_real STREQUAL "${prefix_real}/include")
        set(saw_prefix ON)
      endif()
    endforeach()
    if(NOT saw_prefix)
      message(FATAL_ERROR "the consumer does not compile with ${PREFIX}/include:\n${commands}")
    endif()
  else()
    message(STATUS "no compile_commands.json with this generator: include directories not checked")
  endif()

  set(config_args)
  if(CONFIG)
    set(config_args --config ${CONFIG})
  endif()
  run_step("build" ${CMAKE_COMMAND} --build ${CONSUMER_BUILD} ${config_args})

elseif(STEP STREQUAL "run")
  file(REMOVE "${OUT}")
  get_filename_component(work "${OUT}" DIRECTORY)
  run_step("consumer" ${CONSUMER_EXE} ${MELODY} ${OUT} --model ${MODEL} --seed 2 --iterations 10
           --work ${work}/consumer-work)
  # Every backend the package has sampled; the model was evaluated; with
  # deepbach::torch a tiny model was trained, evaluated and sampled.
  foreach(line "harmonized with the eigen backend" "evaluated: mean nll")
    string(FIND "${run_step_out}" "${line}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "the consumer did not say '${line}':\n${run_step_out}")
    endif()
  endforeach()
  if(HAVE_TORCH)
    foreach(line "harmonized with the torch backend" "trained a tiny model")
      string(FIND "${run_step_out}" "${line}" at)
      if(at EQUAL -1)
        message(FATAL_ERROR "the consumer did not say '${line}':\n${run_step_out}")
      endif()
    endforeach()
  endif()
  if(NOT EXISTS "${OUT}")
    message(FATAL_ERROR "the consumer did not write ${OUT}")
  endif()
  if(XMLLINT AND NOT XMLLINT MATCHES "NOTFOUND$")
    set(ENV{XML_CATALOG_FILES} "${SCHEMA_DIR}/catalog.xml")
    run_step("xmllint" ${XMLLINT} --nonet --noout --schema "${SCHEMA_DIR}/musicxml.xsd" ${OUT})
  else()
    message(STATUS "xmllint not found: ${OUT} not validated")
  endif()

else()
  message(FATAL_ERROR "STEP must be install, build or run")
endif()
