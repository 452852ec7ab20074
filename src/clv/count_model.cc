#include "clv/count_model.h"

#include <string>

namespace custlake::clv {

Result<const CountModel*> FindCountModel(std::string_view name) {
  for (const CountModel* m : {&kBgnbd, &kPnbd, &kMbgnbd}) {
    if (m->name == name) return m;
  }
  return Status::InvalidArgument("unknown model '" + std::string(name) + "': use bgnbd, pnbd or mbgnbd");
}

}  // namespace custlake::clv
