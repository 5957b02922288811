# Speed and memory of gmm_em() against its peers, all started from the same
# parameters for the same number of iterations. mclust, mixtools, Rmixmod and
# mixture run in this R process (each only where installed: `make bench` puts
# them in .bench-lib); scikit-learn (Debian's python3-sklearn), when present,
# runs in a child Python process on the same data. Prints markdown tables and
# writes them to bench/results.md.
#
#   Rscript bench/bench.R            full grid: n = 1e3 .. 1e6; K = 2, 5, 10; d = 2, 5, 10
#   Rscript bench/bench.R --quick    n = 1e3 .. 1e5 only
#   Rscript bench/bench.R --smoke    one small row of each table, to try the script (writes no file)
#   Rscript bench/bench.R --n=1e3 --d=5,10   only those rows of the grid, printed (writes no file)
#
# Run it with nothing else loading the machine: the numbers are wall-clock.

suppressPackageStartupMessages(library(gmmem))
args <- commandArgs(trailingOnly = TRUE)
smoke <- "--smoke" %in% args
quick <- "--quick" %in% args || smoke
out_file <- if (file.exists("bench")) file.path("bench", "results.md") else "results.md"
have <- function(pkg) requireNamespace(pkg, quietly = TRUE)
# Mclust() and me() call their helpers unqualified: they work only attached
if (have("mclust")) suppressPackageStartupMessages(library(mclust))
python <- "/usr/bin/python3"
sklearn_script <- file.path(if (file.exists("bench")) "bench" else ".", "sklearn_bench.py")
have_sklearn <- file.exists(python) && file.exists(sklearn_script) &&
  system2(python, c("-c", shQuote("import sklearn")), stdout = FALSE, stderr = FALSE) == 0

# ---- measuring -------------------------------------------------------------

# Peak memory is what R's allocator reports as "max used" between a reset and
# the end of the call, above what was in use before: it counts everything
# allocated through R (the data gmm_em() returns, mclust's Fortran work arrays)
# and not the C++ core's own scratch (a few kB a thread, and the parameter
# trace). Time is the fastest elapsed time of `reps` runs.
memory_in_use_mb <- function(g) sum(g[, 2L])
peak_used_mb <- function(g) sum(g[, 6L])

# Small problems run `inner` times per timing, below the timer's millisecond.
measure <- function(f, reps, inner = 1L) {
  before <- memory_in_use_mb(gc(reset = TRUE))
  first <- system.time(value <- f())[["elapsed"]]
  peak <- peak_used_mb(gc()) - before
  # without inner repeats the first run is one of the `reps` (it pays for
  # first-touch page faults, so it is rarely the fastest)
  times <- if (inner == 1L) first
  times <- c(times, vapply(seq_len(max(1L, reps - 1L)), function(i) {
    system.time(for (j in seq_len(inner)) f())[["elapsed"]] / inner
  }, numeric(1)))
  if (reps == 1L && inner == 1L) times <- first
  list(value = value, seconds = min(times), peak_mb = peak)
}
inner_for <- function(n) if (n <= 1e3) 20L else if (n <= 1e4) 3L else 1L

# ---- problems --------------------------------------------------------------

source(file.path(if (file.exists("bench")) "bench" else ".", "problems.R"))  # make_problem()

iterations_for <- function(n) if (n <= 1e3) 100L else if (n <= 1e4) 50L else if (n <= 1e5) 10L else 3L
# Three runs at n >= 1e5 for every peer (the fastest counts): a single run
# would charge whoever runs first with the machine's first touch of that much
# memory, and on this 2-core machine one run in a few of the short calls is
# slowed by some 20% by something else.
reps_for <- function(n) if (n <= 1e4) 5L else 3L

run_gmmem <- function(p, iters, threads) {
  function() gmm_em(p$X, p$start$pi, p$start$mu, p$start$Sigma, max_iter = iters,
                    keep = "last", threads = threads)
}

run_mclust <- function(p, iters) {
  K <- length(p$start$pi)
  d <- ncol(p$X)
  chol_sigma <- array(apply(p$start$Sigma, 3, chol), c(d, d, K))
  par <- list(pro = p$start$pi, mean = t(p$start$mu),
              variance = list(modelName = "VVV", d = d, G = K, sigma = p$start$Sigma,
                              cholsigma = chol_sigma))
  function() mclust::emVVV(p$X, parameters = par,
                           control = mclust::emControl(tol = c(0, 0), itmax = c(iters, iters)))
}

