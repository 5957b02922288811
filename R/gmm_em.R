#' Fit a Gaussian mixture by EM and keep the whole path
#'
#' Runs the EM algorithm for a Gaussian mixture with full covariances from the
#' start `pi`, `mu`, `Sigma` (the handout's form), and records every
#' iteration: its parameters, its log-likelihood and (within a memory budget)
#' its responsibilities.
#'
#' Iteration 0 is the start, with uniform responsibilities \eqn{1/K}. Iteration
#' \eqn{t \ge 1} runs the E-step with the parameters of iteration \eqn{t - 1},
#' which gives the responsibilities \eqn{r_t}, and the M-step with \eqn{r_t},
#' which gives the parameters \eqn{\theta_t}. This is the handout's bookkeeping
#' (its `rvals[t]` and `coeffs[t]`). The log-likelihood at iteration \eqn{t} is
#' \eqn{\ell(\theta_t) = \sum_i \log \sum_k \pi_k N(x_i | \mu_k, \Sigma_k)}.
#'
#' By default all `max_iter` iterations run, as in the handout. With `tol`, EM
#' stops at the first \eqn{t} with \eqn{|\ell_t - \ell_{t-1}| \le tol (1 +
#' |\ell_t|)} and `converged` says so. Without `tol`, `converged` applies the
#' same rule to the last iteration with `tol = sqrt(.Machine$double.eps)`, so
#' a fit that was still moving when `max_iter` ran out says so; `print()`,
#' `summary()` and `glance()` all report it, with the last relative change.
#'
#' The E-step works in log space through the Cholesky factor of each
#' covariance, so densities that underflow in the handout's code (which then
#' returns `NaN`) are handled. When a covariance stops being positive definite
#' or a component loses all its weight, `gmm_em()` stops with an error of class
#' `gmmem_em_error` naming the iteration and component (also as fields of the
#' condition: `e$kind`, `e$iteration`, `e$component`, `e$observation`);
#' `reg_covar > 0` (added to the diagonal of every covariance the M-step makes,
#' as scikit-learn does) keeps such fits well-posed. Numerical tests are
#' relative to each variable's own scale: rescaling a column rescales a fit of
#' the models whose family allows it (VVV, EEE, EVV, VVI, EVI, VEI, EEI), the
#' path being the same up to `tol`'s rule, which depends on the units;
#' spherical models and those with a shared shape or orientation are not
#' invariant to the units by nature. A component whose weight is 0 (one that dropped out under
#' `reg_covar`, in a restart from `fit$final`) stays out.
#'
#' @section Sources:
#' With a [gmm_source()] as `data`, every iteration reads the source once,
#' chunk by chunk, and merges the chunks' statistics (see [gmm_stats()]);
#' memory is one chunk and the parameters, whatever the number of rows. The
#' fit keeps the same parameter path and log-likelihood as in memory (equal
#' to rounding), `n` and `nobs`, and the number of observations most
#' probably from each component (for [summary()]); it keeps no data
#' (`fit$data` is `NULL`, so [predict()] and [augment()] need `newdata`, and
#' the plots, which draw the data, are not available), and responsibilities
#' only with `keep = "last"` (the last iteration's, an \eqn{n \times K}
#' matrix; `keep` is otherwise `"auto"` or `"none"`, for none). A start
#' chosen from `k` comes from a sample of `getOption("gmmem.source_sample")`
#' (5000) rows drawn in one pass over the source (in proportion to the case
#' weights, when the source has them); `seed` draws both. Case weights are
#' a column of the source (`gmm_source(weights = )`), and `z` is not
#' available. The fit ends with one more pass, for the component sizes.
#'
#' R's own conditions pass through unchanged: an interrupt (Ctrl-C) is an
#' interrupt, and a [setTimeLimit()] reaches the caller as base R's error.
#'
#' @param data A numeric matrix or a data frame (or tibble) of numeric
#'   columns, one row per observation (a numeric vector is one column); or a
#'   one-sided formula such as `~ a + b` with the data frame as the next
#'   argument (or `data =`), which selects (and may transform) the columns.
#'   Column names must be distinct; [predict()] and [augment()] match new data
#'   to them by name. The `cluster` column of a [generate_data()] data frame is
#'   ignored. Or a [gmm_source()]: data read a chunk at a time (from a
#'   file, a database, or shards on `future` workers), for data that do not
#'   fit in memory; see "Sources" below.
#' @param pi Starting weights: a non-negative vector of length \eqn{K} that
#'   sums to 1 (a zero weight is a component that has dropped out).
#' @param mu Starting means: a list of \eqn{K} vectors of length \eqn{d}, or a
#'   \eqn{K \times d} matrix.
#' @param Sigma Starting covariances: a list of \eqn{K} symmetric positive
#'   definite \eqn{d \times d} matrices, or a \eqn{d \times d \times K} array.
#' @param k Number of components when `gmm_em()` chooses its own start (no
#'   `pi`, `mu` or `Sigma` given). It must not exceed the number of rows.
#' @param init How `gmm_em()` chooses a start from `k`: `"kmeans++"` (the
#'   default, also when `NULL`), `"random"` or `"hc"`. The first two pick `k` data points as the starting means:
#'   k-means++ picks the first uniformly and each next one with probability
#'   proportional to its squared distance from the nearest one already picked;
#'   `"random"` picks `k` distinct rows uniformly. Distances are measured on
#'   the columns divided by their standard deviations. Each point then goes
#'   to its nearest mean; the starting weights are the shares of points
#'   (at least one point per component), and each starting covariance is the
#'   covariance of a component's points plus a ridge of \eqn{10^{-6}} times
#'   the data's variances, or the diagonal of the data's variances when the
#'   component has at most `d` points or is flat in some direction (such as
#'   duplicated points). `reg_covar` is added to every starting covariance.
#'   Only for starts chosen from `k`.
#'
#'   `"hc"` is a deterministic start from a hierarchical clustering, the
#'   kind of start that still finds elongated clusters where k-means-like
#'   starts split them: Ward's agglomeration (`stats::hclust(stats::dist(.),
#'   "ward.D2")`) of the standardised data (columns centred and divided by
#'   their standard deviations), cut at `k` clusters; the start is the
#'   model's M-step from that partition, exactly as from `z`. Ward's
#'   criterion is mclust's `hcEII` (the merge that costs an EII mixture the
#'   least classification likelihood); mclust's own default is `hcVVV` on
#'   data rotated and scaled by their singular value decomposition, which
#'   adapts each cluster's shape while merging. Above 2000 rows the tree is
#'   grown on 2000 of them, evenly spaced after ordering the rows by their
#'   columns (mclust draws its 2000 at random), and the other rows join the
#'   cluster with the nearest mean. `n_init` must then be 1 and `seed` `NULL`:
#'   there is nothing random to repeat.
#' @param n_init Number of starts chosen from `k` (1 when `NULL`, the
#'   default); EM runs from each and the fit with the highest final
#'   log-likelihood is kept (`fit$starts` has one row per start, with why any
#'   failed; `fit$start` is the winning start). `init`, `n_init` and `seed`
#'   apply only to starts chosen from `k`: given with `pi`, `mu` and `Sigma`
#'   (and not `NULL`) they are an error.
#' @param seed `NULL` (the default) to draw the starts with R's random number
#'   generator as it stands, so that [set.seed()] before the call reproduces
#'   them; or a whole number, which chooses the starts as after
#'   `set.seed(seed)` and then puts the generator's state back as it was,
#'   so the call does not change the user's random numbers.
#' @param max_iter Number of EM iterations (at most; fewer with `tol`).
#' @param tol `NULL` (the default: run all `max_iter` iterations) or a
#'   non-negative relative tolerance on the change in log-likelihood.
#' @param reg_covar Non-negative number added to the diagonal of every
#'   covariance the M-step makes.
#' @param keep Which iterations' responsibilities to keep: `"auto"` (every
#'   iteration that runs, while the fit fits in
#'   `getOption("gmmem.keep_budget")`, 128 MB by default, counting the
#'   parameter path too; past it, room is kept for iterations 0, 1, 5, 10, 25
#'   and 40, which the figure draws, and the last, and one message says what
#'   was kept), `"all"`, `"last"`, or a vector of iteration numbers. The last
#'   iteration's are always kept. Storage grows with the iterations that run:
#'   nothing is allocated for iterations `tol` makes unnecessary.
#' @param threads Number of threads for the E- and M-steps; results do not
#'   depend on it. Defaults to [gmm_threads()].
#' @param model The covariance model, by mclust's name: `"VVV"` (the
#'   default: each component its own full covariance, as in the handout),
#'   `"EII"`, `"VII"`, `"EEI"`, `"VEI"`, `"EVI"`, `"VVI"`, `"EEE"`, `"VEE"`,
#'   `"EVE"`, `"VVE"`, `"EEV"`, `"VEV"` or `"EVV"`, where the letters say
#'   whether the volume, shape and orientation of
#'   \eqn{\Sigma_k = \lambda_k D_k A_k D_k^\top} are equal across components
#'   (E), varying (V) or the identity (I); or scikit-learn's names
#'   `"spherical"` (VII), `"diag"` (VVI), `"tied"` (EEE) and `"full"` (VVV).
#'   In one dimension every model is mclust's `"E"` (equal variances) or
#'   `"V"` (varying), by its first letter. VEI, VEE, EVE, VVE and VEV have no
#'   closed-form M-step: it is iterated (from the previous covariances, so
#'   the log-likelihood still never falls) until no covariance moves by more
#'   than \eqn{10^{-10}} relative, at most 1000 times. A start chosen from
#'   `k` is moved into the model by the model's M-step from the start's own
#'   E-step; a start given in `pi`, `mu` and `Sigma` is used as it is, and the
#'   first M-step imposes the model.
#' @param z A start from responsibilities or a partition, as `mclust::me()`
#'   takes it: an \eqn{n \times K} matrix of responsibilities (rows summing
#'   to 1), or a vector of \eqn{n} labels (a factor's levels are the
#'   components). Iteration 0 is then the model's M-step from `z`.
#' @param weights `NULL` (the default: every row counts once) or case
#'   weights: \eqn{n} non-negative numbers, not all 0, one per row, as
#'   `mclust::me.weighted()` and scikit-learn's `sample_weight` take them. Each
#'   row's responsibilities and log-likelihood term are multiplied by its
#'   weight, so a fit with whole-number weights is the fit to the data with
#'   each row repeated that many times; \eqn{\pi_k = N_k / \sum_i w_i}, and
#'   [logLik()], [nobs()] and BIC count \eqn{\sum_i w_i} observations. A row
#'   of weight 0 takes no part (a start chosen from `k` never picks it).
#' @return An object of class `gmm_em`: a plain list (see [gmm_em-object])
#'   whose store is the arrays of the path (`path`: weights, means,
#'   covariances and log-likelihood of every iteration; `resp`: the kept
#'   responsibilities), with the tidy data frames `params` and `loglik` made
#'   from them, the `data`, the `final` parameters, `converged`, `n_iter`,
#'   `starts` (one row per start tried) and `call`. [gmm_responsibilities()]
#'   gives the responsibilities as a tidy data frame.
#' @seealso [generate_data()] for the handout's data.
#' @examples
#' X <- generate_data(var1 = 3)
#' fit <- gmm_em(X, pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
#'               Sigma = list(diag(0.1, 2), diag(0.1, 2)))
#' fit
#' subset(fit$params, iteration %in% c(0, 1, 100))
#' tail(fit$loglik, 3)
#' fit$path$mu[, , "100"]   # the means at iteration 100, d x K
#'
#' # stop early once the log-likelihood settles
#' gmm_em(X, pi = c(0.5, 0.5), mu = list(c(-2, 2), c(2, -2)),
#'        Sigma = list(diag(2), diag(2)), tol = 1e-10)$n_iter
#'
#' # real data, with a start chosen by k-means++ (best of 5)
#' gmm_em(faithful, k = 2, n_init = 5, seed = 1, tol = 1e-8)
#'
#' # columns chosen by a formula
#' gmm_em(~ Sepal.Length + Petal.Length, iris, k = 3, seed = 1, tol = 1e-8)
#' @export
gmm_em <- function(data, pi = NULL, mu = NULL, Sigma = NULL, k = NULL,
                   init = NULL, n_init = NULL, seed = NULL, max_iter = 100L,
                   tol = NULL, reg_covar = 0, keep = "auto", threads = gmm_threads(),
                   model = "VVV", z = NULL, weights = NULL) {
  call <- match.call()
  if (inherits(data, "gmm_source")) {
    return(gmm_em_source(data, call, pi = pi, mu = mu, Sigma = Sigma, k = k, init = init, n_init = n_init,
                         seed = seed, max_iter = max_iter, tol = tol, reg_covar = reg_covar, keep = keep,
                         threads = threads, model = model, z = z, weights = weights))
  }
  if (inherits(data, "formula") || inherits(pi, "formula")) {
    data <- formula_data(data, pi)
    pi <- NULL
  }
  X <- as_data_matrix(data, names_required = TRUE)
  weights <- check_weights(weights, nrow(X))
  max_iter <- as.integer(check_whole_number(max_iter, "max_iter", min = 0, max = .Machine$integer.max - 1))
  tol <- check_number(tol, "tol", min = 0, allow_null = TRUE)
  reg_covar <- check_number(reg_covar, "reg_covar", min = 0)
  threads <- check_threads(threads)
  model <- check_model(model, ncol(X))
  # one pass over the data for the scale and rank checks: ranges, variances,
  # and the centred cross-products when the rank check needs them
  rank_needed <- reg_covar == 0 && max_iter > 0
  summary <- column_summary_cpp(X, rank_needed && model_structure(model) == "full", threads, kernel_choice())
  check_data_scale(X, summary = summary)
  # data no covariance of the model can describe: said before a start from z is
  # blamed for it (starts from k or a given start are checked first below)
  rank_checked <- !is.null(z) && rank_needed
  if (rank_checked) check_data_rank(X, model_structure(model), summary = summary)
  starts <- if (is.null(z)) {
    # a start chosen from k never picks a row that is not in the data (weight 0)
    in_data <- if (is.null(weights)) X else X[weights > 0, , drop = FALSE]
    resolve_start(in_data, pi, mu, Sigma, k, init = init, n_init = n_init, seed = seed, reg_covar = reg_covar,
                  model = model)
  } else {
    start_from_z(X, z, model, reg_covar, k = k, weights = weights,
                 given = c(pi = !is.null(pi), mu = !is.null(mu), Sigma = !is.null(Sigma),
                           init = !is.null(init), n_init = !is.null(n_init), seed = !is.null(seed)))
  }
  if (!rank_checked && rank_needed) check_data_rank(X, model_structure(model), summary = summary)
  if (attr(starts, "init") %in% c("kmeans++", "random") && !model %in% c("VVV", "V")) {
    starts <- structure(lapply(starts, function(start) start_in_model(start, X, model, reg_covar)),
                        init = attr(starts, "init"))
  }
  K <- length(starts[[1L]]$pi)
  plan <- resolve_keep(keep, nrow(X), K, ncol(X), max_iter)
  runs <- run_starts(X, starts, max_iter, tol, reg_covar, plan, threads, model, weights)
  best <- runs$best

  falls <- warn_loglik_falls(best$loglik, starts, model, reg_covar)
  control <- list(model = model, max_iter = max_iter, tol = tol, reg_covar = reg_covar, keep = keep,
                  init = attr(starts, "init"), n_starts = length(starts),
                  loglik_decreases = falls)
  fit <- new_gmm_em(best, X, starts[[runs$which]], call, control, runs$table, weights = weights)
  note <- keep_note(plan, fit)
  if (!is.null(note)) message(note)
  fit$control$keep_note <- note
  fit
}

