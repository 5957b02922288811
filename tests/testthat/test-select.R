# Tests for the hierarchical start and model selection over K x covariance model.

all_models <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV")

# Ward's tree on columns centred and divided by their standard deviations
# (divisor n), cut at k: written here with stats alone.
ward_labels <- function(X, k) {
  X <- as.matrix(X)
  s <- sqrt(colMeans(sweep(X, 2L, colMeans(X))^2))
  unname(stats::cutree(stats::hclust(stats::dist(scale(X, center = TRUE, scale = s)), "ward.D2"), k))
}

# Mclust() finds its own helpers only when mclust is attached: attached for
# the call, detached again if it was not before.
with_mclust <- function(code) {
  if (!"package:mclust" %in% search()) {
    suppressPackageStartupMessages(attachNamespace("mclust"))
    on.exit(detach("package:mclust"), add = TRUE)
  }
  code
}

# Same partition up to the numbering of its clusters.
same_partition <- function(a, b) {
  tab <- table(a, b)
  all(rowSums(tab > 0) == 1L) && all(colSums(tab > 0) == 1L)
}

# mclust's E-step at a fit's final parameters (written as VVV, which takes any
# covariances): its log-likelihood and responsibilities.
mclust_estep <- function(X, fit) {
  K <- length(fit$final$pi)
  d <- ncol(X)
  S <- array(fit$final$Sigma, c(d, d, K))
  chols <- array(vapply(seq_len(K), function(k) chol(S[, , k]), matrix(0, d, d)), c(d, d, K))
  mclust::estepVVV(X, parameters = list(pro = fit$final$pi, mean = t(fit$final$mu),
                variance = list(modelName = "VVV", d = d, G = K, sigma = S, cholsigma = chols)))
}

test_that("init = \"hc\" starts from Ward's partition of the standardised data, deterministically", {
  X <- as.matrix(faithful)
  fit <- gmm_em(faithful, k = 3, init = "hc", model = "EEE", tol = 1e-8, max_iter = 1000)
  direct <- gmm_em(faithful, z = ward_labels(X, 3), model = "EEE", tol = 1e-8, max_iter = 1000)
  expect_equal(fit$path$mu[, , "0"], direct$path$mu[, , "0"], tolerance = 1e-12)
  expect_equal(fit$final, direct$final, tolerance = 1e-12)
  expect_identical(fit$control$init, "hc")
  # no random numbers drawn: the RNG state is untouched
  set.seed(3)
  before <- .Random.seed
  gmm_em(faithful, k = 2, init = "hc")
  expect_identical(.Random.seed, before)
  expect_error(gmm_em(faithful, k = 2, init = "hc", n_init = 3), "`n_init` must be 1")
  expect_error(gmm_em(faithful, k = 2, init = "hc", seed = 1), "`seed` applies only")
  expect_error(gmm_em(faithful, k = 2, init = "ward"), "`init` must be one of")
  # a cluster of one point cannot give a full covariance: refused, naming init
  expect_error(gmm_em(rbind(X[1:20, ], c(30, 300)), k = 2, init = "hc"), "`init = \"hc\"`.*singular")
})

test_that("above 2000 rows the hierarchical start recovers separated clusters from a subset", {
  centres <- rbind(c(0, 0), c(8, 0), c(0, 8))
  truth <- rep(1:3, c(1500, 700, 300))
  # deterministic points on a grid around each centre, no RNG
  offsets <- cbind(cos(seq_along(truth) * 2.3), sin(seq_along(truth) * 1.7)) * rep(seq(0.1, 1.5, length.out = 50), length.out = 2500)
  X <- centres[truth, ] + offsets
  colnames(X) <- c("a", "b")
  hc <- gmmem:::hc_tree(X)
  expect_length(hc$rows, 2000L)
  z <- gmmem:::hc_partition(hc, 3)
  expect_true(same_partition(z, truth))
  expect_identical(gmmem:::hc_partition(gmmem:::hc_tree(X), 3), z)
  # on the subset, the labels are Ward's cut of the subset itself
  expect_true(same_partition(z[hc$rows], ward_labels(X[hc$rows, ], 3)))
})

