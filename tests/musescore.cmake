# The MuseScore 3 plugin (integrations/musescore), run headless with
# `mscore3 -p` on a chorale and a test selection (label: musescore). Skipped
# (exit 77) only where mscore3 is not installed; scripts/install-deps installs it.
if(NOT TARGET deepbach_cli)
  return()
endif()
find_program(DEEPBACH_BASH bash)
if(NOT DEEPBACH_BASH)
  return()
endif()
add_executable(check_edit ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_edit.cpp)
target_link_libraries(check_edit PRIVATE deepbach::deepbach)
set(MUSESCORE_TMP ${CMAKE_CURRENT_BINARY_DIR}/musescore)

# musescore_test(NAME TICKS FIRST_STAFF LAST_STAFF VOICES): bwv10.7 (4/4, 22 bars, no pickup).
function(musescore_test name ticks first last voices)
  add_test(NAME musescore.${name}
    COMMAND ${DEEPBACH_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/musescore/run_plugin.sh
            $<TARGET_FILE:deepbach_cli> $<TARGET_FILE:check_edit>
            ${PROJECT_SOURCE_DIR}/integrations/musescore/deepbach.qml
            ${DEEPBACH_CORPUS_DIR}/bwv10.7.mxl ${MUSESCORE_TMP}/${name} ${ticks} ${first} ${last} ${voices}
            --seed 3 --sweeps 4)
  set_tests_properties(musescore.${name} PROPERTIES LABELS musescore SKIP_RETURN_CODE 77 TIMEOUT 400
    ENVIRONMENT "DEEPBACH_MODEL=${PROJECT_SOURCE_DIR}/models/deepbach.safetensors")
endfunction()
# Bars 2-3, alto, tenor and bass.
musescore_test(reharmonize_bars 1920-5760 1 3 ATB)
# From bar 3 beat 2 to bar 4 beat 2, soprano and alto: both edges cut notes held over them.
musescore_test(reharmonize_beats 4320-6240 0 1 SA)
