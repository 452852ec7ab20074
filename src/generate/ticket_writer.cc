#include "generate/ticket_writer.h"

#include <algorithm>
#include <charconv>

#include "generate/calendar.h"
#include "generate/catalog.h"
#include "generate/rng.h"

namespace custlake::generate {

namespace {
enum Mess { kClean = 0, kSatisfactionString, kOffsetTime, kEpochTime, kExtraFields, kMissingRequired, kMalformed };

void PutInt(ByteBuffer* out, int64_t v) {
  char* p = out->Reserve(24);
  out->Advance(std::to_chars(p, p + 24, v).ptr);
}

void PutTime(ByteBuffer* out, int64_t epoch_s, int format) {
  char* p = out->Reserve(40);
  if (format == 2) {  // epoch seconds
    out->Advance(std::to_chars(p, p + 24, epoch_s).ptr);
    return;
  }
  *p++ = '"';
  p = format == 1 ? FormatIsoMillis(p, epoch_s * 1000, false, 120, "+02:00")
                  : FormatIsoMillis(p, epoch_s * 1000, false, 0, "Z");
  *p++ = '"';
  out->Advance(p);
}

void PutJsonString(ByteBuffer* out, std::string_view s) {
  out->Append("\"");
  for (char c : s) {
    switch (c) {
      case '"': out->Append("\\\""); break;
      case '\\': out->Append("\\\\"); break;
      case '\n': out->Append("\\n"); break;
      default: out->Append(std::string_view(&c, 1)); break;
    }
  }
  out->Append("\"");
}
}  // namespace

void TicketWriter::Render(const Ticket& t, int mess, uint64_t bits, ByteBuffer* out) const {
  const int time_format = mess == kOffsetTime ? 1 : mess == kEpochTime ? 2 : 0;
  const int omit = mess == kMissingRequired ? static_cast<int>(bits % 3) : -1;  // ticket_id, customer_id, opened_at
  out->Append("{");
  bool first = true;
  auto key = [&](std::string_view k) {
    if (!first) out->Append(",");
    first = false;
    out->Append(k);
  };
  if (omit != 0) {
    key("\"ticket_id\":");
    PutInt(out, t.ticket_id);
  }
  if (omit != 1) {
    key("\"customer_id\":");
    PutInt(out, t.customer_id);
  }
  if (omit != 2) {
    key("\"opened_at\":");
    PutTime(out, t.opened_at, time_format);
  }
  key("\"closed_at\":");
  if (t.closed_at == kNoTime) {
    out->Append("null");
  } else {
    PutTime(out, t.closed_at, time_format);
  }
  key("\"channel\":\"");
  out->Append(TicketChannels()[t.channel]);
  out->Append("\",\"category\":\"");
  out->Append(TicketCategories()[t.category]);
  out->Append("\",\"priority\":\"");
  out->Append(TicketPriorities()[t.priority]);
  out->Append("\",\"status\":\"");
  out->Append(TicketStatusName(t.status));
  out->Append("\",\"satisfaction\":");
  if (t.satisfaction == 0) {
    out->Append("null");
  } else if (mess == kSatisfactionString) {
    out->Append("\"");
    PutInt(out, t.satisfaction);
    out->Append("\"");
  } else {
    PutInt(out, t.satisfaction);
  }
  // The conversation: customer first, then turns; the agent closes.
  out->Append(",\"messages\":[");
  SplitMix64 rng(Mix64(bits));
  const int64_t end = t.closed_at != kNoTime ? t.closed_at
                                             : std::min(t.opened_at + 3 * 86400, horizon_end_ - 1);
  const auto customer_lines = CustomerLines(t.category);
  const auto agent_lines = AgentLines(t.category);
  for (int m = 0; m < t.messages; ++m) {
    const bool last = m + 1 == t.messages;
    const bool agent = (m % 2 == 1) || (last && t.closed_at != kNoTime && m > 0);
    const int64_t ts = m == 0 ? t.opened_at
                       : (last && t.closed_at != kNoTime)
                           ? t.closed_at
                           : t.opened_at + (end - t.opened_at) * m / t.messages;
    if (m > 0) out->Append(",");
    out->Append("{\"ts\":");
    PutTime(out, ts, time_format);
    out->Append(agent ? ",\"author\":\"agent\",\"body\":" : ",\"author\":\"customer\",\"body\":");
    const auto& lines = agent ? agent_lines : customer_lines;
    PutJsonString(out, lines[rng.Below(lines.size())]);
    out->Append("}");
  }
  out->Append("]");
  if (mess == kExtraFields) {
    out->Append(",\"tags\":[\"");
    out->Append((bits >> 8) % 2 ? "vip" : "escalated");
    out->Append("\"],\"sla\":{\"target_hours\":");
    PutInt(out, 24 * static_cast<int64_t>(1 + (bits >> 9) % 3));
    out->Append(",\"breached\":");
    out->Append((bits >> 11) % 2 ? "true" : "false");
    out->Append("}");
  }
  out->Append("}");
}

Result<TicketMessCounts> TicketWriter::Write(const std::vector<Ticket>& tickets, const std::string& tickets_dir,
                                             int32_t as_of_day) {
  RETURN_NOT_OK(MakeDirectories(tickets_dir));
  TicketMessCounts counts;
  const TicketMessRates& rates = options_.ticket_mess;
  ByteBuffer day_buf(size_t{1} << 20);
  ByteBuffer doc(size_t{1} << 14);

  auto write_file = [&](const std::string& path, std::string_view bytes) -> Status {
    ASSIGN_OR_RETURN(auto file, OutputFile::Create(path));
    RETURN_NOT_OK(file->Write(bytes));
    counts.bytes += file->bytes_written();
    ++counts.files;
    return file->Commit();
  };

  // A ticket is exported in the file of the day it was closed, in its final
  // state; one still open when the window ends, in the window's last file.
  const int32_t last_day = static_cast<int32_t>((horizon_end_ - 1) / 86400);
  auto file_day = [last_day](const Ticket& t) {
    return t.closed_at == kNoTime ? last_day : static_cast<int32_t>(t.closed_at / 86400);
  };
  std::vector<const Ticket*> order;
  order.reserve(tickets.size());
  for (const Ticket& t : tickets) {
    if (file_day(t) < as_of_day) order.push_back(&t);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](const Ticket* a, const Ticket* b) { return file_day(*a) < file_day(*b); });

