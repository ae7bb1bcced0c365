// File: value_parsers.h
// The coercions of SPEC.md section 2, from the text of one value to its typed form. Shared by
// the app.yaml loader and by anything else that takes the same fields as text (API, CLI).
// Each error is InvalidArgument "'<text>' is not a <kind> (expected <form>)", without a key
// path: the caller prefixes it.
//
//   absl::StatusOr<int64_t> bytes = ParseByteSize("50MB");  // 52428800
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace asgard::config {

// true/false, yes/no, on/off, 1/0, any case.
absl::StatusOr<bool> ParseBool(absl::string_view text);

// A decimal integer (optional sign, no fraction) within [min, max]. `unit` ("seconds", "months")
// only words the message: "'x' is not an integer (expected an integer number of seconds >= 0)".
absl::StatusOr<int64_t> ParseInteger(absl::string_view text, int64_t min, int64_t max,
                                     absl::string_view unit = "");

// A TCP port 1-65535, or 0 too when `allow_zero` (0 = "any free port"); "" counts as 0 there,
// as an empty port did in the original agent.
absl::StatusOr<int> ParsePort(absl::string_view text, bool allow_zero);

// Bytes as an integer, or with a 1024-based unit: "512", "10KB", "50MB", "1GB", "2k", "1 GiB".
absl::StatusOr<int64_t> ParseByteSize(absl::string_view text);

// As ParseByteSize, for sizes where 0 means "none" and any other value must be at least
// `min_nonzero` (max_bytes: 0 = never rotate): "'1' is out of range (expected 0, or a size of
// at least 1MB)".
absl::StatusOr<int64_t> ParseByteSizeOrZero(absl::string_view text, int64_t min_nonzero);

// A size as ParseByteSize reads it, in the largest unit that divides it: "1MB", "64KB", "100".
std::string FormatByteSize(int64_t bytes);

}  // namespace asgard::config
