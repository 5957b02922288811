#!/bin/sh
# Checks that the installed gmmem.so runs no SIMD-compiled code outside the SIMD kernels.
#
#   sh tools/check-kernel-symbols.sh [path/to/gmmem.so]     (default: .lib/gmmem/libs/gmmem.so)
#
# kernel_avx2.cpp and kernel_avx512.cpp rename the Eigen and gmmem namespaces,
# so their Eigen and core code cannot be merged with the portable copies. What
# they still share with the other objects are the standard library's inline
# functions (std::vector<double> and the like), which every object defines as
# a weak symbol; the linker keeps one copy, and Makevars links the SIMD kernels
# last so that it keeps a portable one. This script compiles each SIMD kernel's
# object as the package build does, lists its weak symbols outside its renamed
# namespace, and fails if the copy of any of them in the shared library holds a
# VEX- or EVEX-encoded (AVX or AVX-512) instruction or an AVX-512 mask
# instruction. x86-64 only.
set -eu
so=${1:-.lib/gmmem/libs/gmmem.so}
[ -f "$so" ] || { echo "no $so: run make install first"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CXX=$(R CMD config CXX)
flags="$(R CMD config CPPFLAGS) $(R CMD config CXXFLAGS) -I$(R RHOME)/include -DNDEBUG -Iinst/include"
flags="$flags -I$(Rscript -e 'cat(system.file("include", package = "Rcpp"))')"
flags="$flags -I$(Rscript -e 'cat(system.file("include", package = "RcppEigen"))') -fopenmp -fpic"
bad=0
for kernel in avx2 avx512; do
  simd=$(cd "$tmp" && sh "$OLDPWD/src/Makevars.simd.sh" "$kernel" $CXX $flags)
  [ -n "$simd" ] || { echo "this compiler builds no $kernel kernel: nothing to check there"; continue; }
  $CXX $flags $simd -w -c "src/kernel_$kernel.cpp" -o "$tmp/kernel_$kernel.o"
  nm --defined-only "$tmp/kernel_$kernel.o" | awk '$2 ~ /^[WVu]$/ {print $3}' | grep -v "gmmem_$kernel" > "$tmp/weak" || true
  while read -r sym; do
    vex=$(objdump -d --no-show-raw-insn --disassemble="$sym" "$so" | grep -cE '^ +[0-9a-f]+:[[:space:]]+(v|k)[a-z0-9]+[[:space:]]|%[yz]mm' || true)
    printf '%s %s %s\n' "$kernel" "$([ "$vex" -gt 0 ] && echo AVX || echo ok)" "$(echo "$sym" | c++filt)"
    [ "$vex" -gt 0 ] && bad=1
  done < "$tmp/weak"
done
[ "$bad" -eq 0 ] && echo "kernel symbols: OK (shared weak symbols resolve to portable copies)" || {
  echo "kernel symbols: FAILED (a SIMD copy is what the library runs)"; exit 1; }
