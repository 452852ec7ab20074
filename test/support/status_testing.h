// GoogleTest helpers for Status / Result<T> (after Arrow's gtest_util.h).
//
//   ASSERT_OK(conn->Execute("..."));
//   ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(url));
//   EXPECT_NOT_OK(DatabaseUrl::Parse("nope"));
//
// Header-only, so unit tests beside the code can use it without linking
// anything from test/support.
#pragma once

#include <gtest/gtest.h>

#include "common/status.h"

namespace custlake::testing_internal {
inline const ::custlake::Status& ToStatus(const ::custlake::Status& s) { return s; }
template <typename T>
const ::custlake::Status& ToStatus(const ::custlake::Result<T>& r) {
  return r.status();
}
}  // namespace custlake::testing_internal

#define ASSERT_OK(expr)                                                             \
  do {                                                                              \
    const auto& _st_or = (expr);                                                    \
    const ::custlake::Status& _st = ::custlake::testing_internal::ToStatus(_st_or); \
    ASSERT_TRUE(_st.ok()) << #expr << " failed: " << _st.ToString();                \
  } while (0)

#define EXPECT_OK(expr)                                                             \
  do {                                                                              \
    const auto& _st_or = (expr);                                                    \
    const ::custlake::Status& _st = ::custlake::testing_internal::ToStatus(_st_or); \
    EXPECT_TRUE(_st.ok()) << #expr << " failed: " << _st.ToString();                \
  } while (0)

#define EXPECT_NOT_OK(expr)                                                                  \
  do {                                                                                       \
    const auto& _st_or = (expr);                                                             \
    EXPECT_FALSE(::custlake::testing_internal::ToStatus(_st_or).ok()) << #expr " succeeded"; \
  } while (0)

#define CUSTLAKE_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, rexpr)                  \
  auto tmp = (rexpr);                                                        \
  ASSERT_TRUE(tmp.ok()) << #rexpr << " failed: " << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

/// `ASSERT_OK_AND_ASSIGN(auto x, MakeX());` declares x or fails the test.
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  CUSTLAKE_ASSERT_OK_AND_ASSIGN_IMPL(CUSTLAKE_CONCAT(_assign_result_, __LINE__), lhs, rexpr)