run_mixtools <- function(p, iters) {
  K <- length(p$start$pi)
  mu <- lapply(seq_len(K), function(k) p$start$mu[k, ])
  sigma <- lapply(seq_len(K), function(k) p$start$Sigma[, , k])
  function() utils::capture.output(suppressMessages(
    mixtools::mvnormalmixEM(p$X, lambda = p$start$pi, mu = mu, sigma = sigma, k = K,
                            epsilon = -Inf, maxit = iters, verb = FALSE)))
}

# Rmixmod (MIXMOD's C++ core) from the same start: "parameter" initialisation
# with the start's weights, means and covariances, EM for exactly `iters`
# iterations (epsilon must be positive: 1e-300 stops it only at a fixed point;
# its default model is Gaussian_pk_Lk_C, so the model is named).
run_rmixmod <- function(p, iters) {
  K <- length(p$start$pi)
  start <- methods::new("GaussianParameter", proportions = p$start$pi, mean = p$start$mu,
                        variance = lapply(seq_len(K), function(k) p$start$Sigma[, , k]))
  strategy <- Rmixmod::mixmodStrategy(algo = "EM", initMethod = "parameter", parameter = start,
                                      nbIterationInAlgo = iters, epsilonInAlgo = 1e-300)
  model <- Rmixmod::mixmodGaussianModel(listModels = "Gaussian_pk_Lk_Ck")
  data <- as.data.frame(p$X)
  function() Rmixmod::mixmodCluster(data, nbCluster = K, models = model, strategy = strategy)
}

# Iterations Rmixmod actually ran. Its stopping rule (epsilon must be > 0) ends
# EM as soon as the log-likelihood stops changing, and on these well-separated
# problems that happens after a few iterations: timing it for `iters` and
# dividing by `iters` would credit it with iterations it never ran. The count
# is the fewest iterations whose log-likelihood is already the whole run's
# (binary search over runs with fewer iterations allowed); one more iteration
# found no change and stopped it, so that one is counted too.
rmixmod_iterations <- function(p, iters) {
  loglik_after <- function(t) run_rmixmod(p, t)()@bestResult@likelihood
  final <- loglik_after(iters)
  lo <- 1L
  hi <- iters
  while (lo < hi) {
    mid <- (lo + hi) %/% 2L
    if (identical(loglik_after(mid), final)) hi <- mid else lo <- mid + 1L
  }
  min(iters, lo + 1L)
}

# mixture (GPCM family, C++) from the start's partition: its EM starts from
# responsibilities, so it is given the start's own E-step as z, and runs
# exactly `iters` iterations (no tolerance can be met: atol = 0).
run_mixture <- function(p, iters) {
  K <- length(p$start$pi)
  z <- gmmem:::em_estep_cpp(p$X, p$start$pi, t(p$start$mu), p$start$Sigma, 1L, "auto")$resp
  function() utils::capture.output(mixture::gpcm(p$X, G = K, mnames = "VVV", start = z, nmax = iters,
                                                 atol = 0, veo = TRUE))
}

# scikit-learn in a child process: the same data and start through files.
run_sklearn <- function(p, iters, reps) {
  dir <- tempfile("gmmem-bench")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE))
  writeBin(as.vector(t(p$X)), file.path(dir, "X.bin"))
  writeBin(as.vector(p$start$pi), file.path(dir, "pi.bin"))
  writeBin(as.vector(t(p$start$mu)), file.path(dir, "mu.bin"))
  writeBin(as.vector(p$start$Sigma), file.path(dir, "Sigma.bin"))
  out <- system2(python, c(sklearn_script, dir, nrow(p$X), ncol(p$X), length(p$start$pi), iters, reps),
                 stdout = TRUE)
  res <- as.numeric(strsplit(out[length(out)], " ")[[1]])
  list(seconds = res[1], peak_mb = res[2], mu = matrix(res[-(1:2)], ncol = ncol(p$X), byrow = TRUE))
}

final_means <- function(fit) unname(fit$final$mu)

# Iterations mclust's EM actually ran (its "info" attribute, negative when itmax was reached).
mclust_iterations <- function(value, iters) {
  info <- attr(value, "info")
  ran <- if (!is.null(info) && "iterations" %in% names(info)) info[["iterations"]] else iters
  max(1, min(iters, abs(ran)))  # negative: itmax reached
}

# a peer that fails (or is not installed) leaves its cells empty
try_measure <- function(make, reps, inner = 1L) tryCatch(measure(make(), reps, inner), error = function(e) {
  message("  peer failed: ", conditionMessage(e))
  NULL
})

# ---- the grid --------------------------------------------------------------

