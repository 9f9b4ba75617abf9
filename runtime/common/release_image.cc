#include "runtime/common/release_image.h"

#include <elf.h>
#include <link.h>
#include <malloc.h>
#include <sys/auxv.h>
#include <sys/mman.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "runtime/common/files.h"

namespace podagent {
namespace {

struct Range {
  uintptr_t start = 0, end = 0;
};

struct Release {
  ImageScope scope = ImageScope::kProgram;
  uintptr_t page = 4096;
  uintptr_t vdso = 0;
  std::vector<Range> copied;  // mappings holding private copies of file pages: left alone
  long bytes = 0;
};

// Mappings of /proc/self/smaps with "Anonymous:" above 0: a file mapping whose pages were copied
// on write, by relocation or by a debugger's or uprobe's breakpoint. Dropping such a page would
// lose what was written into it. nullopt when smaps cannot be read (then nothing is released).
std::optional<std::vector<Range>> CopiedMappings() {
  auto smaps = ReadFile("/proc/self/smaps");
  if (!smaps.ok()) return std::nullopt;
  std::vector<Range> out;
  Range current;
  for (absl::string_view line : absl::StrSplit(*smaps, '\n')) {
    size_t dash = line.find('-'), space = line.find(' ');
    if (dash != absl::string_view::npos && space != absl::string_view::npos && dash < space) {
      uint64_t a = 0, b = 0;
      if (absl::SimpleHexAtoi(line.substr(0, dash), &a) &&
          absl::SimpleHexAtoi(line.substr(dash + 1, space - dash - 1), &b)) {
        current = {static_cast<uintptr_t>(a), static_cast<uintptr_t>(b)};
      }
    } else if (absl::ConsumePrefix(&line, "Anonymous:")) {
      std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
      uint64_t kb = 0;
      if (!f.empty() && absl::SimpleAtoi(f[0], &kb) && kb > 0) out.push_back(current);
    }
  }
  return out;
}

bool Overlaps(const std::vector<Range>& ranges, uintptr_t start, uintptr_t end) {
  for (const Range& r : ranges) {
    if (r.start < end && start < r.end) return true;
  }
  return false;
}

// Relocations written into a read-only segment make its pages private copies: leave such an
// object alone.
bool HasTextRelocations(const dl_phdr_info& info) {
  for (int i = 0; i < info.dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info.dlpi_phdr[i];
    if (ph.p_type != PT_DYNAMIC) continue;
    for (auto* d = reinterpret_cast<const ElfW(Dyn)*>(info.dlpi_addr + ph.p_vaddr); d->d_tag != DT_NULL; ++d) {
      if (d->d_tag == DT_TEXTREL || (d->d_tag == DT_FLAGS && (d->d_un.d_val & DF_TEXTREL) != 0)) return true;
    }
  }
  return false;
}

// Inward page rounding: a partial page at either end is kept rather than risk a neighbour's.
void AdviseSegment(const dl_phdr_info& info, const ElfW(Phdr) & ph, Release& r) {
  uintptr_t start = info.dlpi_addr + ph.p_vaddr;
  uintptr_t end = start + ph.p_memsz;
  start = (start + r.page - 1) & ~(r.page - 1);
  end &= ~(r.page - 1);
  if (end <= start || Overlaps(r.copied, start, end)) return;
  if (::madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED) == 0) {
    r.bytes += static_cast<long>(end - start);
  }
}

// dl_iterate_phdr reports the program first, then the libraries and the vDSO.
int AdviseObject(dl_phdr_info* info, size_t, void* data) {
  auto& r = *static_cast<Release*>(data);
  bool vdso = r.vdso != 0 && info->dlpi_addr == r.vdso;
  if (!vdso && !HasTextRelocations(*info)) {
    for (int i = 0; i < info->dlpi_phnum; ++i) {
      const ElfW(Phdr)& ph = info->dlpi_phdr[i];
      if (ph.p_type == PT_LOAD && (ph.p_flags & PF_W) == 0) AdviseSegment(*info, ph, r);
    }
  }
  return r.scope == ImageScope::kProgram ? 1 : 0;
}

}  // namespace

long ReleaseImagePages(ImageScope scope) {
  long bytes = 0;
  if (auto copied = CopiedMappings(); copied) {
    Release r;
    r.scope = scope;
    if (unsigned long page = ::getauxval(AT_PAGESZ); page != 0) r.page = page;
    r.vdso = ::getauxval(AT_SYSINFO_EHDR);
    r.copied = std::move(*copied);
    ::dl_iterate_phdr(AdviseObject, &r);
    bytes = r.bytes;
  }
  ::malloc_trim(0);  // last: the smaps text read above is free by now
  return bytes;
}

}  // namespace podagent
