// The EM kernel built for x86-64 CPUs with AVX-512 (F and DQ), AVX2 and FMA (src/Makevars adds the flags); used only where the CPU has them all.
#include "kernel.h"

// Only when the compiler was given those flags (x86-64 builds, see Makevars;
// never on Windows, see Makevars.win): elsewhere this file defines no kernel
// and avx512_kernel() says so.
#if (defined(__x86_64__) || defined(_M_X64)) && !defined(_WIN32) && defined(__AVX512F__) && \
    defined(__AVX512DQ__) && defined(__AVX2__) && defined(__FMA__)

// Eigen 3.3 packs 8 doubles per register only when asked to (it calls its
// AVX-512 code experimental); test-kernel.R holds this kernel to the portable
// one at every iteration. Later Eigen versions ignore the macro.
#define EIGEN_ENABLE_AVX512
// Eigen 3.3 settles its heap alignment before it turns AVX-512 on, so it
// would align arrays to 32 bytes while its 8-double packets ask for 64. A sum
// then starts with a scalar prologue as long as the array's address makes it:
// the same fit, run twice, could differ in its last bits. 64 makes every
// array Eigen allocates start on a packet boundary.
#define EIGEN_MAX_ALIGN_BYTES 64
// Eigen 3.3's 8-double sqrt is otherwise an approximate reciprocal square root
// refined by Newton steps; the other kernels' sqrt is correctly rounded.
#define EIGEN_FAST_MATH 0
// Renamed namespaces, as in kernel_avx2.cpp: no inline function compiled here
// can be merged with another kernel's copy.
#define Eigen gmmem_avx512_Eigen
#define gmmem gmmem_avx512
#include <Eigen/Core>

// A build whose flags keep Eigen from using AVX-512 (EIGEN_DONT_VECTORIZE, say)
// would make an AVX2 or scalar kernel under this name: it makes none instead.
#if defined(EIGEN_VECTORIZE_AVX512) && EIGEN_DEFAULT_ALIGN_BYTES >= 64

#define GMMEM_KERNEL_NAME "avx512"
#define GMMEM_KERNEL_GETTER avx512_kernel_instance
#include "kernel_impl.h"

const gmmem_kernel::Kernel* gmmem_kernel::avx512_kernel() { return &avx512_kernel_instance(); }

#else

const gmmem_kernel::Kernel* gmmem_kernel::avx512_kernel() { return nullptr; }

#endif

#else

const gmmem_kernel::Kernel* gmmem_kernel::avx512_kernel() { return nullptr; }

#endif
