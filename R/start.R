# Choosing a start when the user gives only k (issue: starts and model methods).
gmm_start <- function(X, k, ...) {
  stop("`pi`, `mu` and `Sigma` are required: choosing a start from `k` is not implemented yet.", call. = FALSE)
}
