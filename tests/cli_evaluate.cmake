# Command-line tests of deepbach evaluate --rules (voice-leading statistics of
# chorales) and --harmonize (harmonizations of Bach's sopranos with the small
# untrained model of cli_model.cmake, compared with Bach), and of --split.
if(NOT TARGET deepbach_cli)
  return()
endif()
set(DEEPBACH_EXE $<TARGET_FILE:deepbach_cli>)
set(EVAL_TMP ${CMAKE_CURRENT_BINARY_DIR}/cli-evaluate)
set(EVAL_MODEL ${CMAKE_CURRENT_BINARY_DIR}/cli-model/random-full.safetensors)
file(MAKE_DIRECTORY ${EVAL_TMP})
find_program(DEEPBACH_XMLLINT xmllint)
set(EVAL_CHECK -DXMLLINT=${DEEPBACH_XMLLINT} -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_eval_rules_json.cmake)

# --rules on the corpus folder: counts of every chorale the grid holds.
add_test(NAME cli.evaluate_rules_corpus_json
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;evaluate\;--rules\;${DEEPBACH_CORPUS_DIR}\;--json
          -DMODE=rules -DMIN_CHORALES=300 -DSPLIT=all ${EVAL_CHECK})
# --rules on files, with a report: report.md and well-formed SVG charts.
add_test(NAME cli.evaluate_rules_files_report
  COMMAND ${CMAKE_COMMAND}
          -DCMD=${DEEPBACH_EXE}\;evaluate\;--rules\;${DEEPBACH_CORPUS_DIR}/bwv10.7.mxl\;${DEEPBACH_CORPUS_DIR}/bwv26.6.mxl\;--json\;--report\;${EVAL_TMP}/rules-report
          -DMODE=rules -DCHORALES=2 -DREPORT=${EVAL_TMP}/rules-report -DCLEAN=${EVAL_TMP}/rules-report ${EVAL_CHECK})
# The table on a terminal-less run: the headline line.
add_test(NAME cli.evaluate_rules_text COMMAND ${DEEPBACH_EXE} evaluate --rules ${DEEPBACH_CORPUS_DIR}/bwv10.7.mxl)
set_tests_properties(cli.evaluate_rules_text PROPERTIES
  PASS_REGULAR_EXPRESSION "chorales: 1 \\(0 skipped\\).*parallel fifths .*parallel fifths \\+ octaves per chorale: [0-9]")
# --faults: each fault on its own line, with the file, bar and beat.
add_test(NAME cli.evaluate_rules_faults COMMAND ${DEEPBACH_EXE} evaluate --rules --faults ${DEEPBACH_CORPUS_DIR}/bwv10.7.mxl)
set_tests_properties(cli.evaluate_rules_faults PROPERTIES
  PASS_REGULAR_EXPRESSION "bwv10.7.mxl: bar 10 beat 1: hidden fifth, soprano and bass: G4 G2 to D5 G3\n.*chorales: 1")
add_test(NAME cli.evaluate_error_faults_without_rules
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;evaluate\;--faults\;--model\;${EVAL_MODEL}\;${DEEPBACH_CORPUS_DIR}
          -DEXPECT=--faults\ goes\ with\ --rules -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
# --split test with --seed: the test part of the corpus (5% of it).
add_test(NAME cli.evaluate_rules_split_json
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;evaluate\;--rules\;${DEEPBACH_CORPUS_DIR}\;--split\;test\;--seed\;1\;--json
          -DMODE=rules -DMIN_CHORALES=10 -DSPLIT=test ${EVAL_CHECK})

# --harmonize: two chorales, few iterations, MusicXML out and a report.
add_test(NAME cli.evaluate_harmonize_json
  COMMAND ${CMAKE_COMMAND}
          -DCMD=${DEEPBACH_EXE}\;evaluate\;--harmonize\;${DEEPBACH_CORPUS_DIR}\;--model\;${EVAL_MODEL}\;--limit\;2\;--iterations\;10\;--threads\;1\;--seed\;3\;--json\;--out\;${EVAL_TMP}/harmonized\;--report\;${EVAL_TMP}/harmonize-report
          -DMODE=harmonize -DCHORALES=2 -DREPORT=${EVAL_TMP}/harmonize-report
          -DCLEAN=${EVAL_TMP}/harmonized\;${EVAL_TMP}/harmonize-report
          -DEXIST=${EVAL_TMP}/harmonized/bwv10.7.musicxml ${EVAL_CHECK})
set_tests_properties(cli.evaluate_harmonize_json PROPERTIES FIXTURES_REQUIRED deepbach_model_full)
# The same seed gives the same harmonization as `deepbach harmonize` with the
# chorale's seed printed in the JSON; here: the same figures twice.
add_test(NAME cli.evaluate_harmonize_text
  COMMAND ${DEEPBACH_EXE} evaluate --harmonize ${DEEPBACH_CORPUS_DIR} --model ${EVAL_MODEL} --split validation
          --limit 1 --iterations 5 --threads 1)
set_tests_properties(cli.evaluate_harmonize_text PROPERTIES FIXTURES_REQUIRED deepbach_model_full
  PASS_REGULAR_EXPRESSION "split validation \\(seed 1\\).*parallel fifths \\+ octaves per chorale: generated [0-9.]+, Bach [0-9.]+, ratio .*Alto +[0-9.]+%")
# --split for NLL and accuracy: the model's validation chorales.
add_test(NAME cli.evaluate_split_nll_json
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;evaluate\;--model\;${EVAL_MODEL}\;${DEEPBACH_CORPUS_DIR}\;--split\;validation\;--limit\;3\;--json
          -DCHORALES=3 -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_evaluate_json.cmake)
set_tests_properties(cli.evaluate_split_nll_json PROPERTIES FIXTURES_REQUIRED deepbach_model_full)

# Errors: one line that says what is wrong.
add_test(NAME cli.evaluate_error_missing_dir
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;evaluate\;--rules\;${EVAL_TMP}/no-such-folder
          -DEXPECT=no-such-folder -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
add_test(NAME cli.evaluate_error_harmonize_without_model
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;evaluate\;--harmonize\;${DEEPBACH_CORPUS_DIR}
          -DEXPECT=--harmonize\ needs\ --model -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
add_test(NAME cli.evaluate_error_no_mode
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;evaluate\;${DEEPBACH_CORPUS_DIR}
          -DEXPECT=--rules -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
add_test(NAME cli.evaluate_error_split_of_files
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;evaluate\;--rules\;${DEEPBACH_CORPUS_DIR}/bwv10.7.mxl\;--split\;test
          -DEXPECT=corpus\ folder -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
add_test(NAME cli.evaluate_error_rules_and_harmonize
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;evaluate\;--rules\;--harmonize\;--model\;${EVAL_MODEL}\;${DEEPBACH_CORPUS_DIR}
          -DEXPECT=choose\ one -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
add_test(NAME cli.evaluate_error_report_without_mode
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;evaluate\;--model\;${EVAL_MODEL}\;${DEEPBACH_CORPUS_DIR}\;--report\;${EVAL_TMP}/r
          -DEXPECT=--report -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
