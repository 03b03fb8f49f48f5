# Tests of examples/: the example programs run on the example melodies with
# the small untrained model of cli_model.cmake (constraints hold whatever the
# weights) and few iterations; the melodies validate; and examples/consumer,
# a project of its own, builds against the installed package and runs.
if(NOT TARGET harmonize_melody OR NOT TARGET deepbach_cli OR NOT TARGET make_model OR NOT TARGET check_grid)
  return()
endif()
set(EXAMPLES_SOURCE ${PROJECT_SOURCE_DIR}/examples)
set(MELODIES ${EXAMPLES_SOURCE}/melodies)
set(EXAMPLES_TMP ${CMAKE_CURRENT_BINARY_DIR}/examples-out)
file(MAKE_DIRECTORY ${EXAMPLES_TMP})
set(EXAMPLE_MODEL ${CMAKE_CURRENT_BINARY_DIR}/cli-model/random-full.safetensors)  # cli_model.cmake
set(EXAMPLE_FEW --model ${EXAMPLE_MODEL} --iterations 20)
find_program(DEEPBACH_XMLLINT xmllint)

# example_test(NAME STEP1 cmd... [STEP2 ...] [EXIST files...] [SCHEMA files...]): the steps
# in order, each must exit 0 (tests/cli/check_sample.cmake); the first word of a step is a
# target (an example, check_grid, deepbach_cli).
function(example_test name)
  cmake_parse_arguments(T "" "" "STEP1;STEP2;STEP3;STEP4;STEP5;EXIST;SCHEMA" ${ARGN})
  set(args -DXMLLINT=${DEEPBACH_XMLLINT} -DSCHEMA_DIR=${DEEPBACH_MUSICXML_SCHEMA_DIR})
  foreach(key STEP1 STEP2 STEP3 STEP4 STEP5 EXIST SCHEMA)
    if(DEFINED T_${key})
      set(value "${T_${key}}")
      if(key MATCHES "^STEP")
        list(GET value 0 program)
        list(REMOVE_AT value 0)
        list(INSERT value 0 $<TARGET_FILE:${program}>)
      endif()
      string(REPLACE ";" "\\;" value "${value}")
      list(APPEND args "-D${key}=${value}")
    endif()
  endforeach()
  add_test(NAME examples.${name} COMMAND ${CMAKE_COMMAND} ${args} -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_sample.cmake)
  set_tests_properties(examples.${name} PROPERTIES FIXTURES_REQUIRED deepbach_model_full TIMEOUT 120)
endfunction()

# The melodies: valid MusicXML 4.0, and readable as melodies.
add_test(NAME examples.melodies_schema
  COMMAND ${CMAKE_COMMAND} -DXMLLINT=${DEEPBACH_XMLLINT} -DSCHEMA_DIR=${DEEPBACH_MUSICXML_SCHEMA_DIR}
          -DFILES_DIR=${MELODIES} -DMIN_FILES=3 -P ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_schema.cmake)
