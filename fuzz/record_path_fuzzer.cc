// libFuzzer target over the record path: the input is a landing file's
// content; it goes through RecordReader (all three formats) and the
// RecordParser with coercion, as the ingester does. Any crash, sanitizer
// report, or a record count that does not add up is a bug.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
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
    RecordReader reader(std::move(fr).value(), ro, &buffer);
    RawRecord rec;
    ParsedRow row;
    RecordError err;
    bool header = format == Format::kCsv;
    int64_t last_line = 0;
    for (int n = 0; n < 100000; n++) {
      auto more = reader.Next(&rec);
      if (!more.ok() || !*more) break;
      if (rec.line < last_line) abort();  // lines only move forward
      last_line = rec.line;
      if (header) {
        header = false;
        (void)parser.SetCsvHeader(rec.text, ',');
        continue;
      }
      if (format == Format::kCsv) {
        parser.ParseCsv(rec.text, ',', &row, &err);
      } else {
        parser.ParseJson(rec.text, &row, &err);
        if (inference.records() < 50) parser.ObserveJson(rec.text, &inference);
      }
    }
  }
  return 0;
}
