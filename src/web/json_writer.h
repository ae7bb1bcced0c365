// File: json_writer.h
// Writes JSON text straight into a string, for the large answers (a page of tasks) where
// building an nlohmann::json tree first cost more CPU than the SQL behind it: every key and
// value of the tree is an allocation, and the tree is then walked again to print it. The text
// is what nlohmann's dump() prints for the same values: compact, UTF-8 kept as is, control
// characters escaped, invalid UTF-8 replaced by U+FFFD.
//
//   std::string text;
//   JsonWriter w(&text);
//   w.BeginObject();
//   w.Key("id");
//   w.Int(7);
//   w.Key("name");
//   w.String("api");
//   w.EndObject();  // text == R"({"id":7,"name":"api"})"
//
// The caller keeps the structure well formed (a Key before each value inside an object);
// commas are the writer's business.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace asgard::web {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view key);
  // A key already written as JSON text, colon included ("\"name\":"): for keys fixed in the
  // code, quoted once.
  void QuotedKey(std::string_view quoted);
  void String(std::string_view value);
  void Int(int64_t value);
  // As nlohmann prints a double: the shortest text that reads back as the same value, with
  // ".0" on whole numbers and an exponent only beyond 1e-5..1e15; NaN and infinities as null.
  void Double(double value);
  void Null();
  // A value already written as JSON text.
  void Raw(std::string_view json);

  // `text` as a JSON string, quotes included.
  static void AppendQuoted(std::string* out, std::string_view text);

 private:
  void Open(char bracket);
  void Close(char bracket);
  void BeforeValue();

  std::string* out_;
  // Per open object or array: whether it has a member yet (a comma goes before the next).
  std::vector<bool> has_member_;
  bool after_key_ = false;
};

}  // namespace asgard::web
