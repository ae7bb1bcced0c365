// File: table.h
// Plain-text tables with columns as wide as their widest cell (UTF-8 aware), two spaces apart.
// Cells are shown with their control characters escaped (common/printable.h): a task name
// holding an ESC or a newline must neither drive the terminal nor break the table.
//
//   Table t({"ID", "NAME"});
//   t.AddRow({"0", "web"});
//   std::cout << t.Render();
#pragma once

#include <string>
#include <vector>

namespace asgard::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void AddRow(std::vector<std::string> row);
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Display width of UTF-8 text: CJK characters count two columns.
size_t DisplayWidth(const std::string& text);

}  // namespace asgard::cli
