#pragma once
// Per-device block IO of a cgroup, as cAdvisor reads it (through opencontainers/cgroups):
// cgroup v1 takes the first of these pairs whose io_serviced file has entries: the BFQ
// scheduler's blkio.bfq.io_serviced_recursive / io_service_bytes_recursive, CFQ's
// blkio.io_serviced_recursive / io_service_bytes_recursive, the throttle layer's recursive pair,
// then its non-recursive blkio.throttle.io_serviced / io_service_bytes. cgroup v2 reads io.stat
// (rbytes, wbytes, rios, wios as Read/Write). Devices are named "/dev/<DEVNAME>" from
// /sys/dev/block/<major>:<minor>/uevent, "" when that cannot be read.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "metrics/cgroup_dir.h"
#include "metrics/cgroup_stats.h"

namespace podagent {

// "8:0 Read 4096" lines of a v1 blkio file into `field` (bytes or ios) of the matching device.
void ParseBlkioV1(absl::string_view text, std::map<std::string, uint64_t> DeviceIo::*field,
                  std::vector<DeviceIo>& devices);
// cgroup v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0".
std::vector<DeviceIo> ParseIoStat(absl::string_view text);

// The v1 blkio hierarchy directory of a cgroup; empty when nothing could be read.
std::vector<DeviceIo> ReadBlkioV1(const std::string& dir);
std::vector<DeviceIo> ReadBlkioV1(const CgroupDir& dir);
std::vector<DeviceIo> ReadIoStatV2(const std::string& dir);
std::vector<DeviceIo> ReadIoStatV2(const CgroupDir& dir);

// "/dev/sda" for 8:0 from <sys_root>/dev/block/8:0/uevent; "" when unknown.
std::string BlockDeviceName(uint32_t major, uint32_t minor, const std::string& sys_root = "/sys");

}  // namespace podagent