# EM in memory from every start; best_of_starts() keeps the best and records failures.
run_starts <- function(X, starts, max_iter, tol, reg_covar, plan, threads, model = "VVV", weights = NULL) {
  tol_core <- if (is.null(tol)) -1 else tol
  kernel <- kernel_choice()
  best_of_starts(starts, function(start) {
    res <- em_fit_cpp(X, start$pi, start$mu, start$Sigma, max_iter, tol_core, reg_covar,
                      plan$all, plan$iterations, plan$budget, plan$path_bytes, threads, model,
                      if (is.null(weights)) numeric() else weights, kernel)
    if (is.null(res$error)) res else em_condition(res$error, reg_covar, data_variances(X))
  })
}

# The fit with the highest final log-likelihood among the starts, in memory or
# streamed: `run_one(start)` gives a fit (with loglik and n_iter) or the
# gmmem_em_error that stopped it. Failures are recorded in the table, and
# when every start fails the error says why each did.
best_of_starts <- function(starts, run_one) {
  table <- data.frame(start = seq_along(starts), loglik = NA_real_, iterations = NA_integer_,
                      error = NA_character_, stringsAsFactors = FALSE)
  best <- NULL
  which <- NA_integer_
  errors <- vector("list", length(starts))
  for (i in seq_along(starts)) {
    res <- run_one(starts[[i]])
    if (inherits(res, "gmmem_em_error")) {
      errors[[i]] <- res
      table$error[i] <- conditionMessage(res)
      table$iterations[i] <- res$iteration
      next
    }
    table$loglik[i] <- res$loglik[res$n_iter + 1L]
    table$iterations[i] <- res$n_iter
    if (is.null(best) || table$loglik[i] > table$loglik[which]) {
      best <- res
      which <- i
    }
  }
  if (is.null(best)) {
    if (length(starts) == 1L) stop(errors[[1L]])
    stop(all_starts_failed(errors))
  }
  list(best = best, which = which, table = table)
}

