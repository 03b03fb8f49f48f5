# The benchmarks of bench/ run and print their JSON line (tiny runs: this
# checks the programs, not the speed; figures are in docs/benchmarks.md).
if(NOT TARGET bench_infer)
  return()
endif()
set(BENCH_JSON ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_bench_json.cmake)
# bench_infer: a positive logits_per_s; with DEEPBACH_NO_SIMD_DISPATCH=1 the baseline kernel runs.
add_test(NAME bench.infer_json
  COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bench_infer>\;--mode\;window\;--seconds\;0\;--batch\;2\;--json
          -DKEY=logits_per_s -P ${BENCH_JSON})
add_test(NAME bench.infer_full_json
  COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bench_infer>\;--mode\;full\;--seconds\;0\;--batch\;2\;--json
          -DKEY=ms_per_pass -P ${BENCH_JSON})
add_test(NAME bench.infer_float16_json
  COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bench_infer>\;--mode\;full\;--seconds\;0\;--batch\;2\;--float16\;1\;--json
          -DKEY=ms_per_pass -P ${BENCH_JSON})
add_test(NAME bench.infer_baseline COMMAND bench_infer --mode window --seconds 0 --batch 2 --json)
set_tests_properties(bench.infer_baseline PROPERTIES ENVIRONMENT DEEPBACH_NO_SIMD_DISPATCH=1
  PASS_REGULAR_EXPRESSION "\"kernel\":\"baseline\",.*\"ms_per_pass\"")
# bench_sample: ms_per_iteration, and ms_per_pass in full mode; the guide's strength is reported.
add_test(NAME bench.sample_window_json
  COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bench_sample>\;--mode\;window\;--iterations\;2\;--json
          -DKEY=ms_per_iteration -P ${BENCH_JSON})
add_test(NAME bench.sample_full_json
  COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bench_sample>\;--mode\;full\;--iterations\;2\;--json
          -DKEY=ms_per_pass -P ${BENCH_JSON})
add_test(NAME bench.sample_guided_json
  COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bench_sample>\;--mode\;full\;--iterations\;2\;--voice-leading\;1\;--json
          -DKEY=voice_leading -P ${BENCH_JSON})
add_test(NAME bench.sample_bad_option COMMAND bench_sample --threads -1)
set_tests_properties(bench.sample_bad_option PROPERTIES WILL_FAIL TRUE)
set_tests_properties(bench.sample_window_json bench.sample_full_json bench.sample_guided_json PROPERTIES TIMEOUT 300)
# bench_train: a positive samples_per_s on the corpus (LibTorch builds, corpus needed).
if(TARGET bench_train)
  add_test(NAME bench.train_json
    COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bench_train>\;${DEEPBACH_CORPUS_DIR}\;--mode\;full\;--steps\;2\;--batch-sequences\;2\;--json
            -DKEY=samples_per_s -DNEEDS_CORPUS=${DEEPBACH_CORPUS_DIR} -P ${BENCH_JSON})
  set_tests_properties(bench.train_json PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
endif()
# bench_quality_time: the shipped model on one validation chorale's first 2
# bars at 1 and 2 sweeps, the model alone and guided; the seconds of a row.
if(EXISTS ${PROJECT_SOURCE_DIR}/models/deepbach.safetensors AND TARGET bench_quality_time)
  add_test(NAME bench.quality_time_json
    COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bench_quality_time>\;${PROJECT_SOURCE_DIR}/models/deepbach.safetensors\;${DEEPBACH_CORPUS_DIR}\;--chorales\;1\;--bars\;2\;--sweeps\;1,2\;--json
            -DKEY=rows\;3\;seconds_per_chorale -DNEEDS_CORPUS=${DEEPBACH_CORPUS_DIR} -P ${BENCH_JSON})
  set_tests_properties(bench.quality_time_json PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
endif()
# bench_cost_growth: the shipped model, 1 and 2 bars, 2 chains, one sweep.
if(EXISTS ${PROJECT_SOURCE_DIR}/models/deepbach.safetensors AND TARGET bench_cost_growth)
  add_test(NAME bench.cost_growth_json
    COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bench_cost_growth>\;${PROJECT_SOURCE_DIR}/models/deepbach.safetensors\;--sweeps\;1\;--bars\;1,2\;--chains\;1,2\;--threads\;1\;--json
            -DKEY=rows\;2\;ms_per_chain_bar_and_sweep -P ${BENCH_JSON})
  set_tests_properties(bench.cost_growth_json PROPERTIES TIMEOUT 300)
endif()
# bench_hymn: the README's command twice, at one sweep; its median.
if(EXISTS ${PROJECT_SOURCE_DIR}/models/deepbach.safetensors AND TARGET bench_hymn AND TARGET deepbach_cli)
  add_test(NAME bench.hymn_json
    COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:bench_hymn>\;--runs\;2\;--json\;--\;--sweeps\;1
            -DKEY=median_seconds -P ${BENCH_JSON})
  set_tests_properties(bench.hymn_json PROPERTIES TIMEOUT 300)
endif()
