# EM over a gmm_source: one pass over the chunks per iteration, statistics merged, the core's M-step.

# gmm_em() for a source: the same path, log-likelihood and fit object as in
# memory, with no data kept and responsibilities only when asked.
gmm_em_source <- function(source, call, pi, mu, Sigma, k, init, n_init, seed, max_iter, tol, reg_covar, keep,
                          threads, model, z, weights) {
  if (!is.null(z)) abort_arg("z", "cannot be given with a source: give a start (`pi`, `mu`, `Sigma`) or `k`.")
  if (!is.null(weights)) {
    abort_arg("weights", "cannot be given with a source: name the source's weights column (gmm_source(weights = )).")
  }
  max_iter <- as.integer(check_whole_number(max_iter, "max_iter", min = 0, max = .Machine$integer.max - 1))
  tol <- check_number(tol, "tol", min = 0, allow_null = TRUE)
  reg_covar <- check_number(reg_covar, "reg_covar", min = 0)
  threads <- check_threads(threads)
  keep_last <- check_source_keep(keep)
  given <- !is.null(pi) || !is.null(mu) || !is.null(Sigma)
  if (given) {
    # the first chunk tells the number of columns the start must have
    d <- source_columns(source)$d
    model <- check_model(model, d)
    # (a stand-in for the rows: a source's start is checked against its columns only)
    starts <- resolve_start(matrix(0, max(1L, length(pi)), d), pi, mu, Sigma, k, init = init, n_init = n_init,
                            seed = seed, reg_covar = reg_covar)
  } else {
    if (is.null(k)) abort_arg("k", "is missing: give the number of components, or a start (`pi`, `mu`, `Sigma`).")
    # one seed draws the sample and the starts from it
    size <- source_sample_size()
    chosen <- with_seed(check_seed(seed), {
      sample <- source_sample(source, size)
      list(sample = sample, starts = resolve_start(sample, NULL, NULL, NULL, k, init = init, n_init = n_init,
                                                    seed = NULL, reg_covar = reg_covar))
    })
    sample <- chosen$sample
    starts <- chosen$starts
    model <- check_model(model, ncol(sample))
    if (!model %in% c("VVV", "V")) {
      starts <- structure(lapply(starts, function(start) start_in_model(start, sample, model, reg_covar)),
                          init = attr(starts, "init"))
    }
  }

  if (!is.null(source$shards)) {
    # the workers' copies of the shards belong to this fit (all its starts)
    source$fit <- worker_cache_key(source)
    if (!is.null(source$fit)) on.exit(release_worker_caches(source$fit), add = TRUE)
  }
  runs <- best_of_starts(starts, function(start) {
    tryCatch(stream_em(source, start, max_iter, tol, reg_covar, model, threads, keep_last),
             gmmem_em_error = function(e) e)
  })
  best <- runs$best
  falls <- warn_loglik_falls(best$loglik, starts, model, reg_covar)
  control <- list(model = model, max_iter = max_iter, tol = tol, reg_covar = reg_covar, keep = keep,
                  init = attr(starts, "init"), n_starts = length(starts), loglik_decreases = falls,
                  source = TRUE)
  shape <- list(d = dim(best$mu)[1L], names = best$names, n = best$n, nobs = best$nobs)
  new_gmm_em(best, NULL, starts[[runs$which]], call, control, runs$table, shape = shape)
}

# For a source, `keep` is "auto" or "none" (no responsibilities: they are n x K)
# or "last" (the last iteration's, one n x K matrix in memory).
check_source_keep <- function(keep) {
  if (!is.character(keep) || length(keep) != 1L || is.na(keep) || !keep %in% c("auto", "none", "last")) {
    abort_arg("keep", "must be \"auto\", \"none\" or \"last\" for a source (responsibilities of other ",
              "iterations would need n x K numbers each).")
  }
  keep == "last"
}

