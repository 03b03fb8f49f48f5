# Command-line tests of the sampler: deepbach harmonize, generate,
# reharmonize and bench sample, with the untrained models of cli_model.cmake
# (constraints hold whatever the weights) and few iterations.
if(NOT TARGET deepbach_cli OR NOT TARGET make_model)
  return()
endif()
set(DEEPBACH_EXE $<TARGET_FILE:deepbach_cli>)
set(SAMPLE_TMP ${CMAKE_CURRENT_BINARY_DIR}/cli-sample)
file(MAKE_DIRECTORY ${SAMPLE_TMP})
set(SAMPLE_MODELS ${CMAKE_CURRENT_BINARY_DIR}/cli-model)
set(CHORALE ${DEEPBACH_CORPUS_DIR}/bwv10.7.mxl)  # G minor, 22 bars, fermatas in bars 5, 9, 14, 22

add_executable(check_grid ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_grid.cpp)
target_include_directories(check_grid PRIVATE ${PROJECT_SOURCE_DIR}/libdeepbach)
target_link_libraries(check_grid PRIVATE deepbach::deepbach pugixml::pugixml)
set(CHECK_GRID $<TARGET_FILE:check_grid>)
find_program(DEEPBACH_XMLLINT xmllint)

# sample_test(NAME [MODE window|full] STEP1 cmd... [STEP2 ...] [SAME a b] [DIFFERENT a b]
#             [EXIST files...] [SCHEMA files...] [JSON_KEYS keys...])
# Runs tests/cli/check_sample.cmake with those arguments (see there).
# "deepbach" at the start of a step is the command, "check_grid" the checker.
function(sample_test name)
  cmake_parse_arguments(T "" "MODE" "STEP1;STEP2;STEP3;STEP4;SAME;DIFFERENT;EXIST;SCHEMA;JSON_KEYS" ${ARGN})
  if(NOT T_MODE)
    set(T_MODE window)
  endif()
  set(args -DXMLLINT=${DEEPBACH_XMLLINT} -DSCHEMA_DIR=${DEEPBACH_MUSICXML_SCHEMA_DIR})
  foreach(key STEP1 STEP2 STEP3 STEP4 SAME DIFFERENT EXIST SCHEMA JSON_KEYS)
    if(DEFINED T_${key})
      set(value "${T_${key}}")
      if(key MATCHES "^STEP")
        list(GET value 0 program)
        if(program STREQUAL "deepbach")
          list(REMOVE_AT value 0)
          list(INSERT value 0 ${DEEPBACH_EXE})
          list(APPEND value --model ${SAMPLE_MODELS}/random-${T_MODE}.safetensors)
        elseif(program STREQUAL "check_grid")
          list(REMOVE_AT value 0)
          list(INSERT value 0 ${CHECK_GRID})
        endif()
      endif()
      string(REPLACE ";" "\\;" value "${value}")
      list(APPEND args "-D${key}=${value}")
    endif()
  endforeach()
  add_test(NAME cli.${name} COMMAND ${CMAKE_COMMAND} ${args} -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_sample.cmake)
  set_tests_properties(cli.${name} PROPERTIES FIXTURES_REQUIRED deepbach_model_${T_MODE} TIMEOUT 300)
endfunction()

set(FEW --iterations 20 --threads 1)

# harmonize: the soprano of the output is the melody's, note for note, and the
# MusicXML validates; a corpus chorale (its soprano taken) in both modes, and
# melodies as other software writes them.
foreach(mode window full)
  sample_test(harmonize_chorale_${mode} MODE ${mode}
    STEP1 deepbach harmonize ${CHORALE} -o ${SAMPLE_TMP}/h-${mode}.musicxml --midi ${SAMPLE_TMP}/h-${mode}.mid
          --seed 1 ${FEW}
    STEP2 check_grid soprano ${CHORALE} ${SAMPLE_TMP}/h-${mode}.musicxml
    SCHEMA ${SAMPLE_TMP}/h-${mode}.musicxml EXIST ${SAMPLE_TMP}/h-${mode}.mid)
endforeach()
file(GLOB SAMPLE_MELODIES ${CMAKE_CURRENT_SOURCE_DIR}/data/melody_*.musicxml)
foreach(melody ${SAMPLE_MELODIES})
  get_filename_component(stem ${melody} NAME_WE)
  sample_test(harmonize_${stem}
    STEP1 deepbach harmonize ${melody} -o ${SAMPLE_TMP}/${stem}.musicxml --seed 2 ${FEW}
    STEP2 check_grid soprano ${melody} ${SAMPLE_TMP}/${stem}.musicxml
    SCHEMA ${SAMPLE_TMP}/${stem}.musicxml)
