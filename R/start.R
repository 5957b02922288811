# Choosing starts when the user gives only k.
# Returns a list of starts, each list(pi, mu = d x K matrix, Sigma = d x d x K
# array, form = list(mu = "list", Sigma = "list")).
gmm_start <- function(X, k, ...) {
  stop("`pi`, `mu` and `Sigma` are required: choosing a start from `k` is not implemented yet.", call. = FALSE)
}
