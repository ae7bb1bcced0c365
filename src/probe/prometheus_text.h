// File: prometheus_text.h
// Writes the Prometheus text exposition format (version 0.0.4): one HELP and TYPE line per
// metric family, then its samples, label values escaped. What every /metrics of Asgard answers
// with, so names and escaping are done once.
//
//   PrometheusText out;
//   out.Family("asgard_agents", "Agents by status.", MetricType::kGauge);
//   out.Sample("asgard_agents", 3, {{"status", "online"}});
//   res.SetContent(out.Take(), kPrometheusContentType);
//
// Thread-safety: none; one writer per answer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asgard::probe {

inline constexpr char kPrometheusContentType[] = "text/plain; version=0.0.4";

enum class MetricType { kCounter, kGauge };

using Labels = std::vector<std::pair<std::string, std::string>>;

class PrometheusText {
 public:
  // Starts a family: its HELP and TYPE lines. Samples of `name` follow.
  void Family(std::string_view name, std::string_view help, MetricType type);
  void Sample(std::string_view name, int64_t value, const Labels& labels = {});
  void Sample(std::string_view name, double value, const Labels& labels = {});
  // Family and one sample without labels, the common case.
  void Single(std::string_view name, std::string_view help, MetricType type, int64_t value);

  // The text written so far; the writer is empty afterwards.
  std::string Take() { return std::exchange(text_, {}); }

 private:
  void Head(std::string_view name, const Labels& labels);

  std::string text_;
};

// `value` escaped for a label value: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);

}  // namespace asgard::probe
