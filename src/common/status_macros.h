// File: status_macros.h
// Propagation helpers for absl::Status / absl::StatusOr at module boundaries.
//
//   absl::StatusOr<Config> Load(...) {
//     ASSIGN_OR_RETURN(auto text, ReadFile(path));
//     RETURN_IF_ERROR(Validate(text));
//   }
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define ASGARD_CONCAT_INNER_(a, b) a##b
#define ASGARD_CONCAT_(a, b) ASGARD_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::absl::Status asgard_status_ = (expr);    \
    if (!asgard_status_.ok()) return asgard_status_; \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(*tmp)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(ASGARD_CONCAT_(asgard_statusor_, __LINE__), lhs, expr)