grid <- expand.grid(d = c(2L, 5L, 10L), K = c(2L, 5L, 10L),
                    n = if (quick) c(1e3, 1e4, 1e5) else c(1e3, 1e4, 1e5, 1e6))
if (smoke) grid <- data.frame(d = 2L, K = 2L, n = 1e3)
# --n=, --K=, --d=: only the grid's rows with those values (printed, no file written)
filters <- grep("^--(n|K|d)=", args, value = TRUE)
for (f in filters) {
  col <- sub("^--(n|K|d)=.*", "\\1", f)
  grid <- grid[grid[[col]] %in% as.numeric(strsplit(sub("^--.=", "", f), ",")[[1L]]), ]
}
only_n <- filters
rows <- list()
for (g in seq_len(nrow(grid))) {
  n <- grid$n[g]; K <- grid$K[g]; d <- grid$d[g]
  iters <- iterations_for(n)
  reps <- reps_for(n)
  p <- make_problem(n, K, d)
  one <- measure(run_gmmem(p, iters, 1L), reps, inner_for(n))
  two <- measure(run_gmmem(p, iters, 2L), reps, inner_for(n))
  row <- data.frame(n = format(n, scientific = TRUE), K = K, d = d, iters = iters,
                    gmmem_1t = 1000 * one$seconds / iters, gmmem_2t = 1000 * two$seconds / iters)
  if (have("mclust")) {
    mc <- measure(run_mclust(p, iters), reps, inner_for(n))
    # tol = 0 still stops mclust once the log-likelihood stops changing at all:
    # per iteration it ran
    row$mclust <- 1000 * mc$seconds / mclust_iterations(mc$value, iters)
    row$ratio_1t <- row$mclust / row$gmmem_1t
    row$ratio_2t <- row$mclust / row$gmmem_2t
    row$max_diff_mu <- max(abs(final_means(one$value) - t(mc$value$parameters$mean)))
    row$peak_mb_mclust <- mc$peak_mb
  }
  # mixtools is plain R and restarts from random parameters when a step fails
  # (at n = 1e4, K = 5 it took 230 s for 5 iterations here): it runs only at
  # n = 1e4, K = 2, for 5 iterations, and is left out past 30 s.
  if (have("mixtools") && n <= 1e4 && K == 2L) {
    mx <- tryCatch({
      setTimeLimit(elapsed = 30, transient = TRUE)
      measure(run_mixtools(p, 5L), 1L)
    }, error = function(e) NULL)
    setTimeLimit(elapsed = Inf)
    if (!is.null(mx)) {
      row$mixtools <- 1000 * mx$seconds / 5
      row$ratio_mixtools <- row$mixtools / row$gmmem_1t
    }
  }
  if (have("Rmixmod")) {
    mm <- try_measure(function() run_rmixmod(p, iters), reps, inner_for(n))
    if (!is.null(mm)) {
      ran <- rmixmod_iterations(p, iters)
      row$rmixmod_iters <- ran
      row$rmixmod <- 1000 * mm$seconds / ran
      # the ratio of whole calls of the same length: gmmem run for the
      # iterations Rmixmod ran, so neither's per-call cost is spread thinner
      same <- if (ran == iters) one else measure(run_gmmem(p, ran, 1L), reps, inner_for(n))
      row$ratio_rmixmod <- mm$seconds / same$seconds
    }
  }
  if (have("mixture")) {
    gp <- try_measure(function() run_mixture(p, iters), reps, inner_for(n))
    if (!is.null(gp)) {
      row$mixture <- 1000 * gp$seconds / iters
      row$ratio_mixture <- row$mixture / row$gmmem_1t
    }
  }
  if (have_sklearn) {
    sk <- run_sklearn(p, iters, reps)
    row$sklearn <- 1000 * sk$seconds / iters
    row$ratio_sklearn <- row$sklearn / row$gmmem_1t
    row$max_diff_mu_sklearn <- max(abs(final_means(one$value) - sk$mu))
  }
  ratios <- unlist(row[intersect(names(row), c("ratio_1t", "ratio_sklearn", "ratio_rmixmod", "ratio_mixture",
                                                "ratio_mixtools"))])
  row$fastest_peer_ratio <- if (length(ratios)) min(ratios) else NA_real_
  row$peak_mb_gmmem <- one$peak_mb
  row$data_mb <- as.numeric(object.size(p$X)) / 2^20
  rows[[g]] <- row
  message(sprintf("done n = %g, K = %d, d = %d", n, K, d))
}
table <- do.call(rbind, lapply(rows, function(r) {
  missing <- setdiff(unique(unlist(lapply(rows, names))), names(r))
  r[missing] <- NA
  r
}))

