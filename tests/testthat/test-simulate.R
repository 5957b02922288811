# gmm_simulate() and simulate(): numpy's draws bit for bit (fixture made by
# data-raw/make_simulate_fixtures.py), R's draws redone here by hand.

numpy_simulate <- function() read.csv(fixture_path("numpy_simulate.csv"), stringsAsFactors = FALSE)

numpy_case <- function(ref, case) {
  rows <- ref[ref$case == case, ]
  d <- sum(colSums(!is.na(rows[paste0("x", 1:5)])) > 0)
  list(x = unname(as.matrix(rows[paste0("x", seq_len(d))])), component = rows$component,
       seed = rows$seed[1], n = rows$n[1])
}

# One component each: np.random.multivariate_normal(mean, np.diag(variances), n).
single_cases <- list(
  v13 = list(mean = c(0, 0), var = c(1, 3)),
  v31 = list(mean = c(0, 0), var = c(3, 1)),
  v225 = list(mean = c(1, -1, 0.5), var = c(2, 2, 5)),
  v522 = list(mean = c(1, -1, 0.5), var = c(5, 2, 2)),
  v252 = list(mean = c(0, 10, -3), var = c(2, 5, 2)),
  v7.3 = list(mean = c(0, 0, 0), var = c(7.3, 0.1, 7.3)),
  v5mix = list(mean = 1:5, var = c(0.5, 0.25, 4, 4, 0.1)),
  v1d = list(mean = 2.5, var = 0.7),
  v2eq = list(mean = c(-2, 2), var = c(3, 3))
)

test_that("rng = \"numpy\" reproduces numpy's multivariate_normal for diagonal covariances", {
  ref <- numpy_simulate()
  for (case in names(single_cases)) {
    cs <- single_cases[[case]]
    expected <- numpy_case(ref, case)
    d <- length(cs$mean)
    got <- gmm_simulate(expected$n, 1, list(as.numeric(cs$mean)), list(diag(cs$var, d)),
                        rng = "numpy", seed = expected$seed)
    expect_identical(unname(as.matrix(got[seq_len(d)])), expected$x, label = case)
  }
})

# Which coordinate each standard normal of a row feeds in draw_numpy_blocks_cpp(),
# read off one draw: x[col] = z[p] * sqrt(v[col]) where z are the same stream's
# normals drawn with unit variances.
numpy_svd_order <- function(v) {
  d <- length(v)
  z <- draw_numpy_blocks_cpp(1L, matrix(0, d, 1), matrix(1, d, 1), 7)
  x <- draw_numpy_blocks_cpp(1L, matrix(0, d, 1), matrix(v, d, 1), 7)
  vapply(seq_len(d), function(p) which(x == z[p] * sqrt(v)), integer(1))
}

test_that("the SVD order follows numpy's, ties included", {
  # which coordinate each standard normal feeds, read off numpy's
  # np.linalg.svd(np.diag(v)) (printed by data-raw/make_simulate_fixtures.py)
  expect_identical(numpy_svd_order(c(1, 3)), c(2L, 1L))
  expect_identical(numpy_svd_order(c(3, 1)), c(1L, 2L))
  expect_identical(numpy_svd_order(c(2, 2, 5)), c(3L, 2L, 1L))
  expect_identical(numpy_svd_order(c(5, 2, 2)), c(1L, 3L, 2L))
  expect_identical(numpy_svd_order(c(2, 5, 2)), c(2L, 3L, 1L))
  expect_identical(numpy_svd_order(c(7.3, 0.1, 7.3)), c(3L, 1L, 2L))
  expect_identical(numpy_svd_order(c(0.5, 0.25, 4, 4, 0.1)), c(4L, 3L, 1L, 2L, 5L))
  expect_identical(numpy_svd_order(c(2, 2)), c(1L, 2L))
  expect_identical(numpy_svd_order(rep(1, 6)), 1:6)
  expect_identical(numpy_svd_order(0.7), 1L)
  # distinct values: simply decreasing
  expect_identical(numpy_svd_order(c(3, 1, 4, 5, 9, 2, 6)), order(-c(3, 1, 4, 5, 9, 2, 6)))
})

test_that("draw_numpy_blocks_cpp() matches numpy without ties and for d <= 2", {
  ref <- numpy_simulate()
  for (case in c("v13", "v31", "v1d", "v2eq")) {
    cs <- single_cases[[case]]
    expected <- numpy_case(ref, case)
    got <- draw_numpy_blocks_cpp(expected$n, matrix(as.numeric(cs$mean)), matrix(cs$var), expected$seed)
    expect_identical(unname(got), expected$x, label = case)
  }
})

test_that("draw_numpy_blocks_cpp() matches numpy for tied variances in d >= 3", {
  ref <- numpy_simulate()
  for (case in c("v225", "v522", "v252", "v7.3", "v5mix")) {
    cs <- single_cases[[case]]
    expected <- numpy_case(ref, case)
    got <- draw_numpy_blocks_cpp(expected$n, matrix(as.numeric(cs$mean)), matrix(cs$var), expected$seed)
    expect_identical(unname(got), expected$x, label = case)
  }
})

