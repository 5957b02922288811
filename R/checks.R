# Argument checks shared by the exported functions. Each names the argument it
# checks, so every error tells the user which input is wrong and how.

# The condition has class gmmem_arg_error, so that gmm_select() can record a
# fit that a check refuses and go on with the grid, while other errors stop it.
abort_arg <- function(arg, ...) {
  stop(structure(class = c("gmmem_arg_error", "error", "condition"),
                 list(message = sprintf("`%s` %s", arg, paste0(...)), call = NULL)))
}

check_whole_number <- function(x, arg, min = -Inf, max = Inf) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || !is.finite(x) || x != round(x)) {
    abort_arg(arg, "must be a single whole number.")
  }
  if (x < min) abort_arg(arg, "must be at least ", format(min), ".")
  if (x > max) abort_arg(arg, "must be at most ", format(max, scientific = FALSE), ".")
  as.double(x)
}

check_number <- function(x, arg, min = -Inf, allow_null = FALSE) {
  if (allow_null && is.null(x)) return(x)
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || !is.finite(x)) {
    abort_arg(arg, "must be a single finite number", if (allow_null) " or NULL", ".")
  }
  if (x < min) abort_arg(arg, "must be at least ", format(min), ".")
  x
}

check_numeric_vector <- function(x, arg, len = NULL) {
  if (!is.numeric(x) || is.matrix(x) && min(dim(x)) > 1L) abort_arg(arg, "must be a numeric vector.")
  if (!is.null(len) && length(x) != len) abort_arg(arg, "must have length ", len, ", not ", length(x), ".")
  if (length(x) == 0L) abort_arg(arg, "must not be empty.")
  if (anyNA(x) || any(!is.finite(x))) abort_arg(arg, "must not contain NA, NaN or infinite values.")
  as.vector(x)
}

# Case weights: NULL, or n non-negative finite numbers with a positive sum.
check_weights <- function(weights, n, arg = "weights") {
  if (is.null(weights)) return(NULL)
  if (!is.numeric(weights) || !is.null(dim(weights)) && length(dim(weights)) > 1L && min(dim(weights)) > 1L) {
    abort_arg(arg, "must be a numeric vector of case weights.")
  }
  if (length(weights) != n) abort_arg(arg, "must have one weight per row of `data` (", n, "), not ", length(weights), ".")
  if (!valid_weights(weights)) {
    abort_arg(arg, "must be non-negative finite numbers.")
  }
  if (!(sum(weights) > 0)) abort_arg(arg, "must not all be 0.")
  as.double(as.vector(weights))
}

# The rule every case weight follows, in memory or in a source's chunk.
valid_weights <- function(w) is.numeric(w) && !anyNA(w) && all(is.finite(w)) && all(w >= 0)

# The data as a numeric n x d matrix. A data frame from generate_data() keeps its
# true labels in `cluster`, which is not a dimension of the data. With
# `names_required` (the data a model is fitted to) the column names must be
# distinct and non-empty, or absent, because new data are matched to them.
as_data_matrix <- function(data, arg = "data", names_required = FALSE) {
  if (inherits(data, "gmm_data")) data <- data[setdiff(names(data), "cluster")]
  if (is.data.frame(data)) {
    numeric_cols <- vapply(data, function(col) is.numeric(col) && !is.object(col), logical(1))
    if (!all(numeric_cols)) {
      abort_arg(arg, "must have only numeric columns; ",
                paste0("`", names(data)[!numeric_cols], "`", collapse = ", "),
                if (sum(!numeric_cols) == 1L) " is not numeric." else " are not numeric.")
    }
    data <- as.matrix(data)
  } else if (is.numeric(data) && is.null(dim(data))) {
    data <- matrix(data, ncol = 1L)
  }
  if (!is.matrix(data) || !is.numeric(data)) {
    what <- if (is.matrix(data)) paste(typeof(data), "matrix") else class(data)[1L]
    abort_arg(arg, "must be a numeric matrix or a data frame of numeric columns, not ", what, ".")
  }
  if (nrow(data) == 0L) abort_arg(arg, "must have at least one row.")
  if (ncol(data) == 0L) abort_arg(arg, "must have at least one column.")
  # one pass over double data when all is well; the slower checks only say what is wrong
  finite <- is.double(data) && all_finite_cpp(data)
  if (!finite && anyNA(data)) {
    rows <- which(rowSums(is.na(data)) > 0L)
    abort_arg(arg, "has NA or NaN values in ", length(rows), " row", if (length(rows) > 1L) "s",
              " (", rows_list(rows), "). Drop them first, for example with na.omit().")
  }
  if (!finite && is.double(data)) {
    rows <- which(rowSums(!is.finite(data)) > 0L)
    abort_arg(arg, "has infinite values in ", length(rows), " row", if (length(rows) > 1L) "s",
              " (", rows_list(rows), ").")
  }
  # each change below copies the whole matrix when the caller still holds it:
  # only made when it changes something
  if (names_required && !is.null(colnames(data))) {
    names <- check_column_names(colnames(data), arg)
    if (!identical(names, colnames(data))) colnames(data) <- names
  }
  if (!is.double(data)) storage.mode(data) <- "double"
  data
}

