// File: yaml_reader.h
// Typed, path-aware reading of a yaml-cpp document, for the app.yaml loader.
//
//   KeyLog log;
//   ASSIGN_OR_RETURN(MapReader root, MapReader::Create(document, "", log));
//   ASSIGN_OR_RETURN(MapReader web, root.Map("web"));
//   RETURN_IF_ERROR(web.Port("port", &config.web.port, /*allow_zero=*/true));
//   for (const std::string& path : log.Unread()) Warn("unknown key " + path);
//
// Every getter applies the coercions of value_parsers.h. An absent or null key leaves the output
// unchanged (the default stays); a wrong value is InvalidArgument "<path>: <reason> at line N".
// Every key of every mapping opened is recorded in the KeyLog, so that the keys nobody asked
// for can be reported as unknown. Nothing here throws: yaml-cpp is only used through calls that
// do not throw on a loaded document.
//
// Thread-safety: none; one document is read by one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/signal.h"
#include "yaml-cpp/yaml.h"

namespace asgard::config {

// Every mapping key met while reading one document, and whether a getter asked for it.
class KeyLog {
 public:
  // Records `path`, found at character `position` of the document; returns its index for
  // MarkRead.
  size_t Add(std::string path, int position);
  void MarkRead(size_t index) { keys_[index].read = true; }
  // Full paths of the keys never read, in document order.
  std::vector<std::string> Unread() const;

 private:
  struct Key {
    std::string path;
    int position;
    bool read = false;
  };
  std::vector<Key> keys_;
};

// The YAML line of a node ("" when yaml-cpp has none), as " at line N" for messages.
std::string LineSuffix(const YAML::Node& node);

// One YAML mapping being read. Copyable (nodes are handles into the document); the KeyLog must
// outlive it.
class MapReader {
 public:
  // `node` must be a mapping or null (read as an empty mapping). `path` names it in messages and
  // in the KeyLog: "" for the document, "web", "app[2]". Errors: not a mapping, a key that is not
  // a plain value, a key given twice.
  static absl::StatusOr<MapReader> Create(const YAML::Node& node, std::string path, KeyLog& log);

  // Scalar getters; see the file comment for absent keys and errors.
  absl::Status String(absl::string_view key, std::string* out);
  absl::Status Bool(absl::string_view key, bool* out);
  absl::Status Int(absl::string_view key, int* out, int min, int max, absl::string_view unit = "");
  absl::Status Seconds(absl::string_view key, std::chrono::seconds* out, int64_t min);
  absl::Status Port(absl::string_view key, int* out, bool allow_zero);
  // A size; with `min_nonzero`, 0 or a size of at least that (value_parsers.h).
  absl::Status ByteSize(absl::string_view key, int64_t* out, int64_t min_nonzero = 0);
  absl::Status Signal(absl::string_view key, asgard::Signal* out);
  // As String and Port, but the output is set only when the key has a value (unset = default).
  absl::Status OptionalString(absl::string_view key, std::optional<std::string>* out);
  absl::Status OptionalPort(absl::string_view key, std::optional<int>* out, bool allow_zero);
  // One of `allowed` (compared in lower case; stored in lower case).
  absl::Status OneOf(absl::string_view key, std::string* out,
                     std::initializer_list<absl::string_view> allowed);
  // A list of plain values; a single plain value is read as a list of one.
  absl::Status StringList(absl::string_view key, std::vector<std::string>* out);
  // A mapping of plain values (`env`); names must be non-empty and contain no '='.
  absl::Status StringMap(absl::string_view key, std::map<std::string, std::string>* out);

  // The mapping under `key` (an empty one when absent or null).
  absl::StatusOr<MapReader> Map(absl::string_view key);
  // The elements of the list under `key` (none when absent or null); error if not a list.
  absl::StatusOr<std::vector<YAML::Node>> List(absl::string_view key);
  // The list under `key` as mappings named "key[0]", "key[1]", ...; error if an element is not
  // a mapping.
  absl::StatusOr<std::vector<MapReader>> MapList(absl::string_view key);

  // True if `key` is present with a non-null value. Does not count as reading it.
  bool Has(absl::string_view key) const;
  // The keys of this mapping in document order. Does not count as reading them.
  std::vector<std::string> Keys() const;
  // "web.port" for key "port" of "web".
  std::string PathOf(absl::string_view key) const;
  // InvalidArgument "<path of key>: <detail> at line N" (the line of the value, else the key's).
  absl::Status Error(absl::string_view key, absl::string_view detail) const;
  // The same for an error about the mapping itself.
  absl::Status SelfError(absl::string_view detail) const;

 private:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
    size_t log_index;
  };

  MapReader(const YAML::Node& node, std::string path, KeyLog& log)
      : node_(node), path_(std::move(path)), log_(&log) {}
  const Entry* Find(absl::string_view key) const;
  // Marks `key` read; true with its text in *text if it has a plain value, false if it is absent
  // or null, an error if it is a list or a mapping.
  absl::StatusOr<bool> Scalar(absl::string_view key, std::string* text);
  // Reads `key` through `parse` (text -> absl::StatusOr<U>, U convertible to T) into *out; a
  // parse error gets the key's path and line. Defined and instantiated in yaml_reader.cc only.
  template <typename T, typename ParseFn>
  absl::Status Coerce(absl::string_view key, T* out, ParseFn parse);

  YAML::Node node_;
  std::string path_;
  KeyLog* log_;  // not owned
  std::vector<Entry> entries_;
};

}  // namespace asgard::config
