# web/engrave.mjs, the engraved pictures of docs/server.md (label docs;
# tests/docs/engrave_test.mjs): Verovio from web/node_modules engraves a
# two-voice file and Old Hundredth's melody with as many notes as they have.
# Needs no build. Skipped (77) only without node or web/node_modules.
find_program(DEEPBACH_NODE NAMES node nodejs)
if(DEEPBACH_NODE)
  add_test(NAME docs.engrave
           COMMAND ${DEEPBACH_NODE} ${CMAKE_CURRENT_SOURCE_DIR}/docs/engrave_test.mjs
                   --web ${PROJECT_SOURCE_DIR}/web --out ${CMAKE_CURRENT_BINARY_DIR}/engrave
                   ${CMAKE_CURRENT_SOURCE_DIR}/data/two_voices_pickup.musicxml
                   ${PROJECT_SOURCE_DIR}/examples/melodies/old-hundredth.musicxml)
else()
  add_test(NAME docs.engrave
           COMMAND sh -c "echo 'SKIP: node not found (apt-get install nodejs; scripts/install-deps does)'; exit 77")
endif()
set_tests_properties(docs.engrave PROPERTIES LABELS docs SKIP_RETURN_CODE 77 TIMEOUT 120)
