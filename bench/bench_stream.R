# Streamed fits: a large file read in chunks (time per iteration, peak memory) and one vs two local workers.
#
#   R_LIBS=.lib Rscript bench/bench_stream.R write <rows>             # data.csv and data.bin in $BENCH_DIR
#   R_LIBS=.lib /usr/bin/time -v Rscript bench/bench_stream.R csv <rows> <iterations>
#   R_LIBS=.lib /usr/bin/time -v Rscript bench/bench_stream.R bin <rows> <iterations>
#   R_LIBS=.lib Rscript bench/bench_stream.R workers <rows> <iterations>
#
# $BENCH_DIR defaults to tempdir() (then `write` and the fits must share one
# process's tempdir: set it). The files are kept for the fits; remove them
# after. `csv` fits the CSV file with gmm_source_csv(), `bin` the same numbers
# stored as doubles (x1, y1, x2, y2, ...) through a reader written with
# readBin() and gmm_source(): what a user's own reader looks like. Both print
# R's peak memory ("max used" of gc()) and the process's peak resident set
# (VmHWM from /proc/self/status, Linux) at the end, and wall and CPU time per
# iteration (a fit of T iterations reads the data T + 1 times, plus the first
# chunk once for the columns). `workers` fits <rows> rows in two CSV shards on
# one and on two local worker processes (plan(cluster) on localhost), with and
# without the shard cache.
# Data: d = 2, K = 2, chunks of 1e6 rows, a fixed start.
suppressMessages(library(gmmem))
args <- commandArgs(trailingOnly = TRUE)
mode <- if (length(args) >= 1) args[1] else "workers"
rows <- if (length(args) >= 2) as.numeric(args[2]) else 1e7
iterations <- if (length(args) >= 3) as.integer(args[3]) else 3L
dir <- Sys.getenv("BENCH_DIR", tempdir())
dir.create(dir, showWarnings = FALSE, recursive = TRUE)
chunk_rows <- 1e6
start <- list(pi = c(0.5, 0.5), mu = rbind(c(-1, 0), c(4, 2)), Sigma = list(diag(2), diag(2)))

# Two clusters, written block by block (a block in memory at a time); the same
# numbers, rounded to 6 decimals, to the CSV file and the binary file.
write_rows <- function(n, csv = NULL, bin = NULL, block = 1e6, seed = 1) {
  if (!is.null(csv)) {
    csv_con <- file(csv, "w")
    on.exit(close(csv_con), add = TRUE)
    writeLines("x,y", csv_con)
  }
  if (!is.null(bin)) {
    bin_con <- file(bin, "wb")
    on.exit(close(bin_con), add = TRUE)
  }
  set.seed(seed)
  for (from in seq(1, n, by = block)) {
    m <- min(block, n - from + 1)
    cluster <- stats::runif(m) < 0.4
    x <- round(ifelse(cluster, stats::rnorm(m), stats::rnorm(m, 3)), 6)
    y <- round(ifelse(cluster, stats::rnorm(m), stats::rnorm(m, 1, 2)), 6)
    if (!is.null(csv)) utils::write.table(data.frame(x = x, y = y), csv_con, sep = ",", row.names = FALSE,
                                          col.names = FALSE)
    if (!is.null(bin)) writeBin(as.vector(rbind(x, y)), bin_con)
  }
}

# A reader for the binary file: d doubles per row, row after row.
bin_reader <- function(path, d, rows) {
  con <- NULL
  function(reset = FALSE) {
    if (reset) {
      if (!is.null(con)) close(con)
      con <<- file(path, "rb")
      return(invisible(NULL))
    }
    v <- readBin(con, "double", n = d * rows)
    if (length(v) == 0L) {
      close(con)
      con <<- NULL
      return(NULL)
    }
    matrix(v, ncol = d, byrow = TRUE, dimnames = list(NULL, c("x", "y")[seq_len(d)]))
  }
}

peak_rss_mb <- function() {
  status <- tryCatch(readLines("/proc/self/status"), error = function(e) character())
  line <- grep("^VmHWM:", status, value = TRUE)
  if (length(line) == 0L) return(NA_real_)
  as.numeric(gsub("[^0-9]", "", line)) / 1024
}
max_used_mb <- function() sum(gc()[, 6L])  # "max used" (Mb) of cons cells and vectors

timed_fit <- function(src, label) {
  cpu0 <- proc.time()
  fit <- gmm_em(src, pi = start$pi, mu = start$mu, Sigma = start$Sigma, max_iter = iterations)
  t <- proc.time() - cpu0
  passes <- fit$n_iter + 1
  cat(sprintf("%s: %.0f rows, %d iterations in %.1f s wall, %.1f s CPU (this process); per iteration %.1f s wall, %.1f s CPU\n",
              label, fit$n, fit$n_iter, t[["elapsed"]], t[["user.self"]] + t[["sys.self"]],
              t[["elapsed"]] / passes, (t[["user.self"]] + t[["sys.self"]]) / passes))
  fit
}

csv_path <- file.path(dir, "data.csv")
bin_path <- file.path(dir, "data.bin")

if (mode == "write") {
  t <- system.time(write_rows(rows, csv = csv_path, bin = bin_path))[["elapsed"]]
  cat(sprintf("wrote %.0f rows: %s (%.0f MB) and %s (%.0f MB) in %.0f s\n", rows, csv_path,
              file.size(csv_path) / 2^20, bin_path, file.size(bin_path) / 2^20, t))
} else if (mode %in% c("csv", "bin")) {
  invisible(gc(reset = TRUE))
  src <- if (mode == "csv") gmm_source_csv(csv_path, chunk_rows = chunk_rows) else
    gmm_source(bin_reader(bin_path, 2L, chunk_rows))
  fit <- timed_fit(src, sprintf("%s file (%.0f MB), chunks of %.0e rows", mode,
                                file.size(if (mode == "csv") csv_path else bin_path) / 2^20, chunk_rows))
  print(fit$final$mu)
  cat(sprintf("peak R memory (gc max used) %.0f MB; peak resident set (VmHWM) %.0f MB; the data as a matrix: %.0f MB\n",
              max_used_mb(), peak_rss_mb(), fit$n * 2 * 8 / 2^20))
} else if (mode == "workers") {
  if (!requireNamespace("future", quietly = TRUE)) stop("the workers bench needs the future package")
  shards <- file.path(dir, sprintf("shard_%d.csv", 1:2))
  for (i in 1:2) if (!file.exists(shards[i])) write_rows(rows / 2, csv = shards[i], seed = i)
  sources <- lapply(shards, gmm_source_csv, chunk_rows = chunk_rows)
  for (workers in 1:2) {
    # plan(multisession, workers = 1) would run in this process (sequential): plan(cluster) on localhost
    # is the same kind of worker as multisession's, for one worker too
    old <- future::plan(future::cluster, workers = workers)
    # one worker keeps both shards only with cache = 2
    for (cache in if (workers == 1) c(0, 1, 2) else c(0, 1)) {
      src <- gmm_source_future(sources, cache = cache)
      # a fit of no iterations first, so that starting the workers is not timed
      invisible(gmm_em(src, pi = start$pi, mu = start$mu, Sigma = start$Sigma, max_iter = 0))
      timed_fit(src, sprintf("%d worker(s), 2 shards, cache = %d", workers, cache))
    }
    future::plan(old)
  }
}
