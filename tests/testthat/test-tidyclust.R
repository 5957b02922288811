# The tidyclust engine "gmmem" for gm_clust(), against tidyclust's own "mclust" engine on iris.
# tidyclust is not installed by `make deps` (nor in CI): `make tidyclust-test` runs this file.

skip_if_not_installed("tidyclust")
skip_if_not_installed("mclust")
suppressPackageStartupMessages(library(tidyclust))

iris4 <- iris[, 1:4]

# The 32 flag combinations, each with whether tidyclust's mclust engine warns that a FALSE flag
# has no effect; the 14 without such a flag are the distinct models.
flag_grid <- function() {
  grid <- expand.grid(circular = c(TRUE, FALSE), zero_covariance = c(TRUE, FALSE),
                      shared_orientation = c(TRUE, FALSE), shared_shape = c(TRUE, FALSE),
                      shared_size = c(TRUE, FALSE))
  redundant <- with(grid, (circular & !(zero_covariance & shared_orientation & shared_shape)) |
                      (!circular & zero_covariance & !shared_orientation))
  grid[!redundant, , drop = FALSE]
}

spec_for <- function(flags, engine, ...) {
  spec <- tidyclust::gm_clust(num_clusters = 3, circular = flags$circular, zero_covariance = flags$zero_covariance,
                              shared_orientation = flags$shared_orientation, shared_shape = flags$shared_shape,
                              shared_size = flags$shared_size)
  tidyclust::set_engine(spec, engine, ...)
}

# Components of an mclust fit in tidyclust's cluster order (first training row's first).
mclust_order <- function(m) unique(c(m$classification, seq_len(m$G)))

# mclust's Mclust(), hc() and me() call the function they dispatch to (mclustBIC(), hcVVV(),
# meVVE(), ...) from their caller's frame, which must see mclust's namespace.
mclust_do <- function(fun, ...) {
  eval(as.call(c(as.name(fun), list(...))), new.env(parent = asNamespace("mclust")))
}
mclust_fit <- function(...) mclust_do("Mclust", ..., verbose = FALSE)

# Responsibilities of a mixture by hand (log densities through a Cholesky factor).
responsibilities_by_hand <- function(X, w, mu, Sigma) {
  X <- as.matrix(X)
  logd <- vapply(seq_along(w), function(k) {
    L <- chol(Sigma[, , k])
    D <- backsolve(L, t(X) - mu[k, ], transpose = TRUE)
    log(w[k]) - sum(log(diag(L))) - 0.5 * ncol(X) * log(2 * base::pi) - 0.5 * colSums(D^2)
  }, numeric(nrow(X)))
  r <- exp(logd - apply(logd, 1, max))
  r / rowSums(r)
}

fits <- local({
  grid <- flag_grid()
  lapply(seq_len(nrow(grid)), function(i) {
    flags <- grid[i, ]
    list(flags = flags,
         gmmem = tidyclust::fit(spec_for(flags, "gmmem"), ~ ., data = iris4),
         mclust = tidyclust::fit(spec_for(flags, "mclust"), ~ ., data = iris4))
  })
})

test_that("loading tidyclust registers the engine once, and registering again changes nothing", {
  engines <- modelenv::get_from_env("gm_clust")
  expect_true("gmmem" %in% engines$engine)
  expect_false(gmmem:::register_tidyclust_engine())
  expect_identical(modelenv::get_from_env("gm_clust"), engines)
  expect_identical(sum(engines$engine == "gmmem"), 1L)
})

test_that("the 14 flag combinations are the 14 models, named as tidyclust's mclust engine names them", {
  expect_length(fits, 14L)
  gmmem_models <- vapply(fits, function(f) f$gmmem$fit$model, "")
  mclust_models <- vapply(fits, function(f) f$mclust$fit$modelName, "")
  expect_identical(gmmem_models, mclust_models)
  expect_setequal(gmmem_models, c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE",
                                  "EEV", "VEV", "EVV", "VVV"))
})

test_that("both engines cluster iris alike for every model but VVE (adjusted Rand index >= 0.9)", {
  for (f in fits) {
    a <- tidyclust::extract_cluster_assignment(f$gmmem)$.cluster
    b <- tidyclust::extract_cluster_assignment(f$mclust)$.cluster
    expect_length(a, 150L)
    expect_identical(levels(a), c("Cluster_1", "Cluster_2", "Cluster_3"))
    if (f$gmmem$fit$model == "VVE") next   # see the next test
    expect_gte(mclust::adjustedRandIndex(a, b), 0.9, label = paste("ARI for", f$gmmem$fit$model))
  }
})

