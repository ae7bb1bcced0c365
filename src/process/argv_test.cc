#include "process/argv.h"

#include "gtest/gtest.h"

namespace asgard::process {
namespace {

using Args = std::vector<std::string>;

struct Case {
  const char* in;
  Args want;
};

TEST(SplitArgs, QuotingForms) {
  const Case cases[] = {
      {"", {}},
      {"   ", {}},
      {"a", {"a"}},
      {"a b  c", {"a", "b", "c"}},
      {"\ta\tb\n", {"a", "b"}},
      {R"("a b")", {"a b"}},
      {R"('a b')", {"a b"}},
      {R"(-c "echo 'hi there'")", {"-c", "echo 'hi there'"}},
      {R"(-c 'echo "hi"')", {"-c", "echo \"hi\""}},
      {R"(x\ y)", {"x y"}},
      {R"(a\\b)", {"a\\b"}},
      {R"("a\"b")", {"a\"b"}},
      {R"("a\nb")", {"a\\nb"}},
      {R"('a\b')", {"a\\b"}},
      {R"("")", {""}},
      {R"('' x)", {"", "x"}},
      {R"(a"b c"d)", {"ab cd"}},
      {R"(--name='x y' --v=1)", {"--name=x y", "--v=1"}},
      {R"($HOME *.txt | >)", {"$HOME", "*.txt", "|", ">"}},
      {"中文 参数", {"中文", "参数"}},
  };
  for (const auto& c : cases) {
    auto got = SplitArgs(c.in);
    ASSERT_TRUE(got.ok()) << c.in << ": " << got.status();
    EXPECT_EQ(*got, c.want) << "input: " << c.in;
  }
}

TEST(SplitArgs, UnterminatedQuotesNameTheColumn) {
  auto a = SplitArgs(R"(x "abc)");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("unterminated \" quote starting at column 3"),
            std::string::npos)
      << a.status();
  auto b = SplitArgs("'abc");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("unterminated ' quote"), std::string::npos);
  auto c = SplitArgs("abc\\");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("trailing backslash"), std::string::npos);
}

TEST(ResolveProgram, BareNameSearchesPath) {
  auto got = ResolveProgram("sh", "", "/nonexistent:/bin:/usr/bin");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, "/bin/sh");
}

TEST(ResolveProgram, MissingProgramIsNotFound) {
  auto got = ResolveProgram("no-such-program-xyz", "", "/bin:/usr/bin");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(got.status().message().find("'no-such-program-xyz' not found on PATH"),
            std::string::npos);
}

TEST(ResolveProgram, RelativePathIsTakenAgainstDir) {
  auto got = ResolveProgram("./sh", "/bin", "");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, "/bin/./sh");
  EXPECT_FALSE(ResolveProgram("./sh", "/nonexistent", "").ok());
}

}  // namespace
}  // namespace asgard::process
