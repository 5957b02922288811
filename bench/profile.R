# Where the time of one bench call goes: gmm_em() from the bench's start on one
# problem, split into the parts R can time; with --loop=N, the same call N
# times over for a sampling profiler to read.
#
#   Rscript bench/profile.R                          n = 1e6, K = 5, d = 2, 3 iterations, 1 thread
#   Rscript bench/profile.R --threads=2 --n=1e5 --iters=10
#   perf record -o /tmp/gmmem.perf Rscript bench/profile.R --loop=60
#   perf report -i /tmp/gmmem.perf --no-children --sort dso,symbol
#
# Run it with nothing else loading the machine, after `make install` and with
# R_LIBS=.lib (the numbers are wall-clock medians of 7 runs, 21 for the
# small call).

suppressPackageStartupMessages(library(gmmem))
source(file.path(if (file.exists("bench")) "bench" else ".", "problems.R"))
args <- commandArgs(trailingOnly = TRUE)
option <- function(name, default) {
  hit <- grep(paste0("^--", name, "="), args, value = TRUE)
  if (length(hit) == 0L) default else as.numeric(sub("^--[a-z]+=", "", hit[1]))
}
n <- option("n", 1e6); K <- option("K", 5); d <- option("d", 2)
iters <- as.integer(option("iters", 3)); threads <- as.integer(option("threads", 1))
loop <- as.integer(option("loop", 0))
p <- make_problem(n, K, d)
fit <- function(max_iter) gmm_em(p$X, p$start$pi, p$start$mu, p$start$Sigma, max_iter = max_iter,
                                 keep = "last", threads = threads)

if (loop > 0L) {
  for (i in seq_len(loop)) fit(iters)
  quit(save = "no")
}

# Garbage is collected before each run (as system.time() does), so no part
# pays for freeing an earlier one's; Sys.time() resolves microseconds.
median_ms <- function(f, reps = 7L) {
  f()
  stats::median(vapply(seq_len(reps), function(i) {
    gc()
    start <- Sys.time()
    f()
    1000 * as.numeric(difftime(Sys.time(), start, units = "secs"))
  }, numeric(1)))
}
added <- 20L
call_ms <- median_ms(function() fit(iters))
pass_ms <- (median_ms(function() fit(iters + added)) - call_ms) / added
checks_ms <- median_ms(function() {
  gmmem:::all_finite_cpp(p$X)
  gmmem:::column_summary_cpp(p$X, TRUE, threads, gmmem:::kernel_choice())
})
# R's own part of a call (arguments, start, fit object) hardly depends on n
small <- p$X[seq_len(1000), , drop = FALSE]
r_ms <- median_ms(function() gmm_em(small, p$start$pi, p$start$mu, p$start$Sigma, max_iter = 0L, keep = "last",
                                    threads = threads), reps = 21L)
# for reference: R filling a fresh vector as large as the responsibilities, on one thread
fill_ms <- median_ms(function() numeric(n * K))
passes_ms <- (iters + 1L) * pass_ms
cat(sprintf("gmm_em(max_iter = %d, keep = \"last\", threads = %d), n = %g, K = %d, d = %d, kernel %s\n",
            iters, threads, n, K, d, gmm_kernel()))
cat(sprintf("whole call %.1f ms (%.2f ms per iteration); one added iteration %.2f ms\n",
            call_ms, call_ms / iters, pass_ms))
line <- function(ms, what) cat(sprintf("%7.1f ms  %s\n", ms, what))
line(passes_ms, sprintf("%d fused passes with their M-steps and the last log-likelihood pass (%d x one added iteration)",
                        iters, iters + 1L))
line(checks_ms, "data checks: finiteness, column summary and rank")
line(r_ms, "R's part: arguments, start, fit object (the same call on 1000 rows)")
line(call_ms - passes_ms - checks_ms - r_ms,
     "the remainder: mostly the first touch of the n x K responsibilities returned (page faults)")
line(fill_ms, "(for reference: R filling a fresh vector of n x K doubles, one thread)")
