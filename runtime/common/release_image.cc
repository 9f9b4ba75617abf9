#include "runtime/common/release_image.h"

#include <elf.h>
#include <link.h>
#include <malloc.h>
#include <sys/auxv.h>
#include <sys/mman.h>

#include <cstdint>

namespace podagent {
namespace {

struct Release {
  ImageScope scope = ImageScope::kProgram;
  uintptr_t page = 4096;
  uintptr_t vdso = 0;
  long bytes = 0;
};

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
  if (end <= start) return;
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
  ::malloc_trim(0);
  Release r;
  r.scope = scope;
  if (unsigned long page = ::getauxval(AT_PAGESZ); page != 0) r.page = page;
  r.vdso = ::getauxval(AT_SYSINFO_EHDR);
  ::dl_iterate_phdr(AdviseObject, &r);
  return r.bytes;
}

}  // namespace podagent