file(GLOB EXAMPLE_MELODIES ${MELODIES}/*.musicxml)
foreach(melody ${EXAMPLE_MELODIES})
  get_filename_component(stem ${melody} NAME_WE)
  add_test(NAME examples.melody_info_${stem} COMMAND deepbach_cli info ${melody})
  set_tests_properties(examples.melody_info_${stem} PROPERTIES PASS_REGULAR_EXPRESSION "parts: +1 \\(Soprano\\).*fermatas: +[1-9]")
endforeach()

# harmonize_melody: MusicXML, MIDI and the piano roll written, the soprano is the melody's;
# without a melody argument it reads old-hundredth.musicxml from the source tree.
example_test(harmonize_melody
  STEP1 harmonize_melody ${MELODIES}/tallis-canon.musicxml -o ${EXAMPLES_TMP}/tallis.musicxml --seed 3
        ${EXAMPLE_FEW}
  STEP2 check_grid soprano ${MELODIES}/tallis-canon.musicxml ${EXAMPLES_TMP}/tallis.musicxml
  STEP3 harmonize_melody -o ${EXAMPLES_TMP}/default.musicxml ${EXAMPLE_FEW}
  STEP4 check_grid soprano ${MELODIES}/old-hundredth.musicxml ${EXAMPLES_TMP}/default.musicxml
  STEP5 check_grid svg ${EXAMPLES_TMP}/tallis.svg ${EXAMPLES_TMP}/tallis.musicxml S
  EXIST ${EXAMPLES_TMP}/tallis.mid ${EXAMPLES_TMP}/default.mid ${EXAMPLES_TMP}/default.svg
  SCHEMA ${EXAMPLES_TMP}/tallis.musicxml ${EXAMPLES_TMP}/default.musicxml)

# cadences: the example checks its cadences itself (exit 1 when one does not
# hold); check_grid checks again from the written file. Old Hundredth (G
# major, a pickup, fermatas at ticks 28, 60, 92 and 124) with a deceptive
# cadence on the third fermata (bar 6 beat 3, tick 92) and the authentic one
# at the end; Tallis' Canon with a half cadence added mid-phrase on bar 7
# beat 2 (tick 104, the F#4).
example_test(cadences
  STEP1 cadences --cadence 6.3:deceptive -o ${EXAMPLES_TMP}/cadences.musicxml --seed 4 ${EXAMPLE_FEW}
  STEP2 check_grid cadence ${EXAMPLES_TMP}/cadences.musicxml 92 deceptive
  STEP3 check_grid cadence ${EXAMPLES_TMP}/cadences.musicxml 124 authentic
  SCHEMA ${EXAMPLES_TMP}/cadences.musicxml)
example_test(cadences_added_fermata
  STEP1 cadences ${MELODIES}/tallis-canon.musicxml --cadence 7.2:half -o ${EXAMPLES_TMP}/tallis-cadences.musicxml
        --seed 5 ${EXAMPLE_FEW}
  STEP2 check_grid cadence ${EXAMPLES_TMP}/tallis-cadences.musicxml 104 half
  STEP3 check_grid fermata ${EXAMPLES_TMP}/tallis-cadences.musicxml 104
  SCHEMA ${EXAMPLES_TMP}/tallis-cadences.musicxml)
# A cadence the melody contradicts is one line naming the bar, exit 1 (bar 2
# beat 3 of Old Hundredth is a B, not in the dominant chord D F# A).
add_test(NAME examples.cadences_error
  COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:cadences>\;--cadence\;2.3:half\;--model\;${EXAMPLE_MODEL}\;-o\;${EXAMPLES_TMP}/never.musicxml
          -DEXPECT=bar\ 2 -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
set_tests_properties(examples.cadences_error PROPERTIES FIXTURES_REQUIRED deepbach_model_full)

# regenerate_bars: both versions written and valid; the example fails by
# itself when a cell outside the region changed, and check_grid checks again.
example_test(regenerate_bars
  STEP1 regenerate_bars ${MELODIES}/st-anne.musicxml --bars 2-3 --voices ATB -o ${EXAMPLES_TMP}/st-anne
        --seed 6 ${EXAMPLE_FEW}
  STEP2 check_grid outside ${EXAMPLES_TMP}/st-anne-first.musicxml ${EXAMPLES_TMP}/st-anne-second.musicxml 2-3 ATB
  STEP3 check_grid soprano ${MELODIES}/st-anne.musicxml ${EXAMPLES_TMP}/st-anne-second.musicxml
  SCHEMA ${EXAMPLES_TMP}/st-anne-first.musicxml ${EXAMPLES_TMP}/st-anne-second.musicxml)

# A melody that is not there: one line naming it, exit 1.
add_test(NAME examples.error_missing_melody
  COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:harmonize_melody>\;${EXAMPLES_TMP}/no-such-melody.musicxml\;--model\;${EXAMPLE_MODEL}
          -DEXPECT=no-such-melody.musicxml -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)

# examples/consumer against the installed package: install this build into a
# prefix inside the build tree, configure and build the consumer there with
# the same generator, compiler and configuration, run it.
if(DEEPBACH_INSTALL)
  set(CONSUMER_PREFIX ${CMAKE_CURRENT_BINARY_DIR}/consumer/prefix)
  set(CONSUMER_BUILD ${CMAKE_CURRENT_BINARY_DIR}/consumer/build)
  get_property(multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi_config)
    set(CONSUMER_EXE ${CONSUMER_BUILD}/$<CONFIG>/consumer${CMAKE_EXECUTABLE_SUFFIX})
  else()
    set(CONSUMER_EXE ${CONSUMER_BUILD}/consumer${CMAKE_EXECUTABLE_SUFFIX})
  endif()
  set(prefix_path ${CONSUMER_PREFIX} ${CMAKE_PREFIX_PATH})
  string(REPLACE ";" "\\;" prefix_path "${prefix_path}")
  set(forbidden ${PROJECT_SOURCE_DIR}/include ${PROJECT_BINARY_DIR}/include)
  string(REPLACE ";" "\\;" forbidden "${forbidden}")
  set(script ${CMAKE_CURRENT_SOURCE_DIR}/examples/consumer.cmake)
  add_test(NAME examples.consumer_install
    COMMAND ${CMAKE_COMMAND} -DSTEP=install -DBUILD_DIR=${PROJECT_BINARY_DIR} -DPREFIX=${CONSUMER_PREFIX}
            -DCONFIG=$<CONFIG> -P ${script})
  add_test(NAME examples.consumer_build
    COMMAND ${CMAKE_COMMAND} -DSTEP=build -DSOURCE_DIR=${EXAMPLES_SOURCE}/consumer -DCONSUMER_BUILD=${CONSUMER_BUILD}
            -DPREFIX=${CONSUMER_PREFIX} -DPREFIX_PATH=${prefix_path} -DFORBIDDEN_INCLUDES=${forbidden}
            "-DGENERATOR=${CMAKE_GENERATOR}" "-DPLATFORM=${CMAKE_GENERATOR_PLATFORM}"
            "-DTOOLSET=${CMAKE_GENERATOR_TOOLSET}" -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
            -DBUILD_TYPE=${CMAKE_BUILD_TYPE} -DCONFIG=$<CONFIG> -P ${script})
  add_test(NAME examples.consumer_run
    COMMAND ${CMAKE_COMMAND} -DSTEP=run -DCONSUMER_EXE=${CONSUMER_EXE} -DMELODY=${MELODIES}/old-hundredth.musicxml
            -DMODEL=${EXAMPLE_MODEL} -DOUT=${CMAKE_CURRENT_BINARY_DIR}/consumer/old-hundredth.musicxml
            -DXMLLINT=${DEEPBACH_XMLLINT} -DSCHEMA_DIR=${DEEPBACH_MUSICXML_SCHEMA_DIR}
            -DHAVE_TORCH=$<TARGET_EXISTS:deepbach_torch> -P ${script})
  # bench/ builds against the installed package too (no benchmark code in the library).
  add_test(NAME examples.bench_build
    COMMAND ${CMAKE_COMMAND} -DSTEP=build -DSOURCE_DIR=${PROJECT_SOURCE_DIR}/bench
            -DCONSUMER_BUILD=${CMAKE_CURRENT_BINARY_DIR}/consumer/bench-build
            -DPREFIX=${CONSUMER_PREFIX} -DPREFIX_PATH=${prefix_path} -DFORBIDDEN_INCLUDES=${forbidden}
            "-DGENERATOR=${CMAKE_GENERATOR}" "-DPLATFORM=${CMAKE_GENERATOR_PLATFORM}"
            "-DTOOLSET=${CMAKE_GENERATOR_TOOLSET}" -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
            -DBUILD_TYPE=${CMAKE_BUILD_TYPE} -DCONFIG=$<CONFIG> -P ${script})
  set_tests_properties(examples.bench_build PROPERTIES FIXTURES_REQUIRED deepbach_consumer_prefix TIMEOUT 600)
  set_tests_properties(examples.consumer_install PROPERTIES FIXTURES_SETUP deepbach_consumer_prefix)
  set_tests_properties(examples.consumer_build PROPERTIES FIXTURES_REQUIRED deepbach_consumer_prefix
    FIXTURES_SETUP deepbach_consumer_built TIMEOUT 300)
  set_tests_properties(examples.consumer_run PROPERTIES
    FIXTURES_REQUIRED "deepbach_consumer_built;deepbach_model_full" TIMEOUT 300)
endif()