# Warns when the log-likelihood fell beyond rounding, and returns how many
# times it did. A given start outside the model's structure may lose
# likelihood in the first step, which moves it into the model: only later
# falls are suspect.
warn_loglik_falls <- function(ll, starts, model, reg_covar) {
  falls <- loglik_falls(ll, skip_first = attr(starts, "init") == "given" && !model %in% c("VVV", "V"))
  if (length(falls) > 0L && reg_covar == 0) {
    warning(sprintf(paste0("The log-likelihood decreased at %d iteration(s), by up to %.3g: ",
                           "more than rounding explains. The fit may be numerically unreliable."),
                    length(falls), max(falls)), call. = FALSE)
  }
  length(falls)
}

# The starts, as a list of list(pi, mu = d x K matrix, Sigma = d x d x K array),
# with attribute "init" saying where they came from: the user's pi, mu and
# Sigma, checked and honoured exactly ("given"), or those gmm_start() chooses
# from k. The arguments of the chooser are an error with a given start rather
# than silently ignored.
resolve_start <- function(X, pi, mu, Sigma, k, init = NULL, n_init = NULL, seed = NULL, reg_covar = 0,
                          model = "VVV") {
  given <- c(pi = !is.null(pi), mu = !is.null(mu), Sigma = !is.null(Sigma))
  if (any(given) && !all(given)) {
    abort_arg(names(given)[!given][1L], "is missing: give all of `pi`, `mu` and `Sigma`, or none of them and `k`.")
  }
  if (!any(given)) {
    if (is.null(k)) abort_arg("k", "is missing: give the number of components, or a start (`pi`, `mu`, `Sigma`).")
    return(gmm_start(X, k, init = if (is.null(init)) "kmeans++" else init,
                     n_init = if (is.null(n_init)) 1L else n_init, seed = seed, reg_covar = reg_covar,
                     model = model))
  }
  # NULL, the default of each, means "not given"
  chooser_given <- c(init = !is.null(init), n_init = !is.null(n_init), seed = !is.null(seed))
  if (any(chooser_given)) {
    abort_arg(names(chooser_given)[chooser_given][1L], "applies only when gmm_em() chooses its own start from `k`; ",
              "the start given in `pi`, `mu` and `Sigma` is used as it is.")
  }
  if (!is.null(k)) {
    check_whole_number(k, "k", min = 1)
    if (k != length(pi)) abort_arg("k", "is ", k, " but `pi` has ", length(pi), " weights.")
  }
  n <- nrow(X)
  d <- ncol(X)
  pi <- check_pi(pi)
  K <- length(pi)
  if (K > n) abort_arg("pi", "has ", K, " components but `data` has only ", n, " rows (K must not exceed n).")
  start <- list(pi = unname(pi), mu = check_mu(mu, K, d), Sigma = check_Sigma(Sigma, K, d))
  structure(list(start), init = "given")
}

