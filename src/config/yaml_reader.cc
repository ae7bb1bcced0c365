#include "config/yaml_reader.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "config/value_parsers.h"

namespace asgard::config {
namespace {

const char* KindOf(const YAML::Node& node) {
  if (node.IsNull()) return "an empty value";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "a plain value";
}

absl::StatusOr<std::string> AsString(std::string text) { return text; }

const YAML::Node& ValueOrKeyNode(const YAML::Node& value, const YAML::Node& key) {
  return value.Mark().is_null() ? key : value;
}

}  // namespace

size_t KeyLog::Add(std::string path, int position) {
  keys_.push_back(Key{std::move(path), position});
  return keys_.size() - 1;
}

std::vector<std::string> KeyLog::Unread() const {
  // Keys are met section by section, not in document order; the user reads the file in order.
  std::vector<const Key*> unread;
  for (const Key& key : keys_) {
    if (!key.read) unread.push_back(&key);
  }
  std::stable_sort(unread.begin(), unread.end(),
                   [](const Key* a, const Key* b) { return a->position < b->position; });
  std::vector<std::string> paths;
  for (const Key* key : unread) paths.push_back(key->path);
  return paths;
}

std::string LineSuffix(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0) return "";
  return absl::StrCat(" at line ", mark.line + 1);
}

absl::StatusOr<MapReader> MapReader::Create(const YAML::Node& node, std::string path, KeyLog& log) {
  MapReader reader(node, std::move(path), log);
  if (!node.IsDefined() || node.IsNull()) return reader;
  if (!node.IsMap()) {
    return reader.SelfError(
        absl::StrCat(KindOf(node), " is not a mapping (expected key: value lines)"));
  }
  // Node handles are copied out of `pair`: yaml-cpp iterators hand out temporaries, and a
  // reference into `it->first` dangles (AddressSanitizer: stack-use-after-scope).
  for (const auto& pair : node) {
    const YAML::Node key_node = pair.first;
    if (!key_node.IsScalar()) {
      return absl::InvalidArgumentError(
          absl::StrCat(reader.path_.empty() ? "top level" : reader.path_, ": ", KindOf(key_node),
                       " is used as a key (expected a name)", LineSuffix(key_node)));
    }
    const std::string key = key_node.Scalar();
    if (const Entry* first = reader.Find(key)) {
      return absl::InvalidArgumentError(absl::StrCat(reader.PathOf(key), ": key given twice",
                                                     LineSuffix(key_node), " (first",
                                                     LineSuffix(first->key_node), ")"));
    }
    reader.entries_.push_back(
        Entry{key, key_node, pair.second, log.Add(reader.PathOf(key), key_node.Mark().pos)});
  }
  return reader;
}

