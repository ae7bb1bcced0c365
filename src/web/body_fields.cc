#include "web/body_fields.h"

#include "absl/strings/str_cat.h"
#include "common/printable.h"
#include "config/value_parsers.h"

namespace asgard::web {
namespace {

using Json = nlohmann::json;

std::string Range(int64_t min, int64_t max) { return absl::StrCat(min, "..", max); }

// Debian's Abseil has its own string_view, which StrCat takes and std::string_view is not.
absl::string_view View(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

}  // namespace

absl::Status FieldError(std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(View(field), ": ", View(why)));
}

absl::Status CheckText(std::string_view field, std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    return FieldError(field, absl::StrCat("at most ", max_bytes, " bytes (got ", text.size(), ")"));
  }
  if (!IsValidUtf8(text)) return FieldError(field, "is not valid UTF-8");
  if (text.find('\0') != std::string_view::npos) return FieldError(field, "contains a NUL byte");
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> OptionalText(const Json& body, std::string_view field,
                                                        size_t max_bytes) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) return FieldError(field, "must be a string");
  const std::string& text = it->get_ref<const std::string&>();
  if (absl::Status s = CheckText(field, text, max_bytes); !s.ok()) return s;
  return text;
}

absl::StatusOr<std::string> Text(const Json& body, std::string_view field, size_t max_bytes) {
  absl::StatusOr<std::optional<std::string>> text = OptionalText(body, field, max_bytes);
  if (!text.ok()) return text.status();
  return text->value_or("");
}

absl::StatusOr<int64_t> IntValue(const Json& value, std::string_view field, int64_t min,
                                 int64_t max) {
  int64_t v = 0;
  if (value.is_number_unsigned()) {
    // Past INT64_MAX it would wrap to a negative number.
    if (value.get<uint64_t>() > static_cast<uint64_t>(max)) {
      return FieldError(field, absl::StrCat(value.dump(), " is out of range ", Range(min, max)));
    }
    v = static_cast<int64_t>(value.get<uint64_t>());
  } else if (value.is_number_integer()) {
    v = value.get<int64_t>();
  } else if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    auto parsed = config::ParseInteger(text.substr(0, 40), min, max);
    if (!parsed.ok() || text.size() > 40) {
      return FieldError(field, absl::StrCat("must be an integer in ", Range(min, max)));
    }
    v = *parsed;
  } else {
    return FieldError(field, absl::StrCat("must be an integer in ", Range(min, max)));
  }
  if (v < min || v > max) {
    return FieldError(field, absl::StrCat(v, " is out of range ", Range(min, max)));
  }
  return v;
}

absl::StatusOr<std::optional<int64_t>> OptionalInt(const Json& body, std::string_view field,
                                                   int64_t min, int64_t max) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::nullopt;
  absl::StatusOr<int64_t> v = IntValue(*it, field, min, max);
  if (!v.ok()) return v.status();
  return *v;
}

}  // namespace asgard::web
