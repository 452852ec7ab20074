#include "retention/model_store.h"

#include <fmt/format.h>

#include "lake/file_util.h"

namespace custlake::retention {

namespace {

struct ModelFiles {
  std::string meta, uplift, churn, shift, propensity, committed_at;
};

Result<ModelFiles> FindModelFiles(lake::Lake* lake) {
  ASSIGN_OR_RETURN(auto files, lake->CommittedFiles(lake::DatasetId::Model(kModelDataset)));
  ModelFiles out;
  for (const lake::FileInfo& f : files) {
    if (f.path.ends_with("/model.json")) {
      out.meta = f.absolute_path;
      out.committed_at = f.committed_at;
    }
    if (f.path.ends_with("/uplift.json")) out.uplift = f.absolute_path;
    if (f.path.ends_with("/churn.json")) out.churn = f.absolute_path;
    if (f.path.ends_with("/propensity.json")) out.propensity = f.absolute_path;
    if (f.path.ends_with("/shift.json")) out.shift = f.absolute_path;
  }
  return out;
}

Result<nlohmann::json> ReadMeta(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, lake::ReadWholeFile(path));
  nlohmann::json meta = nlohmann::json::parse(text, nullptr, false);
  if (meta.is_discarded() || meta.value("format", "") != kModelFormat) {
    return Status::Corruption(path + ": not a " + std::string(kModelFormat) +
                              " file; run `custlake retention train` again");
  }
  return meta;
}

}  // namespace

Result<int64_t> PublishModel(lake::Lake* lake, nlohmann::json meta, const churn::GbmModel& uplift,
                             const churn::GbmModel& p_churn, const churn::GbmModel& shift,
                             const churn::GbmModel& propensity) {
  lake::BatchOptions options;
  options.replace = true;
  options.lineage.source = "custlake retention train";
  options.lineage.extra["warehouse_version"] = meta.value("warehouse_version", nlohmann::json()).dump();
  ASSIGN_OR_RETURN(lake::BatchWriter batch, lake->BeginBatch(lake::DatasetId::Model(kModelDataset), options));
  const std::string folder = "v" + std::to_string(batch.id()) + "/";
  meta["format"] = kModelFormat;
  meta["model_version"] = batch.id();
  ASSIGN_OR_RETURN(std::string uplift_json, uplift.Save());
  ASSIGN_OR_RETURN(std::string churn_json, p_churn.Save());
  ASSIGN_OR_RETURN(std::string propensity_json, propensity.Save());
  ASSIGN_OR_RETURN(std::string shift_json, shift.Save());
  RETURN_NOT_OK(batch.AddFileWithBytes(folder + "model.json", meta.dump(2)));
  RETURN_NOT_OK(batch.AddFileWithBytes(folder + "uplift.json", uplift_json));
  RETURN_NOT_OK(batch.AddFileWithBytes(folder + "churn.json", churn_json));
  RETURN_NOT_OK(batch.AddFileWithBytes(folder + "propensity.json", propensity_json));
  RETURN_NOT_OK(batch.AddFileWithBytes(folder + "shift.json", shift_json));
  RETURN_NOT_OK(batch.Commit());
  return batch.id();
}

Result<StoredModel> LoadModel(lake::Lake* lake) {
  ASSIGN_OR_RETURN(ModelFiles paths, FindModelFiles(lake));
  if (paths.meta.empty() || paths.uplift.empty() || paths.churn.empty() || paths.propensity.empty() ||
      paths.shift.empty()) {
    return Status::NotFound("no retention model in the lake yet; run `custlake retention train` first");
  }
  ASSIGN_OR_RETURN(nlohmann::json meta, ReadMeta(paths.meta));
  std::vector<std::string> features;
  for (const auto& f : meta["features"]) features.push_back(f.at("name").get<std::string>());
  ASSIGN_OR_RETURN(std::string uplift_json, lake::ReadWholeFile(paths.uplift));
  ASSIGN_OR_RETURN(std::string churn_json, lake::ReadWholeFile(paths.churn));
  ASSIGN_OR_RETURN(churn::GbmModel uplift, churn::GbmModel::Load(uplift_json, features));
  ASSIGN_OR_RETURN(churn::GbmModel p_churn, churn::GbmModel::Load(churn_json, features));
  ASSIGN_OR_RETURN(std::string propensity_json, lake::ReadWholeFile(paths.propensity));
  ASSIGN_OR_RETURN(churn::GbmModel propensity, churn::GbmModel::Load(propensity_json, features));
  ASSIGN_OR_RETURN(std::string shift_json, lake::ReadWholeFile(paths.shift));
  ASSIGN_OR_RETURN(churn::GbmModel shift, churn::GbmModel::Load(shift_json, features));
  std::optional<EffectModel> effect;
  if (meta.contains("effect_model")) {
    ASSIGN_OR_RETURN(effect, EffectModel::FromJson(meta["effect_model"]));
  }
  return StoredModel{meta.value("model_version", int64_t{0}), std::move(meta), std::move(uplift), std::move(p_churn),
                     std::move(shift), std::move(propensity), std::move(effect)};
}

Result<std::optional<nlohmann::json>> LoadModelMeta(lake::Lake* lake) {
  ASSIGN_OR_RETURN(ModelFiles paths, FindModelFiles(lake));
  if (paths.meta.empty()) return std::optional<nlohmann::json>();
  ASSIGN_OR_RETURN(nlohmann::json meta, ReadMeta(paths.meta));
  meta["trained_at"] = paths.committed_at;
  return std::optional<nlohmann::json>(std::move(meta));
}

std::vector<std::string> ModelWarnings(const nlohmann::json& meta) {
  const nlohmann::json& v = meta.value("validation", nlohmann::json::object());
  if (!v.contains("qini_coefficient")) return {};
  const double qini = v["qini_coefficient"].get<double>();
  if (qini > 0) return {};
  return {fmt::format(
      "the uplift model does not beat random targeting on its validation months (Qini coefficient {:.5f}, {} rows: {} "
      "treated): a plan made from it is no better than chance; train it on more customers or more send months "
      "(--train-months) before acting on it (docs/retention.md, \"When the model is not better than chance\")",
      qini, v.value("rows", int64_t{0}), v.value("treated", int64_t{0}))};
}

}  // namespace custlake::retention
