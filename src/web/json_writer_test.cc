// File: json_writer_test.cc
// JsonWriter prints what nlohmann's dump() prints for the same values, strings of every kind
// included (quotes, control characters, UTF-8, broken UTF-8).
#include "web/json_writer.h"

#include <cfloat>
#include <cmath>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace asgard::web {
namespace {

using Json = nlohmann::json;

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string Quoted(std::string_view text) {
  std::string out;
  JsonWriter::AppendQuoted(&out, text);
  return out;
}

TEST(JsonWriter, NestedValuesWithCommasInTheirPlaces) {
  std::string text;
  JsonWriter w(&text);
  w.BeginObject();
  w.Key("list");
  w.BeginArray();
  w.BeginObject();
  w.Key("id");
  w.Int(-7);
  w.Key("none");
  w.Null();
  w.EndObject();
  w.Int(3);
  w.BeginArray();
  w.EndArray();
  w.EndArray();
  w.Key("raw");
  w.Raw(R"({"a":1})");
  w.Key("name");
  w.String("api");
  w.EndObject();
  EXPECT_EQ(text, R"({"list":[{"id":-7,"none":null},3,[]],"raw":{"a":1},"name":"api"})");
  EXPECT_TRUE(Json::accept(text));
}

TEST(JsonWriter, StringsAreEscapedAsNlohmannDoes) {
  const std::string cases[] = {
      "",
      "plain ascii",
      "quote \" backslash \\ slash /",
      "\b\f\n\r\t\x01\x1f\x7f",
      std::string("nul \0 inside", 12),
      "UTF-8: \xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80",
      "stray continuation \x80 and lead \xC3",
      "overlong \xC0\xAF and \xE0\x80\xAF",
      "surrogate \xED\xA0\x80 end",
      "too big \xF4\x90\x80\x80 and \xF5\x80",
      "broken then ascii \xE4\xB8x and \xF0\x9F\x98",
      "\xE4\xB8",
  };
  for (const std::string& s : cases) {
    EXPECT_EQ(Quoted(s), Dump(Json(s))) << s;
  }
}

TEST(JsonWriter, IntegersAtTheEdges) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, INT64_MAX, INT64_MIN}) {
    std::string text;
    JsonWriter(&text).Int(v);
    EXPECT_EQ(text, Dump(Json(v)));
  }
}

TEST(JsonWriter, DoublesAsNlohmannPrintsThem) {
  const double cases[] = {0.0,      -0.0,    1.0,     -2.5,    0.1,     12.345,
                          1.0 / 3,  99.99,   1e-5,    1.5e-7,  1e15,    1e16,
                          123456789012345678.0,   3.4028234663852886e38,  5e-324,
                          static_cast<double>(3.3333333f),  DBL_MAX, -DBL_MIN};
  for (double v : cases) {
    std::string text;
    JsonWriter(&text).Double(v);
    EXPECT_EQ(text, Dump(Json(v))) << v;
  }
  for (double v : {NAN, INFINITY, -INFINITY}) {
    std::string text;
    JsonWriter(&text).Double(v);
    EXPECT_EQ(text, "null");
    EXPECT_EQ(text, Dump(Json(v)));
  }
}

}  // namespace
}  // namespace asgard::web
