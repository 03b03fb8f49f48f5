# The studio page in a real headless browser (label browser; see
# tests/browser/studio_test.mjs): Debian's chromium, driven by the pinned
# playwright-core in web/node_modules (`npm ci` there, which
# scripts/install-deps runs). Skipped (CTest SKIP_RETURN_CODE 77) with a
# message only when node, chromium or web/node_modules is absent.
if(NOT TARGET deepbach_cli OR NOT DEEPBACH_HAVE_SERVE)
  message(STATUS "browser test: off (no server in this build)")
  return()
endif()
find_program(DEEPBACH_NODE NAMES node nodejs)
find_program(DEEPBACH_XMLLINT xmllint)
set(BROWSER_OUT ${CMAKE_CURRENT_BINARY_DIR}/browser)
if(DEEPBACH_NODE)
  add_test(NAME browser.studio
           COMMAND ${DEEPBACH_NODE} ${CMAKE_CURRENT_SOURCE_DIR}/browser/studio_test.mjs
                   --deepbach $<TARGET_FILE:deepbach_cli> --web ${PROJECT_SOURCE_DIR}/web
                   --melody ${PROJECT_SOURCE_DIR}/examples/melodies/old-hundredth.musicxml
                   --out ${BROWSER_OUT} --chromium /usr/bin/chromium
                   --xmllint ${DEEPBACH_XMLLINT} --schema ${DEEPBACH_MUSICXML_SCHEMA_DIR})
else()
  add_test(NAME browser.studio
           COMMAND sh -c "echo 'SKIP: node not found (apt-get install nodejs; scripts/install-deps does)'; exit 77")
endif()
set_tests_properties(browser.studio PROPERTIES LABELS browser SKIP_RETURN_CODE 77 TIMEOUT 300
  ENVIRONMENT "DEEPBACH_MODEL=${PROJECT_SOURCE_DIR}/models/deepbach.safetensors")