# Falls of the log-likelihood beyond rounding (the core's own slack), as amounts.
loglik_falls <- function(ll, skip_first = FALSE) {
  change <- diff(ll)
  bad <- change < -1e-9 * (1 + abs(ll[-1]))
  if (skip_first && length(bad) > 0L) bad[1L] <- FALSE
  -change[bad]
}

# A chosen start moved into the model's structure: the model's M-step from the
# start's own E-step, so that EM's first step cannot lose likelihood by
# imposing the structure.
start_in_model <- function(start, X, model, reg_covar) {
  r <- em_estep_cpp(X, start$pi, start$mu, start$Sigma, 1L, kernel_choice())
  if (!is.null(r$error)) return(start)
  moved <- mstep_cpp(X, r$resp, model, reg_covar)
  ok <- all(vapply(seq_along(moved$pi), function(j) is_positive_definite_cpp(matrix(moved$Sigma[, , j], ncol(X))),
                   logical(1)))
  if (!ok) return(start)
  list(pi = moved$pi, mu = moved$mu, Sigma = moved$Sigma)
}

# A start from responsibilities or a partition, as mclust::me() takes it:
# iteration 0 is the model's M-step from `z` (an n x K matrix of
# non-negative weights, each row summing to 1, or a vector of n labels).
start_from_z <- function(X, z, model, reg_covar, given, k = NULL, arg = "z", what = "`z`", weights = NULL) {
  if (any(given)) {
    abort_arg(names(given)[given][1L], "cannot be given with `z`: the start is the M-step from `z`.")
  }
  z <- check_z(z, nrow(X))
  if (!is.null(k) && check_whole_number(k, "k", min = 1) != ncol(z)) {
    abort_arg("k", "is ", k, " but `z` has ", ncol(z), " components.")
  }
  if (!is.null(weights)) {
    # the M-step of the weighted rows: weights scale each row's responsibilities
    z <- z * weights
    if (any(colSums(z) <= 0)) abort_arg("z", "gives component ", which(colSums(z) <= 0)[1L], " no weight at all.")
  }
  start <- mstep_cpp(X, z, model, reg_covar)
  if (!is.null(weights)) start$pi <- colSums(z) / sum(weights)
  for (j in seq_len(ncol(z))) {
    if (!is_positive_definite_cpp(matrix(start$Sigma[, , j], ncol(X)))) {
      stop(structure(class = c("gmmem_arg_error", "error", "condition"), list(call = NULL, message = paste0(
        what, " gives component ", j, " a singular covariance (its points are too few or on a ",
        "lower-dimensional subspace) in model ", model, "; ",
        if (reg_covar > 0) paste0("`reg_covar` = ", format(reg_covar), " does not lift it in this model: ")
        else "set `reg_covar` > 0, or ",
        if (arg == "z") "give it more points." else "use fewer components."))))
    }
  }
  structure(list(list(pi = start$pi, mu = start$mu, Sigma = start$Sigma)), init = "z")
}

