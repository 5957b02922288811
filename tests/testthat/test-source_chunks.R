# A source's bad chunks are named (source and chunk), and a pass left part-way closes its file.

# A reader handing out the given chunks in turn.
list_reader <- function(chunks) {
  at <- 0
  function(reset = FALSE) {
    if (reset) {
      at <<- 0
      return(invisible(NULL))
    }
    if (at >= length(chunks)) return(NULL)
    at <<- at + 1
    chunks[[at]]
  }
}

start_xy <- list(pi = c(0.5, 0.5), mu = rbind(c(0, 0), c(3, 1)), Sigma = list(diag(2), diag(2)))
fit_xy <- function(src) gmm_em(src, pi = start_xy$pi, mu = start_xy$mu, Sigma = start_xy$Sigma, max_iter = 2)

good_chunk <- function(seed, n = 20) {
  set.seed(seed)
  data.frame(x = c(rnorm(n / 2), rnorm(n / 2, 3)), y = c(rnorm(n / 2), rnorm(n / 2, 1)))
}

open_on <- function(path) {
  cons <- showConnections(all = TRUE)
  sum(cons[, "description"] == path)
}

test_that("a chunk with NA, non-numeric or other columns, or no rows, is named by its number", {
  ok <- good_chunk(1)
  with_na <- good_chunk(2)
  with_na$x[c(3, 8)] <- NA
  with_na$y[8] <- NaN
  expect_error(fit_xy(gmm_source(list_reader(list(ok, ok, with_na)))),
               "`data (chunk 3 of the source)` has NA or NaN values in 2 rows (rows 3, 8)", fixed = TRUE)
  text <- transform(good_chunk(3), y = as.character(y))
  expect_error(fit_xy(gmm_source(list_reader(list(ok, text)))),
               "`data (chunk 2 of the source)` must have only numeric columns; `y` is not numeric.", fixed = TRUE)
  wider <- cbind(good_chunk(4), z = 1)
  expect_error(fit_xy(gmm_source(list_reader(list(ok, wider)))),
               "`data (chunk 2 of the source)` has 3 columns (x, y, z), not those of the first chunk (2: x, y)",
               fixed = TRUE)
  renamed <- setNames(good_chunk(5), c("x", "w"))
  expect_error(fit_xy(gmm_source(list_reader(list(ok, ok, renamed)))),
               "`data (chunk 3 of the source)` has 2 columns (x, w), not those of the first chunk (2: x, y)",
               fixed = TRUE)
  # without column names only the number of columns can differ
  unnamed <- list(unname(as.matrix(ok)), unname(as.matrix(wider)))
  expect_error(fit_xy(gmm_source(list_reader(unnamed))),
               "`data (chunk 2 of the source)` has 3 columns, not those of the first chunk (2)", fixed = TRUE)
  expect_error(fit_xy(gmm_source(list_reader(list(ok, ok[0, ], ok)))),
               "`data (chunk 2 of the source)` has no rows; a reader ends the data by returning NULL.", fixed = TRUE)
  expect_error(fit_xy(gmm_source(list_reader(list(ok[0, ])))), "chunk 1 of the source)` has no rows", fixed = TRUE)
  broken <- gmm_source(function(reset = FALSE) if (reset) invisible(NULL) else stop("disk gone"))
  expect_error(fit_xy(broken), "`data (chunk 1 of the source)` could not be read: disk gone", fixed = TRUE)
})

test_that("a source of unnamed matrices fits as the same matrix in memory", {
  X <- unname(as.matrix(rbind(good_chunk(1), good_chunk(2), good_chunk(3))))
  src <- gmm_source(list_reader(list(X[1:20, ], X[21:40, ], X[41:60, ])))
  streamed <- fit_xy(src)
  fit <- gmm_em(X, pi = start_xy$pi, mu = start_xy$mu, Sigma = start_xy$Sigma, max_iter = 2)
  expect_lte(max(abs(streamed$path$mu - fit$path$mu)), 1e-12)
  expect_s3_class(gmm_em(src, k = 2, seed = 1, max_iter = 2), "gmm_em")
})

