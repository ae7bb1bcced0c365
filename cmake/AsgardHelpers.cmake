# asgard_cc_library(NAME name SRCS ... [HDRS ...] [DEPS ...])
# One static library per folder; headers are included as "folder/file.h" from src/.
function(asgard_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;HDRS;DEPS" ${ARGN})
  add_library(${ARG_NAME} STATIC ${ARG_SRCS} ${ARG_HDRS})
  target_include_directories(${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${ARG_NAME} PUBLIC ${ARG_DEPS})
endfunction()

# asgard_cc_test_library(NAME name SRCS ... [HDRS ...] [DEPS ...])
# Test support (fixtures, helpers that use GoogleTest) beside the tests of a folder: built only
# with the tests and linked only by them, never by a production library.
function(asgard_cc_test_library)
  if(NOT ASGARD_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SRCS;HDRS;DEPS" ${ARGN})
  add_library(${ARG_NAME} STATIC ${ARG_SRCS} ${ARG_HDRS})
  target_include_directories(${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${ARG_NAME} PUBLIC ${ARG_DEPS} GTest::gtest)
endfunction()

# asgard_cc_test(NAME name SRCS ... [DEPS ...])
# A GoogleTest binary beside the code; each TEST becomes a CTest test.
function(asgard_cc_test)
  if(NOT ASGARD_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)
endfunction()