# z as an n x K matrix of responsibilities: from labels (a factor, whose
# levels are the components, or integers or strings, one per row), or checked
# as given.
check_z <- function(z, n, arg = "z") {
  if (is.matrix(z) || is.data.frame(z)) {
    z <- as.matrix(z)
    if (is.logical(z)) storage.mode(z) <- "double"
    if (!is.numeric(z) || nrow(z) != n) {
      abort_arg(arg, "must be a numeric matrix with ", n, " rows (one per observation), or ", n, " labels.")
    }
    if (anyNA(z) || any(!is.finite(z)) || any(z < 0)) abort_arg(arg, "must hold non-negative finite responsibilities.")
    if (any(abs(rowSums(z) - 1) > 1e-8)) abort_arg(arg, "must have rows that sum to 1.")
    if (any(colSums(z) <= 0)) abort_arg(arg, "gives component ", which(colSums(z) <= 0)[1L], " no weight at all.")
    storage.mode(z) <- "double"
    return(unname(z))
  }
  if (!is.atomic(z) || !is.null(dim(z)) || length(z) != n || anyNA(z)) {
    abort_arg(arg, "must be ", n, " labels (one per observation, no NA) or an n x K matrix of responsibilities.")
  }
  labels <- if (is.factor(z)) z else factor(z)
  out <- matrix(0, n, nlevels(labels))
  out[cbind(seq_len(n), as.integer(labels))] <- 1
  empty <- colSums(out) == 0
  if (any(empty)) abort_arg(arg, "has a level with no observation: `", levels(labels)[empty][1L], "`.")
  out
}

