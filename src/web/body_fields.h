// File: body_fields.h
// Typed members of a request body: JSON, or a form whose values are all strings (the original's
// console sends forms). A member of the wrong type, too long, not UTF-8 or holding a NUL byte is
// an InvalidArgument whose message starts with the field's name, so the route answers 400
// naming it (never a 500 from a JSON type error).
//
//   ASSIGN_OR_RETURN(std::string name, Text(body, "username", kMaxLoginNameBytes));
//   ASSIGN_OR_RETURN(std::optional<int64_t> status, OptionalInt(body, "status", -1, 1));
//
// Integers are accepted as JSON integers or as decimal strings ("12", as forms send them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace asgard::web {

// "field: why", as InvalidArgument.
absl::Status FieldError(std::string_view field, std::string_view why);

// OK when `text` is at most `max_bytes` long, valid UTF-8 and free of NUL bytes.
absl::Status CheckText(std::string_view field, std::string_view text, size_t max_bytes);

// The member as text; nullopt when absent or null.
absl::StatusOr<std::optional<std::string>> OptionalText(const nlohmann::json& body,
                                                        std::string_view field, size_t max_bytes);
// The member as text; "" when absent or null.
absl::StatusOr<std::string> Text(const nlohmann::json& body, std::string_view field,
                                 size_t max_bytes);

// The member as an integer in [min, max]; nullopt when absent or null.
absl::StatusOr<std::optional<int64_t>> OptionalInt(const nlohmann::json& body,
                                                   std::string_view field, int64_t min,
                                                   int64_t max);

// A JSON value (a member, or an item of an array) as an integer in [min, max].
absl::StatusOr<int64_t> IntValue(const nlohmann::json& value, std::string_view field, int64_t min,
                                 int64_t max);

}  // namespace asgard::web
