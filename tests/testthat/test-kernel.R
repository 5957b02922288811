# The compiled kernels: the choice, their agreement at every iteration, and bit-for-bit repeatability.

with_kernel <- function(kernel, code) {
  old <- options(gmmem.kernel = kernel)
  on.exit(options(old))
  force(code)
}

# The kernels this build and CPU run, fastest first, and the SIMD ones among them.
runnable_kernels <- function() gmmem:::runnable_kernels_cpp()
simd_kernels <- function() setdiff(runnable_kernels(), "portable")

# Largest difference between two arrays of one iteration, relative to the larger of them.
relative_gap <- function(a, b) {
  scale <- max(abs(a), abs(b))
  if (scale == 0) return(0)
  max(abs(a - b)) / scale
}

# pi, mu, Sigma and the log-likelihood of every iteration, compared iteration by iteration.
path_gaps <- function(fa, fb) {
  T <- fa$n_iter
  vapply(0:T, function(t) {
    i <- as.character(t)
    c(pi = relative_gap(fa$path$pi[i, ], fb$path$pi[i, ]),
      mu = relative_gap(fa$path$mu[, , i], fb$path$mu[, , i]),
      Sigma = relative_gap(fa$path$Sigma[, , , i], fb$path$Sigma[, , , i]),
      loglik = relative_gap(fa$path$loglik[t + 1L], fb$path$loglik[t + 1L]))
  }, numeric(4))
}

# The parameters of iteration t as gmm_stats() takes them (mu K x d).
stats_params <- function(fit, t) {
  i <- as.character(t)
  list(pi = fit$path$pi[i, ], mu = t(fit$path$mu[, , i]), Sigma = fit$path$Sigma[, , , i])
}

simulated <- function(n, K, d, seed) {
  set.seed(seed)
  centres <- matrix(rnorm(K * d, sd = 4), K, d)
  labels <- sample.int(K, n, replace = TRUE)
  X <- centres[labels, , drop = FALSE] + matrix(rnorm(n * d), n, d)
  colnames(X) <- paste0("x", seq_len(d))
  X
}

test_that("gmm_kernel() names the kernel and getOption('gmmem.kernel') chooses it per call", {
  runnable <- runnable_kernels()
  expect_true(all(runnable %in% c("avx512", "avx2+fma", "portable")))
  expect_identical(runnable[length(runnable)], "portable")
  # auto is the fastest that runs: the widest SIMD one
  expect_identical(gmm_kernel(), runnable[1])
  expect_identical(with_kernel("portable", gmm_kernel()), "portable")
  expect_identical(with_kernel(NULL, gmm_kernel()), with_kernel("auto", gmm_kernel()))
  expect_error(with_kernel("sse9", gmm_kernel()), "`getOption\\(\"gmmem.kernel\"\\)` must be one of")
  expect_error(with_kernel(c("auto", "portable"), gmm_kernel()), "`getOption\\(\"gmmem.kernel\"\\)` must be")
  for (kernel in c("avx2+fma", "avx512")) {
    if (kernel %in% runnable) {
      expect_identical(with_kernel(kernel, gmm_kernel()), kernel)
    } else {
      expect_error(with_kernel(kernel, gmm_kernel()), "cannot run here: it needs an x86-64 CPU with")
    }
  }
  # a machine that has AVX-512 has AVX2 too: where the wider kernel runs, so does the narrower
  if ("avx512" %in% runnable) expect_true("avx2+fma" %in% runnable)
})

test_that("the kernels a machine is known to run were built (GMMEM_EXPECT_KERNELS, set by CI)", {
  # A SIMD kernel that the build could not make is otherwise only a skipped
  # comparison below; where the CPU is known, its absence is a failure.
  expected <- strsplit(Sys.getenv("GMMEM_EXPECT_KERNELS"), ",", fixed = TRUE)[[1]]
  skip_if(length(expected) == 0L, "GMMEM_EXPECT_KERNELS is not set")
  for (kernel in trimws(expected)) expect_true(kernel %in% runnable_kernels(), label = paste(kernel, "runs here"))
})

