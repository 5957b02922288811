# A long fit stops cleanly on an interrupt (Ctrl-C) or a time limit: the C++
# core checks for R's events between iterations under unwind protection, so
# the C++ side unwinds and R's own condition reaches the caller unchanged: an
# interrupt stays an interrupt, a time limit is base R's error. R stays usable.

interrupt_start <- list(pi = c(0.5, 0.5), mu = list(c(-2, 2), c(2, -2)), Sigma = list(diag(2), diag(2)))

# What base R itself signals for a time limit, to compare with.
base_time_limit_error <- function() {
  tryCatch({
    setTimeLimit(elapsed = 0.2, transient = TRUE)
    repeat Sys.sleep(0.05)
  }, error = function(e) e, finally = setTimeLimit())
}

# Runs `expr` under a one-second time limit; the condition it ends with and
# everything printed on the way.
under_time_limit <- function(expr) {
  cond <- NULL
  printed <- utils::capture.output(type = "message", {
    printed_out <- utils::capture.output({
      cond <- tryCatch({
        setTimeLimit(elapsed = 1, transient = TRUE)
        expr
      },
      interrupt = function(i) i,
      error = function(e) e,
      finally = setTimeLimit())
    })
  })
  list(cond = cond, printed = c(printed, printed_out))
}

test_that("setTimeLimit() stops a fit with a huge max_iter as base R's error, printing nothing", {
  X <- generate_data(var1 = 3)
  started <- proc.time()[["elapsed"]]
  res <- under_time_limit(gmm_em(X, pi = interrupt_start$pi, mu = interrupt_start$mu, Sigma = interrupt_start$Sigma,
                                 max_iter = 1e8, keep = "last"))
  elapsed <- proc.time()[["elapsed"]] - started
  base <- base_time_limit_error()
  expect_identical(class(res$cond), class(base))
  expect_identical(class(res$cond), c("simpleError", "error", "condition"))
  expect_identical(conditionMessage(res$cond), conditionMessage(base))
  expect_match(conditionMessage(res$cond), "reached elapsed time limit")
  expect_identical(res$printed, character())
  # try() catches it too, as it would any R error
  expect_s3_class(suppressWarnings(try({
    setTimeLimit(elapsed = 0.5, transient = TRUE)
    on.exit(setTimeLimit(), add = TRUE)
    gmm_em(X, pi = interrupt_start$pi, mu = interrupt_start$mu, Sigma = interrupt_start$Sigma,
           max_iter = 1e8, keep = "last")
  }, silent = TRUE)), "try-error")
  setTimeLimit()
  # Stopped at the limit, not after 1e8 iterations.
  expect_lt(elapsed, 10)

  # R is usable, and the same fit from scratch is the usual one.
  fit <- gmm_em(X, pi = interrupt_start$pi, mu = interrupt_start$mu, Sigma = interrupt_start$Sigma)
  expect_equal(tail(fit$loglik$loglik, 1), -1590.315623, tolerance = 1e-9)
  # The time limit was lifted: a slow R loop runs to its end.
  expect_silent(Sys.sleep(1.2))
})

test_that("a time limit with several threads stops as cleanly", {
  X <- generate_data(2000, 2000, var1 = 3)
  res <- under_time_limit(gmm_em(X, pi = interrupt_start$pi, mu = interrupt_start$mu, Sigma = interrupt_start$Sigma,
                                 max_iter = 1e8, keep = "last", threads = 2))
  expect_identical(class(res$cond), c("simpleError", "error", "condition"))
  expect_match(conditionMessage(res$cond), "reached elapsed time limit")
  expect_identical(res$printed, character())
  fit <- gmm_em(X, pi = interrupt_start$pi, mu = interrupt_start$mu, Sigma = interrupt_start$Sigma,
                max_iter = 20, threads = 2)
  expect_true(all(is.finite(fit$loglik$loglik)))
})

test_that("an R error raised while the fit runs reaches the caller as that condition", {
  # A calling handler for interrupts is one way R code can run inside the
  # core's check; here a plain R error raised from R's event processing.
  X <- generate_data(var1 = 3)
  res <- under_time_limit(gmm_em(X, pi = interrupt_start$pi, mu = interrupt_start$mu, Sigma = interrupt_start$Sigma,
                                 max_iter = 1e8, keep = "all"))
  expect_s3_class(res$cond, "simpleError")
  expect_identical(res$printed, character())
})

test_that("Ctrl-C (SIGINT) stops a long fit and the R session goes on", {
  skip_on_cran()
  skip_on_os("windows")
  pkg_path <- getNamespaceInfo(asNamespace("gmmem"), "path")
  skip_if_not(file.exists(file.path(pkg_path, "Meta", "package.rds")), "gmmem is not installed")

  pid_file <- tempfile("pid-")
  out_file <- tempfile("out-")
  script <- tempfile(fileext = ".R")
  writeLines(c(
    sprintf(".libPaths(c(%s, .libPaths()))", deparse(dirname(pkg_path))),
    "library(gmmem)",
    "X <- generate_data(var1 = 3)",
    "s <- list(pi = c(0.5, 0.5), mu = list(c(-2, 2), c(2, -2)), Sigma = list(diag(2), diag(2)))",
    sprintf("writeLines(as.character(Sys.getpid()), %s)", deparse(pid_file)),
    "r <- tryCatch(gmm_em(X, pi = s$pi, mu = s$mu, Sigma = s$Sigma, max_iter = 1e8, keep = 'last'),",
    "              interrupt = function(i) paste(class(i), collapse = ' '),",
    "              error = function(e) paste('error:', conditionMessage(e)))",
    "cat('outcome:', if (is.character(r)) r else class(r), '\\n')",
    "fit <- gmm_em(X, pi = s$pi, mu = s$mu, Sigma = s$Sigma)",
    "cat('after:', format(tail(fit$loglik$loglik, 1), digits = 10), '\\n')"
  ), script)
  rscript <- file.path(R.home("bin"), "Rscript")
  system2(rscript, c("--vanilla", shQuote(script)), stdout = out_file, stderr = out_file, wait = FALSE)

  wait_for <- function(ok, seconds) {
    for (i in seq_len(seconds * 10)) {
      if (ok()) return(TRUE)
      Sys.sleep(0.1)
    }
    FALSE
  }
  expect_true(wait_for(function() file.exists(pid_file) && length(readLines(pid_file, warn = FALSE)) == 1L, 60))
  pid <- as.integer(readLines(pid_file))
  Sys.sleep(1)  # into the EM loop
  expect_true(tools::pskill(pid, tools::SIGINT))
  done <- wait_for(function() any(grepl("^after:", readLines(out_file, warn = FALSE))), 60)
  if (!done) tools::pskill(pid, tools::SIGKILL)
  out <- readLines(out_file, warn = FALSE)
  expect_true(done, label = paste(c("child output:", out), collapse = "\n"))
  expect_true(any(out == "outcome: interrupt condition "))
  expect_true(any(out == "after: -1590.315623 "))
})