const MapReader::Entry* MapReader::Find(absl::string_view key) const {
  for (const Entry& entry : entries_) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

bool MapReader::Has(absl::string_view key) const {
  const Entry* entry = Find(key);
  return entry != nullptr && !entry->value.IsNull();
}

std::vector<std::string> MapReader::Keys() const {
  std::vector<std::string> keys;
  for (const Entry& entry : entries_) keys.push_back(entry.key);
  return keys;
}

std::string MapReader::PathOf(absl::string_view key) const {
  return path_.empty() ? std::string(key) : absl::StrCat(path_, ".", key);
}

absl::Status MapReader::Error(absl::string_view key, absl::string_view detail) const {
  const Entry* entry = Find(key);
  const std::string line =
      entry == nullptr ? "" : LineSuffix(ValueOrKeyNode(entry->value, entry->key_node));
  return absl::InvalidArgumentError(absl::StrCat(PathOf(key), ": ", detail, line));
}

absl::Status MapReader::SelfError(absl::string_view detail) const {
  return absl::InvalidArgumentError(
      absl::StrCat(path_.empty() ? "top level" : path_, ": ", detail, LineSuffix(node_)));
}

absl::StatusOr<bool> MapReader::Scalar(absl::string_view key, std::string* text) {
  const Entry* entry = Find(key);
  if (entry == nullptr) return false;
  log_->MarkRead(entry->log_index);
  if (entry->value.IsNull()) return false;
  if (!entry->value.IsScalar()) {
    return Error(key,
                 absl::StrCat(KindOf(entry->value), " is given where a single value is expected"));
  }
  *text = entry->value.Scalar();
  return true;
}

template <typename T, typename ParseFn>
absl::Status MapReader::Coerce(absl::string_view key, T* out, ParseFn parse) {
  std::string text;
  ASSIGN_OR_RETURN(const bool present, Scalar(key, &text));
  if (!present) return absl::OkStatus();
  auto value = parse(text);
  if (!value.ok()) return Error(key, value.status().message());
  *out = static_cast<T>(*value);
  return absl::OkStatus();
}

absl::Status MapReader::String(absl::string_view key, std::string* out) {
  return Coerce(key, out, AsString);
}

absl::Status MapReader::OptionalString(absl::string_view key, std::optional<std::string>* out) {
  return Coerce(key, out, AsString);
}

absl::Status MapReader::OptionalPort(absl::string_view key, std::optional<int>* out,
                                     bool allow_zero) {
  return Coerce(key, out,
                [allow_zero](const std::string& text) { return ParsePort(text, allow_zero); });
}

absl::Status MapReader::Bool(absl::string_view key, bool* out) {
  return Coerce(key, out, [](const std::string& text) { return ParseBool(text); });
}

absl::Status MapReader::Int(absl::string_view key, int* out, int min, int max,
                            absl::string_view unit) {
  return Coerce(key, out,
                [&](const std::string& text) { return ParseInteger(text, min, max, unit); });
}

absl::Status MapReader::Seconds(absl::string_view key, std::chrono::seconds* out, int64_t min) {
  // A year is far beyond any sensible interval and keeps later time arithmetic from overflowing.
  constexpr int64_t kMaxSeconds = 366LL * 24 * 3600;
  return Coerce(key, out, [min](const std::string& text) {
    return ParseInteger(text, min, kMaxSeconds, "seconds");
  });
}

absl::Status MapReader::Port(absl::string_view key, int* out, bool allow_zero) {
  return Coerce(key, out,
                [allow_zero](const std::string& text) { return ParsePort(text, allow_zero); });
}

absl::Status MapReader::ByteSize(absl::string_view key, int64_t* out, int64_t min_nonzero) {
  return Coerce(key, out, [min_nonzero](const std::string& text) {
    return ParseByteSizeOrZero(text, min_nonzero);
  });
}

absl::Status MapReader::Signal(absl::string_view key, asgard::Signal* out) {
  return Coerce(key, out, [](const std::string& text) { return asgard::Signal::Parse(text); });
}

absl::Status MapReader::OneOf(absl::string_view key, std::string* out,
                              std::initializer_list<absl::string_view> allowed) {
  std::string text;
  ASSIGN_OR_RETURN(const bool present, Scalar(key, &text));
  if (!present) return absl::OkStatus();
  const std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  for (absl::string_view candidate : allowed) {
    if (lower == candidate) {
      *out = lower;
      return absl::OkStatus();
    }
  }
  return Error(key, absl::StrCat("'", text, "' is not allowed (expected one of ",
                                 absl::StrJoin(allowed, ", "), ")"));
}

absl::Status MapReader::StringList(absl::string_view key, std::vector<std::string>* out) {
  const Entry* entry = Find(key);
  if (entry != nullptr && entry->value.IsScalar()) {
    std::string single;
    RETURN_IF_ERROR(String(key, &single));
    *out = {std::move(single)};
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::vector<YAML::Node> items, List(key));
  if (entry == nullptr || entry->value.IsNull()) return absl::OkStatus();
  std::vector<std::string> values;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].IsScalar()) {
      return absl::InvalidArgumentError(absl::StrCat(PathOf(key), "[", i, "]: ", KindOf(items[i]),
                                                     " is given where a single value is expected",
                                                     LineSuffix(items[i])));
    }
    values.push_back(items[i].Scalar());
  }
  *out = std::move(values);
  return absl::OkStatus();
}

absl::Status MapReader::StringMap(absl::string_view key, std::map<std::string, std::string>* out) {
  ASSIGN_OR_RETURN(MapReader map, Map(key));
  for (const std::string& name : map.Keys()) {
    if (name.empty() || absl::StrContains(name, '=')) {
      return map.Error(name, absl::StrCat("'", name,
                                          "' is not a valid name (expected a "
                                          "non-empty name without '=')"));
    }
    RETURN_IF_ERROR(map.String(name, &(*out)[name]));
  }
  return absl::OkStatus();
}

absl::StatusOr<MapReader> MapReader::Map(absl::string_view key) {
  const Entry* entry = Find(key);
  if (entry == nullptr) return MapReader(YAML::Node(), PathOf(key), *log_);
  log_->MarkRead(entry->log_index);
  return Create(entry->value, PathOf(key), *log_);
}

absl::StatusOr<std::vector<YAML::Node>> MapReader::List(absl::string_view key) {
  const Entry* entry = Find(key);
  std::vector<YAML::Node> items;
  if (entry == nullptr) return items;
  log_->MarkRead(entry->log_index);
  if (entry->value.IsNull()) return items;
  if (!entry->value.IsSequence()) {
    return Error(key, absl::StrCat(KindOf(entry->value), " is given where a list is expected"));
  }
  for (const YAML::Node& item : entry->value) items.push_back(item);
  return items;
}

absl::StatusOr<std::vector<MapReader>> MapReader::MapList(absl::string_view key) {
  ASSIGN_OR_RETURN(std::vector<YAML::Node> items, List(key));
  std::vector<MapReader> readers;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string path = absl::StrCat(PathOf(key), "[", i, "]");
    if (!items[i].IsMap()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", KindOf(items[i]), " is not a mapping (expected key: value lines",
                       " such as name: and program:)", LineSuffix(items[i])));
    }
    ASSIGN_OR_RETURN(MapReader reader, Create(items[i], path, *log_));
    readers.push_back(std::move(reader));
  }
  return readers;
}

}  // namespace asgard::config
