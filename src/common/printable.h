// File: printable.h
// Text from users and daemons made safe to print on a terminal or in a log line. A task name,
// a path or an error message may hold control characters (an ESC that starts a terminal
// escape sequence, a newline that forges a log line); Printable() writes them as visible
// escapes and leaves every other character, UTF-8 included, as it is.
//
//   std::cout << Printable(task.name());       // "evil\x1b[2Jname" stays on one line, inert
//   Printable("a\tb\n")                        // "a\\tb\\n"
//   Printable("中文")                          // "中文"
#pragma once

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace asgard {

// `text` with C0 controls and DEL as \t \n \r or \xHH, C1 controls (U+0080-U+009F) as \u0085
// and so on, and bytes that are not valid UTF-8 as \xHH. A backslash stays a backslash: the
// escapes make the text inert, they are not meant to be decoded back.
std::string Printable(std::string_view text);
inline std::string Printable(const std::string& text) { return Printable(std::string_view(text)); }
inline std::string Printable(const char* text) { return Printable(std::string_view(text)); }
#ifndef ABSL_USES_STD_STRING_VIEW
// Debian's Abseil has its own string_view (Status::message()).
inline std::string Printable(absl::string_view text) {
  return Printable(std::string_view(text.data(), text.size()));
}
#endif

// True when Printable(text) == text (the common case, checked without copying).
bool IsPrintable(std::string_view text);
inline bool IsPrintable(const std::string& text) { return IsPrintable(std::string_view(text)); }

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool IsValidUtf8(std::string_view text);

}  // namespace asgard
