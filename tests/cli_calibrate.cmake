# Command-line tests of `deepbach calibrate` (the Eigen engine: every build).
if(NOT TARGET deepbach_cli)
  return()
endif()
set(DEEPBACH_EXE $<TARGET_FILE:deepbach_cli>)
set(CAL_TMP ${CMAKE_CURRENT_BINARY_DIR}/cli-calibrate)
file(MAKE_DIRECTORY ${CAL_TMP})

# One short round on the shipped model writes a model the sampler reads.
add_test(NAME cli.calibrate_one_round
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;calibrate\;--corpus\;${DEEPBACH_CORPUS_DIR}\;--out\;${CAL_TMP}/one.safetensors\;--rounds\;1\;--batch\;1\;--sweeps\;1\;--float16
          -DEXPECT_STDOUT=1\ rounds,\ 1\ harmonizations -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
set_tests_properties(cli.calibrate_one_round PROPERTIES FIXTURES_SETUP deepbach_calibrated)
add_test(NAME cli.calibrated_model_harmonizes
  COMMAND ${DEEPBACH_EXE} harmonize ${PROJECT_SOURCE_DIR}/examples/melodies/old-hundredth.musicxml
          --model ${CAL_TMP}/one.safetensors --sweeps 1 -o ${CAL_TMP}/one.musicxml)
set_tests_properties(cli.calibrated_model_harmonizes PROPERTIES FIXTURES_REQUIRED deepbach_calibrated)

# Bad options and a missing corpus: one clear line, and no output file.
add_test(NAME cli.error_message_calibrate_rounds
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;calibrate\;--corpus\;${DEEPBACH_CORPUS_DIR}\;--out\;${CAL_TMP}/bad.safetensors\;--rounds\;0
          -DEXPECT=rounds\ 0 -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
add_test(NAME cli.error_message_calibrate_corpus
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;calibrate\;--corpus\;${CAL_TMP}/no-such-folder\;--out\;${CAL_TMP}/bad.safetensors
          -DEXPECT=no-such-folder -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
add_test(NAME cli.calibrate_error_writes_nothing
  COMMAND ${CMAKE_COMMAND} -E cat ${CAL_TMP}/bad.safetensors)
set_tests_properties(cli.calibrate_error_writes_nothing PROPERTIES WILL_FAIL ON
  DEPENDS "cli.error_message_calibrate_rounds;cli.error_message_calibrate_corpus")

# --voices takes a comma list; --leaps refines the tables (one round, nothing generated).
add_test(NAME cli.calibrate_voice_list_and_leaps
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;calibrate\;--corpus\;${DEEPBACH_CORPUS_DIR}\;--out\;${CAL_TMP}/leaps.safetensors\;--rounds\;1\;--batch\;1\;--sweeps\;1\;--voices\;alto,tenor,bass\;--leaps
          -DEXPECT_STDOUT=1\ harmonizations,\ 0\ generated -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
add_test(NAME cli.error_message_calibrate_voice_list
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;calibrate\;--corpus\;${DEEPBACH_CORPUS_DIR}\;--out\;${CAL_TMP}/bad.safetensors\;--voices\;alto,xyz
          -DEXPECT=xyz -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
