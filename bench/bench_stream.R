# Streamed fits: a large CSV read in chunks (time per iteration, peak R memory) and one vs two local workers.
#
#   R_LIBS=.lib Rscript bench/bench_stream.R [rows_file] [rows_workers] [iterations]
#
# Defaults: 2e7 rows (d = 2) in one CSV file, 1e7 rows in two shards for the
# workers, 5 EM iterations from a fixed start. Files go to tempdir() and are
# removed at the end. Peak memory is R's own (gc(reset = TRUE), "max used"),
# of this process; the workers' is reported by each worker the same way.
suppressMessages(library(gmmem))
args <- as.numeric(commandArgs(trailingOnly = TRUE))
rows_file <- if (length(args) >= 1) args[1] else 2e7
rows_workers <- if (length(args) >= 2) args[2] else 1e7
iterations <- if (length(args) >= 3) args[3] else 5

write_rows <- function(path, n, block = 1e6) {
  con <- file(path, "w")
  on.exit(close(con))
  writeLines("x,y", con)
  set.seed(1)
  for (from in seq(1, n, by = block)) {
    m <- min(block, n - from + 1)
    cluster <- stats::runif(m) < 0.4
    x <- ifelse(cluster, stats::rnorm(m), stats::rnorm(m, 3))
    y <- ifelse(cluster, stats::rnorm(m), stats::rnorm(m, 1, 2))
    utils::write.table(data.frame(x = round(x, 6), y = round(y, 6)), con, sep = ",", row.names = FALSE,
                       col.names = FALSE)
  }
}
max_used_mb <- function() sum(gc()[, 6L])  # "max used" (Mb) of cons cells and vectors
start <- list(pi = c(0.5, 0.5), mu = rbind(c(-1, 0), c(4, 2)), Sigma = list(diag(2), diag(2)))

path <- file.path(tempdir(), "bench_stream.csv")
t_write <- system.time(write_rows(path, rows_file))[["elapsed"]]
cat(sprintf("wrote %.0f rows (%.0f MB) in %.0f s\n", rows_file, file.size(path) / 2^20, t_write))
invisible(gc(reset = TRUE))
base_mb <- max_used_mb()
t_fit <- system.time(fit <- gmm_em(gmm_source_csv(path, chunk_rows = 1e6), pi = start$pi, mu = start$mu,
                                   Sigma = start$Sigma, max_iter = iterations))[["elapsed"]]
# the fit reads the file iterations + 1 times (the last pass also counts the component sizes)
cat(sprintf("CSV, %.0f rows, chunks of 1e6: %d iterations in %.1f s (%.1f s per pass over the file); ",
            rows_file, fit$n_iter, t_fit, t_fit / (fit$n_iter + 1)))
cat(sprintf("peak R memory %.0f MB (%.0f MB before the fit; the data would take %.0f MB)\n",
            max_used_mb(), base_mb, rows_file * 2 * 8 / 2^20))
unlink(path)

if (requireNamespace("future", quietly = TRUE) && rows_workers > 0) {
  shards <- file.path(tempdir(), sprintf("bench_shard_%d.csv", 1:2))
  for (s in shards) write_rows(s, rows_workers / 2)
  sources <- lapply(shards, gmm_source_csv, chunk_rows = 1e6)
  for (workers in 1:2) {
    old <- future::plan(future::multisession, workers = workers)
    src <- gmm_source_future(sources)
    # one iteration first, so that starting the workers is not timed
    invisible(gmm_em(src, pi = start$pi, mu = start$mu, Sigma = start$Sigma, max_iter = 0))
    t <- system.time(gmm_em(src, pi = start$pi, mu = start$mu, Sigma = start$Sigma,
                            max_iter = iterations))[["elapsed"]]
    cat(sprintf("%d worker(s), %.0f rows in 2 shards: %.1f s per pass\n", workers, rows_workers,
                t / (iterations + 1)))
    future::plan(old)
  }
  unlink(shards)
}
