# Reading a source chunk by chunk: the loop every pass uses, and the checks each chunk gets.

# Every chunk of a source in turn (of each shard in turn, for a source of
# shards), each as list(X = numeric matrix, w = case weights or NULL), handed
# to `visit`. The first chunk fixes the columns; returns their names (NULL
# for a matrix without column names).
for_each_chunk <- function(source, visit) {
  shape <- chunk_loop(source, visit, NULL)
  if (is.null(shape)) abort_arg("data", "is a source that gave no rows.")
  shape$names
}

# `shape` is list(names, d) of the first chunk seen so far, or NULL; returned
# updated. The source is closed on the way out, so that a pass left part-way
# (an error, an interrupt) leaves no open connection behind.
chunk_loop <- function(source, visit, shape) {
  if (!is.null(source$shards)) {
    for (shard in source$shards) shape <- chunk_loop(shard, visit, shape)
    return(shape)
  }
  on.exit(close_source(source))
  index <- 0L
  read_chunk(source, index, reset = TRUE)
  repeat {
    index <- index + 1L
    chunk <- read_chunk(source, index)
    if (is.null(chunk)) break
    chunk <- chunk_matrix(chunk, source, index, shape)
    if (is.null(shape)) shape <- list(names = colnames(chunk$X), d = ncol(chunk$X))
    visit(chunk)
  }
  shape
}

close_source <- function(source) {
  if (is.function(source$close)) source$close()
}

# What the reader returns, its errors told with the source and the chunk
# (chunk 0 is the rewind).
read_chunk <- function(source, index, reset = FALSE) {
  tryCatch(if (reset) source$fun(reset = TRUE) else source$fun(),
           error = function(e) {
             if (is_time_limit(e)) stop(e)
             abort_arg(chunk_arg(source, index), "could not be ", if (reset) "rewound" else "read", ": ",
                       conditionMessage(e))
           })
}

chunk_arg <- function(source, index) {
  label <- if (is.null(source$label)) "the source" else source$label
  if (index == 0L) sprintf("data (%s)", label) else sprintf("data (chunk %d of %s)", index, label)
}

chunk_matrix <- function(chunk, source, index, shape) {
  arg <- chunk_arg(source, index)
  if (!is.data.frame(chunk) && !is.matrix(chunk)) {
    abort_arg(arg, "must be a data frame or numeric matrix, not ", class(chunk)[1L], ".")
  }
  # a reader that ends with an empty chunk instead of NULL would never end
  if (nrow(chunk) == 0L) abort_arg(arg, "has no rows; a reader ends the data by returning NULL.")
  w <- NULL
  if (!is.null(source$weights)) {
    if (!source$weights %in% colnames(chunk)) abort_arg(arg, "has no weights column `", source$weights, "`.")
    w <- chunk[, source$weights]
    if (!valid_weights(w)) {
      abort_arg(arg, "must have non-negative finite weights in `", source$weights, "`.")
    }
    w <- as.double(w)
  }
  if (!is.null(source$columns)) {
    missing_cols <- setdiff(source$columns, colnames(chunk))
    if (length(missing_cols) > 0L) abort_arg(arg, "has no column ", paste0("`", missing_cols, "`", collapse = ", "), ".")
    chunk <- chunk[, source$columns, drop = FALSE]
  } else if (!is.null(source$weights)) {
    chunk <- chunk[, setdiff(colnames(chunk), source$weights), drop = FALSE]
  }
  X <- as_data_matrix(chunk, arg, names_required = TRUE)
  if (!is.null(shape) && (ncol(X) != shape$d || !identical(colnames(X), shape$names))) {
    abort_arg(arg, "has ", ncol(X), " column", if (ncol(X) != 1L) "s",
              if (!is.null(colnames(X))) paste0(" (", paste(colnames(X), collapse = ", "), ")"),
              ", not those of the first chunk (", shape$d,
              if (!is.null(shape$names)) paste0(": ", paste(shape$names, collapse = ", ")), ").")
  }
  list(X = X, w = w)
}

# R's own "reached elapsed/CPU time limit" error (setTimeLimit()), in the session's language:
# it passes through unchanged, never reworded as a reader's failure or ignored.
is_time_limit <- function(e) {
  msg <- conditionMessage(e)
  any(startsWith(msg, c(gettext("reached elapsed time limit", domain = "R"),
                        gettext("reached CPU time limit", domain = "R"))))
}
