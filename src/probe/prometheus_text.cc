#include "probe/prometheus_text.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace asgard::probe {

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void PrometheusText::Family(std::string_view name, std::string_view help, MetricType type) {
  // HELP text escapes only backslash and newline (the format's rule).
  std::string escaped;
  for (char c : help) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  text_.append("# HELP ").append(name).append(" ").append(escaped);
  text_.append("\n# TYPE ").append(name).append(" ");
  text_.append(type == MetricType::kCounter ? "counter\n" : "gauge\n");
}

void PrometheusText::Head(std::string_view name, const Labels& labels) {
  text_.append(name);
  if (labels.empty()) return;
  text_ += '{';
  for (size_t i = 0; i < labels.size(); ++i) {
    text_.append(i ? "," : "").append(labels[i].first).append("=\"");
    text_.append(EscapeLabelValue(labels[i].second)).append("\"");
  }
  text_ += '}';
}

void PrometheusText::Sample(std::string_view name, int64_t value, const Labels& labels) {
  Head(name, labels);
  absl::StrAppend(&text_, " ", value, "\n");
}

void PrometheusText::Sample(std::string_view name, double value, const Labels& labels) {
  Head(name, labels);
  if (std::isnan(value)) {
    text_ += " NaN\n";
  } else if (std::isinf(value)) {
    text_ += value > 0 ? " +Inf\n" : " -Inf\n";
  } else {
    absl::StrAppend(&text_, " ", value, "\n");
  }
}

void PrometheusText::Single(std::string_view name, std::string_view help, MetricType type,
                            int64_t value) {
  Family(name, help, type);
  Sample(name, value);
}

}  // namespace asgard::probe
