# Argument checks shared by the exported functions. Each names the argument it
# checks, so every error tells the user which input is wrong and how.

abort_arg <- function(arg, ...) {
  stop(sprintf("`%s` %s", arg, paste0(...)), call. = FALSE)
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

# The data as a numeric n x d matrix. A data frame from generate_data() keeps its
# true labels in `cluster`, which is not a dimension of the data.
as_data_matrix <- function(data, arg = "data") {
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
    abort_arg(arg, "must be a numeric matrix or a data frame of numeric columns, not ",
              class(data)[1L], ".")
  }
  if (nrow(data) == 0L) abort_arg(arg, "must have at least one row.")
  if (ncol(data) == 0L) abort_arg(arg, "must have at least one column.")
  if (anyNA(data)) abort_arg(arg, "must not contain NA or NaN values (found ", sum(is.na(data)), ").")
  if (any(!is.finite(data))) abort_arg(arg, "must not contain infinite values.")
  storage.mode(data) <- "double"
  data
}

# pi as a probability vector of length K.
check_pi <- function(pi, K = NULL, arg = "pi") {
  pi <- check_numeric_vector(pi, arg, K)
  if (any(pi <= 0)) abort_arg(arg, "must have only positive weights.")
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
  if (!is_numerically_pd(S)) {
    abort_arg(arg, "must be symmetric positive definite (its smallest Cholesky pivot must not be ",
              "rounding noise next to its largest variance).")
  }
  S
}

# The core's test (component.h): a Cholesky factor exists and every squared
# pivot exceeds d * eps * the largest variance.
is_numerically_pd <- function(S) {
  if (any(diag(S) <= 0)) return(FALSE)
  R <- tryCatch(chol(S), error = function(e) NULL)
  !is.null(R) && min(diag(R))^2 > nrow(S) * .Machine$double.eps * max(diag(S))
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
