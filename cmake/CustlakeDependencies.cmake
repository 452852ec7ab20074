# Finds every third-party library custlake links, as imported targets.
# scripts/bootstrap.sh installs all of them on Debian.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(simdjson REQUIRED)
find_package(zstd REQUIRED)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)  # sha256 of lake files
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)  # landing files' identities
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
# The web UI's HTTP server. Debian's package is a compiled library: its pkg-config flags
# (CPPHTTPLIB_OPENSSL_SUPPORT, ...) must be ours too, or the class layouts differ.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
if(CUSTLAKE_WITH_MARIADB)
  pkg_check_modules(MARIADB REQUIRED IMPORTED_TARGET libmariadb)
endif()
if(CUSTLAKE_WITH_POSTGRES)
  find_package(PostgreSQL REQUIRED)
endif()

# DuckDB: the C API (duckdb.h) only, so no translation unit pays for duckdb.hpp.
find_path(DUCKDB_INCLUDE_DIR duckdb.h HINTS "${CUSTLAKE_DUCKDB_ROOT}/include" NO_DEFAULT_PATH)
find_path(DUCKDB_INCLUDE_DIR duckdb.h)
find_library(DUCKDB_LIBRARY duckdb HINTS "${CUSTLAKE_DUCKDB_ROOT}/lib" NO_DEFAULT_PATH)
find_library(DUCKDB_LIBRARY duckdb)
if(NOT DUCKDB_INCLUDE_DIR OR NOT DUCKDB_LIBRARY)
  message(FATAL_ERROR "DuckDB not found under CUSTLAKE_DUCKDB_ROOT=${CUSTLAKE_DUCKDB_ROOT}. "
                      "Run scripts/fetch-duckdb.sh, or pass -DCUSTLAKE_DUCKDB_ROOT=<prefix of a system DuckDB>.")
endif()
add_library(duckdb::duckdb SHARED IMPORTED)
set_target_properties(duckdb::duckdb PROPERTIES
  IMPORTED_LOCATION "${DUCKDB_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${DUCKDB_INCLUDE_DIR}")
get_filename_component(DUCKDB_LIBRARY_DIR "${DUCKDB_LIBRARY}" DIRECTORY)
list(APPEND CMAKE_BUILD_RPATH "${DUCKDB_LIBRARY_DIR}")
set(CMAKE_INSTALL_RPATH "${DUCKDB_LIBRARY_DIR}")
find_package(NLopt REQUIRED)  # CLV model fits (the C library; nlopt.h)
find_package(Boost REQUIRED)  # Boost.Math special functions (header-only), CLV tests
