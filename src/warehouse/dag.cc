#include "warehouse/dag.h"

#include <algorithm>
#include <functional>
#include <map>

namespace custlake::warehouse {

Result<std::vector<size_t>> BuildOrder(const std::vector<Model>& models) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < models.size(); ++i) index[models[i].name] = i;
  // Depth-first with colours; visiting in name order keeps the result deterministic.
  std::vector<int> state(models.size(), 0);  // 0 new, 1 on the stack, 2 done
  std::vector<size_t> order, stack;
  std::function<Status(size_t)> visit = [&](size_t i) -> Status {
    if (state[i] == 2) return Status::OK();
    if (state[i] == 1) {
      std::string cycle;
      auto from = std::find(stack.begin(), stack.end(), i);
      for (auto it = from; it != stack.end(); ++it) {
        cycle += models[*it].name + " (" + models[*it].file + ") -> ";
      }
      cycle += models[i].name;
      return Status::InvalidArgument("dependency cycle between models: " + cycle +
                                     "; a model may not read a model that reads it");
    }
    state[i] = 1;
    stack.push_back(i);
    std::vector<std::string> refs = models[i].refs;
    std::sort(refs.begin(), refs.end());
    for (const std::string& ref : refs) {
      auto it = index.find(ref);
      if (it == index.end()) {
        return Status::InvalidArgument(models[i].file + ": refers to unknown model " + ref);
      }
      RETURN_NOT_OK(visit(it->second));
    }
    stack.pop_back();
    state[i] = 2;
    order.push_back(i);
    return Status::OK();
  };
  std::vector<size_t> by_name(models.size());
  for (size_t i = 0; i < models.size(); ++i) by_name[i] = i;
  std::sort(by_name.begin(), by_name.end(), [&](size_t a, size_t b) { return models[a].name < models[b].name; });
  for (size_t i : by_name) RETURN_NOT_OK(visit(i));
  return order;
}

Result<std::vector<Model>> SortModels(std::vector<Model> models) {
  ASSIGN_OR_RETURN(std::vector<size_t> order, BuildOrder(models));
  std::vector<Model> out;
  out.reserve(models.size());
  for (size_t i : order) out.push_back(std::move(models[i]));
  return out;
}

}  // namespace custlake::warehouse
