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
#' |\ell_t|)} and `converged` says so.
#'
#' The E-step works in log space through the Cholesky factor of each
#' covariance, so densities that underflow in the handout's code (which then
#' returns `NaN`) are handled. When a covariance stops being positive definite
#' or a component loses all its weight, `gmm_em()` stops with an error of class
#' `gmmem_em_error` naming the iteration and component; `reg_covar > 0` (added
#' to the diagonal of every covariance the M-step makes, as scikit-learn does)
#' keeps such fits well-posed.
#'
#' @param data A numeric matrix or a data frame of numeric columns, one row per
#'   observation (a numeric vector is one column). The `cluster` column of a
#'   [generate_data()] data frame is ignored.
#' @param pi Starting weights: a positive vector of length \eqn{K} that sums to 1.
#' @param mu Starting means: a list of \eqn{K} vectors of length \eqn{d}, or a
#'   \eqn{K \times d} matrix.
#' @param Sigma Starting covariances: a list of \eqn{K} symmetric positive
#'   definite \eqn{d \times d} matrices, or a \eqn{d \times d \times K} array.
#' @param k Number of components when `gmm_em()` chooses its own start (no
#'   `pi`, `mu` or `Sigma` given). It must not exceed the number of rows.
#' @param init How `gmm_em()` chooses a start from `k`: `"kmeans++"` (the
#'   default) or `"random"`. Both pick `k` data points as the starting means:
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
#' @param n_init Number of starts chosen from `k`; EM runs from each and the
#'   fit with the highest final log-likelihood is kept (`fit$control$n_starts`
#'   says how many were tried, `fit$start` is the winning start).
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
#' @param keep Which iterations' responsibilities to keep: `"auto"` (all of
#'   them when their `8 * n * K * (max_iter + 1)` bytes fit in
#'   `getOption("gmmem.keep_budget")`, 128 MB by default; otherwise iterations
#'   0, 1, 5, 10, 25, 40 and the last, with a message), `"all"`, `"last"`, or
#'   a vector of iteration numbers. The last iteration's are always kept.
#' @param threads Number of threads for the E- and M-steps; results do not
#'   depend on it. Defaults to [gmm_threads()].
#' @return An object of class `gmm_em`, a list with
#'   \describe{
#'     \item{`params`}{data frame, one row per iteration and component:
#'       `iteration`, `component`, `pi`, `mu_1`..`mu_d` and the upper triangle
#'       of the covariance `sigma_11`, `sigma_12`, ..., `sigma_dd`.}
#'     \item{`loglik`}{data frame, one row per iteration: `iteration`,
#'       `loglik` and `change` from the previous iteration.}
#'     \item{`responsibilities`}{data frame, one row per kept iteration, point
#'       and component: `iteration`, `point`, `component`, `r`. It is built
#'       from the compact array `resp` (n x K x kept iterations) when it is
#'       asked for.}
#'     \item{`data`}{the data as a numeric matrix.}
#'     \item{`final`}{the last iteration's `pi`, `mu` and `Sigma`, in the form
#'       they were given.}
#'     \item{`converged`, `n_iter`, `call`}{whether the tolerance was met,
#'       the number of iterations run, and the call.}
#'   }
#' @seealso [generate_data()] for the handout's data.
#' @examples
#' X <- generate_data(var1 = 3)
#' fit <- gmm_em(X, pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
#'               Sigma = list(diag(0.1, 2), diag(0.1, 2)))
#' fit
#' subset(fit$params, iteration %in% c(0, 1, 100))
#' tail(fit$loglik, 3)
#'
#' # stop early once the log-likelihood settles
#' gmm_em(X, pi = c(0.5, 0.5), mu = list(c(-2, 2), c(2, -2)),
#'        Sigma = list(diag(2), diag(2)), tol = 1e-10)$n_iter
#'
#' # real data, with a start chosen by k-means++ (best of 5)
#' gmm_em(faithful, k = 2, n_init = 5, seed = 1, tol = 1e-8)
#' @export
gmm_em <- function(data, pi = NULL, mu = NULL, Sigma = NULL, k = NULL,
                   init = c("kmeans++", "random"), n_init = 1L, seed = NULL, max_iter = 100L,
                   tol = NULL, reg_covar = 0, keep = "auto", threads = gmm_threads()) {
  call <- match.call()
  X <- as_data_matrix(data)
  n <- nrow(X)
  d <- ncol(X)
  max_iter <- as.integer(check_whole_number(max_iter, "max_iter", min = 0, max = .Machine$integer.max - 1))
  tol <- check_number(tol, "tol", min = 0, allow_null = TRUE)
  reg_covar <- check_number(reg_covar, "reg_covar", min = 0)
  threads <- check_threads(threads)

  starts <- resolve_start(X, pi, mu, Sigma, k, init = init, n_init = n_init, seed = seed,
                          init_given = !missing(init), reg_covar = reg_covar)
  K <- length(starts[[1L]]$pi)
  keep <- resolve_keep(keep, n, K, max_iter)
  tol_core <- if (is.null(tol)) -1 else tol

  # Several starts (only when gmm_em() chooses them): keep the fit with the
  # highest final log-likelihood; a start whose EM breaks down is passed over.
  best <- NULL
  best_start <- NULL
  failure <- NULL
  # without tol every iteration runs, so the last one's slot is known ahead
  keep_iter <- if (is.null(tol)) union(keep$iterations, max_iter) else keep$iterations
  for (start in starts) {
    res <- em_fit_cpp(X, start$pi, start$mu, start$Sigma, max_iter, tol_core, reg_covar,
                      keep_iter, threads)
    if (!is.null(res$error)) {
      failure <- res$error
      next
    }
    if (is.null(best) || res$loglik[res$n_iter + 1L] > best$loglik[best$n_iter + 1L]) {
      best <- res
      best_start <- start
    }
  }
  if (is.null(best)) abort_em(failure)
  if (best$decreases > 0 && reg_covar == 0) {
    warning(sprintf(paste0("The log-likelihood decreased at %d iteration(s), by up to %.3g: ",
                           "more than rounding explains. The fit may be numerically unreliable."),
                    best$decreases, best$largest_decrease), call. = FALSE)
  }
  fit <- new_gmm_em(best, X, best_start, call, tol = tol, reg_covar = reg_covar, keep_note = keep$note)
  fit$control$n_starts <- length(starts)
  fit$control$init <- attr(starts, "init")
  fit
}

