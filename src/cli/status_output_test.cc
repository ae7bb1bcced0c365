#include "cli/status_output.h"

#include <algorithm>

#include "cli/table.h"
#include "gtest/gtest.h"

namespace asgard::cli {
namespace {

TEST(Table, ColumnsAlignOnWidestCellIncludingChinese) {
  Table t({"ID", "NAME"});
  t.AddRow({"0", "web"});
  t.AddRow({"10", "中文"});
  EXPECT_EQ(t.Render(), "ID  NAME\n0   web\n10  中文\n");
}

TEST(FormatDuration, Units) {
  EXPECT_EQ(FormatDuration(5), "5s");
  EXPECT_EQ(FormatDuration(65), "1m5s");
  EXPECT_EQ(FormatDuration(3700), "1h1m");
  EXPECT_EQ(FormatDuration(90000), "1d1h");
  EXPECT_EQ(FormatDuration(-3), "0s");
}

TEST(RenderGuardStatus, KeepsTheOriginalFirstLine) {
  asgard::v1::ListResponse list;
  auto* t = list.add_tasks();
  t->set_id(0);
  t->set_name("web");
  t->set_kind("app");
  t->set_state("running");
  t->set_pid(42);
  t->set_program("/bin/sleep");
  t->set_args("100");
  std::string out = RenderGuardStatus(list);
  EXPECT_EQ(out.rfind("app total: 1\n", 0), 0u) << out;
  EXPECT_NE(out.find("web"), std::string::npos);
  EXPECT_NE(out.find("running"), std::string::npos);
  EXPECT_NE(out.find("/bin/sleep 100"), std::string::npos);
}

// Running as it should, but its output is lost (a full disk): the table says so under it.
TEST(RenderGuardStatus, NamesTasksWhoseOutputIsDropped) {
  asgard::v1::ListResponse list;
  auto* ok = list.add_tasks();
  ok->set_name("quiet");
  auto* t = list.add_tasks();
  t->set_name("chatty");
  t->set_state("running");
  t->set_output_dropped_bytes(4096);
  std::string out = RenderGuardStatus(list);
  EXPECT_NE(out.find("output dropped: chatty (4096 bytes could not be written to its files)\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("output dropped: quiet"), std::string::npos) << out;
}

TEST(RenderShow, AppFieldsUseTheOriginalLabels) {
  asgard::v1::TaskDetail d;
  d.mutable_status()->set_kind("app");
  d.mutable_status()->set_name("web");
  d.mutable_status()->set_auto_restart(true);
  auto* a = d.add_archives();
  a->set_status(-2);
  a->set_signal("kill");
  std::string out = RenderShow(d);
  EXPECT_EQ(out.rfind("app info:\napp name: web\n", 0), 0u) << out;
  EXPECT_NE(out.find("app auto_restart: true"), std::string::npos);
  EXPECT_NE(out.find("recent runs: 1"), std::string::npos);
}

TEST(RenderGuardStatus, ControlCharactersInNamesArePrintedEscaped) {
  asgard::v1::ListResponse list;
  auto* t = list.add_tasks();
  t->set_name("evil\x1b[2Jname");
  t->set_kind("app");
  t->set_program("/bin/sleep");
  t->set_args("1\n2");
  std::string out = RenderGuardStatus(list);
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_NE(out.find("evil\\x1b[2Jname"), std::string::npos) << out;
  EXPECT_NE(out.find("/bin/sleep 1\\n2"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 3);  // the first line, header, one row
}

TEST(RenderShow, ControlCharactersInFieldsArePrintedEscaped) {
  asgard::v1::TaskDetail d;
  d.mutable_status()->set_kind("job");
  d.mutable_status()->set_name("evil\x1b]0;owned\x07");
  d.mutable_status()->set_spec("* * * * *\r");
  std::string out = RenderShow(d);
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_NE(out.find("job name: evil\\x1b]0;owned\\x07\n"), std::string::npos) << out;
  EXPECT_NE(out.find("job spec: * * * * *\\r\n"), std::string::npos) << out;
}

TEST(RenderJson, UsesSnakeCaseFieldNames) {
  asgard::v1::ListResponse list;
  list.add_tasks()->set_std_out("/x");
  std::string json = RenderJson(list);
  EXPECT_NE(json.find("\"std_out\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"next_run_at\""), std::string::npos) << json;
}

}  // namespace
}  // namespace asgard::cli