rows_list <- function(rows) {
  shown <- utils::head(rows, 5L)
  paste0(if (length(rows) == 1L) "row " else "rows ", paste(shown, collapse = ", "),
         if (length(rows) > length(shown)) ", ...")
}

# Distinct names, or none. An empty name (as cbind(x, 2 * x) gives) becomes
# V<position>, as as.data.frame() names such a column.
check_column_names <- function(names, arg, unique = TRUE) {
  if (is.null(names)) return(names)
  empty <- is.na(names) | !nzchar(names)
  names[empty] <- paste0("V", which(empty))
  if (unique && anyDuplicated(names)) {
    dup <- unique(names[duplicated(names)])
    abort_arg(arg, "must have distinct column names; ", paste0("`", dup, "`", collapse = ", "),
              if (length(dup) == 1L) " appears" else " appear", " more than once.")
  }
  names
}

# `gmm_em(~ a + b, df)` or `gmm_em(~ a + b, data = df)`: the data frame with
# the columns the one-sided formula names (or computes, as log(a)).
formula_data <- function(data, pi) {
  formula <- if (inherits(data, "formula")) data else pi
  frame <- if (inherits(data, "formula")) pi else data
  if (length(formula) != 2L) {
    abort_arg("formula", "must be one-sided (`~ a + b`): a mixture models all the columns it names, ",
              "with no response.")
  }
  if (!is.data.frame(frame)) {
    abort_arg("data", "must be a data frame holding the columns the formula names, not ",
              if (is.null(frame)) "missing" else class(frame)[1L], ".")
  }
  out <- tryCatch(stats::model.frame(formula, frame, na.action = stats::na.pass),
                  error = function(e) abort_arg("formula", "cannot be evaluated in `data`: ", conditionMessage(e)))
  attr(out, "terms") <- NULL
  out
}

# Data whose spread leaves double precision's comfortable range cannot be
# fitted however EM is started: say so before any C++ runs. Variances below
# 1e-300 lose their digits in the M-step's sums; n times the variance must
# stay below 1e305 for those sums not to overflow.
check_data_scale <- function(X, arg = "data", summary = column_summary_cpp(X, FALSE, 1L, kernel_choice())) {
  spread <- summary$max - summary$min
  v <- summary$var
  bad <- spread > 0 & (!is.finite(v) | v < 1e-300 | v * nrow(X) > 1e305)
  if (any(bad)) {
    abort_arg(arg, "has ", column_label(X, which(bad)), " whose spread is too ",
              if (any(!is.finite(v[bad]) | v[bad] > 1)) "large" else "small",
              " for double precision (variance ", format(signif(v[bad][1L], 3)), "): ",
              "rescale the data, for example with scale().")
  }
  invisible(X)
}

