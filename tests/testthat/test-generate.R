test_that("generate_data(var1 = 3) is the handout's numpy data set, point for point", {
  X <- generate_data(var1 = 3)
  # the values handout.md quotes from numpy 1.24
  expect_identical(X$x[1], -1.1396658501460037)
  expect_identical(X$y[1], 1.760519205498503)
  expect_identical(X$x[2], -0.87817054452958998)
  expect_identical(X$y[2], 4.6379650927430314)
  expect_identical(X$x[201], 0.4055723412056329)
  expect_identical(X$y[201], -2.5993750229537729)

  ref <- subset(numpy_generate_cases(), case == "handout")
  expect_equal(nrow(X), 400L)
  expect_lte(max(abs(X$x - ref$x), abs(X$y - ref$y)), 1e-12)
})

test_that("other seeds, sizes, variances and means match numpy too", {
  cases <- numpy_generate_cases()
  for (name in unique(cases$case)) {
    ref <- cases[cases$case == name, ]
    s <- ref[1, ]
    X <- generate_data(s$n1, s$n2, var1 = s$var1, var2 = s$var2,
                       mean1 = c(s$mean1_x, s$mean1_y), mean2 = c(s$mean2_x, s$mean2_y),
                       seed = s$seed)
    expect_equal(nrow(X), nrow(ref), info = name)
    expect_lte(max(abs(X$x - ref$x), abs(X$y - ref$y)), 1e-12)
  }
  expect_setequal(unique(cases$seed), c(0, 1, 42, 12345, 2^32 - 1))
})

test_that("generate_data() returns x, y and the true cluster, and leaves R's RNG alone", {
  set.seed(1)
  before <- .Random.seed
  X <- generate_data(3, 2)
  expect_identical(.Random.seed, before)
  expect_s3_class(X, "data.frame")
  expect_named(X, c("x", "y", "cluster"))
  expect_identical(as.integer(X$cluster), c(1L, 1L, 1L, 2L, 2L))
  expect_s3_class(X$cluster, "factor")

  # three-dimensional means give three coordinates
  X3 <- generate_data(2, 2, mean1 = c(0, 0, 0), mean2 = c(1, 1, 1))
  expect_named(X3, c("x1", "x2", "x3", "cluster"))
})

test_that("the labels never become a dimension of the fit", {
  X <- generate_data(var1 = 3)
  fit <- gmm_em(X, pi = c(0.5, 0.5), mu = list(c(-2, 2), c(2, -2)),
                Sigma = list(diag(2), diag(2)), max_iter = 2)
  expect_identical(ncol(fit$data), 2L)
  expect_identical(colnames(fit$data), c("x", "y"))
  # a subset keeps the class, so the labels are still left out
  fit_sub <- gmm_em(X[1:50, ], pi = 1, mu = list(c(0, 0)), Sigma = list(diag(2)), max_iter = 1)
  expect_identical(ncol(fit_sub$data), 2L)
})

test_that("generate_data() rejects bad arguments by name", {
  expect_error(generate_data(n_samples_cluster1 = -1), "`n_samples_cluster1`")
  expect_error(generate_data(n_samples_cluster1 = 2.5), "`n_samples_cluster1`")
  expect_error(generate_data(n_samples_cluster2 = NA), "`n_samples_cluster2`")
  expect_error(generate_data(n_samples_cluster2 = "a"), "`n_samples_cluster2`")
  expect_error(generate_data(0, 0), "`n_samples_cluster1`")
  expect_error(generate_data(var1 = 0), "`var1`")
  expect_error(generate_data(var1 = -1), "`var1`")
  expect_error(generate_data(var2 = Inf), "`var2`")
  expect_error(generate_data(var2 = c(1, 2)), "`var2`")
  expect_error(generate_data(mean1 = c(NA, 1)), "`mean1`")
  expect_error(generate_data(mean1 = "a"), "`mean1`")
  expect_error(generate_data(mean2 = c(1, 2, 3)), "`mean2`")
  expect_error(generate_data(seed = -1), "`seed`")
  expect_error(generate_data(seed = 2^32), "`seed`")
  expect_error(generate_data(seed = 1.5), "`seed`")
  expect_error(generate_data(seed = NULL), "`seed`")
})
