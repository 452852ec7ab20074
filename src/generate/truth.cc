#include "generate/truth.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "generate/calendar.h"

namespace custlake::generate {

nlohmann::json UsageMessCounts::ToJson() const {
  return {{"files", files},
          {"bytes", bytes},
          {"records_in_files", records_in_files},
          {"committed", committed},
          {"quarantined", quarantined},
          {"duplicates", duplicates},
          {"committed_by_kind",
           {{"clean", clean}, {"numbers_as_strings", numbers_as_strings}, {"tz_offset", tz_offset},
            {"tz_naive", tz_naive}, {"epoch_seconds", epoch_seconds}, {"epoch_millis", epoch_millis},
            {"extra_fields", extra_fields}, {"missing_optional", missing_optional}, {"late", late}}},
          {"quarantined_by_kind",
           {{"malformed", malformed}, {"truncated", truncated},
            {"missing_required", missing_required}, {"bad_type", bad_type}}}};
}

Status UsageMessCounts::CheckConsistent() const {
  const int64_t by_kind = clean + numbers_as_strings + tz_offset + tz_naive + epoch_seconds +
                          epoch_millis + extra_fields + missing_optional + late;
  const int64_t q = malformed + truncated + missing_required + bad_type;
  if (by_kind != committed || q != quarantined || records_in_files != committed + quarantined + duplicates) {
    return Status::Internal("usage mess counts do not add up: " + ToJson().dump());
  }
  return Status::OK();
}

nlohmann::json TicketMessCounts::ToJson() const {
  return {{"files", files},
          {"bytes", bytes},
          {"files_by_format",
           {{"array", array_files}, {"ndjson", ndjson_files}, {"single_document", single_document_files}}},
          {"records_in_files", records_in_files},
          {"committed", committed},
          {"quarantined", quarantined},
          {"duplicates", 0},
          {"committed_by_kind", {{"clean", clean}, {"coerced", coerced}}},
          {"quarantined_by_kind", {{"malformed", malformed}, {"missing_required", missing_required}}}};
}

Status TicketMessCounts::CheckConsistent() const {
  if (clean + coerced != committed || malformed + missing_required != quarantined ||
      records_in_files != committed + quarantined ||
      files != array_files + ndjson_files + single_document_files) {
    return Status::Internal("ticket mess counts do not add up: " + ToJson().dump());
  }
  return Status::OK();
}

Result<std::unique_ptr<TruthWriter>> TruthWriter::Open(const std::string& truth_dir) {
  RETURN_NOT_OK(MakeDirectories(truth_dir));
  std::unique_ptr<TruthWriter> w(new TruthWriter(truth_dir));
  ASSIGN_OR_RETURN(w->churn_file_, OutputFile::Create(truth_dir + "/churn_probability.csv"));
  ASSIGN_OR_RETURN(w->changes_file_, OutputFile::Create(truth_dir + "/attribute_changes.csv"));
  ASSIGN_OR_RETURN(w->flagged_file_, OutputFile::Create(truth_dir + "/offer_flagged.csv"));
  w->flagged_buf_.Append("customer_id,month\n");
  w->churn_buf_.Append("customer_id,month,p_churn,p_churn_without_offer,churned,offer_sent,offer_effect\n");
  w->changes_buf_.Append("customer_id,ts,attribute,old_value,new_value\n");
  return w;
}

namespace {
char* PutInt(char* p, int64_t v) { return std::to_chars(p, p + 24, v).ptr; }
char* PutFixed(char* p, double v, int digits) {
  return std::to_chars(p, p + 48, v, std::chars_format::fixed, digits).ptr;
}
// CSV field: quoted only when it must be.
void PutCsvText(ByteBuffer* buf, std::string_view s) {
  if (s.find_first_of(",\"\n") == std::string_view::npos) {
    buf->Append(s);
    return;
  }
  buf->Append("\"");
  for (char c : s) {
    if (c == '"') buf->Append("\"");
    buf->Append(std::string_view(&c, 1));
  }
  buf->Append("\"");
}
}  // namespace

Status TruthWriter::AddMonth(const CompanyModel::Month& month) {
  char ym[16];
  FormatDate(ym, month.start_day);  // only the first 7 chars (YYYY-MM) are used
  for (const ChurnTruth& row : month.churn) {
    char* p = churn_buf_.Reserve(128);
    p = PutInt(p, row.customer_id);
    *p++ = ',';
    for (int i = 0; i < 7; ++i) *p++ = ym[i];
    *p++ = ',';
    p = PutFixed(p, row.p_churn, 6);
    *p++ = ',';
    p = PutFixed(p, row.p_without_offer, 6);
    *p++ = ',';
    *p++ = row.churned ? '1' : '0';
    *p++ = ',';
    *p++ = row.offer_sent ? '1' : '0';
    *p++ = ',';
    p = PutFixed(p, row.offer_effect, 6);
    *p++ = '\n';
    churn_buf_.Advance(p);
    if (churn_buf_.size() > (size_t{1} << 20) - 128) RETURN_NOT_OK(churn_buf_.FlushTo(churn_file_.get()));
    if (!row.flagged) continue;
    p = flagged_buf_.Reserve(48);
    p = PutInt(p, row.customer_id);
    *p++ = ',';
    for (int i = 0; i < 7; ++i) *p++ = ym[i];
    *p++ = '\n';
    flagged_buf_.Advance(p);
    if (flagged_buf_.size() > (size_t{1} << 16) - 48) RETURN_NOT_OK(flagged_buf_.FlushTo(flagged_file_.get()));
  }
  churn_rows_ += static_cast<int64_t>(month.churn.size());
  for (const AttributeChange& c : month.changes) {
    char* p = changes_buf_.Reserve(64);
    p = PutInt(p, c.customer_id);
    *p++ = ',';
    p = FormatSqlTimestamp(p, c.ts);
    *p++ = ',';
    changes_buf_.Advance(p);
    changes_buf_.Append(c.attribute);
    changes_buf_.Append(",");
    PutCsvText(&changes_buf_, c.old_value);
    changes_buf_.Append(",");
    PutCsvText(&changes_buf_, c.new_value);
    changes_buf_.Append("\n");
  }
  if (changes_buf_.size() > (size_t{1} << 16)) RETURN_NOT_OK(changes_buf_.FlushTo(changes_file_.get()));
  return Status::OK();
}

Status TruthWriter::WriteCustomers(const CompanyModel& model) {
  ASSIGN_OR_RETURN(auto file, OutputFile::Create(dir_ + "/customers.csv"));
  ByteBuffer buf(size_t{1} << 20);
  buf.Append(
      "customer_id,segment,contract,bgnbd_lambda,bgnbd_p,gg_nu,purchases,purchase_alive_at_end,"
      "engagement_mu,signup_date,churn_date\n");
  for (int64_t i = 0; i < model.customer_count(); ++i) {
    const CustomerState& s = model.customer(i);
    char* p = buf.Reserve(256);
    p = PutInt(p, CompanyModel::CustomerId(i));
    *p++ = ',';
    buf.Advance(p);
    buf.Append(SegmentName(s.segment));
    buf.Append(",");
    buf.Append(ContractName(s.contract));
    p = buf.Reserve(200);
    *p++ = ',';
    p = std::to_chars(p, p + 32, s.lambda).ptr;
    *p++ = ',';
    p = std::to_chars(p, p + 32, s.dropout).ptr;
    *p++ = ',';
    p = std::to_chars(p, p + 32, s.nu).ptr;
    *p++ = ',';
    p = PutInt(p, s.purchases);
    *p++ = ',';
    *p++ = s.purchase_alive ? '1' : '0';
    *p++ = ',';
    p = PutFixed(p, s.engagement_mu, 4);
    *p++ = ',';
    p = FormatDate(p, static_cast<int32_t>(s.signup_at / 86400));
    *p++ = ',';
    if (s.churn_day != kNeverDay) p = FormatDate(p, s.churn_day);
    *p++ = '\n';
    buf.Advance(p);
    if (buf.size() > (size_t{1} << 20) - 512) RETURN_NOT_OK(buf.FlushTo(file.get()));
  }
  RETURN_NOT_OK(buf.FlushTo(file.get()));
  return file->Commit();
}

Status TruthWriter::Finish(const nlohmann::json& parameters, const nlohmann::json& mess_counts) {
  RETURN_NOT_OK(churn_buf_.FlushTo(churn_file_.get()));
  RETURN_NOT_OK(churn_file_->Commit());
  RETURN_NOT_OK(changes_buf_.FlushTo(changes_file_.get()));
  RETURN_NOT_OK(changes_file_->Commit());
  RETURN_NOT_OK(flagged_buf_.FlushTo(flagged_file_.get()));
  RETURN_NOT_OK(flagged_file_->Commit());
  for (const auto& [name, doc] : {std::pair<const char*, const nlohmann::json*>{"parameters.json", &parameters},
                                  {"mess_counts.json", &mess_counts}}) {
    ASSIGN_OR_RETURN(auto file, OutputFile::Create(dir_ + "/" + name));
    RETURN_NOT_OK(file->Write(doc->dump(2) + "\n"));
    RETURN_NOT_OK(file->Commit());
  }
  return Status::OK();
}

}  // namespace custlake::generate
