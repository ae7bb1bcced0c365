// File: json_writer.cc
#include "web/json_writer.h"

#include <charconv>
#include <cmath>

#include "nlohmann/json.hpp"

namespace asgard::web {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Bytes after a UTF-8 lead byte, and the range of the first of them (the ranges that rule out
// overlong forms, surrogates and code points past U+10FFFF); 0 continuations: not a lead byte.
struct Lead {
  int continuations;
  unsigned char first_lo, first_hi;
};

Lead LeadOf(unsigned char b) {
  if (b >= 0xC2 && b <= 0xDF) return {1, 0x80, 0xBF};
  if (b == 0xE0) return {2, 0xA0, 0xBF};
  if (b == 0xED) return {2, 0x80, 0x9F};
  if (b >= 0xE1 && b <= 0xEF) return {2, 0x80, 0xBF};
  if (b == 0xF0) return {3, 0x90, 0xBF};
  if (b >= 0xF1 && b <= 0xF3) return {3, 0x80, 0xBF};
  if (b == 0xF4) return {3, 0x80, 0x8F};
  return {0, 0, 0};
}

void AppendEscapedAscii(std::string* out, unsigned char c) {
  switch (c) {
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    default:
      break;
  }
  if (c < 0x20) {
    static const char kHex[] = "0123456789abcdef";
    char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
    out->append(esc, sizeof(esc));
    return;
  }
  out->push_back(static_cast<char>(c));
}

}  // namespace

void JsonWriter::AppendQuoted(std::string* out, std::string_view text) {
  out->push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    // A run of plain ASCII goes in one append.
    size_t start = i;
    while (i < text.size()) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++i;
    }
    out->append(text.data() + start, i - start);
    if (i == text.size()) break;
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      AppendEscapedAscii(out, c);
      ++i;
      continue;
    }
    Lead lead = LeadOf(c);
    if (lead.continuations == 0) {  // a stray byte: replaced
      out->append(kReplacement);
      ++i;
      continue;
    }
    size_t j = i + 1;
    bool valid = true;
    for (int k = 0; k < lead.continuations; ++k, ++j) {
      if (j >= text.size()) {
        valid = false;
        break;
      }
      unsigned char b = static_cast<unsigned char>(text[j]);
      unsigned char lo = k == 0 ? lead.first_lo : 0x80;
      unsigned char hi = k == 0 ? lead.first_hi : 0xBF;
      if (b < lo || b > hi) {
        valid = false;
        break;
      }
    }
    if (valid) {
      out->append(text.data() + i, j - i);
    } else {
      // One replacement for the broken sequence; the byte that broke it is read again (it may
      // start a sequence of its own), as nlohmann's dump does.
      out->append(kReplacement);
    }
    i = j;
  }
  out->push_back('"');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_member_.empty()) {
    if (has_member_.back()) out_->push_back(',');
    has_member_.back() = true;
  }
}

void JsonWriter::Open(char bracket) {
  BeforeValue();
  out_->push_back(bracket);
  has_member_.push_back(false);
}

void JsonWriter::Close(char bracket) {
  has_member_.pop_back();
  out_->push_back(bracket);
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  AppendQuoted(out_, key);
  out_->push_back(':');
  after_key_ = true;
}

void JsonWriter::QuotedKey(std::string_view quoted) {
  BeforeValue();
  out_->append(quoted);
  after_key_ = true;
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendQuoted(out_, value);
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out_->append(buf, end - buf);
}

void JsonWriter::Double(double value) {
  BeforeValue();
  if (!std::isfinite(value)) {
    out_->append("null");
    return;
  }
  // nlohmann's own printer (what its dump() calls for a double), so that the text is the same
  // byte for byte as a tree's: its shortest-digits search (Grisu2) is not std::to_chars' (Ryu)
  // and its layout of exponents differs.
  char buf[64];
  char* end = nlohmann::detail::to_chars(buf, buf + sizeof(buf), value);
  out_->append(buf, end - buf);
}

void JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
}

void JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_->append(json);
}

}  // namespace asgard::web