test_that("every row equals a direct gmm_em() fit from the stored partition, and df, BIC, ICL equal mclust's", {
  skip_if_not_installed("mclust")
  X <- as.matrix(faithful)
  n <- nrow(X)
  sel <- gmm_select(faithful, k = 1:3)
  expect_s3_class(sel, c("gmm_select", "data.frame"))
  expect_named(sel, c("k", "model", "loglik", "df", "BIC", "ICL", "converged", "iterations", "error"))
  expect_identical(sel$k, rep(1:3, each = 14L))
  expect_identical(sel$model, rep(all_models, 3L))
  expect_true(all(is.na(sel$error)))
  for (k in 1:3) expect_true(same_partition(attr(sel, "z")[[as.character(k)]], ward_labels(X, k)))
  for (i in seq_len(nrow(sel))) {
    r <- sel[i, ]
    fit <- gmm_em(faithful, z = attr(sel, "z")[[as.character(r$k)]], model = r$model, tol = 1e-8,
                  max_iter = 1000, keep = "last")
    expect_equal(r$loglik, as.numeric(logLik(fit)), tolerance = 1e-12)
    expect_identical(r$iterations, fit$n_iter)
    expect_identical(r$df, as.integer(mclust::nMclustParams(r$model, d = 2, G = r$k)))
    es <- mclust_estep(X, fit)
    expect_equal(r$loglik, es$loglik, tolerance = 1e-10)
    bic_m <- mclust::bic(r$model, es$loglik, n = n, d = 2, G = r$k)
    expect_equal(r$BIC, -bic_m, tolerance = 1e-10)
    # mclust's ICL: its BIC plus twice the log of each point's largest responsibility
    expect_equal(r$ICL, -(bic_m + 2 * sum(log(apply(es$z, 1L, max)))), tolerance = 1e-10)
  }
})

test_that("ICL equals mclust::icl() when both fits run to the same optimum", {
  skip_if_not_installed("mclust")
  sel <- gmm_select(faithful, k = 2:3, model = c("EEE", "VVV"), tol = 1e-13, max_iter = 1e5)
  ctrl <- mclust::emControl(tol = c(1e-13, 1e-13), itmax = c(1e5, 1e5))
  for (case in list(c(3, "EEE"), c(2, "VVV"))) {
    m <- with_mclust(mclust::Mclust(faithful, G = as.integer(case[1]), modelNames = case[2], control = ctrl,
                                    verbose = FALSE))
    r <- sel[sel$k == as.integer(case[1]) & sel$model == case[2], ]
    expect_equal(r$BIC, -m$bic, tolerance = 1e-9)
    expect_equal(r$ICL, -mclust::icl(m), tolerance = 1e-8)
  }
})

test_that("failed fits are recorded with their message, not raised", {
  tiny <- faithful[1:8, ]
  sel <- gmm_select(tiny, k = 1:4, model = c("EII", "VVV"))
  expect_identical(nrow(sel), 8L)
  failed <- !is.na(sel$error)
  expect_true(any(failed))
  expect_true(all(is.na(sel$BIC[failed])) && all(is.na(sel$loglik[failed])))
  expect_true(all(!is.na(sel$BIC[!failed])))
  # VVV with 4 components on 8 rows cannot have a covariance per component
  expect_match(sel$error[sel$k == 4 & sel$model == "VVV"], "singular")
  expect_output(print(sel), "failed")
})

test_that("print() says which K and how many models a table (or a subset of it) covers", {
  sel <- gmm_select(faithful, k = 1:3, model = c("EII", "VII", "VVV"))
  expect_output(print(sel), "9 fits over K = 1:3 and 3 covariance models (n = 272, d = 2)", fixed = TRUE)
  expect_output(print(sel[sel$k != 2, ]), "6 fits over K = 1, 3 and 3 covariance models", fixed = TRUE)
  expect_output(print(sel[sel$model == "VVV", ]), "3 fits over K = 1:3 and 1 covariance model (", fixed = TRUE)
})

test_that("the best BIC on faithful and iris is at least as good as Mclust's", {
  skip_if_not_installed("mclust")
  skip_on_cran()
  for (D in list(faithful, iris[1:4])) {
    sel <- gmm_select(D, k = 1:9)
    m <- with_mclust(mclust::Mclust(D, G = 1:9, verbose = FALSE))
    ours <- min(sel$BIC, na.rm = TRUE)
    theirs <- -max(m$BIC, na.rm = TRUE)
    expect_lte(ours, theirs + 1e-6 * abs(theirs))
    best <- gmm_best(sel)
    expect_identical(c(best$model, as.character(ncol(best$path$pi))), c(m$modelName, as.character(m$G)))
  }
})

