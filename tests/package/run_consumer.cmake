# Configures, builds and runs tests/package as an outside project.
# -DMODE=find_package: installs qmann's build tree to a fresh prefix first and
#   lets the consumer find it there (the source tree is not on its path).
# -DMODE=add_subdirectory: the consumer adds qmann's source tree.
cmake_minimum_required(VERSION 3.20)

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed (${result}): ${ARGV}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(consumer_args
  -S "${CMAKE_CURRENT_LIST_DIR}" -B "${WORK_DIR}/build"
  -DCMAKE_CXX_COMPILER=${CXX_COMPILER} "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
  -DQMANN_CONSUMER_MODE=${MODE})
if(MODE STREQUAL "find_package")
  run("${CMAKE_COMMAND}" --install "${QMANN_BINARY_DIR}" --prefix "${WORK_DIR}/prefix")
  if(NOT EXISTS "${WORK_DIR}/prefix/include/qmann/qmann.hpp")
    message(FATAL_ERROR "the install tree has no include/qmann/qmann.hpp")
  endif()
  list(APPEND consumer_args "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix")
else()
  list(APPEND consumer_args "-DQMANN_SOURCE_DIR=${QMANN_SOURCE_DIR}")
endif()
run("${CMAKE_COMMAND}" ${consumer_args})
run("${CMAKE_COMMAND}" --build "${WORK_DIR}/build")
run("${WORK_DIR}/build/consumer")
message("${last_output}")
