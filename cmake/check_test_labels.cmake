# test_labels_check: fails when a test carries other labels than it was registered
# with, e.g. a GoogleTest binary's tests that kept only their first label. MANIFEST
# (BUILD/test_labels.cmake, written by faultline_test_labels in CMakeLists.txt)
# names every labelled test a build registers:
#   labelled_gtest(EXECUTABLE LABELS)  each test EXECUTABLE --gtest_list_tests lists
#   labelled_test(NAME LABELS)         one CTest test
# For each label, `ctest -N -L ^LABEL$` must select exactly as many tests as were
# registered with it, and `ctest -N` as many as were registered in all.
# Usage: cmake -D CTEST=ctest -D BUILD=DIR -D MANIFEST=DIR/test_labels.cmake
#              -P cmake/check_test_labels.cmake
cmake_minimum_required(VERSION 3.25)

set(registered_total 0)
set(registered_labels "")

# Adds COUNT tests carrying LABELS (a ;-list) to the registered counts.
macro(count_registered count labels)
  math(EXPR registered_total "${registered_total} + ${count}")
  foreach(label IN ITEMS ${labels})
    if(NOT label IN_LIST registered_labels)
      list(APPEND registered_labels ${label})
      set(registered_${label} 0)
    endif()
    math(EXPR registered_${label} "${registered_${label}} + ${count}")
  endforeach()
endmacro()

# The tests of a GoogleTest binary, as gtest_discover_tests reads them: each line
# of its --gtest_list_tests that starts with two spaces.
macro(labelled_gtest executable labels)
  execute_process(COMMAND "${executable}" --gtest_list_tests
                  OUTPUT_VARIABLE listing RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "test_labels_check: ${executable} --gtest_list_tests: ${status}\n"
                        "(not built? every registered test is checked)")
  endif()
  string(REGEX MATCHALL "\n  " tests "\n${listing}")
  list(LENGTH tests count)
  count_registered(${count} "${labels}")
endmacro()

macro(labelled_test name labels)
  count_registered(1 "${labels}")
endmacro()

# How many tests `ctest -N ARGS` in BUILD selects; sets OUT.
function(ctest_count out)
  execute_process(COMMAND "${CTEST}" -N ${ARGN} WORKING_DIRECTORY "${BUILD}"
                  OUTPUT_VARIABLE listing RESULT_VARIABLE status)
  if(NOT status EQUAL 0 OR NOT listing MATCHES "Total Tests: ([0-9]+)")
    message(FATAL_ERROR "test_labels_check: ctest -N ${ARGN} in ${BUILD}: ${status}\n${listing}")
  endif()
  set(${out} ${CMAKE_MATCH_1} PARENT_SCOPE)
endfunction()

include("${MANIFEST}")
set(failures "")
ctest_count(selected)
message("all: ${registered_total} registered, ${selected} known to ctest")
if(NOT selected EQUAL registered_total)
  string(APPEND failures "  all tests: ${registered_total} registered, ctest knows ${selected}\n")
endif()
foreach(label IN LISTS registered_labels)
  ctest_count(selected -L "^${label}$")
  message("${label}: ${registered_${label}} registered, ${selected} selected by -L")
  if(NOT selected EQUAL registered_${label})
    string(APPEND failures "  label ${label}: ${registered_${label}} tests registered with it, "
                           "`ctest -N -L ^${label}$` selects ${selected}\n")
  endif()
endforeach()
if(failures)
  message(FATAL_ERROR "test_labels_check: tests lost or gained labels:\n${failures}")
endif()
