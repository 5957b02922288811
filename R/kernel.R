# Which compiled EM kernel runs: the widest SIMD build the CPU runs (AVX-512, then AVX2 + FMA), else the portable one.

#' The EM kernel that runs
#'
#' gmmem's C++ core is compiled up to three times: once with the compiler's
#' portable defaults and, on x86-64 (except on Windows), once for CPUs with
#' AVX2 and FMA instructions (`"avx2+fma"`) and once for CPUs that also have
#' AVX-512 (its F and DQ sets, `"avx512"`). Each wider one is faster on large
#' data: AVX2 about twice the portable build, AVX-512 a further 1.1 to 1.8
#' times where the CPU runs it at full width. The package chooses the fastest
#' the CPU can run the first time it runs EM.
#' `options(gmmem.kernel = "portable")` makes every later call use the
#' portable one (read at each call); `"avx2+fma"` or `"avx512"` asks for that
#' one and is an error where it cannot run; `"auto"` (or `NULL`, the default)
#' chooses. The kernels agree to rounding (about 1e-13 relative); each gives
#' the same result whatever the number of threads.
#'
#' @return `"avx512"`, `"avx2+fma"` or `"portable"`: the kernel [gmm_em()]
#'   and the E-step readers use under the current `getOption("gmmem.kernel")`.
#' @examples
#' gmm_kernel()
#' @export
gmm_kernel <- function() {
  kernel_name_cpp(kernel_choice())
}

# Every kernel a build can make, and what each needs from the CPU.
kernel_needs <- c(portable = "nothing",
                  "avx2+fma" = "an x86-64 CPU with AVX2 and FMA",
                  avx512 = "an x86-64 CPU with AVX-512 (F and DQ), AVX2 and FMA")

# getOption("gmmem.kernel") checked, as the core's choice.
kernel_choice <- function() {
  choice <- getOption("gmmem.kernel", "auto")
  if (is.null(choice)) return("auto")
  if (!is.character(choice) || length(choice) != 1L || is.na(choice) ||
      !choice %in% c("auto", names(kernel_needs))) {
    abort_arg("getOption(\"gmmem.kernel\")",
              "must be one of \"auto\", ", paste0("\"", names(kernel_needs), "\"", collapse = ", "), ".")
  }
  if (choice == "auto") return(choice)
  runnable <- runnable_kernels_cpp()
  if (!choice %in% runnable) {
    abort_arg("getOption(\"gmmem.kernel\")", "is \"", choice, "\", which cannot run here: it needs ",
              kernel_needs[[choice]], " and a build that made that kernel. Use \"auto\" or one that runs here: ",
              paste0("\"", runnable, "\"", collapse = ", "), ".")
  }
  choice
}
