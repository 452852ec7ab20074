// libFuzzer target over the record path: the input is a landing file's
// content; it goes through RecordReader (all three formats) and the
// RecordParser with coercion, as the ingester does. Any crash, sanitizer
// report, or a record count that does not add up is a bug: for NDJSON the
// records must be the input's non-blank lines, each exactly once, in order
// and with its text (counted here from the bytes, independently of the
// reader), and each record must end exactly one way: committed (parsed,
// first of its key), dropped as a duplicate (parsed, key seen before) or
// quarantined (not parsed, with a reason and a detail).
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string_view>
#include <vector>
#include <string>
#include <unistd.h>

#include "ingest/record_parser.h"
#include "ingest/record_reader.h"

using namespace custlake::ingest;

namespace {
Schema FuzzSchema() {
  Schema s;
  s.fields = {{"event_id", FieldType::kString, true, ""}, {"customer_id", FieldType::kInt64, true, ""},
              {"ts", FieldType::kTimestamp, true, ""},    {"x", FieldType::kDouble, false, ""},
              {"b", FieldType::kBool, false, ""},         {"d", FieldType::kDate, false, ""},
              {"j", FieldType::kJson, false, ""},
              {"m", FieldType::kJson, false, "STRUCT(a BIGINT, t TIMESTAMP, s VARCHAR[], n STRUCT(x DOUBLE))[]"}};
  s.key = "event_id";
  s.partition_field = "ts";
  return s;
}
// The input's non-blank lines as the NDJSON reader must see them: after a
// UTF-8 BOM, split at '\n', without trailing '\r's; a line of only
// spaces, tabs and '\r's is no record.
struct Line {
  int64_t number;
  std::string_view text;
};
std::vector<Line> NonBlankLines(std::string_view in) {
  if (in.substr(0, 3) == "\xEF\xBB\xBF") in.remove_prefix(3);
  std::vector<Line> out;
  int64_t number = 1;
  while (!in.empty()) {
    const size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) out.push_back({number, line});
    number++;
  }
  return out;
}

// What happened to each record: exactly one outcome each.
struct Outcomes {
  int64_t records = 0, committed = 0, duplicates = 0, quarantined = 0;
  std::set<std::string> keys;

  void Take(bool parsed, const ParsedRow& row, const RecordError& err) {
    records++;
    if (!parsed) {
      if (err.detail.empty()) abort();  // a quarantined record says why
      quarantined++;
      return;
    }
    (keys.insert(std::string(row.key)).second ? committed : duplicates)++;
  }
  void Check() const {
    if (committed + duplicates + quarantined != records) abort();
    if (static_cast<int64_t>(keys.size()) != committed) abort();
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Schema schema = FuzzSchema();
  static const std::string path = std::filesystem::temp_directory_path() / ("custlake_fuzz_" + std::to_string(getpid()));
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  static std::vector<char> buffer;
  for (Format format : {Format::kNdjson, Format::kJson, Format::kCsv}) {
    RecordParser parser(&schema, {16, 4096});
    SchemaInference inference;  // nested shapes of the sample too
    RecordReaderOptions ro;
    ro.format = format;
    ro.max_record_bytes = 4096;
    ro.chunk_bytes = 61;
    auto fr = FileReader::Open(path);
    if (!fr.ok()) continue;
    const bool plain = (*fr)->compression() == Compression::kNone;
    RecordReader reader(std::move(fr).value(), ro, &buffer);
    RawRecord rec;
    ParsedRow row;
    RecordError err;
    bool header = format == Format::kCsv;
    int64_t last_line = 0;
    Outcomes outcomes;
    const std::vector<Line> lines =
        format == Format::kNdjson ? NonBlankLines({reinterpret_cast<const char*>(data), size}) : std::vector<Line>{};
    bool read_error = false;
    for (int n = 0; n < 100000; n++) {
      auto more = reader.Next(&rec);
      if (!more.ok()) read_error = true;
      if (!more.ok() || !*more) break;
      if (rec.line < last_line) abort();  // lines only move forward
      last_line = rec.line;
      if (header) {
        header = false;
        (void)parser.SetCsvHeader(rec.text, ',');
        continue;
      }
      if (format == Format::kNdjson) {
        // The reader's n-th record is the n-th non-blank line, whole.
        const size_t i = static_cast<size_t>(outcomes.records);
        if (i >= lines.size() || rec.line != lines[i].number) abort();
        if (!rec.oversize && rec.text != lines[i].text) abort();
      }
      err = RecordError{};
      bool parsed = false;
      if (rec.oversize) {
        err = {Reason::kTooLarge, "oversize"};
      } else if (format == Format::kCsv) {
        parsed = parser.ParseCsv(rec.text, ',', &row, &err);
      } else {
        parsed = parser.ParseJson(rec.text, &row, &err);
        if (inference.records() < 50) parser.ObserveJson(rec.text, &inference);
      }
      outcomes.Take(parsed, row, err);
    }
    outcomes.Check();
    // Every non-blank line became a record (plain text: no read errors).
    if (format == Format::kNdjson && !read_error && plain &&
        outcomes.records != static_cast<int64_t>(lines.size())) {
      abort();
    }
  }
  return 0;
}
