# Prints the flags for kernel_avx2.cpp: -mavx2 -mfma when the C++ compiler (the
# arguments) targets x86-64 and accepts them, nothing otherwise (the file then
# builds no kernel). Only that one object gets them: the package's own flags
# stay portable, and the AVX2 kernel runs only where the CPU has AVX2 and FMA.
# (Named Makevars.* because R CMD check expects only sources and Makevars files in src/.)
probe=avx2-probe.cpp
printf '#if !defined(__x86_64__)\n#error not x86-64\n#endif\nint main() { return 0; }\n' > "$probe"
if "$@" -mavx2 -mfma -c "$probe" -o avx2-probe.o >/dev/null 2>&1; then
  echo "-mavx2 -mfma"
fi
rm -f "$probe" avx2-probe.o
