# Runs a command that must fail cleanly: exit code EXPECT_CODE, stderr
# matching EXPECT_STDERR, and no file left at ABSENT (if given).
#   cmake -DCOMMAND="prog;arg;..." -DEXPECT_CODE=2 -DEXPECT_STDERR=regex [-DABSENT=path] -P expect_failure.cmake
cmake_minimum_required(VERSION 3.20)
if(DEFINED ABSENT)
  file(REMOVE "${ABSENT}")
endif()
if(DEFINED SETUP_DIR)  # a folder of bAbI-named files with given contents
  file(REMOVE_RECURSE "${SETUP_DIR}")
  file(MAKE_DIRECTORY "${SETUP_DIR}")
  file(WRITE "${SETUP_DIR}/qa1_single-supporting-fact_train.txt" "${SETUP_TRAIN}")
  file(WRITE "${SETUP_DIR}/qa1_single-supporting-fact_test.txt" "1 Mary went to the kitchen.\n2 Where is Mary?\tkitchen\t1\n")
endif()
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err
                TIMEOUT 120)
if(NOT code STREQUAL "${EXPECT_CODE}")
  message(FATAL_ERROR "exit code ${code}, expected ${EXPECT_CODE}\nstdout: ${out}\nstderr: ${err}")
endif()
if(NOT err MATCHES "${EXPECT_STDERR}")
  message(FATAL_ERROR "stderr does not match '${EXPECT_STDERR}':\n${err}")
endif()
if(DEFINED ABSENT AND EXISTS "${ABSENT}")
  message(FATAL_ERROR "a file was left at ${ABSENT}")
endif()
string(REGEX MATCHALL "\n" lines "${err}")
message(STATUS "ok: ${err}")
