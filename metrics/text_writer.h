#pragma once
// The cAdvisor families written straight into one string in the Prometheus text format (0.0.4),
// without building prometheus::MetricFamily objects or going through an std::ostream: the same
// bytes prometheus-cpp's TextSerializer writes for ToFamilies(samples) (families in
// ContainerMetricDefs() order, empty families left out, "# HELP" then "# TYPE", label values
// escaped (\\, \", \n), values as printf's %.16g, "Nan", "+Inf", "-Inf", then the sample's
// timestamp in milliseconds when it has one), at a fraction of its cost.

#include <string>
#include <vector>

#include "metrics/container_metrics.h"

namespace podagent {

// Appends the families of `samples` to `out`.
void AppendSamplesText(const std::vector<MetricSample>& samples, std::string& out);

// The pieces of a family, for writers that keep each pod's lines apart (metrics/pod_text_cache.h):
// its "# HELP" and "# TYPE" lines, and the lines of `samples` (all of family `def`), each with its
// timestamp when the sample has one.
void AppendFamilyHeader(const MetricDef& def, std::string& out);
void AppendSampleLines(const MetricDef& def, const std::vector<const MetricSample*>& samples, std::string& out);

// Appends one sample value as the text format writes it (%.16g, Nan, +Inf, -Inf).
void AppendSampleValue(double value, std::string& out);

}  // namespace podagent
