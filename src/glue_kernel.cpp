// Which compiled EM kernel runs: the AVX2 + FMA one where the CPU has both, else the portable one.
#include <Rcpp.h>
#include <string>
#include "kernel.h"

namespace {

// Which CPUs can run the AVX2 kernel: x86-64 ones that report AVX2 and FMA
// (libgcc's check includes the operating system's support for the wide registers).
bool cpu_has_avx2_fma() {
#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

// The fastest kernel this CPU runs, chosen once when the package loads.
// avx2_kernel() is reached only on a CPU that can run it.
const gmmem_kernel::Kernel* fastest_kernel() {
  static const gmmem_kernel::Kernel* const fastest =
      cpu_has_avx2_fma() && gmmem_kernel::avx2_kernel() ? gmmem_kernel::avx2_kernel()
                                                        : &gmmem_kernel::portable_kernel();
  return fastest;
}

}  // namespace

const gmmem_kernel::Kernel& kernel_for(const std::string& choice) {
  if (choice == "portable") return gmmem_kernel::portable_kernel();
  if (choice == "avx2+fma" && std::string(fastest_kernel()->name) != "avx2+fma") {
    Rcpp::stop("The \"avx2+fma\" kernel cannot run here: it needs an x86-64 CPU with AVX2 and FMA and "
               "a build that made it; use \"auto\" or \"portable\".");
  }
  return *fastest_kernel();
}
