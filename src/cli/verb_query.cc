// custlake query "SQL": read-only SQL over the lake.
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/cli.h"
#include "cli/result_format.h"
#include "query/lake_session.h"

namespace custlake::cli {

namespace {

struct QueryOptions {
  std::string sql;
  ResultFormat format = ResultFormat::kTable;
  int64_t max_rows = 10000;  ///< 0: no limit
  double timeout_s = 300;
  CsvOptions csv;
};

void PrintRows(const engine::QueryResult& result, const QueryOptions& options) {
  switch (options.format) {
    case ResultFormat::kTable:
      std::cout << FormatTable(result);
      break;
    case ResultFormat::kCsv:
      std::cout << FormatCsv(result, options.csv);
      break;
    case ResultFormat::kJson:
      std::cout << ToJsonRows(result).dump(2) << "\n";
      break;
  }
  std::cout.flush();  // the rows before a warning about them, when both streams share a terminal
}

/// A cut result must never pass for a whole one, whatever the format.
void WarnTruncated(int64_t max_rows) {
  spdlog::warn(
      "warning: the result has more than {0} rows; only the first {0} were printed "
      "(raise --max-rows, or --max-rows 0 for no limit)",
      max_rows);
}

/// What a streamed result printed: its shape and how many rows.
struct Streamed {
  bool started = false;  ///< the header went out (rows may have followed)
  engine::QueryResult shape;
  int64_t rows = 0;
  bool truncated = false;
};

/// --format csv: the rows go to stdout as DuckDB gives them, a chunk at a time, so memory stays flat
/// whatever the result's size (an export of 100 M rows). Stops after --max-rows rows, noting whether
/// more existed.
Status StreamCsv(query::LakeSession* session, const QueryOptions& options, Streamed* out) {
  const Status enough = Status::Cancelled("--max-rows reached");
  std::string text;
  Status status = session->Stream(
      options.sql,
      [&](const engine::QueryResult& shape) {
        out->shape = shape;
        out->started = true;
        std::cout << CsvHeader(shape.columns, options.csv);
        return Status::OK();
      },
      [&](const engine::TextChunk& chunk) {
        size_t rows = chunk.rows;
        if (options.max_rows > 0 && out->rows + static_cast<int64_t>(rows) > options.max_rows) {
          rows = static_cast<size_t>(options.max_rows - out->rows);
          out->truncated = true;
        }
        text.clear();
        AppendCsvRows(chunk, rows, options.csv, &text);
        std::cout << text;
        out->rows += static_cast<int64_t>(rows);
        return out->truncated ? enough : Status::OK();
      });
  std::cout.flush();
  if (!std::cout) return Status::IOError("writing the rows to standard output failed");
  return out->truncated && status.code() == StatusCode::kCancelled ? Status::OK() : status;
}

VerbResult RunQuery(const GlobalOptions& global, const QueryOptions& options) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  query::SandboxOptions sandbox;
  sandbox.max_rows = options.max_rows == 0 ? -1 : options.max_rows;
  sandbox.timeout = std::chrono::milliseconds(static_cast<int64_t>(options.timeout_s * 1000));
  ASSIGN_OR_RETURN(auto session, query::LakeSession::Open(config.lake_root.string(), sandbox));
  if (options.format == ResultFormat::kCsv && !global.json) {
    Streamed streamed;
    Status status = StreamCsv(session.get(), options, &streamed);
    // Not a plain SELECT (EXPLAIN, a refused write, a syntax error): nothing was printed, and Run
    // answers it, or names what is wrong as it always has.
    if (streamed.started || status.ok()) {
      RETURN_NOT_OK(status);
      if (streamed.truncated) WarnTruncated(options.max_rows);
      return nlohmann::json{{"verb", "query"},          {"columns", streamed.shape.columns},
                            {"types", streamed.shape.types}, {"row_count", streamed.rows},
                            {"truncated", streamed.truncated}, {"max_rows", options.max_rows}};
    }
  }
  ASSIGN_OR_RETURN(engine::QueryResult result, session->Run(options.sql));

  nlohmann::json summary{{"verb", "query"},
                         {"columns", result.columns},
                         {"types", result.types},
                         {"row_count", result.rows.size()},
                         {"truncated", result.truncated},
                         {"max_rows", options.max_rows}};
  if (global.json) {
    // Under --json the rows travel in the one summary object on stdout.
    summary["rows"] = ToJsonRows(result);
  } else {
    PrintRows(result, options);
  }
  if (result.truncated) WarnTruncated(options.max_rows);
  return summary;
}

}  // namespace

void RegisterQuery(CLI::App& app, VerbFn* run) {
  auto options = std::make_shared<QueryOptions>();
  CLI::App* cmd = app.add_subcommand("query", "Run read-only SQL over the lake (raw.<dataset> views)");
  cmd->add_option("sql", options->sql, "The SQL to run (SELECT/EXPLAIN)")->required();
  std::map<std::string, ResultFormat> formats{
      {"table", ResultFormat::kTable}, {"csv", ResultFormat::kCsv}, {"json", ResultFormat::kJson}};
  cmd->add_option(
         "--format", options->format,
         "Output format (default table). csv: LF line ends, NULL an empty unquoted field and the empty "
         "string \"\" (see --null); json: an array of row objects, DECIMAL values as strings of their "
         "exact digits")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case))
      ->option_text("table|csv|json");
  cmd->add_option("--max-rows", options->max_rows,
                  "Print at most N rows, and say so on stderr when the result has more (0: no limit)")
      ->check(AtLeast(0))
      ->option_text("N=" + std::to_string(options->max_rows));
  cmd->add_option(
         "--null", options->csv.null_text,
         "csv: the text written for NULL (default: an empty unquoted field); a value equal to it is quoted")
      ->check(CLI::Validator(
          [](std::string& text) {
            return UsableAsCsvNull(text) ? std::string() : "must not hold a comma, quote or line break";
          },
          "TEXT"))
      ->option_text("TEXT");
  cmd->add_flag("--crlf", options->csv.crlf, "csv: end lines with CRLF instead of LF");
  cmd->add_option("--timeout", options->timeout_s, "Cancel the query after S seconds")->capture_default_str();
  cmd->callback([run, options] { *run = [options](const GlobalOptions& g) { return RunQuery(g, *options); }; });
}

}  // namespace custlake::cli
