# One-line helpers for modules, tests and benchmarks (after Abseil's).
#
#   custlake_module(lake SOURCES metastore.cc ... DEPS custlake::common SQLite::SQLite3)
#     -> static library custlake_lake, alias custlake::lake, includes rooted at src/
#   custlake_test(lake_test SOURCES metastore_test.cc DEPS custlake::lake [LABELS integration])
#     -> a GoogleTest binary registered with CTest (label "unit" unless given)

set(CUSTLAKE_WARNINGS -Wall -Wextra -Wpedantic -Wshadow=local -Wno-unused-parameter)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  # GCC 12 reports std::string internals as overlapping/overflowing copies at
  # -O2/-O3 (GCC bugs 105329, 105651); they are false positives, not ours.
  list(APPEND CUSTLAKE_WARNINGS -Wno-restrict -Wno-stringop-overflow -Wno-array-bounds)
endif()

function(custlake_warnings target)
  target_compile_options(${target} PRIVATE ${CUSTLAKE_WARNINGS})
  if(CUSTLAKE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(custlake_module name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_library(custlake_${name} STATIC ${A_SOURCES})
  add_library(custlake::${name} ALIAS custlake_${name})
  target_include_directories(custlake_${name} PUBLIC "${PROJECT_SOURCE_DIR}/src")
  target_link_libraries(custlake_${name} PUBLIC ${A_DEPS})
  custlake_warnings(custlake_${name})
endfunction()

function(custlake_test name)
  if(NOT CUSTLAKE_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(A "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT A_LABELS)
    set(A_LABELS unit)
  endif()
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_include_directories(${name} PRIVATE "${PROJECT_SOURCE_DIR}/src" "${PROJECT_SOURCE_DIR}/test")
  target_compile_definitions(${name} PRIVATE
    CUSTLAKE_SOURCE_DIR="${PROJECT_SOURCE_DIR}" CUSTLAKE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  custlake_warnings(${name})
  # The test code itself needs no optimiser: unoptimised it compiles in half the time (the modules it tests
  # stay optimised as their build type or preset says: -O3 in Release, -O1 in the sanitizer presets), which
  # keeps CI's clean build and its two sanitizer builds shorter.
  target_compile_options(${name} PRIVATE -O0)
  gtest_discover_tests(${name} PROPERTIES LABELS "${A_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()

function(custlake_benchmark name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_DEPS} benchmark::benchmark)
  custlake_warnings(${name})
endfunction()

# custlake_embed_sql(OUT_VAR FOLDER HEADER NAMESPACE FUNCTION): embeds every <root>/FOLDER/*.sql into a
# generated .cc defining `FUNCTION()` (declared in HEADER, in NAMESPACE; cmake/embed_sql.cmake writes it)
# and sets OUT_VAR to that file, to list among a module's SOURCES.
function(custlake_embed_sql out_var folder header namespace function)
  file(GLOB sql_files CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/${folder}/*.sql")
  string(REPLACE "/" "_" stem "${folder}")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${stem}.cc")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} "-DDIR=${PROJECT_SOURCE_DIR}/${folder}" -DPREFIX=${folder}
            -DHEADER=${header} -DNAMESPACE=${namespace} -DFUNCTION=${function}
            -P "${PROJECT_SOURCE_DIR}/cmake/embed_sql.cmake"
    DEPENDS ${sql_files} "${PROJECT_SOURCE_DIR}/cmake/embed_sql.cmake"
    COMMENT "Embedding ${folder}/*.sql")
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()