test_that("gmm_best() refits the chosen row exactly, keeping the whole path", {
  skip_if_not_installed("mclust")
  sel <- gmm_select(iris[1:4], k = 1:3, model = c("VEV", "VVV", "EEE"))
  for (criterion in c("BIC", "ICL")) {
    best <- gmm_best(sel, criterion)
    r <- sel[which.min(sel[[criterion]]), ]
    expect_identical(best$model, r$model)
    expect_identical(ncol(best$path$pi), r$k)
    expect_identical(as.numeric(logLik(best)), r$loglik)
    expect_identical(BIC(best), r$BIC)
    expect_identical(best$n_iter, r$iterations)
    es <- mclust_estep(as.matrix(iris[1:4]), best)
    expect_equal(r$ICL, BIC(best) - 2 * sum(log(apply(es$z, 1L, max))), tolerance = 1e-10)
    expect_identical(gmmem:::kept_iterations(best), 0:best$n_iter)
    expect_output(print(summary(best)), "Call: gmm_best(sel = sel, criterion = criterion)", fixed = TRUE)
  }
  # a subset of the rows keeps the data and partitions: the best of those rows
  eee <- gmm_best(sel[sel$model == "EEE", ])
  expect_identical(BIC(eee), min(sel$BIC[sel$model == "EEE"]))
  bare <- sel
  attr(bare, "z") <- NULL
  expect_error(gmm_best(bare), "`sel` must be the result of gmm_select")
  expect_error(gmm_best(faithful), "`sel` must be")
  expect_error(gmm_best(sel, "AIC"), "`criterion` must be one of")
})

test_that("init = \"kmeans++\" partitions are reproducible by seed and leave the RNG alone", {
  set.seed(11)
  before <- .Random.seed
  a <- gmm_select(faithful, k = 2:3, model = c("EII", "VVV"), init = "kmeans++", seed = 5)
  expect_identical(.Random.seed, before)
  b <- gmm_select(faithful, k = 2:3, model = c("EII", "VVV"), init = "kmeans++", seed = 5)
  expect_identical(as.data.frame(a), as.data.frame(b))
  expect_identical(attr(a, "control")$init, "kmeans++")
})

test_that("one-dimensional data fit E and V once each", {
  sel <- gmm_select(faithful$waiting, k = 1:3)
  expect_identical(sel$model, rep(c("E", "V"), 3L))
  expect_identical(sel$df, as.integer(c(2, 2, 4, 5, 6, 8)))
})

test_that("arguments are checked by name", {
  expect_error(gmm_select(faithful, k = 0), "`k` must be at least 1")
  expect_error(gmm_select(faithful, k = c(1, 1)), "`k` must not repeat")
  expect_error(gmm_select(faithful, k = 300), "`k` must not exceed")
  expect_error(gmm_select(faithful, model = "XYZ"), "`model` must be one of")
  expect_error(gmm_select(faithful, init = "ward"), "`init` must be one of")
  expect_error(gmm_select(faithful, seed = 1), "`seed` applies only")
  expect_error(gmm_select(faithful, tol = -1), "`tol` must be at least 0")
  expect_error(gmm_select(iris), "`data` must have only numeric columns")
})

test_that("autoplot() draws one line per model through the table's values", {
  skip_if_not_installed("mclust")
  sel <- gmm_select(faithful[1:40, ], k = 1:4)
  p <- autoplot(sel)
  expect_identical(p$labels$y, "BIC (smaller is better)")
  built <- ggplot2::ggplot_build(p)
  lines <- built$data[[1L]]
  points <- built$data[[2L]]
  ok <- !is.na(sel$BIC)
  expect_identical(length(unique(lines$group)), length(unique(sel$model)))
  expect_identical(nrow(points), sum(ok))
  got <- points[order(points$group, points$x), c("x", "y")]
  want <- sel[ok, ][order(match(sel$model[ok], unique(sel$model)), sel$k[ok]), ]
  expect_equal(got$x, as.numeric(want$k))
  expect_equal(got$y, want$BIC)
  # mclust's symbols, and its colours for the non-spherical models
  models <- unique(sel$model)
  symbols <- mclust::mclust.options("bicPlotSymbols")
  colours <- mclust::mclust.options("bicPlotColors")
  by_group <- points[!duplicated(points$group), ]
  expect_equal(by_group$shape[order(by_group$group)], unname(symbols[models]))
  ellipsoidal <- !models %in% c("EII", "VII")
  expect_equal(grDevices::col2rgb(by_group$colour[order(by_group$group)][ellipsoidal]),
               grDevices::col2rgb(colours[models][ellipsoidal]), ignore_attr = TRUE)
  expect_identical(autoplot(sel, "ICL")$labels$y, "ICL (smaller is better)")
})
