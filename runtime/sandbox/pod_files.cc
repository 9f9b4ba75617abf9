#include "runtime/sandbox/pod_files.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"

namespace podagent {

std::string ResolvConfContent(const DnsSpec& dns) {
  std::string out;
  if (!dns.searches.empty()) absl::StrAppend(&out, "search ", absl::StrJoin(dns.searches, " "), "\n");
  for (const std::string& s : dns.servers) absl::StrAppend(&out, "nameserver ", s, "\n");
  if (!dns.options.empty()) absl::StrAppend(&out, "options ", absl::StrJoin(dns.options, " "), "\n");
  return out;
}

std::string PodHostsContent() {
  return "127.0.0.1\tlocalhost\n"
         "::1\tlocalhost ip6-localhost ip6-loopback\n"
         "fe00::0\tip6-localnet\n"
         "ff00::0\tip6-mcastprefix\n"
         "ff02::1\tip6-allnodes\n"
         "ff02::2\tip6-allrouters\n";
}

absl::StatusOr<PodFiles> WritePodFiles(const PodFilesSpec& spec) {
  RETURN_IF_ERROR(MakeDirs(spec.dir, 0711));
  PodFiles files{spec.dir + "/resolv.conf", spec.dir + "/hosts", spec.dir + "/hostname"};
  std::string resolv;
  if (spec.dns.given) {
    resolv = ResolvConfContent(spec.dns);
  } else {
    auto host = ReadFile(spec.host_resolv_conf);
    resolv = host.ok() ? *host : "";  // a node without resolv.conf: containers get an empty one
  }
  RETURN_IF_ERROR(WriteFileAtomic(files.resolv_conf, resolv));
  std::string hosts = PodHostsContent();
  if (spec.host_network) {
    ASSIGN_OR_RETURN(hosts, ReadFile(spec.host_hosts));
  }
  RETURN_IF_ERROR(WriteFileAtomic(files.hosts, hosts));
  RETURN_IF_ERROR(WriteFileAtomic(files.hostname, spec.hostname + "\n"));
  return files;
}

}  // namespace podagent