# Rows in the sample a start chosen from `k` is drawn from.
source_sample_size <- function() {
  size <- getOption("gmmem.source_sample", 5000)
  if (!is.numeric(size) || length(size) != 1L || is.na(size) || size < 1) {
    abort_arg("getOption(\"gmmem.source_sample\")", "must be a positive number of rows.")
  }
  size
}

# The columns of a source, list(names, d): those of its first chunk.
source_columns <- function(source) {
  first <- if (!is.null(source$shards)) source$shards[[1L]] else source
  on.exit(close_source(first))
  read_chunk(first, 0L, reset = TRUE)
  chunk <- read_chunk(first, 1L)
  if (is.null(chunk)) abort_arg("data", "is a source that gave no rows.")
  X <- chunk_matrix(chunk, first, 1L, NULL)$X
  list(names = colnames(X), d = ncol(X))
}

# A sample of `size` rows drawn in one pass (rows in proportion to their case
# weights): each row gets the key E / w, E exponential, and the rows with the
# smallest keys are kept (Efraimidis and Spirakis), so memory is the sample
# and one chunk.
source_sample <- function(source, size) {
  kept <- NULL
  keys <- numeric()
  for_each_chunk(source, function(chunk) {
    key <- stats::rexp(nrow(chunk$X))
    if (!is.null(chunk$w)) key <- key / chunk$w
    X <- rbind(kept, chunk$X)
    keys <<- c(keys, key)
    keep <- utils::head(order(keys), size)
    keep <- keep[is.finite(keys[keep])]
    kept <<- X[keep, , drop = FALSE]
    keys <<- keys[keep]
  })
  if (is.null(kept) || nrow(kept) == 0L) abort_arg("data", "is a source whose rows all have weight 0.")
  kept
}

# EM from `start` over the source: iteration t reads every chunk once, for
# the E-step of theta_{t-1} (which also measures its log-likelihood) and the
# sums of the M-step. The same bookkeeping and stopping rule as the core.
stream_em <- function(source, start, max_iter, tol, reg_covar, model, threads, keep_last) {
  K <- length(start$pi)
  theta <- list(pi = start$pi, mu = start$mu, Sigma = start$Sigma)
  d <- nrow(theta$mu)
  path <- list(theta)
  ll <- numeric()
  stopped <- FALSE
  converged_at <- function(ll) {
    n <- length(ll)
    !is.null(tol) && n >= 2L && abs(ll[n] - ll[n - 1L]) <= tol * (1 + abs(ll[n]))
  }
  for (t in seq_len(max_iter)) {
    pass <- source_pass(source, theta, model, threads, iteration = t, at = t - 1L)
    ll <- c(ll, pass$stats$loglik)
    if (converged_at(ll)) {
      stopped <- TRUE
      break
    }
    theta <- next_params(pass$stats, model, reg_covar, t)[c("pi", "mu", "Sigma")]
    path[[t + 1L]] <- theta
  }
  T <- length(path) - 1L
  # the sizes (and, unless stopped, the log-likelihood) of theta_T
  final <- source_pass(source, theta, model, threads, iteration = T, at = T, sizes = TRUE)
  if (!stopped) ll <- c(ll, final$stats$loglik)
  converged <- if (stopped) TRUE else converged_at(ll)

  resp <- array(numeric(), c(0L, K, 0L))
  if (keep_last) {
    r <- if (T == 0L) matrix(1 / K, final$stats$n, K) else
      source_pass(source, path[[T]], model, threads, iteration = T, at = T - 1L, resp = TRUE)$resp
    resp <- array(r, c(nrow(r), K, 1L), list(NULL, NULL, as.character(T)))
  }
  list(pi = matrix(vapply(path, function(p) as.vector(p$pi), numeric(K)), K),
       mu = array(unlist(lapply(path, `[[`, "mu")), c(d, K, T + 1L)),
       Sigma = array(unlist(lapply(path, `[[`, "Sigma")), c(d, d, K, T + 1L)),
       loglik = ll, resp = resp, n_iter = T, converged = converged, sizes = final$sizes,
       names = final$names, n = final$stats$n, nobs = final$stats$nobs)
}

