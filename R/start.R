# Choosing EM starts from k alone (k-means++ or random centres, or a
# hierarchical partition), and the RNG bookkeeping that lets a `seed` argument
# leave the user's RNG state as it was.

# The starts gmm_em() runs when it is given only `k`: a list of `n_init`
# starts, each list(pi, mu = d x K matrix, Sigma = d x d x K array), with
# attribute "init" naming the method.
#
# Each start picks K data points as centres ("kmeans++": the first uniformly,
# each next one with probability proportional to its squared distance to the
# nearest centre already chosen; "random": K distinct rows uniformly), with
# distances measured on columns divided by their standard deviation so that
# the units of a column do not decide the start. Every point then goes to its
# nearest centre, and
#   pi_k    = share of the points nearest centre k (a centre with none counts one),
#   mu_k    = the centre itself,
#   Sigma_k = covariance (divisor n_k) of the points nearest centre k, plus a
#             ridge of 1e-6 times the data's variances; when that cell has no
#             more than d points or is flat in some direction (for instance
#             duplicated points), the diagonal of the data's variances.
# `reg_covar` is added to the diagonal of every Sigma_k, as the M-step does.
#
# "hc" is deterministic: one start, the model's M-step from hc_partition().
gmm_start <- function(X, k, init = "kmeans++", n_init = 1L, seed = NULL, reg_covar = 0, model = "VVV") {
  n <- nrow(X)
  k <- check_whole_number(k, "k", min = 1)
  if (k > n) abort_arg("k", "is ", k, " but `data` has only ", n, " rows (K must not exceed n).")
  init <- check_choice(init, c("kmeans++", "random", "hc"), "init")
  n_init <- check_whole_number(n_init, "n_init", min = 1, max = 1e4)
  seed <- check_seed(seed)
  if (init == "hc") {
    check_deterministic_init(n_init, seed)
    return(hc_start(X, hc_partition(hc_tree(X), k), model, reg_covar))
  }

  v <- data_variances(X)
  # the standardised data, one column per point, for distances
  points <- t(X) / sqrt(v)
  centres <- with_seed(seed, lapply(seq_len(n_init), function(i) {
    if (init == "kmeans++") kmeanspp_centres(points, k) else sample.int(n, k)
  }))
  structure(lapply(centres, function(idx) start_from_centres(idx, X, points, v, reg_covar)), init = init)
}

# Variances of the columns (divisor n). A constant column (or a single row)
# gets 1: it adds nothing to any distance, and any positive scale keeps the
# fallback covariance positive definite (EM itself will need reg_covar).
# No other floor, so that rescaling a column rescales the start with it.
data_variances <- function(X) {
  v <- colMeans((X - rep(colMeans(X), each = nrow(X)))^2)
  v[!(v > 0)] <- 1
  v
}

# Row indices of k centres by k-means++ seeding (Arthur and Vassilvitskii,
# 2007). One weighted draw needs no sampling without replacement, and
# replace = TRUE keeps it linear in n (no sort of the weights) for large n.
kmeanspp_centres <- function(points, k) {
  n <- ncol(points)
  idx <- integer(k)
  idx[1L] <- sample.int(n, 1L)
  d2 <- squared_distances(points, idx[1L])
  for (j in seq_len(k)[-1L]) {
    if (sum(d2) > 0) {
      idx[j] <- sample.int(n, 1L, replace = TRUE, prob = d2)
    } else {
      # every point sits on a centre already (fewer distinct points than k)
      rest <- setdiff(seq_len(n), idx[seq_len(j - 1L)])
      idx[j] <- rest[sample.int(length(rest), 1L)]
    }
    d2 <- pmin(d2, squared_distances(points, idx[j]))
  }
  idx
}

# Squared distances of all points (columns of `points`) to point i.
squared_distances <- function(points, i) {
  colSums((points - points[, i])^2)
}

start_from_centres <- function(idx, X, points, v, reg_covar) {
  n <- nrow(X)
  d <- ncol(X)
  K <- length(idx)
  dist <- vapply(idx, function(i) squared_distances(points, i), numeric(n))
  nearest <- max.col(-matrix(dist, n, K), ties.method = "first")
  counts <- tabulate(nearest, K)
  pi <- pmax(counts, 1)
  pi <- pi / sum(pi)
  mu <- t(X[idx, , drop = FALSE])
  dimnames(mu) <- NULL
  Sigma <- array(0, c(d, d, K))
  for (k in seq_len(K)) {
    Sigma[, , k] <- cell_covariance(X[nearest == k, , drop = FALSE], v) + diag(reg_covar, d)
  }
  list(pi = pi, mu = mu, Sigma = Sigma)
}

# Covariance of one cell, or diag(v) when the cell cannot give a positive
# definite one: relative to the data's spread (v) its smallest variance must
# be at least 1e-6.
cell_covariance <- function(Xk, v) {
  d <- ncol(Xk)
  fallback <- diag(v, d)
  if (nrow(Xk) <= d) return(fallback)
  centred <- Xk - rep(colMeans(Xk), each = nrow(Xk))
  S <- crossprod(centred) / nrow(Xk)
  if (!all(is.finite(S))) return(fallback)
  # D^{-1/2} S D^{-1/2} one factor at a time: outer(v, v) itself would
  # overflow or underflow for data far from unit scale
  sv <- sqrt(v)
  scaled <- S / sv / rep(sv, each = d)
  smallest <- min(eigen(scaled, symmetric = TRUE, only.values = TRUE)$values)
  if (!is.finite(smallest) || smallest < 1e-6) return(fallback)
  S <- (S + t(S)) / 2 + diag(1e-6 * v, d)
  dimnames(S) <- NULL
  S
}

