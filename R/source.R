# Data read chunk by chunk: gmm_source() and its readers for files and databases.

#' Data that do not fit in memory: a source of chunks
#'
#' A source hands [gmm_em()] the data a chunk of rows at a time, so that a
#' fit needs memory for one chunk and the parameters, whatever the number of
#' rows. `gmm_source()` wraps any reader in biglm's `data(reset)` protocol:
#' `fun(reset = TRUE)` rewinds to the first row, and each `fun()` then returns
#' the next chunk (a data frame or numeric matrix) or `NULL` at the end.
#' `gmm_source_csv()` and `gmm_source_dbi()` are such readers for a
#' delimited text file and a database query; [gmm_source_future()] runs
#' several sources (shards) on `future` workers.
#'
#' Every EM iteration reads the data once (see [gmm_em()] for what a fit
#' from a source keeps). Chunks may have any number of rows but none (the
#' end is `NULL`), and the result does not depend on it beyond rounding: the
#' statistics of the chunks are merged exactly (see [gmm_stats()]). Every
#' chunk must have the first chunk's columns, numeric and without `NA`; an
#' error names the source and the chunk's number.
#'
#' A source whose reader holds only a path, a query or a function that
#' connects (and opens its connection on `reset`) can be sent to another R
#' process: [gmm_source_future()] needs that. `gmm_source_dbi()` with a live
#' connection works only in the process that opened it; give it a function
#' that connects instead.
#'
#' @param fun A function of one argument `reset`, as above.
#' @param columns `NULL` (all columns) or the names of the columns to fit;
#'   others are dropped from every chunk.
#' @param weights `NULL`, or the name of a column holding case weights (see
#'   [gmm_em()]); it is not one of the fitted columns.
#' @return An object of class `gmm_source`.
#' @examples
#' # a reader over a matrix in memory, 50 rows at a time
#' chunks_of <- function(X, rows) {
#'   at <- 0
#'   function(reset = FALSE) {
#'     if (reset) { at <<- 0; return(invisible(NULL)) }
#'     if (at >= nrow(X)) return(NULL)
#'     i <- seq(at + 1, min(at + rows, nrow(X)))
#'     at <<- max(i)
#'     X[i, , drop = FALSE]
#'   }
#' }
#' src <- gmm_source(chunks_of(as.matrix(faithful), 50))
#' gmm_em(src, k = 2, seed = 1, tol = 1e-8)
#'
#' # a reader of your own: a file of doubles, two per row, read with readBin()
#' bin <- tempfile()
#' writeBin(as.vector(t(as.matrix(faithful))), bin)
#' doubles <- function(path, d, rows) {
#'   con <- NULL
#'   function(reset = FALSE) {
#'     if (reset) {
#'       if (!is.null(con)) close(con)
#'       con <<- file(path, "rb")
#'       return(invisible(NULL))
#'     }
#'     v <- readBin(con, "double", n = d * rows)
#'     if (length(v) == 0L) {
#'       close(con)
#'       con <<- NULL
#'       return(NULL)
#'     }
#'     matrix(v, ncol = d, byrow = TRUE, dimnames = list(NULL, names(faithful)))
#'   }
#' }
#' gmm_em(gmm_source(doubles(bin, 2, 100)), k = 2, seed = 1, tol = 1e-8)
#' unlink(bin)
#' @export
gmm_source <- function(fun, columns = NULL, weights = NULL) {
  if (!is.function(fun)) abort_arg("fun", "must be a function of `reset` that returns chunks of rows.")
  check_source_columns(columns, weights)
  new_source(fun, columns, weights)
}

check_source_columns <- function(columns, weights) {
  if (!is.null(columns) && (!is.character(columns) || length(columns) == 0L || anyNA(columns))) {
    abort_arg("columns", "must be NULL or the names of the columns to fit.")
  }
  if (!is.null(weights) && (!is.character(weights) || length(weights) != 1L || is.na(weights))) {
    abort_arg("weights", "must be NULL or the name of the column holding case weights.")
  }
  if (!is.null(columns) && !is.null(weights) && weights %in% columns) {
    abort_arg("weights", "names one of the fitted `columns`.")
  }
}

# `label` names the source in errors; `close`, when given, releases what a
# pass left open (a pass that stopped part-way calls it).
new_source <- function(fun, columns, weights, label = NULL, close = NULL) {
  structure(list(fun = fun, columns = columns, weights = weights, label = label, close = close),
            class = "gmm_source")
}

