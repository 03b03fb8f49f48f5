# Corpus round trip through the writers (included by tests/CMakeLists.txt).
#
#   corpus_roundtrip        read -> grid -> score -> MusicXML -> read -> grid must be identical;
#                           writes the MusicXML and MIDI files the next two tests check
#   corpus_musicxml_schema  every written MusicXML file validates against the MusicXML 4.0 XSD (xmllint)
#   corpus_midi_decode      midicsv decodes the written MIDI to the chorale's notes and onsets
#
# A missing corpus, xmllint or midicsv makes the test fail with a message, never pass silently.
add_executable(corpus_roundtrip ${CMAKE_CURRENT_SOURCE_DIR}/tools/corpus_roundtrip.cpp)
target_link_libraries(corpus_roundtrip PRIVATE deepbach::deepbach)

find_program(DEEPBACH_XMLLINT xmllint)
find_program(DEEPBACH_MIDICSV midicsv)

set(DEEPBACH_ROUNDTRIP_DIR ${CMAKE_CURRENT_BINARY_DIR}/corpus_roundtrip_out)

add_test(NAME corpus_roundtrip
  COMMAND corpus_roundtrip ${DEEPBACH_CORPUS_DIR} ${DEEPBACH_ROUNDTRIP_DIR} --min-accepted 300 --midi-expect 5)
set_tests_properties(corpus_roundtrip PROPERTIES FIXTURES_SETUP deepbach_corpus_written TIMEOUT 600)

add_test(NAME corpus_musicxml_schema
  COMMAND ${CMAKE_COMMAND} -DXMLLINT=${DEEPBACH_XMLLINT} -DSCHEMA_DIR=${DEEPBACH_MUSICXML_SCHEMA_DIR}
          -DFILES_DIR=${DEEPBACH_ROUNDTRIP_DIR}/musicxml -DMIN_FILES=300
          -P ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_schema.cmake)
set_tests_properties(corpus_musicxml_schema PROPERTIES FIXTURES_REQUIRED deepbach_corpus_written TIMEOUT 600)

add_test(NAME corpus_midi_decode
  COMMAND ${CMAKE_COMMAND} -DMIDICSV=${DEEPBACH_MIDICSV} -DFILES_DIR=${DEEPBACH_ROUNDTRIP_DIR}/midi -DMIN_FILES=5
          -P ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_midi.cmake)
set_tests_properties(corpus_midi_decode PROPERTIES FIXTURES_REQUIRED deepbach_corpus_written TIMEOUT 300)