endforeach()
# --svg: a piano roll with the melody fixed and the lower voices generated;
# reharmonize marks everything outside the region fixed.
sample_test(harmonize_svg
  STEP1 deepbach harmonize ${CHORALE} -o ${SAMPLE_TMP}/roll.musicxml --svg ${SAMPLE_TMP}/roll.svg --seed 1 ${FEW}
  STEP2 check_grid svg ${SAMPLE_TMP}/roll.svg ${SAMPLE_TMP}/roll.musicxml S)
sample_test(generate_svg
  STEP1 deepbach generate --bars 2 -o ${SAMPLE_TMP}/gen-roll.musicxml --svg ${SAMPLE_TMP}/gen-roll.svg --seed 1 ${FEW}
  STEP2 check_grid svg ${SAMPLE_TMP}/gen-roll.svg ${SAMPLE_TMP}/gen-roll.musicxml -)
sample_test(reharmonize_svg
  STEP1 deepbach reharmonize ${CHORALE} --bars 2-3 --voices ATB -o ${SAMPLE_TMP}/re-roll.musicxml
        --svg ${SAMPLE_TMP}/re-roll.svg --seed 1 ${FEW}
  STEP2 check_grid svg ${SAMPLE_TMP}/re-roll.svg ${SAMPLE_TMP}/re-roll.musicxml Satb)
# .mxl output, read back.
sample_test(harmonize_mxl
  STEP1 deepbach harmonize ${CHORALE} -o ${SAMPLE_TMP}/h.mxl --seed 1 ${FEW}
  STEP2 check_grid soprano ${CHORALE} ${SAMPLE_TMP}/h.mxl)

# The same seed gives the same bytes (whatever the threads); another seed another file.
sample_test(harmonize_seed
  STEP1 deepbach harmonize ${CHORALE} -o ${SAMPLE_TMP}/seed7a.musicxml --seed 7 --iterations 20 --threads 1
  STEP2 deepbach harmonize ${CHORALE} -o ${SAMPLE_TMP}/seed7b.musicxml --seed 7 --iterations 20 --threads 2
  STEP3 deepbach harmonize ${CHORALE} -o ${SAMPLE_TMP}/seed8.musicxml --seed 8 --iterations 20 --threads 1
  SAME ${SAMPLE_TMP}/seed7a.musicxml ${SAMPLE_TMP}/seed7b.musicxml
  DIFFERENT ${SAMPLE_TMP}/seed7a.musicxml ${SAMPLE_TMP}/seed8.musicxml)

# --json and --all-chains: one object; a file per chain.
sample_test(harmonize_chains_json
  STEP1 deepbach harmonize ${CHORALE} -o ${SAMPLE_TMP}/chains.musicxml --chains 3 --all-chains --json
        --seed 3 ${FEW}
  STEP2 check_grid soprano ${CHORALE} ${SAMPLE_TMP}/chains-chain3.musicxml
  EXIST ${SAMPLE_TMP}/chains-chain1.musicxml ${SAMPLE_TMP}/chains-chain2.musicxml
  JSON_KEYS files seed iterations positions chains pseudo_log_likelihood best_chain seconds backend)

# Constraints hold in the output: a fixed note, a range, a rhythm taken from
# the melody, an added fermata, and a cadence on the fermata of bar 9
# (G minor, authentic: the soprano's G4 there is a tone of G Bb D).
sample_test(harmonize_constraints
  STEP1 deepbach harmonize ${CHORALE} -o ${SAMPLE_TMP}/constrained.musicxml --seed 4 ${FEW}
        --fix bass:3:G2 --fix alto:4:rest --range tenor:D3-E4 --rhythm tenor:6-7 --fermata 11.2
        --cadence 9.1:authentic
  STEP2 check_grid fixed ${SAMPLE_TMP}/constrained.musicxml bass 3 G2
  STEP3 check_grid fixed ${SAMPLE_TMP}/constrained.musicxml alto 4 rest
  STEP4 check_grid range ${SAMPLE_TMP}/constrained.musicxml tenor D3 E4)
sample_test(harmonize_constraints_rhythm
  STEP1 deepbach harmonize ${CHORALE} -o ${SAMPLE_TMP}/rhythm.musicxml --seed 4 ${FEW} --rhythm tenor:6-7
        --cadence 9.1:authentic --fermata 11.2
  STEP2 check_grid rhythm ${CHORALE} tenor ${SAMPLE_TMP}/rhythm.musicxml tenor 6-7
  STEP3 check_grid cadence ${SAMPLE_TMP}/rhythm.musicxml 128 authentic
  STEP4 check_grid fermata ${SAMPLE_TMP}/rhythm.musicxml 164)

