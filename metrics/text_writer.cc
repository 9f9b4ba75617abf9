#include "metrics/text_writer.h"

#include <charconv>
#include <cmath>

namespace podagent {
namespace {

// Label values rarely hold a character to escape: copy the runs between them whole.
void AppendEscaped(const std::string& value, std::string& out) {
  size_t from = 0;
  for (size_t at = 0; at < value.size(); ++at) {
    char c = value[at];
    if (c != '\\' && c != '"' && c != '\n') continue;
    out.append(value, from, at - from).append(c == '\n' ? "\\n" : c == '"' ? "\\\"" : "\\\\");
    from = at + 1;
  }
  out.append(value, from, std::string::npos);
}

}  // namespace

void AppendFamilyHeader(const MetricDef& def, std::string& out) {
  if (!def.help.empty()) {
    out.append("# HELP ").append(def.name).append(" ").append(def.help).append("\n");
  }
  out.append("# TYPE ").append(def.name).append(def.counter ? " counter\n" : " gauge\n");
}

void AppendSampleLines(const MetricDef& def, const std::vector<const MetricSample*>& samples, std::string& out) {
  const std::vector<std::string>& keys = BaseLabelKeys();
  for (const MetricSample* s : samples) {
    out.append(def.name);
    if (!s->label_values.empty()) {
      out += '{';
      for (size_t i = 0; i < s->label_values.size(); ++i) {
        if (i > 0) out += ',';
        out.append(i < keys.size() ? keys[i] : def.extra_labels[i - keys.size()]).append("=\"");
        AppendEscaped(s->label_values[i], out);
        out += '"';
      }
      out += '}';
    }
    out += ' ';
    AppendSampleValue(s->value, out);
    if (s->timestamp_ms != 0) {
      char buf[24];
      std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), s->timestamp_ms);
      out.append(" ").append(buf, r.ptr);
    }
    out += '\n';
  }
}

void AppendSampleValue(double value, std::string& out) {
  if (std::isnan(value)) {
    out.append("Nan");
  } else if (std::isinf(value)) {
    out.append(value < 0 ? "-Inf" : "+Inf");
  } else {
    char buf[64];
    std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::general, 16);
    out.append(buf, r.ptr);
  }
}

void AppendSamplesText(const std::vector<MetricSample>& samples, std::string& out) {
  const std::vector<MetricDef>& defs = ContainerMetricDefs();
  std::vector<std::vector<const MetricSample*>> by_def(defs.size());
  for (const MetricSample& s : samples) {
    size_t i = static_cast<size_t>(s.def - defs.data());
    if (i < defs.size()) by_def[i].push_back(&s);
  }
  out.reserve(out.size() + samples.size() * 200);
  for (size_t i = 0; i < defs.size(); ++i) {
    if (by_def[i].empty()) continue;
    AppendFamilyHeader(defs[i], out);
    AppendSampleLines(defs[i], by_def[i], out);
  }
}

}  // namespace podagent