if (length(only_n)) {
  print(table, row.names = FALSE, digits = 3)
  quit(save = "no")
}

# ---- the handout example, linear scaling and memory at scale ---------------

X <- generate_data(var1 = 3)
handout <- function() gmm_em(X, pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
                             Sigma = list(diag(0.1, 2), diag(0.1, 2)))
handout_ms <- 1000 * measure(handout, 5L, 20L)$seconds
handout_tidy_ms <- 1000 * measure(function() gmm_responsibilities(handout()), 5L, 10L)$seconds

per_point <- function(n) {
  p <- make_problem(n, 5L, 2L)
  measure(run_gmmem(p, 10L, 1L), 3L)$seconds / 10 / n
}
linearity <- per_point(if (smoke) 1e5 else 1e6) / per_point(1e4)

big <- make_problem(if (smoke) 1e4 else if (quick) 1e5 else 1e6, 5L, 2L)
data_mb <- as.numeric(object.size(big$X)) / 2^20
mem <- measure(function() {
  fit <- gmm_em(big$X, big$start$pi, big$start$mu, big$start$Sigma, max_iter = 100L)
  fit
}, 1L)
kept_mb <- as.numeric(object.size(mem$value$resp)) / 2^20

# ---- covariance models: per-iteration time at n = 1e6, K = 5, d = 5 ----------

# Both start from the same partition (the M-step from it is iteration 0:
# gmm_em(z = ) and mclust::me() both take it so) and run `iters` iterations.
model_rows <- list()
if (have("mclust")) {
  mp <- make_problem(if (smoke) 1e4 else if (quick) 1e5 else 1e6, 5L, 5L)
  labels <- max.col(-sapply(seq_len(5L), function(k) colSums((t(mp$X) - mp$start$mu[k, ])^2)))
  z <- mclust::unmap(labels)
  iters <- if (quick) 10L else 3L
  for (m in c("EII", "VVI", "EEE", "VVV")) {
    g <- measure(function() gmm_em(mp$X, z = labels, model = m, max_iter = iters, keep = "last", threads = 1L), 1L)
    me_model <- getExportedValue("mclust", paste0("me", m))  # me() looks these up unqualified
    mc <- measure(function() me_model(mp$X, z = z,
                                      control = mclust::emControl(tol = c(0, 0), itmax = c(iters, iters))), 1L)
    model_rows[[m]] <- data.frame(model = m, gmmem_1t = 1000 * g$seconds / iters,
                                  mclust = 1000 * mc$seconds / mclust_iterations(mc$value, iters))
    model_rows[[m]]$ratio <- model_rows[[m]]$mclust / model_rows[[m]]$gmmem_1t
  }
}

# ---- model selection over k = 1..9 on faithful and iris ---------------------

# gmm_select(k = 1:9, model = "VVV") (hierarchical start per k, as mclust's),
# and gmm_em for each k from one k-means++ start with BIC by hand; mclust:
# Mclust(G = 1:9, modelNames = "VVV"), its hierarchical start included.
bic_gmmem <- function(data) {
  X <- as.matrix(data)
  n <- nrow(X)
  d <- ncol(X)
  vapply(1:9, function(k) {
    fit <- tryCatch(gmm_em(X, k = k, seed = 1, tol = 1e-8, max_iter = 1000L, keep = "last"),
                    error = function(e) NULL)
    if (is.null(fit)) return(NA_real_)
    df <- (k - 1) + k * d + k * d * (d + 1) / 2
    2 * fit$path$loglik[fit$n_iter + 1L] - df * log(n)
  }, numeric(1))
}
selection_rows <- list()
for (name in c("faithful", "iris")) {
  data <- if (name == "faithful") datasets::faithful else datasets::iris[1:4]
  sel <- measure(function() gmm_select(data, k = 1:9, model = "VVV", threads = 1L), 3L)
  g <- measure(function() bic_gmmem(data), 3L)
  best <- sel$value[is.finite(sel$value$BIC), , drop = FALSE]
  row <- data.frame(data = name, gmm_select_ms = 1000 * sel$seconds, gmm_select_k = best$k[which.min(best$BIC)],
                    kmeanspp_ms = 1000 * g$seconds, kmeanspp_k = which.max(g$value))
  if (have("mclust")) {
    mc <- measure(function() mclust::Mclust(data, G = 1:9, modelNames = "VVV", verbose = FALSE), 3L)
    row$mclust_ms <- 1000 * mc$seconds
    row$mclust_k <- mc$value$G
    row$ratio_select <- mc$seconds / sel$seconds
    row$ratio_kmeanspp <- mc$seconds / g$seconds
  }
  selection_rows[[name]] <- row
}

