# Future workers keep their shard between iterations (gmm_source_future(cache = )): hits counted through files.

# A reader over a matrix that writes its process id to `log` at every rewind,
# so the number of times the shard was read (and where) can be counted.
counted_reader <- function(X, rows, log) {
  matrix_reader(X, rows, on_reset = function() cat(Sys.getpid(), "\n", file = log, append = TRUE, sep = ""))
}
reads_in <- function(log, not_pid = -1) if (file.exists(log)) sum(readLines(log) != as.character(not_pid)) else 0L

faithful_start <- list(pi = c(0.5, 0.5), mu = rbind(c(2, 55), c(4.5, 80)),
                       Sigma = list(diag(c(1, 50)), diag(c(1, 50))))

test_that("a worker's copy is used while it holds the shard, within its cap, and dropped for another fit", {
  X <- as.matrix(faithful)
  logs <- replicate(2, tempfile())
  on.exit({
    unlink(logs)
    gmmem:::worker_release("fit b")
  })
  shards <- list(gmm_source(counted_reader(X[1:150, ], 40, logs[1])),
                 gmm_source(counted_reader(X[151:272, ], 40, logs[2])))
  theta <- list(pi = c(0.5, 0.5), mu = t(faithful_start$mu), Sigma = array(unlist(faithful_start$Sigma), c(2, 2, 2)))
  # `home = -1`: act as a worker, not as the fitting process
  pass <- function(i, id, cap) {
    gmmem:::worker_pass(shards[[i]], i, list(id = id, cap = cap, home = -1L), theta, "VVV", 1L, 0L, FALSE, FALSE)
  }
  direct <- gmmem:::shard_pass(shards[[1]], theta, "VVV", 1L, 1L, 0L)
  first <- pass(1, "fit a", 1)
  again <- pass(1, "fit a", 1)
  expect_identical(again$stats, direct$stats)
  expect_identical(first$stats, direct$stats)
  expect_identical(reads_in(logs[1]), 2L) # the direct pass and the first worker pass
  # a cap of one shard: shard 2 takes shard 1's place
  pass(2, "fit a", 1)
  pass(1, "fit a", 1)
  expect_identical(reads_in(logs[1]), 3L)
  expect_identical(reads_in(logs[2]), 1L)
  # another fit drops fit a's copy; a cap of two keeps both shards
  pass(1, "fit b", 2)
  pass(2, "fit b", 2)
  expect_identical(c(reads_in(logs[1]), reads_in(logs[2])), c(4L, 2L))
  direct2 <- gmmem:::shard_pass(shards[[2]], theta, "VVV", 1L, 1L, 0L)
  for (i in 1:3) {
    expect_identical(pass(1, "fit b", 2)$stats, direct$stats)
    expect_identical(pass(2, "fit b", 2)$stats, direct2$stats)
  }
  expect_identical(c(reads_in(logs[1]), reads_in(logs[2])), c(4L, 3L)) # shard 2's third read: direct2
  expect_length(gmmem:::worker_cache$shards, 2L)
  gmmem:::worker_release("fit a") # another fit's release leaves it
  expect_length(gmmem:::worker_cache$shards, 2L)
  gmmem:::worker_release("fit b")
  expect_length(gmmem:::worker_cache$shards, 0L)
})

test_that("two multisession workers read each shard once per fit with the cache, every iteration without", {
  skip_if_not_installed("future")
  skip_on_cran()
  X <- as.matrix(faithful)
  logs <- replicate(2, tempfile())
  on.exit(unlink(logs))
  parts <- list(X[1:150, ], X[151:272, ])
  fit <- gmm_em(X, pi = faithful_start$pi, mu = faithful_start$mu, Sigma = faithful_start$Sigma, max_iter = 6)
  old <- future::plan(future::multisession, workers = 2)
  on.exit(future::plan(old), add = TRUE)
  streamed <- function(cache) {
    unlink(logs)
    src <- gmm_source_future(lapply(1:2, function(i) gmm_source(counted_reader(parts[[i]], 40, logs[i]))),
                             cache = cache)
    f <- gmm_em(src, pi = faithful_start$pi, mu = faithful_start$mu, Sigma = faithful_start$Sigma, max_iter = 6)
    # the fitting process reads shard 1's first chunk for the columns; count the workers' reads
    list(fit = f, reads = vapply(logs, reads_in, integer(1), not_pid = Sys.getpid(), USE.NAMES = FALSE))
  }
  plain <- streamed(0)
  cached <- streamed(1)
  passes <- fit$n_iter + 1L
  expect_identical(plain$reads, c(passes, passes))
  # shard i goes to worker i in every iteration: one read each (two at most, should a worker be busy)
  expect_true(all(cached$reads >= 1L & cached$reads <= 2L), info = paste(cached$reads, collapse = ", "))
  expect_identical(cached$fit$path, plain$fit$path)
  expect_lte(max(abs(cached$fit$path$mu - fit$path$mu)), 1e-10 * max(abs(fit$path$mu)))
  expect_lte(max(abs(cached$fit$path$Sigma - fit$path$Sigma)), 1e-10 * max(abs(fit$path$Sigma)))
  expect_lte(max(abs(cached$fit$path$loglik - fit$path$loglik)), 1e-10 * max(abs(fit$path$loglik)))
  # after the fit no worker holds a copy: two futures that overlap in time run on both workers
  look <- function() {
    Sys.sleep(1)
    c(pid = Sys.getpid(), kept = length(gmmem:::worker_cache$shards))
  }
  probes <- lapply(1:2, function(i) future::future(look(), globals = list(look = look), packages = "gmmem"))
  seen <- sapply(probes, future::value)
  expect_identical(length(unique(seen["pid", ])), 2L)
  expect_identical(unname(seen["kept", ]), c(0L, 0L))
})
