#pragma once
// The cAdvisor families written straight into one string in the Prometheus text format (0.0.4),
// without building prometheus::MetricFamily objects or going through an std::ostream: the same
// bytes prometheus-cpp's TextSerializer writes for ToFamilies(samples) (families in
// ContainerMetricDefs() order, empty families left out, "# HELP" then "# TYPE", label values
// escaped (\\, \", \n), values as printf's %.16g, "Nan", "+Inf", "-Inf"), at a fraction of its cost.

#include <string>
#include <vector>

#include "metrics/container_metrics.h"

namespace podagent {

// Appends the families of `samples` to `out`.
void AppendSamplesText(const std::vector<MetricSample>& samples, std::string& out);

// Appends one sample value as the text format writes it (%.16g, Nan, +Inf, -Inf).
void AppendSampleValue(double value, std::string& out);

}  // namespace podagent