test_that("for VVE mclust stops short of a maximum, and from gmmem's fit mclust's EM stays in its clusters", {
  f <- fits[[which(vapply(fits, function(f) f$gmmem$fit$model == "VVE", NA))]]
  m <- f$mclust$fit
  a <- tidyclust::extract_cluster_assignment(f$gmmem)$.cluster
  # mclust's VVE fit is below its own fit of VEE, a special case of VVE: not a maximum
  vee <- mclust_fit(iris4, G = 3, modelNames = "VEE")
  expect_lt(m$loglik, vee$loglik)
  # EM from mclust's VVE parameters climbs 20 or more and ends at the engine's fit
  p <- m$parameters
  g <- gmm_em(iris4, pi = p$pro, mu = t(p$mean), Sigma = p$variance$sigma, model = "VVE", tol = 1e-10,
              max_iter = 5000)
  expect_equal(g$loglik$loglik[1], m$loglik, tolerance = 1e-8)
  expect_gt(as.numeric(logLik(g)) - m$loglik, 20)
  expect_equal(as.numeric(logLik(g)), as.numeric(logLik(f$gmmem$fit)), tolerance = 1e-6)
  expect_equal(mclust::adjustedRandIndex(predict(g)$.cluster, a), 1)
  # mclust's own EM (me()) from the engine's responsibilities keeps the engine's clusters
  me <- mclust_do("me", iris4, modelName = "VVE", z = fitted(f$gmmem$fit))
  expect_gte(mclust::adjustedRandIndex(mclust::map(me$z), a), 0.9)
  expect_gt(me$loglik, m$loglik + 20)
})

test_that("extract_centroids() gives the fitted means, in the clusters' order", {
  for (f in fits) {
    fit <- f$gmmem$fit
    model <- fit$model
    cen <- tidyclust::extract_centroids(f$gmmem)
    expect_identical(names(cen), c(".cluster", names(iris4)))
    expect_identical(as.character(cen$.cluster), c("Cluster_1", "Cluster_2", "Cluster_3"))
    # The fitted means are the last M-step's: the means weighted by the responsibilities of the
    # previous iteration's parameters. Clusters are numbered by the first training row most
    # probably (under the final parameters) in each.
    prev <- as.character(fit$n_iter - 1L)
    r <- responsibilities_by_hand(iris4, fit$path$pi[prev, ], t(fit$path$mu[, , prev]), fit$path$Sigma[, , , prev])
    weighted_means <- crossprod(r, as.matrix(iris4)) / colSums(r)
    r_final <- responsibilities_by_hand(iris4, fit$final$pi, fit$final$mu, fit$final$Sigma)
    order <- unique(c(max.col(r_final, ties.method = "first"), 1:3))
    expect_equal(unname(as.matrix(cen[-1])), unname(weighted_means[order, ]), tolerance = 1e-10,
                 label = paste("centroids of", model))
    if (model == "VVE") next   # mclust's VVE is not a maximum (see above)
    # mclust's own maximum likelihood means for the model, to a tight tolerance, from mclust's start.
    ref <- mclust_fit(iris4, G = 3, modelNames = model,
                      control = mclust::emControl(tol = c(1e-10, sqrt(.Machine$double.eps)), itmax = c(1e5, 1e5)))
    expect_equal(as.numeric(logLik(fit)), ref$loglik, tolerance = 1e-6, label = paste("log-likelihood of", model))
    means <- t(ref$parameters$mean)[mclust_order(ref), , drop = FALSE]
    expect_equal(unname(as.matrix(cen[-1])), unname(means), tolerance = 1e-4, label = paste("centroids of", model))
  }
})

test_that("predict() matches new data by column name and agrees with the training assignment", {
  f <- fits[[which(vapply(fits, function(f) f$gmmem$fit$model == "VEV", NA))]]
  set.seed(13)
  new <- iris4 + matrix(stats::rnorm(600, sd = 0.05), 150)
  reordered <- new[, c(4, 2, 1, 3)]
  p <- predict(f$gmmem, reordered)
  expect_identical(names(p), ".pred_cluster")
  expect_identical(p$.pred_cluster, predict(f$gmmem, new)$.pred_cluster)
  expect_identical(levels(p$.pred_cluster), c("Cluster_1", "Cluster_2", "Cluster_3"))
  # mclust's predictions of the same rows from its own fit of the same model
  m <- predict(f$mclust$fit, newdata = new)$classification
  expect_gte(mclust::adjustedRandIndex(p$.pred_cluster, m), 0.9)
  # a training row is predicted into the cluster it was assigned to
  expect_identical(predict(f$gmmem, iris4[, 4:1])$.pred_cluster,
                   tidyclust::extract_cluster_assignment(f$gmmem)$.cluster)
  expect_identical(predict(f$gmmem, iris[1, ])$.pred_cluster, factor("Cluster_1", levels(p$.pred_cluster)))
})

