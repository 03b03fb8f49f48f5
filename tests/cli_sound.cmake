# Sound: `--wav` and `deepbach convert x.musicxml x.wav` (libfluidsynth and a
# General MIDI soundfont; scripts/install-deps installs both). The WAV must
# last exactly as long as the score (tests/cli/check_wav.cmake). Label: sound.
if(NOT TARGET deepbach_cli)
  return()
endif()
set(DEEPBACH_EXE $<TARGET_FILE:deepbach_cli>)
set(SOUND_TMP ${CMAKE_CURRENT_BINARY_DIR}/cli-sound)
file(MAKE_DIRECTORY ${SOUND_TMP})
find_program(DEEPBACH_SOXI soxi)
set(MELODY ${PROJECT_SOURCE_DIR}/examples/melodies/old-hundredth.musicxml)

if(NOT DEEPBACH_HAVE_FLUIDSYNTH)
  # Without fluidsynth --wav says how to get it, in one line.
  add_test(NAME sound.no_fluidsynth
    COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;convert\;${MELODY}\;${SOUND_TMP}/x.wav
            -DEXPECT=libfluidsynth -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
  set_tests_properties(sound.no_fluidsynth PROPERTIES LABELS sound)
  return()
endif()

add_test(NAME sound.convert_wav
  COMMAND ${CMAKE_COMMAND} -DDEEPBACH=${DEEPBACH_EXE} -DSCORE=${DEEPBACH_CORPUS_DIR}/bwv10.7.mxl
          -DWAV=${SOUND_TMP}/bwv10.7.wav -DSOXI=${DEEPBACH_SOXI}
          -DCMD=${DEEPBACH_EXE}\;convert\;${DEEPBACH_CORPUS_DIR}/bwv10.7.mxl\;${SOUND_TMP}/bwv10.7.wav
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_wav.cmake)
add_test(NAME sound.convert_wav_pickup
  COMMAND ${CMAKE_COMMAND} -DDEEPBACH=${DEEPBACH_EXE} -DSCORE=${MELODY}
          -DWAV=${SOUND_TMP}/old-hundredth.wav -DSOXI=${DEEPBACH_SOXI}
          -DCMD=${DEEPBACH_EXE}\;convert\;${MELODY}\;${SOUND_TMP}/old-hundredth.wav\;--soundfont\;/usr/share/sounds/sf2/TimGM6mb.sf2
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_wav.cmake)
# The sampling commands: the WAV of what was written.
add_test(NAME sound.harmonize_wav
  COMMAND ${CMAKE_COMMAND} -DDEEPBACH=${DEEPBACH_EXE} -DSCORE=${SOUND_TMP}/harmonized.musicxml
          -DWAV=${SOUND_TMP}/harmonized.wav -DSOXI=${DEEPBACH_SOXI}
          -DCMD=${DEEPBACH_EXE}\;harmonize\;${MELODY}\;-o\;${SOUND_TMP}/harmonized.musicxml\;--wav\;${SOUND_TMP}/harmonized.wav\;--sweeps\;2
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_wav.cmake)
set_tests_properties(sound.harmonize_wav PROPERTIES
  ENVIRONMENT "DEEPBACH_MODEL=${PROJECT_SOURCE_DIR}/models/deepbach.safetensors")
# Errors: one line naming the file, nothing written.
add_test(NAME sound.error_missing_soundfont
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;convert\;${MELODY}\;${SOUND_TMP}/none.wav\;--soundfont\;${SOUND_TMP}/missing.sf2
          -DEXPECT=missing.sf2 -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
add_test(NAME sound.error_wav_extension
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;harmonize\;${MELODY}\;-o\;${SOUND_TMP}/h.musicxml\;--wav\;${SOUND_TMP}/h.mp3
          -DEXPECT=h.mp3 -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
set_tests_properties(sound.convert_wav sound.convert_wav_pickup sound.harmonize_wav
  sound.error_missing_soundfont sound.error_wav_extension PROPERTIES LABELS sound)