# Evaluates `code` after set.seed(seed) and puts the user's RNG state back
# afterwards (removing .Random.seed again if there was none); with
# seed = NULL, evaluates it with R's RNG as it stands, so set.seed() before
# the call reproduces the result.
with_seed <- function(seed, code) {
  if (is.null(seed)) return(code)
  env <- globalenv()
  had_seed <- exists(".Random.seed", envir = env, inherits = FALSE)
  if (had_seed) old_seed <- get(".Random.seed", envir = env, inherits = FALSE)
  on.exit({
    if (had_seed) {
      assign(".Random.seed", old_seed, envir = env)
    } else if (exists(".Random.seed", envir = env, inherits = FALSE)) {
      rm(".Random.seed", envir = env)
    }
  })
  set.seed(seed)
  code
}

# A deterministic start has nothing to repeat and nothing to seed: n_init > 1
# or a seed would only suggest otherwise, so both are refused.
check_deterministic_init <- function(n_init, seed) {
  if (n_init > 1) {
    abort_arg("n_init", "must be 1 with `init = \"hc\"`: the hierarchical start is deterministic, ",
              "so every start would be the same.")
  }
  if (!is.null(seed)) {
    abort_arg("seed", "applies only to the random starts (`init = \"kmeans++\"` or \"random\"); ",
              "the hierarchical start (`init = \"hc\"`) draws no random numbers.")
  }
}

# The partition as a start: the model's M-step from it, as for `z`.
hc_start <- function(X, labels, model, reg_covar) {
  start <- start_from_z(X, labels, model, reg_covar, given = logical(), arg = "init",
                        what = "the hierarchical start (`init = \"hc\"`)")
  structure(start, init = "hc")
}

# Hierarchical agglomeration by Ward's criterion: each merge joins the two
# clusters whose union raises the within-cluster sum of squares least, which
# is the merge that costs the EII mixture (equal spherical covariances) the
# least classification likelihood, mclust's hcEII. It runs on the standardised
# data (columns centred and divided by their standard deviations) so that the
# units of a column do not decide the tree.
#
# Above `max_rows` rows the tree is grown on `max_rows` of them, taken evenly
# spaced after ordering the rows by their columns (first column first), so
# the subset spans the data without random numbers; hc_partition() puts the
# other rows with the nearest cluster mean. Returns list(tree, rows, Z).
hc_tree <- function(X, max_rows = 2000L) {
  n <- nrow(X)
  Z <- (X - rep(colMeans(X), each = n)) / rep(sqrt(data_variances(X)), each = n)
  rows <- if (n > max_rows) {
    ordered <- do.call(order, unname(as.data.frame(Z)))
    sort(ordered[unique(round(seq(1, n, length.out = max_rows)))])
  } else {
    seq_len(n)
  }
  tree <- if (length(rows) > 1L) stats::hclust(stats::dist(Z[rows, , drop = FALSE]), method = "ward.D2")
  list(tree = tree, rows = rows, Z = Z)
}

# The tree cut at k clusters, as labels 1..k for every row of the data.
hc_partition <- function(hc, k) {
  n <- nrow(hc$Z)
  m <- length(hc$rows)
  if (k > m) {
    abort_arg("k", "is ", k, " but the hierarchical start clusters ", m, " rows (`init = \"hc\"` grows its ",
              "tree on at most 2000 rows); use fewer components or `init = \"kmeans++\"`.")
  }
  sub <- if (k == 1L || m == 1L) rep(1L, m) else as.integer(stats::cutree(hc$tree, k = k))
  if (m == n) return(sub)
  # every other row joins the cluster whose mean (on the subset) is nearest
  Zs <- hc$Z[hc$rows, , drop = FALSE]
  centres <- rowsum(Zs, sub) / tabulate(sub, k)
  dist <- vapply(seq_len(k), function(j) colSums((t(hc$Z) - centres[j, ])^2), numeric(n))
  labels <- max.col(-matrix(dist, n, k), ties.method = "first")
  labels[hc$rows] <- sub
  labels
}

# The partition a start from k makes: the hierarchical one, or each point's
# nearest centre among those k-means++ (or "random") picks, for gmm_select(),
# which moves every model into it by that model's M-step.
start_partition <- function(X, k, init, seed = NULL, hc = NULL) {
  if (init == "hc") return(hc_partition(hc, k))
  v <- data_variances(X)
  points <- t(X) / sqrt(v)
  idx <- with_seed(seed, if (init == "kmeans++") kmeanspp_centres(points, k) else sample.int(nrow(X), k))
  dist <- vapply(idx, function(i) squared_distances(points, i), numeric(nrow(X)))
  # a centre that no point is nearest (duplicated points) stays an empty level,
  # which the M-step refuses, rather than a silently smaller K
  factor(max.col(-matrix(dist, nrow(X), k), ties.method = "first"), levels = seq_len(k))
}
