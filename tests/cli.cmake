# Command-line tests: the names and outputs of `deepbach info`, `convert` and
# `corpus` are relied on by users and scripts.
if(NOT TARGET deepbach_cli)
  return()
endif()
set(DEEPBACH_EXE $<TARGET_FILE:deepbach_cli>)
set(CLI_TMP ${CMAKE_CURRENT_BINARY_DIR}/cli-out)
file(MAKE_DIRECTORY ${CLI_TMP})

add_test(NAME cli.corpus_json
  COMMAND ${CMAKE_COMMAND} -DDEEPBACH=${DEEPBACH_EXE} -DCORPUS=${DEEPBACH_CORPUS_DIR} -DMIN=300
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_corpus_json.cmake)
add_test(NAME cli.info_json
  COMMAND ${CMAKE_COMMAND} -DDEEPBACH=${DEEPBACH_EXE} -DFILE=${DEEPBACH_CORPUS_DIR}/bwv10.7.mxl
          -DEXPECT_PARTS=4 -DEXPECT_FIFTHS=-2 -DEXPECT_BARS=22 -DEXPECT_TICKS=352 -DEXPECT_FERMATAS=4
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_info_json.cmake)
add_test(NAME cli.info_text COMMAND ${DEEPBACH_EXE} info ${DEEPBACH_CORPUS_DIR}/bwv69.6.xml)
set_tests_properties(cli.info_text PROPERTIES PASS_REGULAR_EXPRESSION "parts: +8 .*ticks: +372")

# convert: to each format, then read the result back.
foreach(ext musicxml mxl mid)
  add_test(NAME cli.convert_${ext}
    COMMAND ${DEEPBACH_EXE} convert ${DEEPBACH_CORPUS_DIR}/bwv10.7.mxl ${CLI_TMP}/bwv10.7.${ext})
endforeach()
foreach(ext musicxml mxl)
  add_test(NAME cli.convert_${ext}_reads_back COMMAND ${DEEPBACH_EXE} info ${CLI_TMP}/bwv10.7.${ext})
  set_tests_properties(cli.convert_${ext}_reads_back PROPERTIES DEPENDS cli.convert_${ext}
    PASS_REGULAR_EXPRESSION "ticks: +352")
endforeach()

# Errors: non-zero exit and one line naming the file.
add_test(NAME cli.error_missing_file COMMAND ${DEEPBACH_EXE} info ${CLI_TMP}/no-such-file.musicxml)
set_tests_properties(cli.error_missing_file PROPERTIES WILL_FAIL ON)
add_test(NAME cli.error_message_missing_file
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;info\;${CLI_TMP}/no-such-file.musicxml
          -DEXPECT=no-such-file.musicxml: -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
add_test(NAME cli.error_message_bad_extension
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;convert\;${DEEPBACH_CORPUS_DIR}/bwv10.7.mxl\;${CLI_TMP}/out.pdf
          -DEXPECT=out.pdf -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
add_test(NAME cli.error_message_grid
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;info\;--json\;${DEEPBACH_CORPUS_DIR}/bwv432.mxl
          -DEXPECT_STDOUT=bar\ 4,\ Soprano -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)

