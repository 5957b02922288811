# Prints the flags for one SIMD kernel's object: sh Makevars.simd.sh KERNEL CXX [FLAGS...]
#   avx2    kernel_avx2.cpp:   -mavx2 -mfma
#   avx512  kernel_avx512.cpp: -mavx2 -mfma -mavx512f -mavx512dq
# It prints them when the C++ compiler (the remaining arguments) targets x86-64
# and compiles and assembles an instruction of that set with them, nothing
# otherwise (the file then builds no kernel). Only that one object gets them:
# the package's own flags stay portable, and a kernel runs only where the CPU
# has every set it was built for (glue_kernel.cpp).
# (Named Makevars.* because R CMD check expects only sources and Makevars files in src/.)
kernel=$1
shift
case "$kernel" in
  avx2)
    flags="-mavx2 -mfma"
    body='__m256d f(__m256d a) { return _mm256_fmadd_pd(a, a, a); }' ;;
  avx512)
    # Eigen 3.3's AVX-512 code is experimental: the probe compiles a sum with
    # it, so a compiler that takes the flags but not that code builds no
    # kernel instead of failing the install
    flags="-mavx2 -mfma -mavx512f -mavx512dq"
    body='#define EIGEN_ENABLE_AVX512
#include <Eigen/Core>
__m512d f(__m512d a) { return _mm512_and_pd(_mm512_fmadd_pd(a, a, a), a); }
double g(const Eigen::VectorXd& v) { return v.sum() + v.array().sqrt().sum(); }' ;;
  *)
    echo "Makevars.simd.sh: no kernel called '$kernel'" >&2
    exit 1 ;;
esac
# one probe file per kernel: make may run both rules at once
probe="simd-probe-$kernel"
printf '#if !defined(__x86_64__)\n#error not x86-64\n#endif\n#include <immintrin.h>\n%s\n' "$body" > "$probe.cpp"
if "$@" $flags -c "$probe.cpp" -o "$probe.o" >/dev/null 2>&1; then
  echo "$flags"
fi
rm -f "$probe.cpp" "$probe.o"
