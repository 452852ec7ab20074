// Writes the support tickets of the window as JSON documents with nesting
// (messages[]) into tickets/, the way a help desk exports resolved tickets:
// each in the file of the day it was closed, in its final state (tickets
// still open at the window's end in the last day's file), so a day's file
// never changes once written. Three shapes an ingest meets in
// practice: a day file holding one JSON array (tickets/YYYY-MM-DD.json), a
// day file holding NDJSON (same name, a share ticket_ndjson_file_share of
// the days), and single-document files (tickets/YYYY-MM-DD-t<ticket_id>.json,
// a share ticket_single_document_share of the tickets). Mess at the rates of
// TicketMessRates, counted as truth.h specifies: malformed documents only
// ever sit alone in their own file or on one NDJSON line, so a broken record
// never takes an array of good ones with it.
//
// Small next to usage (a ticket per 10 to 20 customer-months); the message
// texts are chosen from the catalog with a per-ticket generator, so they
// are not stored in the model. Used by one thread.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "generate/company_model.h"
#include "generate/output_file.h"
#include "generate/truth.h"

namespace custlake::generate {

class TicketWriter {
 public:
  TicketWriter(const GeneratorOptions& options, int64_t horizon_end)
      : options_(options), horizon_end_(horizon_end) {}

  /// `tickets` sorted by opened_at (CompanyModel::tickets()); only the files
  /// of days before `as_of_day` (epoch day) are written.
  Result<TicketMessCounts> Write(const std::vector<Ticket>& tickets, const std::string& tickets_dir,
                                 int32_t as_of_day);

 private:
  /// mess: 0 clean, 1..4 coerced variants, 5 missing_required (+variant in `which`).
  void Render(const Ticket& t, int mess, uint64_t bits, ByteBuffer* out) const;

  const GeneratorOptions options_;
  int64_t horizon_end_;
};

}  // namespace custlake::generate
