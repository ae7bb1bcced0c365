// File: log_file_test_fixture.h
// For the tests of log_tail and log_follower: a fresh temporary directory with the path of a
// task's output file in it, and writes to that file. Test-only (includes gtest).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace asgard::agent {

class LogFileTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = testing::TempDir() + "asgard-log-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/out.log";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& text, std::ios::openmode mode = std::ios::trunc) {
    std::ofstream(path_, std::ios::binary | mode) << text;
  }
  void AppendText(const std::string& text) { Write(text, std::ios::app); }

  std::string dir_;
  std::string path_;
};

}  // namespace asgard::agent