test_that("the E-step's exp is within a few ulps of R's from 0 down to -708, and 0 below, in each kernel", {
  # Points on a grid of 1/8 between two unit-variance components 40 apart:
  # every log density here is exact or rounded once, the same way in R and in
  # the core, so the exp arguments (0 down to -800) agree bit for bit and the
  # responsibilities differ only by exp and the division (a few ulps).
  x <- seq(0, 40, by = 1 / 8)
  log_weight_norm <- log(0.5) - 0.5 * log(2 * base::pi)
  lp <- cbind(log_weight_norm - 0.5 * x^2, log_weight_norm - 0.5 * (x - 40)^2)
  e <- exp(lp - pmax(lp[, 1], lp[, 2]))
  expected <- e / rowSums(e)
  normal <- expected >= .Machine$double.xmin  # exp's argument above log(2^-1022)
  expect_gt(sum(!normal), 20)
  for (kernel in runnable_kernels()) {
    fit <- with_kernel(kernel, gmm_em(x, pi = c(0.5, 0.5), mu = list(0, 40), Sigma = list(1, 1), max_iter = 1,
                                      keep = "last"))
    r <- fit$resp[, , "1"]
    expect_lte(max(abs(r[normal] - expected[normal]) / expected[normal]), 4 * .Machine$double.eps, label = kernel)
    # below double's smallest normal number: 0 (or R's own subnormal value)
    expect_true(all(abs(r[!normal] - expected[!normal]) <= .Machine$double.xmin))
  }
})

test_that("each SIMD kernel and the portable one agree to 1e-12 at every iteration", {
  skip_if(length(simd_kernels()) == 0L, "this CPU or build has no SIMD kernel")
  X3 <- simulated(3000, 4, 3, seed = 2)
  set.seed(7)
  w3 <- runif(3000, 0.2, 3)
  w3[sample.int(3000, 50)] <- 0  # rows outside the data
  X9 <- simulated(2000, 3, 9, seed = 6)  # 9 columns: more than one 8-double packet per row of Sigma
  problems <- list(
    handout = function() gmm_em(generate_data(var1 = 3), pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
                                Sigma = list(diag(0.1, 2), diag(0.1, 2)), max_iter = 60),
    faithful = function() gmm_em(faithful, k = 3, seed = 1, max_iter = 40),
    diagonal = function() gmm_em(X3, k = 4, seed = 3, model = "VVI", max_iter = 30),
    tied = function() gmm_em(X3, k = 4, seed = 3, model = "EEE", max_iter = 30),
    weighted = function() gmm_em(X3, k = 4, seed = 3, weights = w3, max_iter = 30),
    weighted_VEV = function() gmm_em(X3, k = 3, seed = 4, model = "VEV", weights = w3, max_iter = 30),
    spherical = function() gmm_em(X3, k = 4, seed = 3, model = "VII", max_iter = 30),
    nine_columns = function() gmm_em(X9, k = 3, seed = 2, max_iter = 20)
  )
  theta <- stats_params(with_kernel("portable", problems$weighted()), 5)
  fit2 <- gmm_em(faithful, k = 2, seed = 1, max_iter = 10)
  for (kernel in simd_kernels()) {
    for (name in names(problems)) {
      portable <- with_kernel("portable", problems[[name]]())
      simd <- with_kernel(kernel, problems[[name]]())
      label <- paste(kernel, name)
      expect_identical(simd$n_iter, portable$n_iter, label = label)
      gaps <- path_gaps(portable, simd)
      expect_lte(max(gaps), 1e-12, label = paste(label, "largest relative gap"))
      last <- dim(portable$resp)[3]
      expect_lte(max(abs(portable$resp[, , last] - simd$resp[, , last])), 1e-12, label = label)
    }
    # one chunk's sums, weighted, under a tied model (gmm_stats(), the streamed fits)
    stats <- lapply(c("portable", kernel), function(k) with_kernel(k, gmm_stats(X3, theta, model = "EEE", weights = w3)))
    for (part in c("loglik", "weight", "offset", "scatter")) {
      expect_lte(relative_gap(stats[[1]][[part]], stats[[2]][[part]]), 1e-12, label = paste(kernel, part))
    }
    # the E-step alone (predict() and the views read it)
    expect_lte(max(abs(with_kernel("portable", predict(fit2, faithful, type = "prob")) -
                         with_kernel(kernel, predict(fit2, faithful, type = "prob")))), 1e-12, label = kernel)
  }
})