  size_t i = 0;
  while (i < order.size()) {
    const int32_t day = file_day(*order[i]);
    const std::string date = DateString(day);
    SplitMix64 day_rng(DeriveSeed(options_.seed, kStreamFiles, static_cast<uint64_t>(day)));
    const bool ndjson = day_rng.Uniform() < options_.ticket_ndjson_file_share;
    day_buf.Clear();
    int64_t in_day_file = 0;
    for (; i < order.size() && file_day(*order[i]) == day; ++i) {
      const Ticket& t = *order[i];
      SplitMix64 rng(DeriveSeed(options_.seed, kStreamTicket, static_cast<uint64_t>(t.ticket_id)));
      const bool single = rng.Uniform() < options_.ticket_single_document_share;
      const double u = rng.Uniform();
      const uint64_t bits = rng.Next();
      int mess = kClean;
      if (u < rates.malformed) {
        mess = kMalformed;
      } else if (u < rates.malformed + rates.missing_required) {
        mess = kMissingRequired;
      } else if (u < rates.malformed + rates.missing_required + rates.coercible) {
        mess = kSatisfactionString + static_cast<int>(bits % 4);
        if (mess == kSatisfactionString && t.satisfaction == 0) mess = kOffsetTime;
      }
      doc.Clear();
      Render(t, mess == kMalformed ? kClean : mess, bits, &doc);
      std::string_view text = doc.view();
      if (mess == kMalformed) text = text.substr(0, 1 + (bits >> 16) % (text.size() - 2));
      ++counts.records_in_files;
      if (mess == kMalformed) {
        ++counts.malformed;
      } else if (mess == kMissingRequired) {
        ++counts.missing_required;
      } else if (mess == kClean) {
        ++counts.clean;
      } else {
        ++counts.coerced;
      }
      if (single || (mess == kMalformed && !ndjson)) {
        const std::string path = tickets_dir + "/" + date + "-t" + std::to_string(t.ticket_id) + ".json";
        std::string bytes(text);
        bytes.push_back('\n');
        RETURN_NOT_OK(write_file(path, bytes));
        ++counts.single_document_files;
        continue;
      }
      if (ndjson) {
        day_buf.Append(text);
        day_buf.Append("\n");
      } else {
        day_buf.Append(in_day_file == 0 ? "[\n" : ",\n");
        day_buf.Append(text);
      }
      ++in_day_file;
    }
    if (in_day_file > 0) {
      if (!ndjson) day_buf.Append("\n]\n");
      RETURN_NOT_OK(write_file(tickets_dir + "/" + date + ".json", day_buf.view()));
      ++(ndjson ? counts.ndjson_files : counts.array_files);
    }
  }
  counts.committed = counts.clean + counts.coerced;
  counts.quarantined = counts.malformed + counts.missing_required;
  RETURN_NOT_OK(counts.CheckConsistent());
  return counts;
}

}  // namespace custlake::generate
