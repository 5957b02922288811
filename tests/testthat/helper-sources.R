# Readers for the source tests: biglm's data(reset) protocol over a matrix in memory.

# `rows` at a time; `on_reset` (if given) runs at every rewind, e.g. to count
# how often a shard is read and by which process.
matrix_reader <- function(X, rows, on_reset = NULL) {
  at <- 0
  function(reset = FALSE) {
    if (reset) {
      if (!is.null(on_reset)) on_reset()
      at <<- 0
      return(invisible(NULL))
    }
    if (at >= nrow(X)) return(NULL)
    i <- seq(at + 1, min(at + rows, nrow(X)))
    at <<- max(i)
    X[i, , drop = FALSE]
  }
}