# The iterations whose responsibilities the figure draws by default (the
# handout's), kept first when the memory budget binds.
figure_iterations <- c(0L, 1L, 5L, 10L, 25L, 40L)

# Which iterations' responsibilities to keep, as the core's plan: every one
# (`all`), the listed `iterations`, or (budget >= 0) every iteration while the
# n x K matrices fit in the budget beside the parameter path of the iterations
# run, holding room for the figure's iterations and the last.
resolve_keep <- function(keep, n, K, d, max_iter) {
  plan <- list(all = FALSE, iterations = integer(), budget = -1, path_bytes = path_size(K, d, 0), mode = "given")
  if (is.character(keep)) {
    if (length(keep) != 1L || is.na(keep) || !keep %in% c("auto", "all", "last")) {
      abort_arg("keep", "must be \"auto\", \"all\", \"last\" or a vector of iteration numbers.")
    }
    plan$mode <- keep
    if (keep == "all") plan$all <- TRUE
    if (keep == "auto") {
      plan$iterations <- figure_iterations[figure_iterations <= max_iter]
      plan$budget <- keep_budget()
    }
    return(plan)
  }
  if (!is.numeric(keep) || length(keep) == 0L || anyNA(keep) || any(keep != round(keep)) ||
      any(keep < 0) || any(keep > max_iter)) {
    abort_arg("keep", "must be \"auto\", \"all\", \"last\" or whole numbers from 0 to `max_iter` (", max_iter, ").")
  }
  plan$iterations <- sort(unique(as.integer(keep)))
  plan
}