test_that("rng = \"numpy\" draws the components in blocks from one stream", {
  ref <- numpy_simulate()
  cases <- list(
    k3d3 = list(pi = c(0.35, 0.2, 0.45), mu = list(c(0, 0, 0), c(5, -1, 2), c(-3, 4, 1)),
                var = list(c(1, 2, 3), c(5, 2, 2), c(0.5, 0.5, 0.5))),
    ties = list(pi = c(2.5 / 7, 2.5 / 7, 2 / 7), mu = list(1, 2, 3), var = list(1, 4, 0.25)),
    empty = list(pi = c(0.1, 0.9), mu = list(c(0, 0), c(1, 1)), var = list(c(1, 1), c(2, 0.5))),
    seedmax = list(pi = c(0.25, 0.75), mu = list(rep(0, 5), 1:5),
                   var = list(c(2, 1, 2, 1, 2), c(0.3, 0.3, 0.3, 9, 0.3)))
  )
  for (case in names(cases)) {
    cs <- cases[[case]]
    expected <- numpy_case(ref, case)
    d <- length(cs$mu[[1]])
    Sigma <- lapply(cs$var, function(v) diag(v, d))
    got <- gmm_simulate(expected$n, cs$pi, lapply(cs$mu, as.numeric), Sigma, rng = "numpy", seed = expected$seed)
    expect_identical(unname(as.matrix(got[seq_len(d)])), expected$x, label = case)
    expect_identical(as.integer(got$cluster), expected$component, label = case)
  }
  # the counts: floor(n pi), then the largest remainders
  expect_identical(numpy_counts(20, c(0.35, 0.2, 0.45)), c(7L, 4L, 9L))
  expect_identical(numpy_counts(7, c(2.5 / 7, 2.5 / 7, 2 / 7)), c(3L, 2L, 2L))
  expect_identical(numpy_counts(3, c(0.1, 0.9)), c(0L, 3L))
  expect_identical(numpy_counts(10, c(1, 1, 1) / 3), c(4L, 3L, 3L))
})

test_that("rng = \"numpy\" with the handout's parameters is the handout's data set", {
  H <- gmm_simulate(400, c(0.5, 0.5), list(c(-2, 2), c(2, -2)), list(diag(3, 2), diag(2)),
                    rng = "numpy", seed = 42)
  ref <- numpy_simulate()
  expect_identical(unname(as.matrix(H[c("x", "y")])), numpy_case(ref, "handout")$x)
  gen <- numpy_generate_cases()
  gen <- gen[gen$case == "handout", ]
  expect_identical(H$x, gen$x)
  expect_identical(H$y, gen$y)
  expect_identical(H$x[1:2], c(-1.1396658501460037, -0.87817054452958998))
  expect_identical(H, generate_data(var1 = 3))
})

test_that("rng = \"numpy\" refuses what it cannot match, by argument", {
  full <- matrix(c(1, 0.5, 0.5, 1), 2)
  expect_error(gmm_simulate(5, c(0.5, 0.5), list(c(0, 0), c(1, 1)), list(diag(2), full), rng = "numpy", seed = 1),
               "`Sigma\\[\\[2\\]\\]` must be diagonal with rng = \"numpy\"")
  expect_error(gmm_simulate(5, 1, c(0, 0), full, rng = "numpy", seed = 1), "`Sigma` must be diagonal")
  expect_error(gmm_simulate(5, 1, c(0, 0), diag(2), rng = "numpy"), "`seed` must be given")
  expect_error(gmm_simulate(5, 1, c(0, 0), diag(2), rng = "numpy", seed = 2^32), "`seed` must be at most")
  expect_error(gmm_simulate(5, 1, c(0, 0), diag(2), rng = "numpy", seed = -1), "`seed` must be at least 0")
  expect_error(gmm_simulate(5, 1, rep(0, 26), diag(26), rng = "numpy", seed = 1), "`Sigma` has 26 dimensions")
  expect_error(gmm_simulate(5, 1, c(0, 0), diag(2), rng = "python", seed = 1), "`rng` must be one of")
})

test_that("rng = \"r\" draws labels by sample.int() and points by mu + L z", {
  w <- c(0.2, 0.3, 0.5)
  mus <- list(c(0, 0, 1), c(4, 0, -1), c(0, 5, 2))
  Ss <- list(matrix(c(1, 0.8, 0.2, 0.8, 1, 0.1, 0.2, 0.1, 2), 3), diag(c(0.5, 2, 1)),
             matrix(c(2, -0.5, 0, -0.5, 1, 0.3, 0, 0.3, 0.7), 3))
  got <- gmm_simulate(250, w, mus, Ss, seed = 99)
  # the same draws by hand
  set.seed(99)
  labels <- sample.int(3, 250, replace = TRUE, prob = w)
  by_hand <- matrix(0, 250, 3)
  for (k in 1:3) {
    rows <- which(labels == k)
    Z <- matrix(rnorm(length(rows) * 3), length(rows), 3, byrow = TRUE)
    by_hand[rows, ] <- Z %*% chol(Ss[[k]]) + rep(mus[[k]], each = length(rows))
  }
  expect_identical(as.integer(got$cluster), labels)
  expect_equal(unname(as.matrix(got[c("x1", "x2", "x3")])), by_hand, tolerance = 1e-12)
  expect_s3_class(got, "gmm_data")
  expect_identical(levels(got$cluster), c("1", "2", "3"))
})