test_that("a CSV file's bad chunk is named with the file, and its connection is closed", {
  path <- tempfile(fileext = ".csv")
  on.exit(unlink(path))
  lines <- c("x,y", sprintf("%.3f,%.3f", c(rnorm(25), rnorm(25, 3)), c(rnorm(25), rnorm(25, 1))))
  src_of <- function(lines) {
    writeLines(lines, path)
    gmm_source_csv(path, chunk_rows = 10)
  }
  writeLines(lines, path)
  npath <- normalizePath(path)
  before <- open_on(npath)

  # line 24 of the file (row 23) is in chunk 3 (rows 21-30); scan() counts from line 22
  bad <- lines
  bad[24] <- "1.5,abc"
  expect_error(fit_xy(src_of(bad)),
               paste0("`data (chunk 3 of the file ", npath, ")` could not be read: ",
                      "scan() expected 'a real', got 'abc' (scan()'s line 1 is line 22 of the file)"), fixed = TRUE)
  expect_identical(open_on(npath), before)
  short <- lines
  short[40] <- "2.5"
  expect_error(fit_xy(src_of(short)), "chunk 4 of the file .*could not be read: line 9 did not have 2 elements")
  expect_identical(open_on(npath), before)
  missing_value <- lines
  missing_value[c(13, 15)] <- c("NA,1", ",2")
  expect_error(fit_xy(src_of(missing_value)), "chunk 2 of the file .*has NA or NaN values in 2 rows \\(rows 2, 4\\)")
  expect_identical(open_on(npath), before)

  # a pass that stops part-way (the visitor fails in chunk 2), and the start's read of chunk 1 only
  src <- src_of(lines)
  expect_error(gmmem:::chunk_loop(src, function(chunk) if (nrow(chunk$X) > 0) stop("stop here"), NULL), "stop here")
  expect_identical(open_on(npath), before)
  # an interrupt unwinds the pass as an error does
  interrupt <- structure(class = c("interrupt", "condition"), list(message = "", call = NULL))
  expect_identical(tryCatch(gmmem:::chunk_loop(src, function(chunk) signalCondition(interrupt), NULL),
                            interrupt = function(i) "interrupted"), "interrupted")
  expect_identical(open_on(npath), before)
  expect_identical(gmmem:::source_columns(src), list(names = c("x", "y"), d = 2L))
  expect_identical(open_on(npath), before)
  # nothing left for the garbage collector to close
  expect_no_warning(gc())
})

test_that("a bad shard is named with its number", {
  skip_if_not_installed("future")
  old <- future::plan(future::sequential)
  on.exit(future::plan(old))
  ok <- good_chunk(1)
  with_na <- good_chunk(2)
  with_na$y[5] <- NA
  src <- gmm_source_future(list(gmm_source(list_reader(list(ok))), gmm_source(list_reader(list(ok, with_na)))))
  expect_error(fit_xy(src), "`data (chunk 2 of shard 2, a source)` has NA or NaN values in 1 row (row 5)", fixed = TRUE)
  expect_output(print(src), "from 2 shards on future workers (each keeps up to 1 in memory)", fixed = TRUE)
  expect_output(print(gmm_source_future(src$shards, cache = 0)), "(each keeps none)", fixed = TRUE)
  expect_error(gmm_source_future(list(gmm_source(list_reader(list(ok)))), cache = -1), "`cache` must be the number")
  expect_error(gmm_source_future(list(gmm_source(list_reader(list(ok)))), cache = 1.5), "`cache` must be the number")
})

test_that("a time limit reached inside a reader stays R's own error, not a reader's failure", {
  X <- as.matrix(faithful)
  given <- FALSE
  slow <- gmm_source(function(reset = FALSE) {
    if (reset) {
      given <<- FALSE
      return(invisible(NULL))
    }
    if (given) return(NULL)
    Sys.sleep(0.3)
    given <<- TRUE
    X
  })
  err <- tryCatch({
    setTimeLimit(elapsed = 0.1, transient = TRUE)
    gmm_em(slow, pi = c(0.5, 0.5), mu = rbind(c(2, 55), c(4.5, 80)), Sigma = list(diag(c(1, 50)), diag(c(1, 50))),
           max_iter = 2)
  }, error = function(e) e, finally = setTimeLimit())
  expect_s3_class(err, "error")
  expect_match(conditionMessage(err), "reached elapsed time limit")
  expect_false(inherits(err, "gmmem_arg_error"))
})
