# Which compiled EM kernel runs: the AVX2 + FMA build where the CPU has both, else the portable one.

#' The EM kernel that runs
#'
#' gmmem's C++ core is compiled twice: once with the compiler's portable
#' defaults, and (on x86-64, except on Windows) once for CPUs with AVX2 and
#' FMA instructions, which is about twice as fast on large data. The package
#' chooses the second the first time it runs EM, if the CPU has both.
#' `options(gmmem.kernel = "portable")` makes every later call use the
#' portable one (read at each call); `"avx2+fma"` asks for the other and is
#' an error where it cannot run; `"auto"` (or `NULL`, the default) chooses.
#' The two agree to rounding (about 1e-13 relative); each gives the same
#' result whatever the number of threads.
#'
#' @return `"avx2+fma"` or `"portable"`: the kernel [gmm_em()] and the
#'   E-step readers use under the current `getOption("gmmem.kernel")`.
#' @examples
#' gmm_kernel()
#' @export
gmm_kernel <- function() {
  kernel_name_cpp(kernel_choice())
}

# getOption("gmmem.kernel") checked, as the core's choice.
kernel_choice <- function() {
  choice <- getOption("gmmem.kernel", "auto")
  if (is.null(choice)) return("auto")
  if (!is.character(choice) || length(choice) != 1L || is.na(choice) ||
      !choice %in% c("auto", "portable", "avx2+fma")) {
    abort_arg("getOption(\"gmmem.kernel\")", "must be \"auto\", \"portable\" or \"avx2+fma\".")
  }
  if (choice == "avx2+fma" && kernel_name_cpp("auto") != "avx2+fma") {
    abort_arg("getOption(\"gmmem.kernel\")", "is \"avx2+fma\", which cannot run here: it needs an x86-64 CPU with ",
              "AVX2 and FMA and a build that made that kernel. Use \"auto\" or \"portable\".")
  }
  choice
}