# reharmonize: nothing changes outside the region.
sample_test(reharmonize_region
  STEP1 deepbach reharmonize ${CHORALE} --bars 2-3 --voices ATB -o ${SAMPLE_TMP}/re-atb.musicxml --seed 5 ${FEW}
  STEP2 check_grid outside ${CHORALE} ${SAMPLE_TMP}/re-atb.musicxml 2-3 ATB
  SCHEMA ${SAMPLE_TMP}/re-atb.musicxml)
# A note held over the region's end keeps its pitch after it (struck again
# there when the note drawn before it has another): in bwv10.7 the alto's B
# of bar 12 is tied into bar 13, the tenor's C of bar 16 into bar 17.
foreach(seed 1 2 3)
  sample_test(reharmonize_held_over_${seed}
    STEP1 deepbach reharmonize ${CHORALE} --bars 11-12 --voices ATB -o ${SAMPLE_TMP}/re-held-${seed}.musicxml
          --seed ${seed} ${FEW}
    STEP2 check_grid outside ${CHORALE} ${SAMPLE_TMP}/re-held-${seed}.musicxml 11-12 ATB)
endforeach()
sample_test(reharmonize_held_over_ticks
  STEP1 deepbach reharmonize ${CHORALE} --ticks 26880-30720 --voices T -o ${SAMPLE_TMP}/re-held-ticks.musicxml
        --seed 4 ${FEW}
  STEP2 check_grid outside ${CHORALE} ${SAMPLE_TMP}/re-held-ticks.musicxml 15-16 T)
sample_test(reharmonize_all_voices MODE full
  STEP1 deepbach reharmonize ${CHORALE} --bars 2-3 -o ${SAMPLE_TMP}/re-satb.musicxml --seed 5 ${FEW}
        --rhythm alto:2-3
  STEP2 check_grid outside ${CHORALE} ${SAMPLE_TMP}/re-satb.musicxml 2-3 SATB
  STEP3 check_grid rhythm ${CHORALE} alto ${SAMPLE_TMP}/re-satb.musicxml alto 2-3)

# generate: 4 bars of 3/4 in G with a fermata on the last beat.
sample_test(generate_shape
  STEP1 deepbach generate --bars 4 --key G --time 3/4 --fermata 12 -o ${SAMPLE_TMP}/gen.musicxml --seed 6 ${FEW}
  STEP2 check_grid shape ${SAMPLE_TMP}/gen.musicxml 4 3/4 1
  STEP3 check_grid fermata ${SAMPLE_TMP}/gen.musicxml 44
  SCHEMA ${SAMPLE_TMP}/gen.musicxml)
sample_test(generate_cadence MODE full
  STEP1 deepbach generate --bars 2 --key "g minor" --fermata 8 --cadence 2.4:authentic --fix soprano:1:D5
        -o ${SAMPLE_TMP}/gen-cadence.musicxml --seed 6 ${FEW}
  STEP2 check_grid cadence ${SAMPLE_TMP}/gen-cadence.musicxml 28 authentic
  STEP3 check_grid fixed ${SAMPLE_TMP}/gen-cadence.musicxml soprano 1 D5
  STEP4 check_grid shape ${SAMPLE_TMP}/gen-cadence.musicxml 2 4/4 -2)