# Data the model's covariances cannot describe whatever the start: a constant
# column (for diagonal and full covariances; all columns constant for
# spherical ones), or, for full covariances, columns that are exactly linear
# combinations of others. Only without reg_covar, which makes such fits
# well-posed.
check_data_rank <- function(X, structure = "full", arg = "data",
                            summary = column_summary_cpp(X, structure == "full", 1L, kernel_choice())) {
  n <- nrow(X)
  d <- ncol(X)
  if (n == 1L) return(invisible(X))
  constant <- which(summary$min == summary$max)
  if (structure == "spherical" && length(constant) < d) return(invisible(X))
  if (length(constant) > 0L) {
    abort_arg(arg, "has ", column_label(X, constant), " that ", if (length(constant) == 1L) "is" else "are",
              " constant, so no covariance of ", if (length(constant) == 1L) "it" else "them", " is positive definite: drop ",
              if (length(constant) == 1L) "it" else "them", ", or set `reg_covar` > 0.")
  }
  if (structure != "full") return(invisible(X))
  if (n <= d) {
    abort_arg(arg, "has ", n, " rows and ", d, " columns: full covariances need more rows than columns. ",
              "Set `reg_covar` > 0, or reduce the number of columns.")
  }
  R <- suppressWarnings(chol(stats::cov2cor(summary$gram), pivot = TRUE))
  rank <- attr(R, "rank")
  if (rank < d) {
    dependent <- sort(attr(R, "pivot")[(rank + 1L):d])
    abort_arg(arg, "has ", column_label(X, dependent), " that ", if (length(dependent) == 1L) "is" else "are",
              " exactly a linear combination of the other columns, so no covariance is positive ",
              "definite: drop ", if (length(dependent) == 1L) "it" else "them", ", or set `reg_covar` > 0.")
  }
  invisible(X)
}

column_label <- function(X, j) {
  names <- colnames(X)
  label <- if (is.null(names)) paste0("column ", j) else paste0("column `", names[j], "`")
  if (length(j) > 1L) {
    label <- if (is.null(names)) paste0("columns ", paste(j, collapse = ", ")) else
      paste0("columns ", paste0("`", names[j], "`", collapse = ", "))
  }
  label
}

# pi as a probability vector of length K. A zero weight is a component that
# has dropped out (as in fit$final after one did under reg_covar).
check_pi <- function(pi, K = NULL, arg = "pi") {
  pi <- check_numeric_vector(pi, arg, K)
  if (any(pi < 0)) abort_arg(arg, "must have only non-negative weights.")
  if (all(pi == 0)) abort_arg(arg, "must have at least one positive weight.")
  if (abs(sum(pi) - 1) > 1e-8) abort_arg(arg, "must sum to 1 (it sums to ", format(sum(pi), digits = 10), ").")
  pi
}

# mu as a d x K matrix, from a list of K mean vectors or a K x d matrix.
check_mu <- function(mu, K, d, arg = "mu") {
  if (is.list(mu) && !is.data.frame(mu)) {
    if (length(mu) != K) abort_arg(arg, "must have ", K, " means (one per weight in `pi`), not ", length(mu), ".")
    out <- matrix(NA_real_, d, K)
    for (k in seq_len(K)) {
      out[, k] <- check_numeric_vector(mu[[k]], sprintf("%s[[%d]]", arg, k), d)
    }
    return(out)
  }
  if (is.numeric(mu) && is.matrix(mu)) {
    if (!identical(dim(mu), c(as.integer(K), as.integer(d)))) {
      abort_arg(arg, "must be a K x d matrix (", K, " x ", d, "), not ", nrow(mu), " x ", ncol(mu), ".")
    }
    if (anyNA(mu) || any(!is.finite(mu))) abort_arg(arg, "must not contain NA, NaN or infinite values.")
    return(t(unname(mu)) + 0)
  }
  if (is.numeric(mu) && K == 1L) return(matrix(check_numeric_vector(mu, arg, d), d, 1L))
  abort_arg(arg, "must be a list of ", K, " mean vectors or a ", K, " x ", d, " matrix.")
}

# Sigma as a d x d x K array of symmetric positive definite matrices, from a
# list of K matrices, a d x d x K array or (K = 1) one matrix.
check_Sigma <- function(Sigma, K, d, arg = "Sigma") {
  if (is.list(Sigma) && !is.data.frame(Sigma)) {
    if (length(Sigma) != K) abort_arg(arg, "must have ", K, " covariance matrices (one per weight in `pi`), not ", length(Sigma), ".")
    mats <- Sigma
    names_k <- sprintf("%s[[%d]]", arg, seq_len(K))
  } else if (is.numeric(Sigma) && length(dim(Sigma)) == 3L) {
    if (!identical(dim(Sigma), as.integer(c(d, d, K)))) {
      abort_arg(arg, "must be a d x d x K array (", d, " x ", d, " x ", K, "), not ",
                paste(dim(Sigma), collapse = " x "), ".")
    }
    mats <- lapply(seq_len(K), function(k) Sigma[, , k, drop = TRUE])
    names_k <- sprintf("%s[, , %d]", arg, seq_len(K))
  } else if (is.numeric(Sigma) && K == 1L && (is.matrix(Sigma) || d == 1L && length(Sigma) == 1L)) {
    mats <- list(Sigma)
    names_k <- arg
  } else {
    abort_arg(arg, "must be a list of ", K, " covariance matrices or a d x d x K array.")
  }
  out <- array(NA_real_, c(d, d, K))
  for (k in seq_len(K)) {
    out[, , k] <- check_covariance(mats[[k]], d, names_k[k])
  }
  out
}

