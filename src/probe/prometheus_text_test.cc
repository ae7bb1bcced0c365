// File: prometheus_text_test.cc
// The exposition format as a scraper parses it: HELP and TYPE before samples, labels quoted and
// escaped.
#include "probe/prometheus_text.h"

#include "gtest/gtest.h"

namespace asgard::probe {
namespace {

TEST(PrometheusText, FamilyThenSamplesWithLabels) {
  PrometheusText out;
  out.Family("asgard_agents", "Agents by status.", MetricType::kGauge);
  out.Sample("asgard_agents", int64_t{3}, {{"status", "online"}});
  out.Sample("asgard_agents", int64_t{0}, {{"status", "offline"}, {"zone", "a"}});
  EXPECT_EQ(out.Take(),
            "# HELP asgard_agents Agents by status.\n"
            "# TYPE asgard_agents gauge\n"
            "asgard_agents{status=\"online\"} 3\n"
            "asgard_agents{status=\"offline\",zone=\"a\"} 0\n");
  EXPECT_EQ(out.Take(), "");
}

TEST(PrometheusText, SingleCounter) {
  PrometheusText out;
  out.Single("asgard_heartbeats_total", "Heartbeats.", MetricType::kCounter, 42);
  EXPECT_EQ(out.Take(),
            "# HELP asgard_heartbeats_total Heartbeats.\n"
            "# TYPE asgard_heartbeats_total counter\n"
            "asgard_heartbeats_total 42\n");
}

TEST(PrometheusText, LabelValuesAndHelpAreEscaped) {
  PrometheusText out;
  out.Family("m", "a \\ b\nc", MetricType::kGauge);
  out.Sample("m", int64_t{1}, {{"master", "a\"b\\c\nd"}});
  EXPECT_EQ(out.Take(),
            "# HELP m a \\\\ b\\nc\n"
            "# TYPE m gauge\n"
            "m{master=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(PrometheusText, DoublesIncludingSpecialValues) {
  PrometheusText out;
  out.Sample("a", 1.5);
  out.Sample("b", 1.0 / 0.0);
  EXPECT_EQ(out.Take(), "a 1.5\nb +Inf\n");
}

}  // namespace
}  // namespace asgard::probe
