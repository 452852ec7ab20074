#include "ingest/record_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace custlake::ingest {

const char* FormatName(Format f) {
  switch (f) {
    case Format::kNdjson: return "ndjson";
    case Format::kJson: return "json";
    case Format::kCsv: return "csv";
  }
  return "ndjson";
}

Result<Format> ParseFormat(std::string_view name) {
  if (name == "ndjson" || name == "jsonl" || name == "jsonlines") return Format::kNdjson;
  if (name == "json") return Format::kJson;
  if (name == "csv") return Format::kCsv;
  return Status::InvalidArgument(fmt::format("unknown format \"{}\" (use ndjson, json or csv)", name));
}

namespace {
constexpr size_t kOversizeHead = 64 * 1024;
// A last line without a line break parses fine when it is whole; when it
// does not, the file was most likely cut off mid-record (reason: truncated).
constexpr const char* kNoFinalLineBreak = "no line break after the last record (the file may be cut off)";

bool IsBlank(const char* p, const char* e) {
  for (; p < e; p++) {
    if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') return false;
  }
  return true;
}
}  // namespace

JsonValueScan::Outcome JsonValueScan::Scan(const char* p, const char* e, bool in_array, const char** at) {
  for (; p < e; p++) {
    const char c = *p;
    const char prev = prev_;
    prev_ = c;
    if (in_str_) {
      if (esc_) {
        esc_ = false;
      } else if (c == '\\') {
        esc_ = true;
      } else if (c == '"') {
        in_str_ = false;
      } else if (c == '\n') {
        *at = p;
        return kRawNewlineInString;
      }
    } else if (!container_) {
      if (c == '\n' || (in_array && (c == ',' || c == ']'))) {
        *at = p;
        return kEnd;
      }
      if (c == '"') in_str_ = true;
    } else if (c == '"') {
      in_str_ = true;
    } else if (c == '{' || c == '[') {
      if (depth_ > 0 && c == '{' && prev == '\n' && !in_array) {
        *at = p;
        return kNewDocument;
      }
      depth_++;
    } else if (c == '}' || c == ']') {
      if (--depth_ == 0) {
        *at = p + 1;
        return kEnd;
      }
    }
  }
  return kMore;
}

RecordReader::RecordReader(std::unique_ptr<FileReader> file, RecordReaderOptions options, std::vector<char>* buffer)
    : file_(std::move(file)), options_(options), buf_(*buffer) {
  const size_t want = options_.chunk_bytes + options_.max_record_bytes + kPadding + 16;
  if (buf_.size() < want) buf_.resize(want);
  cap_ = buf_.size() - kPadding;
}

Result<bool> RecordReader::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ >= cap_) return true;  // full: the caller handles oversize
  const size_t room = std::min(cap_ - end_, options_.chunk_bytes);
  ASSIGN_OR_RETURN(size_t n, file_->Read(buf_.data() + end_, room));
  if (n == 0) {
    eof_ = true;
    return false;
  }
  end_ += n;
  std::memset(buf_.data() + end_, 0, kPadding);
  return true;
}

void RecordReader::Consume(size_t pos) {
  line_ += std::count(buf_.data() + begin_, buf_.data() + pos, '\n');
  consumed_offset_ += static_cast<int64_t>(pos - begin_);
  begin_ = pos;
}

Result<bool> RecordReader::Start() {
  if (started_) return true;
  while (end_ - begin_ < 3 && !eof_) {
    ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) break;
  }
  if (end_ - begin_ >= 3 && static_cast<unsigned char>(buf_[begin_]) == 0xEF &&
      static_cast<unsigned char>(buf_[begin_ + 1]) == 0xBB && static_cast<unsigned char>(buf_[begin_ + 2]) == 0xBF) {
    begin_ += 3;
    consumed_offset_ += 3;
  }
  started_ = true;
  return true;
}

