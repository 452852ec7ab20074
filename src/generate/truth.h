// Ground truth of a generated company, written to a truth folder OUTSIDE
// the landing folder (the ingest must never see it):
//
//   parameters.json          options, the true model parameters (ModelParameters::ToJson)
//                            and realised rates (churn by segment and contract, sizes)
//   mess_counts.json         MessCounts below: what ingestion must commit, quarantine, drop
//   churn_probability.csv    customer_id,month,p_churn,p_churn_without_offer,churned,
//                            offer_sent,offer_effect
//                            one row per customer at risk in a window month (alive at the
//                            month's start and signed up before it); month is YYYY-MM;
//                            p_churn is the hazard used for the draw, p_churn_without_offer
//                            the same hazard without any offer's effect; churned 0/1;
//                            offer_sent 0/1: sent the month's retention offer this month;
//                            offer_effect: the true change in the probability of churning
//                            within the 3 months starting this month (the month and the two
//                            after it) if the month's retention offer of the customer's
//                            segment were sent at the month's start, minus if none were sent,
//                            expected over whether the customer redeems it (r = P(redeem)):
//                              P3(x) = 1 - (1 - sigmoid(x))^3, z = this month's hazard logit
//                              without this month's offer, held for the 3 months,
//                              offer_effect = r P3(z + contact + redeemed) + (1 - r) P3(z + contact) - P3(z)
//                            (offer_response.h has contact and redeemed); written for every
//                            row, sent or not. Negative = the offer keeps the customer.
//                            Customers saved by sending to a set S in month m = -sum over S.
//   customers.csv            customer_id,segment,contract,bgnbd_lambda,bgnbd_p,gg_nu,
//                            purchases,purchase_alive_at_end,engagement_mu,signup_date,churn_date
//                            (lambda per week; mean spend of a customer = gg_p / gg_nu)
//   attribute_changes.csv    customer_id,ts,attribute,old_value,new_value (plan, monthly_fee,
//                            city; ts "YYYY-MM-DD HH:MM:SS" UTC): the history SCD2 must rebuild
//
// Counting rules for the usage NDJSON (every line of usage/*.ndjson is one record):
//   records_in_files = committed + quarantined + duplicates            (exactly)
//   committed   = clean + numbers_as_strings + tz_offset + tz_naive + epoch_seconds
//                 + epoch_millis + extra_fields + missing_optional + late
//     (valid JSON objects whose fields all coerce to the contract's types; each has a
//      distinct event_id; `late` lines are clean records in a later day's file)
//   quarantined = malformed + truncated + missing_required + bad_type
//     malformed        not parseable as JSON (unquoted keys, single quotes, a missing
//                      comma, a plain-text log line)
//     truncated        a record cut off before its closing brace
//     missing_required valid JSON without event_id, customer_id or ts
//     bad_type         valid JSON with a value that cannot be coerced: customer_id
//                      "12x45"/"unknown", ts "yesterday", bytes "n/a", duration_s "fast"
//   duplicates  = extra byte-identical copies of committed lines (same event_id), in the
//                 same file (after it) or a file up to 3 days later; ingestion keeps one copy.
// Each original event has at most one kind; duplicates are copies of committed lines
// only, so the distinct event_ids among committed records number `committed`.
// Coercions that ingestion must do: "123" -> 123 for customer_id/duration_s/bytes;
// ts from "…Z", "…±HH:MM" (local time with offset), "…" without zone (UTC), an integer
// of epoch seconds (< 10^11) or milliseconds; unknown fields ignored (or kept aside);
// feature, device, duration_s, bytes, app_version are optional (absent or null);
// event_id, customer_id, ts are required; event_type is present in every committed line.
//
// Tickets (tickets/*.json): one record = one top-level ticket document, whether an
// element of a file's JSON array, a line of an NDJSON file, or a file of its own.
//   records_in_files = committed + quarantined                        (exactly)
//   committed   = clean + coerced (satisfaction "4", other time formats, extra fields)
//   quarantined = malformed (a truncated document: alone in its own file, or one line of
//                 an NDJSON file; never inside an array file) + missing_required
//                 (valid JSON without ticket_id, customer_id or opened_at)
//
// Writers here stream: the churn CSV for a million customers and a year
// (12 million rows) never sits in memory. One thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"
#include "generate/company_model.h"
#include "generate/output_file.h"

namespace custlake::generate {

struct UsageMessCounts {
  int64_t files = 0;
  int64_t bytes = 0;
  int64_t records_in_files = 0;
  int64_t committed = 0;
  int64_t quarantined = 0;
  int64_t duplicates = 0;
  // committed, by kind
  int64_t clean = 0;
  int64_t numbers_as_strings = 0;
  int64_t tz_offset = 0;
  int64_t tz_naive = 0;
  int64_t epoch_seconds = 0;
  int64_t epoch_millis = 0;
  int64_t extra_fields = 0;
  int64_t missing_optional = 0;
  int64_t late = 0;
  // quarantined, by kind
  int64_t malformed = 0;
  int64_t truncated = 0;
  int64_t missing_required = 0;
  int64_t bad_type = 0;

  nlohmann::json ToJson() const;
  /// Checks the identities in the header; an error is a generator bug.
  Status CheckConsistent() const;
};

struct TicketMessCounts {
  int64_t files = 0;
  int64_t bytes = 0;
  int64_t array_files = 0, ndjson_files = 0, single_document_files = 0;
  int64_t records_in_files = 0;
  int64_t committed = 0;
  int64_t quarantined = 0;
  int64_t clean = 0;
  int64_t coerced = 0;
  int64_t malformed = 0;
  int64_t missing_required = 0;

  nlohmann::json ToJson() const;
  Status CheckConsistent() const;
};

/// Streams the per-month truth (churn probabilities, attribute changes)
/// while the model runs, then the per-customer truth at the end.
class TruthWriter {
 public:
  /// Creates `truth_dir` if needed and opens the streamed CSVs.
  static Result<std::unique_ptr<TruthWriter>> Open(const std::string& truth_dir);

  Status AddMonth(const CompanyModel::Month& month);
  Status WriteCustomers(const CompanyModel& model);
  /// Writes parameters.json and mess_counts.json and commits every file.
  Status Finish(const nlohmann::json& parameters, const nlohmann::json& mess_counts);
  int64_t churn_rows() const { return churn_rows_; }

 private:
  explicit TruthWriter(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
  std::unique_ptr<OutputFile> churn_file_, changes_file_, flagged_file_;
  ByteBuffer churn_buf_{size_t{1} << 20}, changes_buf_{size_t{1} << 16}, flagged_buf_{size_t{1} << 16};
  int64_t churn_rows_ = 0;
};

}  // namespace custlake::generate
