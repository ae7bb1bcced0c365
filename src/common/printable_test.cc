#include "common/printable.h"

#include <sstream>

#include "common/logging.h"
#include "gtest/gtest.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"

namespace asgard {
namespace {

TEST(Printable, EscapesTerminalControlsAndKeepsTheRest) {
  EXPECT_EQ(Printable("evil\x1b[2Jname"), "evil\\x1b[2Jname");
  EXPECT_EQ(Printable("a\tb\nc\rd\x7f"), "a\\tb\\nc\\rd\\x7f");
  EXPECT_EQ(Printable(std::string("nul\0byte", 8)), "nul\\x00byte");
  EXPECT_EQ(Printable("中文 web-1 /srv/a\\b"), "中文 web-1 /srv/a\\b");
}

TEST(Printable, EscapesC1ControlsAndBrokenUtf8) {
  EXPECT_EQ(Printable("\xc2\x9b" "31m"), "\\u009b31m");  // CSI, the one-character ESC [
  EXPECT_EQ(Printable("\x9b" "31m"), "\\x9b31m");        // a lone byte, not UTF-8
  EXPECT_EQ(Printable("\xe4\xb8"), "\\xe4\\xb8");        // truncated sequence
  EXPECT_EQ(Printable("\xc0\xaf"), "\\xc0\\xaf");        // overlong '/'
  EXPECT_EQ(Printable("\xc2\xa0"), "\xc2\xa0");          // U+00A0 is printable
}

TEST(Printable, ValidUtf8) {
  EXPECT_TRUE(IsValidUtf8("plain 中文 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

TEST(LogFormatter, DaemonLogLinesShowControlCharactersEscaped) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger("test", sink);
  logger.set_formatter(MakeLogFormatter("[%l]:%*"));
  logger.info("app {} started", "evil\x1b[2Jname\nforged line");
  EXPECT_EQ(out.str(), "[info]:app evil\\x1b[2Jname\\nforged line started\n");
}

}  // namespace
}  // namespace asgard