keep_budget <- function() {
  budget <- getOption("gmmem.keep_budget", 2^27)
  if (!is.numeric(budget) || length(budget) != 1L || is.na(budget) || budget < 0) {
    abort_arg("getOption(\"gmmem.keep_budget\")", "must be a single non-negative number of bytes.")
  }
  budget
}

# Bytes of the parameter path for iterations 0..max_iter: the arrays (pi, mu,
# Sigma, loglik) and the tidy params frame made from them.
path_size <- function(K, d, max_iter) {
  per_iteration <- K * (1 + d + d * d) + K * (3 + d + d * (d + 1) / 2) + 4
  8 * per_iteration * (as.double(max_iter) + 1)
}

# One message, after the fit, when the budget kept fewer iterations than ran.
keep_note <- function(plan, fit) {
  if (!identical(plan$mode, "auto")) return(NULL)
  kept <- kept_iterations(fit)
  ran <- fit$n_iter + 1L
  if (length(kept) >= ran) return(NULL)
  n <- nrow(fit$data)
  K <- length(fit$final$pi)
  sprintf(paste0("Responsibilities kept for %s of the %d that ran: all of them would take %s, ",
                 "over getOption(\"gmmem.keep_budget\") (%s) with the parameter path. ",
                 "Use `keep = \"all\"` to keep them all."),
          summarise_kept(kept), ran,
          format_bytes(8 * as.double(n) * K * ran + path_size(K, ncol(fit$data), fit$n_iter)),
          format_bytes(plan$budget))
}

format_bytes <- function(bytes) format(structure(bytes, class = "object_size"), units = "auto")
