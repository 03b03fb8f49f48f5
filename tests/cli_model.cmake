# Command-line tests of the commands that use a model: evaluate (Eigen engine,
# always built), and train / bench train (LibTorch builds only).
if(NOT TARGET deepbach_cli)
  return()
endif()
set(DEEPBACH_EXE $<TARGET_FILE:deepbach_cli>)
set(MODEL_TMP ${CMAKE_CURRENT_BINARY_DIR}/cli-model)
file(MAKE_DIRECTORY ${MODEL_TMP})

# An untrained small model with the corpus's vocabularies (spelled ones without the corpus), for the tests below.
add_executable(make_model ${CMAKE_CURRENT_SOURCE_DIR}/tools/make_model.cpp)
target_link_libraries(make_model PRIVATE deepbach::deepbach)
if(DEEPBACH_HAVE_CORPUS)
  set(MODEL_FROM ${DEEPBACH_CORPUS_DIR})
else()
  set(MODEL_FROM -)
endif()
foreach(mode window full)
  add_test(NAME cli.make_model_${mode}
    COMMAND make_model ${MODEL_FROM} ${MODEL_TMP}/random-${mode}.safetensors --mode ${mode} --hidden 24)
  set_tests_properties(cli.make_model_${mode} PROPERTIES FIXTURES_SETUP deepbach_model_${mode})
  # evaluate --json: four voices with finite NLL and accuracies in [0, 1].
  add_test(NAME cli.evaluate_json_${mode}
    COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;evaluate\;--model\;${MODEL_TMP}/random-${mode}.safetensors\;${DEEPBACH_CORPUS_DIR}/bwv10.7.mxl\;${DEEPBACH_CORPUS_DIR}/bwv26.6.mxl\;--json
            -DCHORALES=2 -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_evaluate_json.cmake)
  set_tests_properties(cli.evaluate_json_${mode} PROPERTIES FIXTURES_REQUIRED deepbach_model_${mode})
endforeach()
# A corrupt model file is one clear error naming it.
file(WRITE ${MODEL_TMP}/corrupt.safetensors "not a model")
add_test(NAME cli.error_message_corrupt_model
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;evaluate\;--model\;${MODEL_TMP}/corrupt.safetensors\;${DEEPBACH_CORPUS_DIR}/bwv10.7.mxl
          -DEXPECT=corrupt.safetensors -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)

if(NOT TARGET deepbach_torch)
  # The names exist and say what is missing.
  add_test(NAME cli.train_needs_torch
    COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;train\;--corpus\;x\;--out\;y -DEXPECT=LibTorch
            -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_error.cmake)
  return()
endif()
# train: the acceptance run in miniature (small sizes, 4 steps), then
# evaluate reads what it wrote, and --resume continues from its checkpoint.
set(TRAIN_SIZES --corpus ${DEEPBACH_CORPUS_DIR} --mode full --lstm-hidden 16 --mlp-hidden 16
    --note-embedding 8 --meta-embedding 4 --threads 1 --seed 3)
set(TRAIN_SMALL ${TRAIN_SIZES} --epochs 1 --max-steps 4)
add_test(NAME cli.train_full COMMAND ${DEEPBACH_EXE} train ${TRAIN_SMALL} --out ${MODEL_TMP}/trained.safetensors)
set_tests_properties(cli.train_full PROPERTIES FIXTURES_SETUP deepbach_trained TIMEOUT 300
  PASS_REGULAR_EXPRESSION "steps: 4")
# --time-limit: a limit shorter than one step stops after the first step,
# validated and saved (the small sizes above, 3 epochs asked for).
add_test(NAME cli.train_time_limit
  COMMAND ${DEEPBACH_EXE} train ${TRAIN_SIZES} --epochs 3 --time-limit 0.0001
          --out ${MODEL_TMP}/time-limit.safetensors)
set_tests_properties(cli.train_time_limit PROPERTIES TIMEOUT 300 PASS_REGULAR_EXPRESSION "steps: 1 ")
add_test(NAME cli.train_evaluate_json
  COMMAND ${CMAKE_COMMAND} -DCMD=${DEEPBACH_EXE}\;evaluate\;--model\;${MODEL_TMP}/trained.safetensors\;${DEEPBACH_CORPUS_DIR}/bwv10.7.mxl\;--json
          -DCHORALES=1 -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_evaluate_json.cmake)
set_tests_properties(cli.train_evaluate_json PROPERTIES FIXTURES_REQUIRED deepbach_trained)
