#include "metrics/blkio.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "metrics/stat_files.h"

namespace podagent {
namespace {

// "8:0" into major and minor.
bool ParseDevice(absl::string_view text, uint32_t& major, uint32_t& minor) {
  std::pair<absl::string_view, absl::string_view> mm = absl::StrSplit(text, absl::MaxSplits(':', 1));
  return absl::SimpleAtoi(mm.first, &major) && absl::SimpleAtoi(mm.second, &minor);
}

DeviceIo& DeviceOf(std::vector<DeviceIo>& devices, uint32_t major, uint32_t minor) {
  for (DeviceIo& d : devices) {
    if (d.major == major && d.minor == minor) return d;
  }
  DeviceIo d;
  d.major = major;
  d.minor = minor;
  devices.push_back(std::move(d));
  return devices.back();
}

}  // namespace

void ParseBlkioV1(absl::string_view text, std::map<std::string, uint64_t> DeviceIo::*field,
                  std::vector<DeviceIo>& devices) {
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    uint32_t major = 0, minor = 0;
    uint64_t value = 0;
    if (f.size() != 3 || !ParseDevice(f[0], major, minor) || !absl::SimpleAtoi(f[2], &value)) continue;
    (DeviceOf(devices, major, minor).*field)[std::string(f[1])] = value;  // "Total 0" lines: skipped
  }
}

std::vector<DeviceIo> ParseIoStat(absl::string_view text) {
  static const std::pair<const char*, const char*> kKeys[] = {{"rbytes", "Read"}, {"wbytes", "Write"}};
  static const std::pair<const char*, const char*> kIos[] = {{"rios", "Read"}, {"wios", "Write"}};
  std::vector<DeviceIo> devices;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    uint32_t major = 0, minor = 0;
    if (f.empty() || !ParseDevice(f[0], major, minor)) continue;
    DeviceIo& d = DeviceOf(devices, major, minor);
    for (size_t i = 1; i < f.size(); ++i) {
      std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(f[i], absl::MaxSplits('=', 1));
      uint64_t value = 0;
      if (!absl::SimpleAtoi(kv.second, &value)) continue;
      for (const auto& [key, op] : kKeys) {
        if (kv.first == key) d.bytes[op] = value;
      }
      for (const auto& [key, op] : kIos) {
        if (kv.first == key) d.ios[op] = value;
      }
    }
  }
  return devices;
}

std::vector<DeviceIo> ReadBlkioV1(const std::string& dir) { return ReadBlkioV1(CgroupDir(dir)); }

std::vector<DeviceIo> ReadBlkioV1(const CgroupDir& dir) {
  if (!dir.Open()) return {};
  static const std::pair<const char*, const char*> kPairs[] = {
      {"blkio.bfq.io_serviced_recursive", "blkio.bfq.io_service_bytes_recursive"},
      {"blkio.io_serviced_recursive", "blkio.io_service_bytes_recursive"},
      {"blkio.throttle.io_serviced_recursive", "blkio.throttle.io_service_bytes_recursive"},
      {"blkio.throttle.io_serviced", "blkio.throttle.io_service_bytes"},
  };
  for (const auto& [serviced, service_bytes] : kPairs) {
    std::vector<DeviceIo> devices;
    ParseBlkioV1(dir.Read(serviced).value_or(""), &DeviceIo::ios, devices);
    if (devices.empty()) continue;  // no such file, or only "Total 0": the next source
    ParseBlkioV1(dir.Read(service_bytes).value_or(""), &DeviceIo::bytes, devices);
    return devices;
  }
  return {};
}

std::vector<DeviceIo> ReadIoStatV2(const std::string& dir) { return ReadIoStatV2(CgroupDir(dir)); }

std::vector<DeviceIo> ReadIoStatV2(const CgroupDir& dir) {
  std::optional<std::string> text = dir.Read("io.stat");
  if (!text) return {};
  return ParseIoStat(*text);
}

std::string BlockDeviceName(uint32_t major, uint32_t minor, const std::string& sys_root) {
  std::optional<std::string> uevent = ReadOptionalFile(absl::StrCat(sys_root, "/dev/block/", major, ":", minor, "/uevent"));
  if (!uevent) return "";
  for (absl::string_view line : absl::StrSplit(*uevent, '\n')) {
    if (absl::ConsumePrefix(&line, "DEVNAME=") && !line.empty()) return absl::StrCat("/dev/", line);
  }
  return "";
}

}  // namespace podagent