check_covariance <- function(S, d, arg) {
  if (d == 1L && is.numeric(S) && length(S) == 1L) S <- matrix(S, 1L, 1L)
  if (!is.numeric(S) || !is.matrix(S)) abort_arg(arg, "must be a numeric ", d, " x ", d, " matrix.")
  if (!identical(dim(S), c(as.integer(d), as.integer(d)))) {
    abort_arg(arg, "must be ", d, " x ", d, " (the data have ", d, " columns), not ", nrow(S), " x ", ncol(S), ".")
  }
  if (anyNA(S) || any(!is.finite(S))) abort_arg(arg, "must not contain NA, NaN or infinite values.")
  S <- unname(S) + 0
  if (max(abs(S - t(S))) > 1e-10 * max(abs(S))) abort_arg(arg, "must be symmetric.")
  if (!is_positive_definite_cpp(S)) {
    abort_arg(arg, "must be symmetric positive definite (each Cholesky pivot must be more than ",
              "rounding noise next to its own variable's variance).")
  }
  S
}

# Iteration numbers: whole numbers from 0 to n_iter, none repeated.
check_iteration_numbers <- function(iterations, n_iter, arg = "iterations") {
  if (!is.numeric(iterations) || length(iterations) == 0L || anyNA(iterations) || any(!is.finite(iterations)) ||
      any(iterations != round(iterations))) {
    abort_arg(arg, "must be whole numbers (iteration numbers from 0 to ", n_iter, ").")
  }
  if (any(iterations < 0)) abort_arg(arg, "must not be negative (iteration 0 is the start).")
  beyond <- iterations[iterations > n_iter]
  if (length(beyond) > 0L) {
    abort_arg(arg, "must be at most ", n_iter, ", the number of iterations the fit ran; ",
              paste(beyond, collapse = ", "), if (length(beyond) > 1L) " are" else " is", " beyond it.")
  }
  # as.vector(): on a matrix, anyDuplicated() compares rows, not values.
  if (anyDuplicated(as.vector(iterations))) abort_arg(arg, "must not repeat an iteration.")
  as.integer(iterations)
}

# One of `choices`; the whole default vector (as match.arg) means the first.
check_choice <- function(x, choices, arg) {
  if (identical(x, choices)) return(choices[1L])
  if (!is.character(x) || length(x) != 1L || is.na(x) || !x %in% choices) {
    abort_arg(arg, "must be one of ", paste0("\"", choices, "\"", collapse = ", "), ".")
  }
  x
}

# NULL (use R's RNG as it stands) or a whole number for set.seed().
check_seed <- function(seed, arg = "seed") {
  if (is.null(seed)) return(NULL)
  check_whole_number(seed, arg, min = -.Machine$integer.max, max = .Machine$integer.max)
  as.integer(seed)
}

check_threads <- function(threads, arg = "threads") {
  as.integer(check_whole_number(threads, arg, min = 1, max = 1024))
}

#' Default number of threads
#'
#' gmmem uses at most two threads unless told otherwise, as CRAN asks of
#' packages; set `options(gmmem.threads = n)` to change the default.
#'
#' @return A whole number: `getOption("gmmem.threads")`, or the smaller of 2 and
#'   the number of cores.
#' @examples
#' gmm_threads()
#' @export
gmm_threads <- function() {
  opt <- getOption("gmmem.threads")
  if (!is.null(opt)) return(check_threads(opt, "getOption(\"gmmem.threads\")"))
  if (is.null(cache$cores)) {
    # detectCores() starts a shell on Linux, about 10 ms: ask once per session
    cores <- parallel::detectCores(logical = TRUE)
    cache$cores <- if (is.na(cores)) 1L else as.integer(cores)
  }
  min(2L, cache$cores)
}

cache <- new.env(parent = emptyenv())
