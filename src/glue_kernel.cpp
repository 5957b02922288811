// Which compiled EM kernel runs: the widest SIMD one the CPU runs (AVX-512, then AVX2 + FMA), else the portable one.
#include <Rcpp.h>
#include <string>
#include <vector>
#include "kernel.h"

namespace {

// libgcc's checks include the operating system's support for the wide
// registers (it must save AVX's and AVX-512's on a context switch, which
// XGETBV reports).
#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
bool cpu_has_avx2_fma() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
bool cpu_has_avx512() {
  return cpu_has_avx2_fma() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}
#else
bool cpu_has_avx2_fma() { return false; }
bool cpu_has_avx512() { return false; }
#endif

// The kernels this build made and this CPU runs, fastest first (the portable
// one last, always there); found once, the first time a kernel is asked for.
// A SIMD kernel is reached only on a CPU that can run it.
const std::vector<const gmmem_kernel::Kernel*>& runnable() {
  static const std::vector<const gmmem_kernel::Kernel*> kernels = [] {
    std::vector<const gmmem_kernel::Kernel*> out;
    if (cpu_has_avx512() && gmmem_kernel::avx512_kernel()) out.push_back(gmmem_kernel::avx512_kernel());
    if (cpu_has_avx2_fma() && gmmem_kernel::avx2_kernel()) out.push_back(gmmem_kernel::avx2_kernel());
    out.push_back(&gmmem_kernel::portable_kernel());
    return out;
  }();
  return kernels;
}

}  // namespace

const gmmem_kernel::Kernel& kernel_for(const std::string& choice) {
  if (choice == "auto") return *runnable().front();
  for (const gmmem_kernel::Kernel* kernel : runnable()) {
    if (choice == kernel->name) return *kernel;
  }
  // R's kernel_choice() says which kernels run before a call gets here
  Rcpp::stop("The \"" + choice + "\" kernel cannot run here; use \"auto\" or \"portable\".");
}

std::vector<std::string> runnable_kernel_names() {
  std::vector<std::string> names;
  for (const gmmem_kernel::Kernel* kernel : runnable()) names.push_back(kernel->name);
  return names;
}