# One pass over a source for theta: the merged statistics (raw, as the core
# returns them), and when asked the hard-assignment sizes (weighted) or every
# row's responsibilities. A source of shards runs each shard as a future.
# Errors name the pass's `iteration` as the core does, and a singular
# covariance the iteration `at` whose parameters have it.
source_pass <- function(source, theta, model, threads, iteration, at, sizes = FALSE, resp = FALSE) {
  parts <- if (is.null(source$shards)) {
    list(shard_pass(source, theta, model, threads, iteration, at, sizes, resp))
  } else {
    future_passes(source, theta, model, iteration, at, sizes, resp)
  }
  if (resp) return(list(resp = do.call(rbind, lapply(parts, `[[`, "resp"))))
  out <- parts[[1L]]
  for (part in parts[-1L]) {
    if (is.null(part$stats)) next
    if (is.null(out$stats)) {
      out <- part
      next
    }
    if (!identical(part$names, out$names) || part$d != out$d) {
      abort_arg("data", "has shards with different columns (", shard_columns(out), "; ", shard_columns(part), ").")
    }
    out$stats <- em_stats_merge_cpp(out$stats, part$stats, model)
    out$sizes <- out$sizes + part$sizes
  }
  if (is.null(out$stats)) abort_arg("data", "is a source that gave no rows.")
  if (!is.finite(out$stats$loglik)) {
    stop(em_condition(list(kind = "nonfinite_loglik", iteration = iteration, component = NA, observation = NA),
                      0, 1))
  }
  out$stats$params <- theta
  out
}

shard_columns <- function(part) {
  if (is.null(part$names)) sprintf("%d unnamed", part$d) else paste(part$names, collapse = ", ")
}

# One source's pass, in this process (or on a future worker). `chunks(visit)`
# hands every chunk to `visit` and returns the shape, as chunk_loop() does.
shard_pass <- function(source, theta, model, threads, iteration, at, sizes = FALSE, resp = FALSE,
                       chunks = function(visit) chunk_loop(source, visit, NULL)) {
  K <- length(theta$pi)
  acc <- NULL
  counts <- if (sizes) numeric(K) else NULL
  rows <- if (resp) list() else NULL
  seen <- 0
  shape <- chunks(function(chunk) {
    w <- if (is.null(chunk$w)) numeric() else chunk$w
    if (resp) {
      e <- em_estep_cpp(chunk$X, theta$pi, theta$mu, theta$Sigma, threads, kernel_choice())
      if (!is.null(e$error)) chunk_error(e$error, iteration, at, seen, chunk$X)
      rows[[length(rows) + 1L]] <<- e$resp
      seen <<- seen + nrow(chunk$X)
      return(invisible())
    }
    s <- em_stats_cpp(chunk$X, w, theta$pi, theta$mu, theta$Sigma, model, threads, kernel_choice())
    if (!is.null(s$error)) chunk_error(s$error, iteration, at, seen, chunk$X)
    acc <<- if (is.null(acc)) s else em_stats_merge_cpp(acc, s, model)
    if (sizes) {
      e <- em_estep_cpp(chunk$X, theta$pi, theta$mu, theta$Sigma, threads, kernel_choice())
      cluster <- factor(hard_clusters(e$resp), levels = seq_len(K))
      weight <- if (length(w) == 0L) rep(1, nrow(chunk$X)) else w
      counts <<- counts + as.vector(tapply(weight, cluster, sum, default = 0))
    }
    seen <<- seen + nrow(chunk$X)
  })
  list(stats = acc, sizes = counts, resp = if (resp) do.call(rbind, rows), names = shape$names, d = shape$d)
}

# A chunk's failure, raised with the iteration it broke and the row's number in the whole source.
chunk_error <- function(err, iteration, at, seen, X) {
  err$iteration <- if (err$kind == "singular_covariance") at else iteration
  if (!is.na(err$observation)) err$observation <- err$observation + seen
  stop(em_condition(err, 0, data_variances(X)))
}
