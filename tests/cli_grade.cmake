# Command-line tests of deepbach evaluate --grade (the grade of chorales
# against Bach's training split, docs/evaluation.md "The grade"): Bach's
# validation chorales, a folder of written MusicXML files with --reference,
# and --harmonize --grade with the small untrained model of cli_model.cmake.
# Without the corpus they are skipped (check_grade.cmake says so).
if(NOT TARGET deepbach_cli)
  return()
endif()
set(GRADE_TMP ${CMAKE_CURRENT_BINARY_DIR}/cli-grade)
set(GRADE_CHECK -DDEEPBACH=$<TARGET_FILE:deepbach_cli> -DCORPUS=${DEEPBACH_CORPUS_DIR}
    -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_grade.cmake)

add_test(NAME cli.evaluate_grade_validation_json
  COMMAND ${CMAKE_COMMAND} -DMODE=validation -DTMP=${GRADE_TMP}/validation ${GRADE_CHECK})
add_test(NAME cli.evaluate_grade_folder
  COMMAND ${CMAKE_COMMAND} -DMODE=folder -DTMP=${GRADE_TMP}/folder ${GRADE_CHECK})
add_test(NAME cli.evaluate_grade_harmonize
  COMMAND ${CMAKE_COMMAND} -DMODE=harmonize -DTMP=${GRADE_TMP}/harmonize
          -DMODEL=${CMAKE_CURRENT_BINARY_DIR}/cli-model/random-full.safetensors ${GRADE_CHECK})
set_tests_properties(cli.evaluate_grade_validation_json cli.evaluate_grade_folder cli.evaluate_grade_harmonize
  PROPERTIES SKIP_REGULAR_EXPRESSION "SKIPPED: no corpus")
set_tests_properties(cli.evaluate_grade_harmonize PROPERTIES FIXTURES_REQUIRED deepbach_model_full)

# Errors: one line that says what is wrong.
add_test(NAME cli.evaluate_grade_error_files_without_reference
  COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:deepbach_cli>\;evaluate\;--grade\;${GRADE_TMP}/some.musicxml
          -DEXPECT=--reference -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
add_test(NAME cli.evaluate_grade_error_reference_without_grade
  COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:deepbach_cli>\;evaluate\;--rules\;${GRADE_TMP}\;--reference\;${GRADE_TMP}
          -DEXPECT=--reference\ goes\ with\ --grade -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
add_test(NAME cli.evaluate_grade_error_with_rules
  COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:deepbach_cli>\;evaluate\;--rules\;--grade\;${GRADE_TMP}
          -DEXPECT=choose\ one -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