void RecordReader::EmitLine(RawRecord* r, size_t e) {
  // [begin_, e) holds no line break and buf_[e] is one: no counting needed.
  const size_t s = begin_;
  r->line = line_;
  r->offset = consumed_offset_;
  r->size = static_cast<int64_t>(e - s);
  r->oversize = e - s > options_.max_record_bytes;
  r->broken.clear();
  size_t te = e;
  while (te > s && (buf_[te - 1] == '\r')) te--;
  r->text = std::string_view(buf_.data() + s, std::min(te - s, r->oversize ? kOversizeHead : te - s));
  line_++;
  consumed_offset_ += static_cast<int64_t>(e + 1 - s);
  begin_ = e + 1;
}

void RecordReader::Emit(RawRecord* r, size_t s, size_t e, size_t next, std::string broken) {
  // Lines before the record start.
  Consume(s);
  r->line = line_;
  r->offset = consumed_offset_;
  r->size = static_cast<int64_t>(e - s);
  r->oversize = e - s > options_.max_record_bytes;
  r->broken = std::move(broken);
  size_t te = e;
  while (te > s && (buf_[te - 1] == '\r')) te--;
  r->text = std::string_view(buf_.data() + s, std::min(te - s, r->oversize ? kOversizeHead : te - s));
  Consume(next);
}

Status RecordReader::EmitOversize(RawRecord* r, size_t s) {
  Consume(s);
  r->line = line_;
  r->offset = consumed_offset_;
  head_.assign(buf_.data() + s, std::min(kOversizeHead, end_ - s));
  // Skip to the end of this record, chunk by chunk, without buffering it:
  // ndjson: the next line break; csv: the next line break outside quotes;
  // json: the end of the value by bracket matching (with the same rules for
  // cut-off values as NextJson), so an oversize element of an array is one
  // record and the elements after it are read normally.
  JsonValueScan json(buf_[s]);
  bool in_quotes = false;
  int64_t size = 0;
  std::string broken = "cut off at the end of the file";
  while (true) {
    const char* p = buf_.data() + begin_;
    const char* e = buf_.data() + end_;
    const char* stop = nullptr;  // end of the record (exclusive)
    const char* next = nullptr;  // where the next record may start
    switch (options_.format) {
      case Format::kNdjson:
        stop = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(e - p)));
        if (stop != nullptr) next = stop + 1;
        break;
      case Format::kCsv:
        for (const char* c = p; c < e; c++) {
          if (*c == '"') {
            in_quotes = !in_quotes;
          } else if (*c == '\n' && !in_quotes) {
            stop = c;
            next = c + 1;
            break;
          }
        }
        break;
      case Format::kJson: {
        const char* at = nullptr;
        switch (json.Scan(p, e, in_array_, &at)) {
          case JsonValueScan::kMore: break;
          case JsonValueScan::kEnd:
            stop = next = at;
            broken.clear();
            break;
          case JsonValueScan::kRawNewlineInString:
            stop = at;
            next = at + 1;
            broken = JsonValueScan::kRawNewlineMessage;
            break;
          case JsonValueScan::kNewDocument:
            stop = next = at;
            broken = JsonValueScan::kNewDocumentMessage;
            break;
        }
        break;
      }
    }
    if (stop != nullptr) {
      if (options_.format != Format::kJson) broken.clear();
      size += stop - p;
      Consume(static_cast<size_t>(next - buf_.data()));
      break;
    }
    size += e - p;
    Consume(end_);
    ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) break;
  }
  r->size = size;
  r->oversize = true;
  r->broken = std::move(broken);
  r->text = head_;
  return Status::OK();
}

Result<bool> RecordReader::Next(RawRecord* record) {
  ASSIGN_OR_RETURN(bool ok, Start());
  (void)ok;
  switch (options_.format) {
    case Format::kNdjson: return NextLine(record);
    case Format::kJson: return NextJson(record);
    case Format::kCsv: return NextCsv(record);
  }
  return false;
}