# ---- report ----------------------------------------------------------------

fmt <- function(x, digits = 3) ifelse(is.na(x), "", formatC(x, digits = digits, format = "fg", flag = "#"))
num_cols <- setdiff(names(table), c("n", "K", "d", "iters"))
shown <- table
for (col in num_cols) {
  shown[[col]] <- if (grepl("diff", col)) formatC(table[[col]], format = "e", digits = 1) else fmt(table[[col]])
}
version_of <- function(pkg) if (have(pkg)) format(utils::packageVersion(pkg)) else "absent"
machine <- sprintf("%s, %d cores, %s; R %s; mclust %s; Rmixmod %s; mixture %s; gmmem %s, kernel %s",
                   trimws(sub(".*: ", "", grep("model name", readLines("/proc/cpuinfo"), value = TRUE)[1])),
                   parallel::detectCores(), Sys.Date(), getRversion(),
                   version_of("mclust"), version_of("Rmixmod"), version_of("mixture"),
                   format(packageVersion("gmmem")), gmm_kernel())
md_table <- function(df) {
  shown <- df
  for (col in names(df)) {
    if (is.numeric(df[[col]]) && !is.integer(df[[col]])) {
      shown[[col]] <- if (grepl("diff", col)) formatC(df[[col]], format = "e", digits = 1) else fmt(df[[col]])
    }
  }
  c(paste("|", paste(names(shown), collapse = " | "), "|"),
    paste("|", paste(rep("---", ncol(shown)), collapse = " | "), "|"),
    apply(shown, 1, function(r) paste("|", paste(r, collapse = " | "), "|")))
}
lines <- c(
  sprintf("Machine: %s.", machine),
  "",
  "Per-iteration wall time in ms (fastest of 5 runs at n <= 1e4, of 3 above), over the iterations each",
  "peer ran; ratios are peer / gmmem on one thread; fastest_peer_ratio is the smallest of the ratios.",
  "mclust and Rmixmod stop once the log-likelihood stops changing (on these well-separated problems often",
  "after a few iterations): mclust's count is its own report, Rmixmod's (rmixmod_iters) is found by rerunning",
  "it with fewer iterations allowed, and ratio_rmixmod compares whole calls of that many iterations.",
  "Rmixmod, mixture and mixtools are left empty where not installed or where they failed.",
  "",
  paste("|", paste(names(shown), collapse = " | "), "|"),
  paste("|", paste(rep("---", ncol(shown)), collapse = " | "), "|"),
  apply(shown, 1, function(r) paste("|", paste(r, collapse = " | "), "|")),
  "",
  sprintf("Handout example (400 points, 100 iterations, params and loglik frames built): %.2f ms; with the tidy responsibilities of every iteration (gmm_responsibilities()): %.2f ms.",
          handout_ms, handout_tidy_ms),
  sprintf("Per-point time per iteration, n = 1e6 over n = 1e4 (K = 5, d = 2, 1 thread): %.2f.", linearity),
  sprintf(paste0("Peak memory of gmm_em() at n = %g, K = 5, d = 2, 100 iterations, default keep: %.0f MB ",
                 "(data %.0f MB, kept responsibilities %.0f MB; 4 x data + kept = %.0f MB)."),
          nrow(big$X), mem$peak_mb, data_mb, kept_mb, 4 * data_mb + kept_mb),
  "",
  if (length(model_rows)) c(
    sprintf("Covariance models at n = %g, K = 5, d = 5, from the same partition (gmm_em(z = ) vs mclust::me()), ms per iteration, 1 thread:",
            nrow(mp$X)), "", md_table(do.call(rbind, model_rows)), ""),
  "Model selection over k = 1..9 (VVV), whole search in ms: gmm_select(k = 1:9, model = \"VVV\") (hierarchical start per k, as mclust's), and gmm_em from one k-means++ start per k with BIC by hand, vs mclust::Mclust(G = 1:9, modelNames = \"VVV\"):",
  "",
  md_table(do.call(rbind, lapply(selection_rows, function(r) {
    missing <- setdiff(unique(unlist(lapply(selection_rows, names))), names(r)); r[missing] <- NA; r })))
)
writeLines(lines)
# sections written by other scripts (bench_stream.R's streamed fits) are kept
kept <- if (file.exists(out_file)) {
  old <- readLines(out_file)
  from <- grep("^## Streamed fits", old)
  if (length(from)) c("", old[from[1]:length(old)])
}
if (!smoke) writeLines(c(lines, kept), out_file)
message("written to ", out_file)
