#include "ingest/parse_pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "ingest/dedup_index.h"
#include "ingest/timestamp_parse.h"

namespace custlake::ingest {

namespace {
// A chunk that once held a huge record gives its memory back when recycled,
// so many workers never pin many times max_record_bytes.
constexpr size_t kKeepTextBytes = 4 * RecordChunk::kChunkBytes;
}  // namespace

void RecordChunk::Add(const RawRecord& r) {
  Record rec;
  rec.line = r.line;
  rec.offset = r.offset;
  rec.size = r.size;
  rec.oversize = r.oversize;
  rec.broken = r.broken;
  rec.text_begin = text_.size();
  rec.text_size = r.text.size();
  // simdjson parses in place and reads up to its padding past the end.
  text_.append(r.text);
  text_.append(RecordReader::kPadding, ' ');
  records_.push_back(std::move(rec));
}

void RecordChunk::Clear() {
  if (text_.capacity() > kKeepTextBytes) std::string().swap(text_);
  if (arena_.capacity() > kKeepTextBytes) std::string().swap(arena_);
  text_.clear();
  records_.clear();
  results_.clear();
  values_.clear();
  arena_.clear();
  refs_.clear();
  done_ = false;
}

void RecordChunk::Parse(RecordParser* parser, ParsedRow* row, const Schema& schema) {
  const ChunkContext& cx = context_;
  const size_t nfields = schema.fields.size();
  results_.assign(records_.size(), ParsedRecord{});
  values_.clear();
  arena_.clear();
  refs_.clear();
  bool large = false;
  for (size_t i = 0; i < records_.size(); i++) {
    const Record& rec = records_[i];
    ParsedRecord& out = results_[i];
    const std::string_view t = text(i);
    if (rec.oversize) {
      out.error = {Reason::kTooLarge,
                   fmt::format("record of {} bytes exceeds max_record_bytes ({})", rec.size, cx.max_record_bytes)};
      continue;
    }
    out.ok = cx.format == Format::kCsv ? parser->ParseCsv(t, cx.csv_delimiter, row, &out.error)
                                       : parser->ParseJson(t, row, &out.error);
    large = large || t.size() > (1u << 20);
    if (!out.ok) {
      if (!rec.broken.empty() &&
          (out.error.reason == Reason::kMalformedJson || out.error.reason == Reason::kMalformedCsv ||
           out.error.reason == Reason::kTruncated)) {
        out.error.reason = Reason::kTruncated;
        out.error.detail = rec.broken + "; " + out.error.detail;
      }
      continue;
    }
    // The parser's views die with the next record: copy them into the arena.
    const size_t first = values_.size();
    out.first_value = first;
    values_.insert(values_.end(), row->values.begin(), row->values.end());
    for (size_t f = 0; f < nfields; f++) {
      Value& v = values_[first + f];
      if (v.kind == Value::kText) {
        refs_.push_back({false, first + f, arena_.size(), v.s.size()});
        arena_.append(v.s);
        v.s = {};
      }
    }
    if (!row->extra.empty()) {
      refs_.push_back({true, i, arena_.size(), row->extra.size()});
      arena_.append(row->extra);
    }
    out.fingerprint = row->key.empty() ? 0 : KeyFingerprint(row->key);
    out.day = cx.today;
    if (cx.partition_index >= 0) {
      const Value& pv = row->values[cx.partition_index];
      out.day = schema.fields[cx.partition_index].type == FieldType::kDate ? pv.i : MicrosToDays(pv.i);
    }
  }
  // Every value is copied out of the parser: it may give its memory back.
  if (large) parser->ShrinkIfLarge();
  // The arena no longer grows: views into it are stable now.
  for (const TextRef& ref : refs_) {
    const std::string_view s(arena_.data() + ref.begin, ref.size);
    if (ref.extra) {
      results_[ref.index].extra = s;
    } else {
      values_[ref.index].s = s;
    }
  }
}

ParsePool::ParsePool(const Schema* schema, RecordParserOptions options, int threads)
    : schema_(schema), threads_(std::max(1, threads)) {
  for (int i = 0; i < threads_; i++) {
    auto w = std::make_unique<Worker>();
    w->parser = std::make_unique<RecordParser>(schema, options);
    workers_.push_back(std::move(w));
  }
  if (threads_ > 1) {
    for (auto& w : workers_) threads_running_.emplace_back([this, wp = w.get()] { Loop(wp); });
  }
}

ParsePool::~ParsePool() {
  Cancel();
  Discard();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : threads_running_) t.join();
}

size_t ParsePool::in_flight() {
  std::lock_guard<std::mutex> lock(mu_);
  return order_.size();
}

void ParsePool::Begin() {
  std::lock_guard<std::mutex> lock(mu_);
  finished_ = false;
  cancelled_ = false;
}

Status ParsePool::SetCsvHeader(std::string_view line, char delimiter) {
  if (in_flight() != 0) return Status::Internal("ParsePool: CSV header changed while chunks are in flight");
  Status st = Status::OK();
  for (auto& w : workers_) {
    Status one = w->parser->SetCsvHeader(line, delimiter);
    if (st.ok() && !one.ok()) st = one;
  }
  return st;
}

RecordChunk* ParsePool::NewChunk() {
  std::unique_lock<std::mutex> lock(mu_);
  free_cv_.wait(lock, [&] { return cancelled_ || out_ < max_in_flight(); });
  if (cancelled_) return nullptr;
  out_++;
  if (free_.empty()) {
    chunks_.push_back(std::make_unique<RecordChunk>());
    return chunks_.back().get();
  }
  RecordChunk* c = free_.back();
  free_.pop_back();
  return c;
}

void ParsePool::Submit(RecordChunk* chunk, const ChunkContext& context) {
  chunk->context_ = context;
  if (threads_ <= 1) {
    chunk->Parse(workers_[0]->parser.get(), &workers_[0]->row, *schema_);
    chunk->done_ = true;
    std::lock_guard<std::mutex> lock(mu_);
    order_.push_back(chunk);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    order_.push_back(chunk);
    queue_.push_back(chunk);
  }
  work_cv_.notify_one();
  done_cv_.notify_all();  // a consumer waiting for the next chunk
}

void ParsePool::Finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    finished_ = true;
  }
  done_cv_.notify_all();
}

RecordChunk* ParsePool::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [&] {
    return (!order_.empty() && order_.front()->done_) || (order_.empty() && (finished_ || threads_ <= 1));
  });
  if (order_.empty()) return nullptr;
  RecordChunk* c = order_.front();
  order_.pop_front();
  return c;
}

void ParsePool::Recycle(RecordChunk* chunk) {
  chunk->Clear();
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(chunk);
    out_--;
  }
  free_cv_.notify_all();
}

void ParsePool::Cancel() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
  }
  free_cv_.notify_all();
}

void ParsePool::Discard() {
  while (true) {
    RecordChunk* c = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (order_.empty()) return;
      done_cv_.wait(lock, [&] { return order_.front()->done_; });
      c = order_.front();
      order_.pop_front();
    }
    Recycle(c);
  }
}

void ParsePool::Loop(Worker* worker) {
  while (true) {
    RecordChunk* c = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_ && queue_.empty()) return;
      c = queue_.front();
      queue_.pop_front();
    }
    c->Parse(worker->parser.get(), &worker->row, *schema_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      c->done_ = true;
    }
    done_cv_.notify_all();
  }
}

}  // namespace custlake::ingest
