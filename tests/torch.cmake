# Tests of libdeepbach/torch (training with LibTorch): one program per
# tests/torch/*_test.cpp, built only when LibTorch was found.
if(NOT TARGET deepbach_torch)
  return()
endif()
file(GLOB DEEPBACH_TORCH_TEST_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/torch/*_test.cpp)
foreach(src ${DEEPBACH_TORCH_TEST_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/libdeepbach ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE deepbach::torch deepbach::deepbach GTest::gtest GTest::gtest_main fmt::fmt
                        Eigen3::Eigen)
  target_compile_definitions(${name} PRIVATE DEEPBACH_CORPUS_DIR="${DEEPBACH_CORPUS_DIR}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120
    PROPERTIES ENVIRONMENT "DEEPBACH_CACHE=${CMAKE_CURRENT_BINARY_DIR}/cache" LABELS torch)
endforeach()