test_that("rng = \"r\" follows set.seed() and leaves the RNG alone with a seed", {
  args <- list(100, c(0.4, 0.6), list(c(0, 0), c(3, 3)), list(diag(2), diag(2)))
  set.seed(5)
  a <- do.call(gmm_simulate, args)
  set.seed(5)
  b <- do.call(gmm_simulate, args)
  expect_identical(a, b)
  expect_identical(do.call(gmm_simulate, c(args, seed = 5)), a)
  set.seed(123)
  before <- .Random.seed
  do.call(gmm_simulate, c(args, seed = 7))
  expect_identical(.Random.seed, before)
})

test_that("gmm_simulate() takes any K and d, names and edge sizes", {
  one_d <- gmm_simulate(50, c(0.5, 0.5), list(-3, 3), list(1, 4), seed = 1)
  expect_named(one_d, c("x1", "cluster"))
  four <- gmm_simulate(30, rep(0.25, 4), matrix(1:16, 4, 4, dimnames = list(NULL, letters[1:4])),
                       array(diag(4), c(4, 4, 4)), seed = 1)
  expect_named(four, c("a", "b", "c", "d", "cluster"))
  empty <- gmm_simulate(0, 1, c(0, 0), diag(2))
  expect_identical(nrow(empty), 0L)
  expect_named(empty, c("x", "y", "cluster"))
  expect_identical(nrow(gmm_simulate(1, 1, c(0, 0), diag(2), seed = 1)), 1L)
  expect_error(gmm_simulate(-1, 1, 0, 1), "`n` must be at least 0")
  expect_error(gmm_simulate(5, c(0.5, 0.6), list(0, 1), list(1, 1)), "`pi` must sum to 1")
  expect_error(gmm_simulate(5, c(0.5, 0.5), list(0, 1, 2), list(1, 1)), "`mu` must have 2 means")
  expect_error(gmm_simulate(5, c(0.5, 0.5), list(0, 1), list(1, -1)), "`Sigma\\[\\[2\\]\\]` must be symmetric positive definite")
  expect_error(gmm_simulate(5, 1, 0, 1, seed = 1.5), "`seed` must be a single whole number")
  expect_error(gmm_simulate(2^28, 1, c(0, 0), diag(2)), "`n` asks for 536,870,912 numbers")
  expect_error(gmm_simulate(5, 1, numeric(0), diag(2)), "`mu` must have at least one coordinate")
})

test_that("gmm_em() fits simulated data as it comes, ignoring `cluster`", {
  X <- gmm_simulate(300, c(0.5, 0.5), list(c(-3, 0), c(3, 0)), list(diag(2), diag(2)), seed = 3)
  fit <- gmm_em(X, k = 2, seed = 1, tol = 1e-10, max_iter = 500)
  expect_identical(ncol(fit$data), 2L)
  agree <- table(X$cluster, predict(fit, X)$.cluster)
  expect_gte(sum(apply(agree, 1, max)), 298L)
})

test_that("simulate() draws nsim data sets from the final parameters", {
  fit <- gmm_em(faithful, k = 2, seed = 1, tol = 1e-10, max_iter = 500)
  sims <- simulate(fit, nsim = 3, seed = 42)
  expect_identical(class(sims), "data.frame")
  expect_named(sims, c("sim", "eruptions", "waiting", "cluster"))
  expect_identical(nrow(sims), 3L * 272L)
  expect_identical(sims$sim, rep(1:3, each = 272))
  expect_identical(attr(sims, "seed"), structure(42L, kind = as.list(RNGkind())))
  # gmm_simulate() of all 3 x 272 points from the final parameters, same seed
  all <- gmm_simulate(3 * 272, fit$final$pi, fit$final$mu, fit$final$Sigma, seed = 42)
  expect_identical(unname(as.matrix(sims[2:3])), unname(as.matrix(all[1:2])))
  expect_identical(sims$cluster, all$cluster)
  expect_error(simulate(fit, nsim = 1e6), "`nsim` asks for")
})

test_that("simulate() follows stats::simulate()'s seed conventions", {
  fit <- gmm_em(faithful, k = 2, seed = 1, max_iter = 5)
  set.seed(8)
  before <- .Random.seed
  a <- simulate(fit, seed = 3)
  expect_identical(.Random.seed, before)
  set.seed(3)
  b <- simulate(fit)
  expect_identical(a[names(a)], b[names(b)], ignore_attr = TRUE)
  # with seed = NULL, the "seed" attribute is the state the draws started from
  set.seed(3)
  state <- .Random.seed
  expect_identical(attr(simulate(fit), "seed"), state)
  expect_error(simulate(fit, nsim = 0), "`nsim` must be at least 1")
})
