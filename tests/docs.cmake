# The documentation names what the code has: every public header in
# docs/api.md and docs/architecture.md, every subcommand of the command in
# docs/cli.md, and no removed command (tests/cli/check_docs.cmake). Needs no
# build and no corpus.
add_test(NAME docs.public_headers_documented
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_docs.cmake)
set_tests_properties(docs.public_headers_documented PROPERTIES LABELS docs)

# The front ends include only the public headers (the configure-time check,
# run again as a test so that a change to cli/, bindings/, bench/ or
# examples/ shows up in the test report too).
add_test(NAME api.front_ends_use_public_headers
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -P ${PROJECT_SOURCE_DIR}/cmake/deepbachCheckIncludes.cmake)
