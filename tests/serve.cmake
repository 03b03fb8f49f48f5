# deepbach serve's API, in process (tests/server/serve_test.cpp): built where
# the command has its server (cpp-httplib found, cli/CMakeLists.txt).
if(DEEPBACH_HAVE_SERVE)
  add_executable(serve_test ${CMAKE_CURRENT_SOURCE_DIR}/server/serve_test.cpp)
  target_include_directories(serve_test PRIVATE ${PROJECT_SOURCE_DIR}/cli ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(serve_test PRIVATE deepbach_cli_common GTest::gtest GTest::gtest_main)
  target_compile_definitions(serve_test PRIVATE DEEPBACH_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  gtest_discover_tests(serve_test DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS server ENVIRONMENT "DEEPBACH_MODEL=${PROJECT_SOURCE_DIR}/models/deepbach.safetensors")
else()
  message(STATUS "serve_test: off (no server in this build)")
endif()
