#include "churn/model_store.h"

#include "churn/churn.h"
#include "lake/file_util.h"

namespace custlake::churn {

Result<int64_t> PublishModel(lake::Lake* lake, nlohmann::json meta, const GbmModel& gbm,
                             const LogisticModel& logistic) {
  lake::BatchOptions options;
  options.replace = true;
  options.lineage.source = "custlake churn train";
  options.lineage.extra["warehouse_version"] = meta.value("warehouse_version", nlohmann::json()).dump();
  ASSIGN_OR_RETURN(lake::BatchWriter batch, lake->BeginBatch(lake::DatasetId::Model(kModelDataset), options));
  const std::string folder = "v" + std::to_string(batch.id()) + "/";
  meta["format"] = kModelFormat;
  meta["model_version"] = batch.id();
  meta["logistic_model"] = logistic.ToJson();
  ASSIGN_OR_RETURN(std::string xgboost_json, gbm.Save());
  RETURN_NOT_OK(batch.AddFileWithBytes(folder + "model.json", meta.dump(2)));
  RETURN_NOT_OK(batch.AddFileWithBytes(folder + "xgboost.json", xgboost_json));
  RETURN_NOT_OK(batch.Commit());
  return batch.id();
}

namespace {

/// The live model's files; empty paths when none was trained.
struct ModelFiles {
  std::string meta_path, xgboost_path, committed_at;
};

Result<ModelFiles> FindModelFiles(lake::Lake* lake) {
  ASSIGN_OR_RETURN(auto files, lake->CommittedFiles(lake::DatasetId::Model(kModelDataset)));
  ModelFiles out;
  for (const lake::FileInfo& f : files) {
    if (f.path.ends_with("/model.json")) {
      out.meta_path = f.absolute_path;
      out.committed_at = f.committed_at;
    }
    if (f.path.ends_with("/xgboost.json")) out.xgboost_path = f.absolute_path;
  }
  return out;
}

Result<nlohmann::json> ReadMeta(const std::string& meta_path) {
  ASSIGN_OR_RETURN(std::string meta_text, lake::ReadWholeFile(meta_path));
  nlohmann::json meta = nlohmann::json::parse(meta_text, nullptr, false);
  if (meta.is_discarded() || meta.value("format", "") != kModelFormat) {
    return Status::Corruption(meta_path + ": not a " + std::string(kModelFormat) + " file; run `custlake churn train` again");
  }
  return meta;
}

}  // namespace

Result<StoredModel> LoadModel(lake::Lake* lake) {
  ASSIGN_OR_RETURN(ModelFiles paths, FindModelFiles(lake));
  if (paths.meta_path.empty() || paths.xgboost_path.empty()) {
    return Status::NotFound("no churn model in the lake yet; run `custlake churn train` first");
  }
  ASSIGN_OR_RETURN(nlohmann::json meta, ReadMeta(paths.meta_path));
  std::vector<std::string> features;
  for (const auto& f : meta["features"]) features.push_back(f.at("name").get<std::string>());
  ASSIGN_OR_RETURN(std::string xgboost_json, lake::ReadWholeFile(paths.xgboost_path));
  ASSIGN_OR_RETURN(GbmModel gbm, GbmModel::Load(xgboost_json, features));
  ASSIGN_OR_RETURN(LogisticModel logistic, LogisticModel::FromJson(meta["logistic_model"]));
  return StoredModel{meta.value("model_version", int64_t{0}), std::move(meta), std::move(gbm), std::move(logistic)};
}

Result<std::optional<nlohmann::json>> LoadModelMeta(lake::Lake* lake) {
  ASSIGN_OR_RETURN(ModelFiles paths, FindModelFiles(lake));
  if (paths.meta_path.empty()) return std::optional<nlohmann::json>();
  ASSIGN_OR_RETURN(nlohmann::json meta, ReadMeta(paths.meta_path));
  meta["trained_at"] = paths.committed_at;
  return std::optional<nlohmann::json>(std::move(meta));
}

}  // namespace custlake::churn
