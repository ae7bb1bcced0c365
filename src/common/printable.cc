#include "common/printable.h"

#include <cstdint>

namespace asgard {
namespace {

// Length of the valid UTF-8 sequence at text[i] (1-4), or 0 when the bytes there are not one
// (stray continuation bytes, overlong forms, surrogates, values past U+10FFFF, truncation).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[i + k]); };
  const uint8_t lead = byte(0);
  if (lead < 0x80) return 1;
  size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (n == 0 || lead > 0xF4 || i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
  }
  if (lead == 0xE0 && byte(1) < 0xA0) return 0;  // overlong
  if (lead == 0xED && byte(1) >= 0xA0) return 0;  // UTF-16 surrogate
  if (lead == 0xF0 && byte(1) < 0x90) return 0;  // overlong
  if (lead == 0xF4 && byte(1) >= 0x90) return 0;  // past U+10FFFF
  return n;
}

bool IsC0OrDel(uint8_t c) { return c < 0x20 || c == 0x7F; }

// U+0080-U+009F: terminals honour some of them (U+009B is CSI) like their ESC forms.
bool IsC1(std::string_view text, size_t i, size_t n) {
  return n == 2 && static_cast<uint8_t>(text[i]) == 0xC2 &&
         static_cast<uint8_t>(text[i + 1]) < 0xA0;
}

void AppendHex(std::string& out, const char* prefix, unsigned value, int digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out += prefix;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out.push_back(kDigits[(value >> shift) & 15]);
  }
}

void AppendControl(std::string& out, uint8_t c) {
  switch (c) {
    case '\t':
      out += "\\t";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    default:
      AppendHex(out, "\\x", c, 2);
  }
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool IsPrintable(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0 || (n == 1 && IsC0OrDel(static_cast<uint8_t>(text[i]))) || IsC1(text, i, n)) {
      return false;
    }
    i += n;
  }
  return true;
}

std::string Printable(std::string_view text) {
  if (IsPrintable(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  for (size_t i = 0; i < text.size();) {
    const size_t n = Utf8SequenceLength(text, i);
    const uint8_t c = static_cast<uint8_t>(text[i]);
    if (n == 0) {
      AppendHex(out, "\\x", c, 2);
      ++i;
      continue;
    }
    if (n == 1 && IsC0OrDel(c)) {
      AppendControl(out, c);
    } else if (IsC1(text, i, n)) {
      AppendHex(out, "\\u", static_cast<uint8_t>(text[i + 1]), 4);
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

}  // namespace asgard
