// The import suite (test/import/import_suite.h) against SQLite: fast, no server.
#include "import/import_suite.h"

namespace custlake::importer::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, ImportSuite,
                         ::testing::Values(SourceParam{"sqlite",
                                                       [](const std::string& dir, std::string*) {
                                                         return "sqlite:" + dir + "/source.db";
                                                       }}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace custlake::importer::testing