# Contradictions and bad arguments: one line on stderr naming what is wrong,
# before any sampling.
function(sample_error name expect)
  add_test(NAME cli.sample_error_${name}
    COMMAND ${CMAKE_COMMAND} "-DCMD=${DEEPBACH_EXE};${ARGN};--model;${SAMPLE_MODELS}/random-window.safetensors"
            "-DEXPECT=${expect}" -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
  set_tests_properties(cli.sample_error_${name} PROPERTIES FIXTURES_REQUIRED deepbach_model_window)
endfunction()
set(H harmonize ${CHORALE} -o ${SAMPLE_TMP}/never.musicxml)
sample_error(fix_melody "bar 1, Soprano" ${H} --fix soprano:1:C4)
sample_error(fix_range "bar 2, Bass" ${H} --fix bass:2:C7)
sample_error(cadence_melody "bar 5, Soprano" ${H} --cadence 5.1:half)
sample_error(fix_clash "bar 3, Alto" ${H} --fix alto:3:D4 --fix alto:3-4:rest)
sample_error(fixed_rhythm "bar 6, Tenor" ${H} --rhythm tenor:6 --fix tenor:6:rest)
sample_error(bad_bar "no bar 40" ${H} --fix bass:40:C3)
sample_error(bad_pitch "fix 'bass:3:H2': not a pitch" ${H} --fix bass:3:H2)
sample_error(bad_voice "range 'x:C3-C4': unknown voice" ${H} --range x:C3-C4)
sample_error(bad_beat "past the end" ${H} --fermata 1000)
sample_error(bad_cadence "unknown cadence type" ${H} --cadence 16:perfectly)
sample_error(bad_svg "expected a .svg file" ${H} --svg ${SAMPLE_TMP}/roll.png)
sample_error(bad_voice_leading "voice leading -1: expected a number >= 0" ${H} --voice-leading -1)
sample_error(bad_key "key '3:H'" ${H} --key 3:H)
sample_error(bad_iterations "iterations 'many': expected a whole number" ${H} --iterations many)
sample_error(bad_temperature "temperature 0: expected a positive number" ${H} --temperature 0)
sample_error(bad_output "out.pdf" harmonize ${CHORALE} -o ${SAMPLE_TMP}/out.pdf)
sample_error(bad_backend "backend 'cuda': expected eigen or torch" ${H} --backend cuda)
sample_error(bad_region "region '40-41:SATB': no bar 40" reharmonize ${CHORALE} --bars 40-41 -o ${SAMPLE_TMP}/never.musicxml)
sample_error(bad_voices "region '2:XYZ'" reharmonize ${CHORALE} --bars 2 --voices XYZ -o ${SAMPLE_TMP}/never.musicxml)
sample_error(bad_time "time '5/7'" generate --bars 4 --time 5/7 -o ${SAMPLE_TMP}/never.musicxml)
sample_error(missing_melody "no-such-melody.musicxml" harmonize ${SAMPLE_TMP}/no-such-melody.musicxml -o ${SAMPLE_TMP}/never.musicxml)

# The LibTorch backend gives a valid harmonization too (LibTorch builds only).
if(TARGET deepbach_torch)
  sample_test(harmonize_torch
    STEP1 deepbach harmonize ${CHORALE} -o ${SAMPLE_TMP}/h-torch.musicxml --backend torch --device cpu --seed 1
          ${FEW}
    STEP2 check_grid soprano ${CHORALE} ${SAMPLE_TMP}/h-torch.musicxml)
endif()

# Without --model: $DEEPBACH_MODEL names the model (the shipped one otherwise).
add_test(NAME cli.harmonize_default_model_env
  COMMAND ${DEEPBACH_EXE} harmonize ${CHORALE} -o ${SAMPLE_TMP}/default-model.musicxml --iterations 2 --seed 1)
set_tests_properties(cli.harmonize_default_model_env PROPERTIES FIXTURES_REQUIRED deepbach_model_full
  ENVIRONMENT "DEEPBACH_MODEL=${SAMPLE_MODELS}/random-full.safetensors"
  PASS_REGULAR_EXPRESSION "wrote .*default-model.musicxml")
# A $DEEPBACH_MODEL that does not exist is one clear error naming it.
add_test(NAME cli.error_message_default_model_missing
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;harmonize\;${CHORALE}\;-o\;${SAMPLE_TMP}/never.musicxml
          -DEXPECT=no-such-model.safetensors -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
set_tests_properties(cli.error_message_default_model_missing PROPERTIES
  ENVIRONMENT "DEEPBACH_MODEL=${SAMPLE_TMP}/no-such-model.safetensors")

# The README's first command: Old Hundredth harmonized with the shipped model
# (no --model, no $DEEPBACH_MODEL), MusicXML that validates, the melody kept,
# MIDI and the piano roll written.
if(EXISTS ${PROJECT_SOURCE_DIR}/models/deepbach.safetensors)
  set(OLD_HUNDREDTH ${PROJECT_SOURCE_DIR}/examples/melodies/old-hundredth.musicxml)
  set(step1 ${DEEPBACH_EXE} harmonize ${OLD_HUNDREDTH} -o ${SAMPLE_TMP}/old-hundredth.musicxml
      --midi ${SAMPLE_TMP}/old-hundredth.mid --svg ${SAMPLE_TMP}/old-hundredth.svg --seed 1)
  set(step2 ${CHECK_GRID} soprano ${OLD_HUNDREDTH} ${SAMPLE_TMP}/old-hundredth.musicxml)
  set(step3 ${CHECK_GRID} svg ${SAMPLE_TMP}/old-hundredth.svg ${SAMPLE_TMP}/old-hundredth.musicxml S)
  set(readme_args -DXMLLINT=${DEEPBACH_XMLLINT} -DSCHEMA_DIR=${DEEPBACH_MUSICXML_SCHEMA_DIR}
      -DEXIST=${SAMPLE_TMP}/old-hundredth.mid -DSCHEMA=${SAMPLE_TMP}/old-hundredth.musicxml)
  foreach(i 1 2 3)
    string(REPLACE ";" "\\;" value "${step${i}}")
    list(APPEND readme_args "-DSTEP${i}=${value}")
  endforeach()
  add_test(NAME cli.readme_harmonize_shipped_model
    COMMAND ${CMAKE_COMMAND} ${readme_args} -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_sample.cmake)
  set_tests_properties(cli.readme_harmonize_shipped_model PROPERTIES ENVIRONMENT "DEEPBACH_MODEL=" TIMEOUT 300)
endif()
