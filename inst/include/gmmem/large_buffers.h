// Advice to the operating system for large buffers about to be written for the first time.
#ifndef GMMEM_LARGE_BUFFERS_H
#define GMMEM_LARGE_BUFFERS_H

#include <cstddef>
#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace gmmem {

// Asks Linux to back the whole 2 MiB pages inside [data, data + bytes) with
// transparent huge pages. A fresh n x K matrix of responsibilities is written
// once per fit; with 4 KiB pages its first touch costs one page fault per 4 KiB
// (about 15 ms for 40 MB on the project's machine, more than an EM iteration),
// with huge pages one per 2 MiB (about 4 ms). Only advice: where huge pages are
// off, or on other systems, nothing changes. Call it before the first write.
inline void advise_huge_pages(void* data, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const std::uintptr_t huge = std::uintptr_t(1) << 21;
  if (bytes < 4 * huge) return;  // small buffers gain nothing worth a system call
  const std::uintptr_t begin = (reinterpret_cast<std::uintptr_t>(data) + huge - 1) & ~(huge - 1);
  const std::uintptr_t end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(huge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

}  // namespace gmmem

#endif
