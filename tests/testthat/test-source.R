# Fits from sources (a reader, a CSV file, a database, future workers) against the same fit in memory.

expect_same_path <- function(a, b, tol = 1e-10) {
  expect_identical(a$n_iter, b$n_iter)
  expect_lte(max(abs(a$path$pi - b$path$pi)), tol)
  expect_lte(max(abs(a$path$mu - b$path$mu)), tol * max(1, abs(b$path$mu)))
  expect_lte(max(abs(a$path$Sigma - b$path$Sigma)), tol * max(1, abs(b$path$Sigma)))
  expect_lte(max(abs(a$path$loglik - b$path$loglik)), tol * max(abs(b$path$loglik)))
}

start2 <- list(pi = c(0.5, 0.5), mu = rbind(c(2, 55), c(4.5, 80)), Sigma = list(diag(c(1, 50)), diag(c(1, 50))))

# 1e5 rows of two clusters, for the file and database tests
big_data <- function() {
  set.seed(42)
  n <- 1e5
  X <- rbind(cbind(x = rnorm(n / 2), y = rnorm(n / 2)), cbind(x = rnorm(n / 2, 3), y = rnorm(n / 2, 1, 2)))
  X[sample(n), ]
}
big_start <- list(pi = c(0.4, 0.6), mu = rbind(c(-1, 0), c(4, 2)), Sigma = list(diag(2), diag(2)))

test_that("a reader with chunks of 1, 37 and n rows gives the in-memory fit (1e-10)", {
  X <- as.matrix(faithful)
  fit <- gmm_em(X, pi = start2$pi, mu = start2$mu, Sigma = start2$Sigma, max_iter = 15, keep = "last")
  for (rows in c(1, 37, nrow(X))) {
    streamed <- gmm_em(gmm_source(matrix_reader(X, rows)), pi = start2$pi, mu = start2$mu, Sigma = start2$Sigma,
                       max_iter = 15, keep = "last")
    expect_same_path(streamed, fit)
    expect_lte(max(abs(streamed$resp[, , "15"] - fit$resp[, , "15"])), 1e-10)
  }
  # what the methods report is the same
  expect_equal(logLik(streamed), logLik(fit), tolerance = 1e-12)
  expect_equal(BIC(streamed), BIC(fit), tolerance = 1e-12)
  expect_equal(summary(streamed)$components, summary(fit)$components, tolerance = 1e-10)
  expect_equal(tidy(streamed), tidy(fit), tolerance = 1e-10)
  expect_equal(predict(streamed, faithful, type = "prob"), predict(fit, type = "prob"), tolerance = 1e-10)
  expect_null(streamed$data)
  expect_output(print(streamed), "streamed from a source")
  expect_error(predict(streamed), "keeps no data")
  # without keep = "last", no responsibilities at all
  none <- gmm_em(gmm_source(matrix_reader(X, 50)), pi = start2$pi, mu = start2$mu, Sigma = start2$Sigma, max_iter = 3)
  expect_identical(dim(none$resp)[3L], 0L)
})

test_that("a source stops where the in-memory fit stops with tol, and takes the same models", {
  X <- as.matrix(faithful)
  for (model in c("VVV", "EEI", "VEV")) {
    fit <- gmm_em(X, pi = start2$pi, mu = start2$mu, Sigma = start2$Sigma, max_iter = 200, tol = 1e-9, model = model)
    streamed <- gmm_em(gmm_source(matrix_reader(X, 60)), pi = start2$pi, mu = start2$mu, Sigma = start2$Sigma,
                       max_iter = 200, tol = 1e-9, model = model)
    expect_same_path(streamed, fit)
    expect_identical(streamed$converged, fit$converged)
  }
})

test_that("a weights column in the source gives the weighted fit", {
  X <- as.matrix(faithful)
  set.seed(8)
  w <- sample(0:3, nrow(X), replace = TRUE)
  fit <- gmm_em(X, pi = start2$pi, mu = start2$mu, Sigma = start2$Sigma, max_iter = 10, weights = w)
  streamed <- gmm_em(gmm_source(matrix_reader(cbind(X, w = w), 40), weights = "w"), pi = start2$pi, mu = start2$mu,
                     Sigma = start2$Sigma, max_iter = 10)
  expect_same_path(streamed, fit)
  expect_identical(nobs(streamed), sum(w) + 0)
})

test_that("a start from k is drawn from a one-pass sample and EM then runs as in memory", {
  X <- as.matrix(faithful)
  src <- gmm_source(matrix_reader(X, 50))
  a <- gmm_em(src, k = 2, seed = 3, max_iter = 10, n_init = 2)
  b <- gmm_em(src, k = 2, seed = 3, max_iter = 10, n_init = 2)
  expect_identical(a$path, b$path)
  expect_identical(nrow(a$starts), 2L)
  # the start's means are data points
  expect_true(all(apply(a$start$mu, 1, function(m) any(rowSums(abs(sweep(X, 2, m))) == 0))))
  fit <- gmm_em(X, pi = a$start$pi, mu = a$start$mu, Sigma = a$start$Sigma, max_iter = 10)
  expect_same_path(a, fit)
  # a sample smaller than the data
  old <- options(gmmem.source_sample = 30)
  on.exit(options(old))
  expect_s3_class(gmm_em(src, k = 2, seed = 1, max_iter = 3), "gmm_em")
})