test_that("cluster names follow prefix and labels as tidyclust's own extractors do", {
  f <- fits[[1]]
  a <- tidyclust::extract_cluster_assignment(f$gmmem, prefix = "C")$.cluster
  expect_identical(levels(a), c("C1", "C2", "C3"))
  cen <- tidyclust::extract_centroids(f$gmmem, labels = c("setosa", "x", "y"))
  expect_identical(as.character(cen$.cluster), c("setosa", "x", "y"))
  expect_error(tidyclust::extract_centroids(f$gmmem, labels = c("a", "a", "b")), "`labels` must not repeat")
  expect_identical(as.character(predict(f$gmmem, iris4[c(1, 150), ], prefix = "C")$.pred_cluster),
                   as.character(a[c(1, 150)]))
})

test_that("a FALSE flag that has no effect warns and fits the same model, as with mclust", {
  flags <- data.frame(circular = TRUE, zero_covariance = FALSE, shared_orientation = TRUE, shared_shape = TRUE,
                      shared_size = FALSE)
  expect_warning(g <- tidyclust::fit(spec_for(flags, "gmmem"), ~ ., data = iris4),
                 "`zero_covariance = FALSE` has no effect with `circular = TRUE`")
  expect_warning(m <- tidyclust::fit(spec_for(flags, "mclust"), ~ ., data = iris4), "no effect")
  expect_identical(g$fit$model, "VII")
  expect_identical(m$fit$modelName, "VII")
  flags <- data.frame(circular = FALSE, zero_covariance = TRUE, shared_orientation = FALSE, shared_shape = FALSE,
                      shared_size = TRUE)
  expect_warning(g <- tidyclust::fit(spec_for(flags, "gmmem"), ~ ., data = iris4),
                 "`shared_orientation = FALSE` has no effect with `zero_covariance = TRUE`")
  expect_identical(g$fit$model, "EVI")
})

test_that("invalid flags and arguments give clear errors", {
  base <- list(circular = TRUE, zero_covariance = TRUE, shared_orientation = TRUE, shared_shape = TRUE,
               shared_size = TRUE)
  bad <- modifyList(base, list(circular = "yes"))
  # tidyclust's own check of the specification, before any engine runs
  expect_error(tidyclust::fit(spec_for(bad, "gmmem"), ~ ., data = iris4), "circular .*TRUE or FALSE")
  bad <- modifyList(base, list(shared_size = NA))
  expect_error(tidyclust::fit(spec_for(bad, "gmmem"), ~ ., data = iris4), "`shared_size` must be TRUE or FALSE")
  spec <- tidyclust::set_engine(tidyclust::gm_clust(), "gmmem")
  expect_error(tidyclust::fit(spec, ~ ., data = iris4), "`num_clusters` must be given")
  spec <- tidyclust::set_engine(tidyclust::gm_clust(num_clusters = 3), "gmmem", k = 2)
  expect_error(tidyclust::fit(spec, ~ ., data = iris4), "`set_engine` must not set `k`")
  spec <- tidyclust::set_engine(tidyclust::gm_clust(num_clusters = 200), "gmmem")
  expect_error(tidyclust::fit(spec, ~ ., data = iris4), "`num_clusters` must be at most 150")
})

test_that("engine arguments reach gmm_em()", {
  spec <- tidyclust::set_engine(tidyclust::gm_clust(num_clusters = 3, circular = FALSE, zero_covariance = FALSE),
                                "gmmem", init = "kmeans++", n_init = 5, seed = 1)
  g <- tidyclust::fit(spec, ~ ., data = iris4)
  expect_identical(nrow(g$fit$starts), 5L)
  expect_identical(g$fit$model, "EEE")
  # gmmem's own hierarchical start finds a higher EEV maximum than mclust's start
  spec <- spec_for(data.frame(circular = FALSE, zero_covariance = FALSE, shared_orientation = FALSE,
                              shared_shape = TRUE, shared_size = TRUE), "gmmem", init = "hc")
  g <- tidyclust::fit(spec, ~ ., data = iris4)
  expect_identical(g$fit$model, "EEV")
  eev <- fits[[which(vapply(fits, function(f) f$gmmem$fit$model == "EEV", NA))]]
  expect_gt(as.numeric(logLik(g$fit)), as.numeric(logLik(eev$gmmem$fit)) + 10)
})

test_that("the default start is mclust's partition, the M-step from it the first iteration", {
  vvv <- fits[[which(vapply(fits, function(f) f$gmmem$fit$model == "VVV", NA))]]
  tree <- mclust_do("hc", iris4, modelName = "VVV", use = "SVD")
  z <- mclust::unmap(mclust::hclass(tree, 3))
  start <- mclust_do("mstep", iris4, modelName = "VVV", z = z)$parameters
  expect_equal(unname(vvv$gmmem$fit$path$mu[, , "0"]), unname(start$mean), tolerance = 1e-10)
  expect_equal(unname(vvv$gmmem$fit$path$pi["0", ]), unname(start$pro), tolerance = 1e-10)
  # tidyclust's fit() of the same specification twice: the same fit
  again <- tidyclust::fit(spec_for(vvv$flags, "gmmem"), ~ ., data = iris4)
  expect_identical(again$fit$final, vvv$gmmem$fit$final)
})