#' @rdname gmm_source
#' @param path Path of a delimited text file with a header line.
#' @param chunk_rows Rows per chunk.
#' @param sep The field separator.
#' @details `gmm_source_csv()` reads the file with base R's [scan()] on one
#'   open connection (the file is read once per iteration, never held
#'   whole); every field it reads must be a number (columns not in
#'   `columns` are skipped unread). The connection is closed at the end of
#'   the file, and also when a pass stops part-way (an error or an
#'   interrupt). `scan()` reads about two million rows of two columns a
#'   second; for files of hundreds of millions of rows a binary format read
#'   with [readBin()] in a `gmm_source()` reader is several times faster
#'   (see the example).
#' @export
gmm_source_csv <- function(path, chunk_rows = 1e5, columns = NULL, weights = NULL, sep = ",") {
  if (!is.character(path) || length(path) != 1L || is.na(path) || !file.exists(path)) {
    abort_arg("path", "must be the path of an existing file.")
  }
  chunk_rows <- check_whole_number(chunk_rows, "chunk_rows", min = 1, max = .Machine$integer.max)
  if (!is.character(sep) || length(sep) != 1L || nchar(sep) != 1L) abort_arg("sep", "must be one character.")
  check_source_columns(columns, weights)
  path <- normalizePath(path)
  header <- strsplit(readLines(path, n = 1L, warn = FALSE), sep, fixed = TRUE)[[1L]]
  header <- gsub("^[\"']|[\"']$", "", trimws(header))
  wanted <- c(if (is.null(columns)) setdiff(header, weights) else columns, weights)
  missing_cols <- setdiff(wanted, header)
  if (length(missing_cols) > 0L) {
    abort_arg(if (!is.null(weights) && weights %in% missing_cols) "weights" else "columns",
              "names ", paste0("`", missing_cols, "`", collapse = ", "), ", not in the header of `path`.")
  }
  what <- lapply(header, function(h) if (h %in% wanted) numeric() else NULL)
  names(what) <- header
  con <- NULL
  pid <- NA_integer_
  line <- 0
  finish <- function() {
    # a connection opened in another process (this source was sent to a
    # worker) is not this process's to close
    if (!is.null(con) && identical(pid, Sys.getpid())) close(con)
    con <<- NULL
  }
  fun <- function(reset = FALSE) {
    if (reset) {
      finish()
      con <<- file(path, "r")
      pid <<- Sys.getpid()
      readLines(con, n = 1L)
      line <<- 1
      return(invisible(NULL))
    }
    if (is.null(con) || !identical(pid, Sys.getpid())) stop("the source was not rewound (reset = TRUE) first.", call. = FALSE)
    chunk <- tryCatch(scan(con, what = what, sep = sep, nmax = chunk_rows, quiet = TRUE, multi.line = FALSE),
                      error = function(e) {
                        # scan() counts lines from where this chunk began
                        stop(conditionMessage(e), " (scan()'s line 1 is line ", format(line + 1, scientific = FALSE),
                             " of the file)", call. = FALSE)
                      })
    chunk <- chunk[!vapply(chunk, is.null, logical(1))]
    rows <- length(chunk[[1L]])
    if (rows == 0L) {
      finish()
      return(NULL)
    }
    line <<- line + rows
    structure(chunk, class = "data.frame", row.names = .set_row_names(rows))
  }
  new_source(fun, setdiff(wanted, weights), weights, label = paste("the file", path), close = finish)
}

#' @rdname gmm_source
#' @param con A DBI connection, or a function of no arguments that opens one
#'   (then the source connects on each rewind and disconnects at the end of
#'   the data, and can run on another process).
#' @param sql The query whose rows are the data.
#' @details `gmm_source_dbi()` sends the query on each rewind and fetches
#'   `chunk_rows` rows at a time with `DBI::dbFetch()`; it needs the DBI
#'   package and a driver (for instance RSQLite).
#' @export
gmm_source_dbi <- function(con, sql, chunk_rows = 1e5, columns = NULL, weights = NULL) {
  if (!requireNamespace("DBI", quietly = TRUE)) {
    stop("gmm_source_dbi() needs the DBI package: install.packages(\"DBI\").", call. = FALSE)
  }
  if (!is.function(con) && !isTRUE(tryCatch(DBI::dbIsValid(con), error = function(e) FALSE))) {
    abort_arg("con", "must be a DBI connection or a function that opens one.")
  }
  if (!is.character(sql) || length(sql) != 1L || is.na(sql)) abort_arg("sql", "must be one query (a string).")
  chunk_rows <- check_whole_number(chunk_rows, "chunk_rows", min = 1, max = .Machine$integer.max)
  connect <- if (is.function(con)) con else NULL
  live <- if (is.function(con)) NULL else con
  result <- NULL
  pid <- NA_integer_
  finish <- function() {
    if (!is.null(result) && identical(pid, Sys.getpid())) DBI::dbClearResult(result)
    result <<- NULL
    if (!is.null(connect) && !is.null(live) && identical(pid, Sys.getpid())) DBI::dbDisconnect(live)
    if (!is.null(connect)) live <<- NULL
  }
  fun <- function(reset = FALSE) {
    if (reset) {
      finish()
      if (!is.null(connect)) live <<- connect()
      pid <<- Sys.getpid()
      result <<- DBI::dbSendQuery(live, sql)
      return(invisible(NULL))
    }
    if (is.null(result)) stop("the source was not rewound (reset = TRUE) first.", call. = FALSE)
    chunk <- DBI::dbFetch(result, n = chunk_rows)
    if (nrow(chunk) == 0L) {
      finish()
      return(NULL)
    }
    chunk
  }
  check_source_columns(columns, weights)
  query <- if (nchar(sql) > 60L) paste0(substr(sql, 1L, 57L), "...") else sql
  new_source(fun, columns, weights, label = paste0("the query \"", query, "\""), close = finish)
}

#' @export
print.gmm_source <- function(x, ...) {
  cat("A gmm_source: data read chunk by chunk",
      if (!is.null(x$shards)) sprintf(" from %d shards on future workers (each keeps %s)", length(x$shards),
                                      if (x$cache == 0) "none" else paste("up to", x$cache, "in memory")),
      if (!is.null(x$columns)) paste0("; columns ", paste(x$columns, collapse = ", ")),
      if (!is.null(x$weights)) paste0("; weights in `", x$weights, "`"), "\n", sep = "")
  invisible(x)
}