Result<bool> RecordReader::NextLine(RawRecord* r) {
  size_t scan = begin_;
  while (true) {
    const char* nl = static_cast<const char*>(std::memchr(buf_.data() + scan, '\n', end_ - scan));
    if (nl != nullptr) {
      const size_t e = static_cast<size_t>(nl - buf_.data());
      if (IsBlank(buf_.data() + begin_, nl)) {
        Consume(e + 1);
        scan = begin_;
        continue;
      }
      EmitLine(r, e);
      return true;
    }
    if (end_ - begin_ > options_.max_record_bytes) {
      RETURN_NOT_OK(EmitOversize(r, begin_));
      return true;
    }
    const size_t done = end_ - begin_;
    ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) {
      if (IsBlank(buf_.data() + begin_, buf_.data() + end_)) {
        Consume(end_);
        return false;
      }
      Emit(r, begin_, end_, end_, kNoFinalLineBreak);
      return true;
    }
    scan = begin_ + done;
  }
}

Result<bool> RecordReader::NextJson(RawRecord* r) {
  while (true) {
    // Skip whitespace and, inside an array, the separators.
    size_t p = begin_;
    while (p < end_) {
      const char c = buf_[p];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        p++;
      } else if (!seen_first_) {
        // '[' opening the file (after a BOM and whitespace): an array of records.
        seen_first_ = true;
        if (c != '[') break;
        in_array_ = true;
        p++;
      } else if (in_array_ && c == ',') {
        p++;
      } else if (in_array_ && c == ']') {
        in_array_ = false;
        p++;
      } else {
        break;
      }
    }
    Consume(p);
    if (begin_ == end_) {
      ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) return false;
      continue;
    }
    // Scan one value from begin_ (again from its start after each refill).
    const size_t s = begin_;
    JsonValueScan scan(buf_[s]);
    const char* at = nullptr;
    switch (scan.Scan(buf_.data() + s, buf_.data() + end_, in_array_, &at)) {
      case JsonValueScan::kEnd: {
        const size_t i = static_cast<size_t>(at - buf_.data());
        Emit(r, s, i, i, "");
        return true;
      }
      case JsonValueScan::kRawNewlineInString: {
        const size_t i = static_cast<size_t>(at - buf_.data());
        Emit(r, s, i, i + 1, JsonValueScan::kRawNewlineMessage);
        return true;
      }
      case JsonValueScan::kNewDocument: {
        const size_t i = static_cast<size_t>(at - buf_.data());
        Emit(r, s, i, i, JsonValueScan::kNewDocumentMessage);
        return true;
      }
      case JsonValueScan::kMore: break;
    }
    if (end_ - s > options_.max_record_bytes) {
      RETURN_NOT_OK(EmitOversize(r, s));
      return true;
    }
    ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) {
      Emit(r, begin_, end_, end_, scan.container() ? "cut off at the end of the file" : "");
      return true;
    }
  }
}

Result<bool> RecordReader::NextCsv(RawRecord* r) {
  while (true) {
    bool in_quotes = false;
    size_t i = begin_;
    size_t e = std::string_view::npos;
    for (; i < end_; i++) {
      const char c = buf_[i];
      if (c == '"') {
        in_quotes = !in_quotes;
      } else if (c == '\n' && !in_quotes) {
        e = i;
        break;
      }
    }
    if (e != std::string_view::npos) {
      if (IsBlank(buf_.data() + begin_, buf_.data() + e)) {
        Consume(e + 1);
        continue;
      }
      Emit(r, begin_, e, e + 1, "");
      return true;
    }
    if (end_ - begin_ > options_.max_record_bytes) {
      RETURN_NOT_OK(EmitOversize(r, begin_));
      return true;
    }
    ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) {
      if (IsBlank(buf_.data() + begin_, buf_.data() + end_)) {
        Consume(end_);
        return false;
      }
      Emit(r, begin_, end_, end_, in_quotes ? "a quoted field is not closed before the end of the file" : kNoFinalLineBreak);
      return true;
    }
  }
}

}  // namespace custlake::ingest
