# Validates every *.musicxml of FILES_DIR against the MusicXML 4.0 XSD in
# SCHEMA_DIR with XMLLINT, offline (the schema's catalog maps its imports to
# local copies). Files go in batches so the schema is parsed a few times, not
# once per file, and the command line stays short.
#   cmake -DXMLLINT=... -DSCHEMA_DIR=... -DFILES_DIR=... [-DMIN_FILES=N] -P check_schema.cmake
if(NOT XMLLINT OR XMLLINT MATCHES "NOTFOUND$")
  message(FATAL_ERROR "xmllint not found: install libxml2-utils (Debian) to validate the written MusicXML")
endif()
if(NOT EXISTS "${SCHEMA_DIR}/musicxml.xsd" OR NOT EXISTS "${SCHEMA_DIR}/catalog.xml")
  message(FATAL_ERROR "MusicXML schema not found in '${SCHEMA_DIR}' (set DEEPBACH_MUSICXML_SCHEMA_DIR)")
endif()
if(NOT DEFINED MIN_FILES)
  set(MIN_FILES 1)
endif()
file(GLOB files "${FILES_DIR}/*.musicxml")
list(LENGTH files count)
if(count LESS MIN_FILES)
  message(FATAL_ERROR "only ${count} MusicXML files in '${FILES_DIR}', expected at least ${MIN_FILES}: "
                      "did the corpus_roundtrip test run?")
endif()
list(SORT files)
set(ENV{XML_CATALOG_FILES} "${SCHEMA_DIR}/catalog.xml")
set(batch_size 100)
set(invalid 0)
math(EXPR last "${count} - 1")
foreach(start RANGE 0 ${last} ${batch_size})
  list(SUBLIST files ${start} ${batch_size} batch)
  execute_process(COMMAND ${XMLLINT} --nonet --noout --schema "${SCHEMA_DIR}/musicxml.xsd" ${batch}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    set(invalid 1)
    string(REGEX REPLACE "[^\n]* validates\n" "" err "${err}")
    message("${err}")
  endif()
endforeach()
if(invalid)
  message(FATAL_ERROR "some written MusicXML files do not validate against ${SCHEMA_DIR}/musicxml.xsd")
endif()
message(STATUS "${count} MusicXML files validate against the MusicXML 4.0 schema")