test_that("a CSV file of 1e5 rows read in chunks gives the in-memory fit", {
  X <- big_data()
  path <- tempfile(fileext = ".csv")
  on.exit(unlink(path))
  utils::write.csv(data.frame(X, label = 1), path, row.names = FALSE)
  # written with 15 significant digits: fit the numbers as read back
  X <- as.matrix(utils::read.csv(path)[c("x", "y")])
  fit <- gmm_em(X, pi = big_start$pi, mu = big_start$mu, Sigma = big_start$Sigma, max_iter = 8)
  streamed <- gmm_em(gmm_source_csv(path, chunk_rows = 30011, columns = c("x", "y")), pi = big_start$pi,
                     mu = big_start$mu, Sigma = big_start$Sigma, max_iter = 8)
  expect_same_path(streamed, fit)
  expect_identical(streamed$n, 1e5)
  expect_error(gmm_source_csv(path, columns = "z"), "`columns` names `z`, not in the header")
  expect_error(gmm_source_csv(tempfile()), "`path` must be the path of an existing file")
})

test_that("a database query (RSQLite) of 1e5 rows fetched in chunks gives the in-memory fit", {
  skip_if_not_installed("DBI")
  skip_if_not_installed("RSQLite")
  X <- big_data()
  db <- tempfile(fileext = ".sqlite")
  on.exit(unlink(db))
  con <- DBI::dbConnect(RSQLite::SQLite(), db)
  DBI::dbWriteTable(con, "points", data.frame(X))
  fit <- gmm_em(X, pi = big_start$pi, mu = big_start$mu, Sigma = big_start$Sigma, max_iter = 8)
  streamed <- gmm_em(gmm_source_dbi(con, "SELECT x, y FROM points", chunk_rows = 25000), pi = big_start$pi,
                     mu = big_start$mu, Sigma = big_start$Sigma, max_iter = 8)
  DBI::dbDisconnect(con)
  expect_same_path(streamed, fit)
  # a connecting function: the source opens and closes its own connection
  connect <- function() DBI::dbConnect(RSQLite::SQLite(), db)
  again <- gmm_em(gmm_source_dbi(connect, "SELECT x, y FROM points", chunk_rows = 40000), pi = big_start$pi,
                  mu = big_start$mu, Sigma = big_start$Sigma, max_iter = 2)
  expect_same_path(again, gmm_em(X, pi = big_start$pi, mu = big_start$mu, Sigma = big_start$Sigma, max_iter = 2))
  expect_error(gmm_source_dbi("not a connection", "SELECT 1"), "`con` must be a DBI connection")
})

test_that("two multisession workers, one CSV shard each, give the in-memory fit", {
  skip_if_not_installed("future")
  skip_on_cran()
  X <- as.matrix(faithful)
  paths <- replicate(2, tempfile(fileext = ".csv"))
  on.exit(unlink(paths))
  utils::write.csv(X[1:150, ], paths[1], row.names = FALSE)
  utils::write.csv(X[151:272, ], paths[2], row.names = FALSE)
  X <- rbind(as.matrix(utils::read.csv(paths[1])), as.matrix(utils::read.csv(paths[2])))
  fit <- gmm_em(X, pi = start2$pi, mu = start2$mu, Sigma = start2$Sigma, max_iter = 10, keep = "last")
  old <- future::plan(future::multisession, workers = 2)
  on.exit(future::plan(old), add = TRUE)
  src <- gmm_source_future(lapply(paths, gmm_source_csv, chunk_rows = 40))
  streamed <- gmm_em(src, pi = start2$pi, mu = start2$mu, Sigma = start2$Sigma, max_iter = 10, keep = "last")
  expect_same_path(streamed, fit)
  expect_lte(max(abs(streamed$resp[, , "10"] - fit$resp[, , "10"])), 1e-10)
  expect_equal(summary(streamed)$components$size, summary(fit)$components$size)
  expect_error(gmm_source_future(list(1)), "`sources` must be a list of gmm_source objects")
})

test_that("options(gmmem.kernel =) holds on future workers, not only in the calling session", {
  skip_if_not_installed("future")
  skip_on_cran()
  X <- as.matrix(faithful)
  shards <- function() gmm_source_future(list(gmm_source(matrix_reader(X[1:150, ], 40)),
                                              gmm_source(matrix_reader(X[151:272, ], 40))))
  fit_portable <- function() {
    old <- options(gmmem.kernel = "portable")
    on.exit(options(old))
    gmm_em(shards(), pi = start2$pi, mu = start2$mu, Sigma = start2$Sigma, max_iter = 10, keep = "none")
  }
  here <- fit_portable()  # plan(sequential): every pass in this session
  old <- future::plan(future::multisession, workers = 2)
  on.exit(future::plan(old), add = TRUE)
  there <- fit_portable()
  # the same kernel on the same chunks gives the same bits, wherever it runs
  expect_identical(there$path, here$path)
})

test_that("source arguments are checked", {
  X <- as.matrix(faithful)
  src <- gmm_source(matrix_reader(X, 50))
  expect_error(gmm_source(1), "`fun` must be a function")
  expect_error(gmm_em(src, k = 2, keep = "all"), "`keep` must be \"auto\", \"none\" or \"last\" for a source")
  expect_error(gmm_em(src, z = rep(1:2, 136)), "`z` cannot be given with a source")
  expect_error(gmm_em(src, k = 2, weights = rep(1, 272)), "`weights` cannot be given with a source")
  expect_error(gmm_em(src), "`k` is missing")
  empty <- gmm_source(function(reset = FALSE) NULL)
  expect_error(gmm_em(empty, k = 2), "gave no rows")
  bad <- gmm_source(matrix_reader(cbind(X, z = NA), 50))
  expect_error(gmm_em(bad, pi = start2$pi, mu = start2$mu, Sigma = start2$Sigma), "chunk 1 of the source")
  expect_output(print(src), "A gmm_source")
})