# The starts, as a list of list(pi, mu = d x K matrix, Sigma = d x d x K array,
# form), with attribute "init" saying where they came from: the user's pi, mu
# and Sigma, checked and honoured exactly ("given"), or those gmm_start()
# chooses from k. The arguments of the chooser are an error with a given start
# rather than silently ignored.
resolve_start <- function(X, pi, mu, Sigma, k, init = "kmeans++", n_init = 1L, seed = NULL,
                          init_given = FALSE, reg_covar = 0) {
  given <- c(pi = !is.null(pi), mu = !is.null(mu), Sigma = !is.null(Sigma))
  if (any(given) && !all(given)) {
    abort_arg(names(given)[!given][1L], "is missing: give all of `pi`, `mu` and `Sigma`, or none of them and `k`.")
  }
  if (!any(given)) {
    if (is.null(k)) abort_arg("k", "is missing: give the number of components, or a start (`pi`, `mu`, `Sigma`).")
    init <- check_choice(init, c("kmeans++", "random"), "init")
    starts <- gmm_start(X, k, init = init, n_init = n_init, seed = seed, reg_covar = reg_covar)
    return(structure(starts, init = init))
  }
  chooser <- c(init = init_given, n_init = !identical(n_init, 1L) && !identical(n_init, 1),
               seed = !is.null(seed))
  if (any(chooser)) {
    abort_arg(names(chooser)[chooser][1L], "applies only when gmm_em() chooses its own start from `k`; ",
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
  start <- list(pi = pi, mu = check_mu(mu, K, d), Sigma = check_Sigma(Sigma, K, d),
                form = list(mu = if (is.list(mu)) "list" else "matrix",
                            Sigma = if (is.list(Sigma)) "list" else "array"))
  structure(list(start), init = "given")
}

# Which iterations' responsibilities to keep, within the memory budget.
figure_iterations <- c(0L, 1L, 5L, 10L, 25L, 40L)

resolve_keep <- function(keep, n, K, max_iter) {
  all_iter <- seq.int(0L, max_iter)
  if (is.character(keep)) {
    if (length(keep) != 1L || !keep %in% c("auto", "all", "last")) {
      abort_arg("keep", "must be \"auto\", \"all\", \"last\" or a vector of iteration numbers.")
    }
    if (keep == "all") return(list(iterations = all_iter, note = NULL))
    if (keep == "last") return(list(iterations = integer(), note = NULL))
    budget <- getOption("gmmem.keep_budget", 2^27)
    if (!is.numeric(budget) || length(budget) != 1L || is.na(budget) || budget < 0) {
      abort_arg("getOption(\"gmmem.keep_budget\")", "must be a single non-negative number of bytes.")
    }
    if (as.double(n) * K * (max_iter + 1) * 8 <= budget) return(list(iterations = all_iter, note = NULL))
    kept <- figure_iterations[figure_iterations <= max_iter]
    note <- sprintf(paste0("Responsibilities kept for iterations %s and the last only: all %d would take %s ",
                           "(over getOption(\"gmmem.keep_budget\")); use `keep = \"all\"` to keep them all."),
                    paste(kept, collapse = ", "), max_iter + 1L,
                    format(structure(as.double(n) * K * (max_iter + 1) * 8, class = "object_size"), units = "auto"))
    message(note)
    return(list(iterations = kept, note = note))
  }
  if (!is.numeric(keep) || anyNA(keep) || any(keep != round(keep)) || any(keep < 0) || any(keep > max_iter)) {
    abort_arg("keep", "must be \"auto\", \"all\", \"last\" or whole numbers from 0 to `max_iter` (", max_iter, ").")
  }
  list(iterations = sort(unique(as.integer(keep))), note = NULL)
}

# An EM step that could not go on, as a classed R error naming where it stopped.
abort_em <- function(err) {
  cond <- structure(
    class = c("gmmem_em_error", "error", "condition"),
    list(message = err$message, call = NULL, iteration = err$iteration, component = err$component)
  )
  stop(cond)
}

# Builds the gmm_em object from the core's arrays: tidy data frames for the
# parameters and log-likelihood, the compact responsibilities array, and the
# final state in the form the start was given.
new_gmm_em <- function(res, X, start, call, tol, reg_covar, keep_note) {
  d <- ncol(X)
  K <- nrow(res$pi)
  T <- res$n_iter
  # The core wrote the kept responsibilities into one array; only when tol
  # stopped the fit early are there unfilled slots to drop (a copy).
  resp <- res$resp
  if (!identical(res$resp_slot, seq_len(dim(resp)[3L]))) resp <- resp[, , res$resp_slot, drop = FALSE]
  fit <- list(
    params = params_frame(res$pi, res$mu, res$Sigma),
    loglik = data.frame(iteration = 0:T, loglik = res$loglik, change = c(NA, diff(res$loglik))),
    resp = resp,
    data = X,
    final = final_state(res$pi[, T + 1L], res$mu[, , T + 1L, drop = FALSE][, , 1L],
                        res$Sigma[, , , T + 1L, drop = FALSE], colnames(X), start$form),
    converged = res$converged,
    n_iter = T,
    call = call,
    control = list(tol = tol, reg_covar = reg_covar, keep_note = keep_note,
                   loglik_decreases = res$decreases),
    start = start[c("pi", "mu", "Sigma")]
  )
  class(fit) <- "gmm_em"
  fit
}

params_frame <- function(pi, mu, Sigma) {
  K <- nrow(pi)
  iterations <- ncol(pi)
  d <- dim(mu)[1L]
  out <- data.frame(iteration = rep(seq_len(iterations) - 1L, each = K),
                    component = rep(seq_len(K), iterations),
                    pi = as.vector(pi))
  for (j in seq_len(d)) out[[paste0("mu_", j)]] <- as.vector(mu[j, , ])
  for (j in seq_len(d)) {
    for (l in j:d) out[[paste0("sigma_", j, l)]] <- as.vector(Sigma[j, l, , ])
  }
  out
}

final_state <- function(pi, mu, Sigma, names, form) {
  d <- dim(Sigma)[1L]
  K <- length(pi)
  mu <- matrix(mu, d, K)
  Sigma <- array(Sigma, c(d, d, K), dimnames = list(names, names, NULL))
  list(
    pi = pi,
    mu = if (identical(form$mu, "matrix")) {
      structure(t(mu), dimnames = list(NULL, names))
    } else {
      lapply(seq_len(K), function(k) stats::setNames(mu[, k], names))
    },
    Sigma = if (identical(form$Sigma, "array")) Sigma else lapply(seq_len(K), function(k) Sigma[, , k, drop = FALSE][, , 1L])
  )
}

# The tidy responsibilities: one row per kept iteration, point and component,
# in that order (component varying fastest).
responsibilities_frame <- function(resp) {
  dims <- dim(resp)
  n <- dims[1L]
  K <- dims[2L]
  data.frame(iteration = rep(as.integer(dimnames(resp)[[3L]]), each = n * K),
             point = rep(rep(seq_len(n), each = K), dims[3L]),
             component = rep(seq_len(K), n * dims[3L]),
             r = as.vector(aperm(resp, c(2L, 1L, 3L))))
}

# pi (K), mu (d x K) and Sigma (d x d x K) at iteration t. The covariance
# columns follow mu_1..mu_d in the order (1,1), (1,2), ..., (1,d), (2,2), ...,
# which is read by position, not by name (names run together for d >= 10).
params_at <- function(fit, t) {
  params <- .subset2(fit, "params")
  d <- ncol(.subset2(fit, "data"))
  rows <- params[params$iteration == t, , drop = FALSE]
  rows <- rows[order(rows$component), , drop = FALSE]
  K <- nrow(rows)
  mu_cols <- match(paste0("mu_", seq_len(d)), names(rows))
  sigma_cols <- mu_cols[d] + seq_len(d * (d + 1L) / 2L)
  upper <- which(upper.tri(diag(d), diag = TRUE), arr.ind = TRUE)
  upper <- upper[order(upper[, "row"], upper[, "col"]), , drop = FALSE]
  Sigma <- array(0, c(d, d, K))
  for (k in seq_len(K)) {
    S <- matrix(0, d, d)
    S[upper] <- unlist(rows[k, sigma_cols], use.names = FALSE)
    S[upper[, 2:1, drop = FALSE]] <- unlist(rows[k, sigma_cols], use.names = FALSE)
    Sigma[, , k] <- S
  }
  list(pi = rows$pi, mu = unname(t(as.matrix(rows[mu_cols]))), Sigma = Sigma)
}