test_that("each kernel gives the same bits on one thread and on two", {
  X <- simulated(24000, 3, 2, seed = 5)  # over 2 x 8192 rows, so two threads are used
  X3 <- simulated(20000, 3, 3, seed = 9)
  for (kernel in runnable_kernels()) {
    one <- with_kernel(kernel, gmm_em(X, k = 3, seed = 1, max_iter = 15, threads = 1L, keep = "all"))
    two <- with_kernel(kernel, gmm_em(X, k = 3, seed = 1, max_iter = 15, threads = 2L, keep = "all"))
    expect_identical(two$path, one$path, label = kernel)
    expect_identical(two$resp, one$resp, label = kernel)
    w <- rep(c(0.5, 2, 1), length.out = nrow(X))
    one <- with_kernel(kernel, gmm_em(X, k = 3, seed = 1, max_iter = 15, threads = 1L, model = "EVI", weights = w))
    two <- with_kernel(kernel, gmm_em(X, k = 3, seed = 1, max_iter = 15, threads = 2L, model = "EVI", weights = w))
    expect_identical(two$path, one$path, label = paste(kernel, "weighted EVI"))
    theta <- stats_params(one, 3)
    expect_identical(with_kernel(kernel, gmm_stats(X, theta, model = "EVI", weights = w, threads = 2L)),
                     with_kernel(kernel, gmm_stats(X, theta, model = "EVI", weights = w, threads = 1L)))
    # three variables: the general E-step, not the fused one for d <= 2
    one <- with_kernel(kernel, gmm_em(X3, k = 3, seed = 2, max_iter = 10, threads = 1L))
    two <- with_kernel(kernel, gmm_em(X3, k = 3, seed = 2, max_iter = 10, threads = 2L))
    expect_identical(two$path, one$path, label = paste(kernel, "d = 3"))
    expect_identical(two$resp, one$resp, label = paste(kernel, "d = 3"))
  }
})

test_that("each kernel gives the same bits wherever the data and its own arrays lie in memory", {
  # A vectorised sum that starts at the first packet boundary adds in an order
  # set by an array's address. Copies of the data (and weights), each made and
  # fitted after a different amount of other allocation, so that they and the
  # core's own arrays land at different offsets from 64 bytes, must give one
  # result per kernel. (tracemem() gives the address of a vector's header; its
  # data lie a fixed distance further on.)
  skip_if_not(capabilities("profmem"), "R was built without memory profiling (tracemem)")
  address <- function(x) {
    hex <- sub("^<(0x)?([0-9a-fA-F]+)>$", "\\2", tracemem(x))
    untracemem(x)
    sum(strtoi(strsplit(substr(hex, nchar(hex) - 3L, nchar(hex)), "")[[1]], 16L) * 16^(3:0))
  }
  X <- as.matrix(faithful)
  X5 <- simulated(600, 3, 5, seed = 8)
  w <- rep(c(0.5, 2, 1, 1.5), length.out = nrow(X5))
  copies <- list()
  set.seed(11)
  for (i in 1:40) {
    padding <- numeric(sample.int(40, 1))  # moves where the next vectors land
    copy <- list(X = X + 0, X5 = X5 + 0, w = w + 0, padding = padding)
    copy$offset <- address(copy$X5) %% 64
    copies[[i]] <- copy
  }
  # the copies' own offsets vary too (this holds for glibc's allocator, 16-byte aligned)
  offsets <- vapply(copies, function(copy) copy$offset, numeric(1))
  expect_gt(length(unique(offsets)), 1L)
  for (kernel in runnable_kernels()) {
    fits <- lapply(copies, function(copy) {
      with_kernel(kernel, list(
        two = gmm_em(copy$X, k = 3, seed = 1, max_iter = 30)$path,
        five = gmm_em(copy$X5, k = 3, seed = 2, max_iter = 20, weights = copy$w)$path
      ))
    })
    same <- vapply(fits[-1], identical, logical(1), fits[[1]])
    expect_true(all(same), label = paste(kernel, "copies that differ:", paste(which(!same) + 1L, collapse = " ")))
  }
})

test_that("the data checks' column summary is R's own, in each kernel and on any number of threads", {
  # a row count that is not a whole number of blocks (2048) or packets, with
  # columns far from 0 on different scales, and tiny ones below a packet
  set.seed(12)
  X <- cbind(rnorm(20001, 1e6, 3), runif(20001), rexp(20001) * 1e-4)
  for (Y in list(X, X[1:3, , drop = FALSE], X[1, , drop = FALSE])) {
    centred <- sweep(Y, 2, colMeans(Y))
    for (kernel in runnable_kernels()) {
      s <- gmmem:::column_summary_cpp(Y, TRUE, 1L, kernel)
      expect_identical(s$min, apply(Y, 2, min), label = kernel)
      expect_identical(s$max, apply(Y, 2, max), label = kernel)
      expect_equal(s$mean, colMeans(Y), tolerance = 1e-14, label = kernel)
      expect_equal(s$gram, crossprod(centred), tolerance = 1e-12, label = kernel)
      expect_equal(s$var, colSums(centred^2) / nrow(Y), tolerance = 1e-12, label = kernel)
      expect_identical(gmmem:::column_summary_cpp(Y, TRUE, 2L, kernel), s, label = kernel)
      # without the cross-products: the same variances
      expect_identical(gmmem:::column_summary_cpp(Y, FALSE, 1L, kernel)$var, s$var, label = kernel)
    }
  }
})
