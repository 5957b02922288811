// The EM kernel built for x86-64 CPUs with AVX2 and FMA (src/Makevars adds the flags); used only where the CPU has them.
#include "kernel.h"

// Only when the compiler was given -mavx2 -mfma (x86-64 builds, see Makevars;
// never on Windows, see Makevars.win): elsewhere this file defines no kernel
// and avx2_kernel() says so.
#if (defined(__x86_64__) || defined(_M_X64)) && !defined(_WIN32) && defined(__AVX2__) && defined(__FMA__)

// Every Eigen and gmmem symbol of this translation unit gets its own name, so
// the linker cannot merge an inline function compiled here for AVX2 with the
// portable copy of the same function (which would run AVX2 code on CPUs
// without it). Both must come before any header that uses them.
#define Eigen gmmem_avx2_Eigen
#define gmmem gmmem_avx2
#define GMMEM_KERNEL_NAME "avx2+fma"
#define GMMEM_KERNEL_GETTER avx2_kernel_instance
#include "kernel_impl.h"

const gmmem_kernel::Kernel* gmmem_kernel::avx2_kernel() { return &avx2_kernel_instance(); }

#else

const gmmem_kernel::Kernel* gmmem_kernel::avx2_kernel() { return nullptr; }

#endif
