#!/bin/sh
# Checks that the installed gmmem.so runs no AVX2-compiled code outside the AVX2 kernel.
#
#   sh tools/check-kernel-symbols.sh [path/to/gmmem.so]     (default: .lib/gmmem/libs/gmmem.so)
#
# kernel_avx2.cpp renames the Eigen and gmmem namespaces, so its Eigen and core
# code cannot be merged with the portable copies. What it still shares with the
# other objects are the standard library's inline functions (std::vector<double>
# and the like), which every object defines as a weak symbol; the linker keeps
# one copy, and Makevars links kernel_avx2.o last so that it keeps a portable
# one. This script compiles kernel_avx2.o as the package build does, lists its
# weak symbols outside the renamed namespaces, and fails if the copy of any of
# them in the shared library holds a VEX-encoded (AVX) instruction. x86-64 only.
set -eu
so=${1:-.lib/gmmem/libs/gmmem.so}
[ -f "$so" ] || { echo "no $so: run make install first"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CXX=$(R CMD config CXX)
flags="$(R CMD config CPPFLAGS) $(R CMD config CXXFLAGS) -I$(R RHOME)/include -DNDEBUG -Iinst/include"
flags="$flags -I$(Rscript -e 'cat(system.file("include", package = "Rcpp"))')"
flags="$flags -I$(Rscript -e 'cat(system.file("include", package = "RcppEigen"))') -fopenmp -fpic"
avx=$(cd "$tmp" && sh "$OLDPWD/src/Makevars.avx2.sh" $CXX $flags)
[ -n "$avx" ] || { echo "this compiler builds no AVX2 kernel: nothing to check"; exit 0; }
$CXX $flags $avx -w -c src/kernel_avx2.cpp -o "$tmp/kernel_avx2.o"
nm --defined-only "$tmp/kernel_avx2.o" | awk '$2 ~ /^[WVu]$/ {print $3}' | grep -v gmmem_avx2 > "$tmp/weak" || true
bad=0
while read -r sym; do
  vex=$(objdump -d --no-show-raw-insn --disassemble="$sym" "$so" | grep -cE '^ +[0-9a-f]+:[[:space:]]+v[a-z0-9]+[[:space:]]|%ymm' || true)
  printf '%s %s\n' "$([ "$vex" -gt 0 ] && echo AVX || echo ok)" "$(echo "$sym" | c++filt)"
  [ "$vex" -gt 0 ] && bad=1
done < "$tmp/weak"
[ "$bad" -eq 0 ] && echo "kernel symbols: OK (shared weak symbols resolve to portable copies)" || {
  echo "kernel symbols: FAILED (an AVX2 copy is what the library runs)"; exit 1; }
