// metrics/text_writer.h: the direct writer must produce exactly what prometheus-cpp's
// TextSerializer writes for the same families (a real Prometheus parses either).
#include "metrics/text_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "metrics/container_collector.h"
#include "prometheus/text_serializer.h"

namespace podagent {
namespace {

std::string Reference(std::vector<MetricSample> samples) {
  return prometheus::TextSerializer().Serialize(ToFamilies(std::move(samples)));
}

std::string Direct(const std::vector<MetricSample>& samples) {
  std::string out;
  AppendSamplesText(samples, out);
  return out;
}

// One sample of every family (extra labels included), in reverse order so the writer must group
// them, with values that exercise the number format.
std::vector<MetricSample> EveryFamily() {
  const double values[] = {0,          -0.0,     1,       0.1,         1.0 / 3,     1e-7,     123456789.125,
                           1.5e300,    4.611686018427388e18, 9007199254740993.0, -42.5, 1700000100.123456,
                           std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()};
  const size_t n = sizeof(values) / sizeof(values[0]);
  std::vector<MetricSample> out;
  const std::vector<MetricDef>& defs = ContainerMetricDefs();
  for (size_t d = defs.size(); d-- > 0;) {
    for (size_t k = 0; k < 2; ++k) {
      MetricSample s;
      s.def = &defs[d];
      s.label_values = {"c" + std::to_string(k), "/kubepods/pod\"q\"/x\\y", "img:1\nnext", "id", "ns", "pod"};
      for (size_t e = 0; e < defs[d].extra_labels.size(); ++e) s.label_values.push_back("e" + std::to_string(e));
      s.value = values[(d * 2 + k) % n];
      out.push_back(std::move(s));
    }
  }
  return out;
}

TEST(TextWriter, SameBytesAsPrometheusCppForEveryFamily) {
  std::vector<MetricSample> samples = EveryFamily();
  std::string direct = Direct(samples);
  EXPECT_EQ(direct, Reference(samples));
  EXPECT_NE(direct.find("pod\\\"q\\\"/x\\\\y"), std::string::npos) << "escaped label value";
}

// Samples served later than they were read carry their read time, as the serialiser writes it.
TEST(TextWriter, TimestampsAsPrometheusCppWritesThem) {
  std::vector<MetricSample> samples = EveryFamily();
  for (size_t i = 0; i < samples.size(); ++i) samples[i].timestamp_ms = i % 3 == 0 ? 0 : 1700000100123 + i;
  std::string direct = Direct(samples);
  EXPECT_EQ(direct, Reference(samples));
  EXPECT_NE(direct.find(" 1700000100124\n"), std::string::npos) << direct;
}

TEST(TextWriter, ValuesAsSixteenSignificantDigits) {
  auto value = [](double v) {
    std::string out;
    AppendSampleValue(v, out);
    return out;
  };
  EXPECT_EQ(value(0), "0");
  EXPECT_EQ(value(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(value(1e-7), "1e-07");
  EXPECT_EQ(value(123456789012345678.0), "1.234567890123457e+17");
  EXPECT_EQ(value(1700000100.5), "1700000100.5");
  EXPECT_EQ(value(std::nan("")), "Nan");
  EXPECT_EQ(value(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(TextWriter, NoSamplesNoText) { EXPECT_EQ(Direct({}), ""); }

}  // namespace
}  // namespace podagent
