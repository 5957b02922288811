# Shards of the data on `future` workers: each iteration, each worker reads its shard and returns statistics.

#' Fit on several workers: one source per shard, run as futures
#'
#' Each shard (a [gmm_source()], for instance one file or one query per
#' shard) is read by a `future` in every EM iteration, on whatever backend
#' [future::plan()] sets (`multisession` for local processes, `cluster` for
#' other machines). Only the parameters go to the workers and only the
#' statistics of each shard (see [gmm_stats()]) come back; they are merged in
#' shard order, so the fit equals the fit to all the shards' rows in one data
#' set, whatever the number of workers.
#'
#' A `future` has no state that outlives it, and plain futures cannot be
#' pinned to a worker, so a shard is read again from its source in every
#' iteration (memory stays one chunk per worker). The sources must therefore
#' work in another R process: readers that hold a path or a function that
#' connects, such as [gmm_source_csv()] and [gmm_source_dbi()] with a
#' connecting function, do. A start chosen from `k` draws its sample by
#' reading the shards in turn in this process.
#'
#' @param sources A list of `gmm_source` objects, one per shard.
#' @return A `gmm_source` for [gmm_em()].
#' @examples
#' \donttest{
#' if (requireNamespace("future", quietly = TRUE)) {
#'   files <- replicate(2, tempfile(fileext = ".csv"))
#'   write.csv(faithful[1:136, ], files[1], row.names = FALSE)
#'   write.csv(faithful[137:272, ], files[2], row.names = FALSE)
#'   old <- future::plan(future::sequential)
#'   src <- gmm_source_future(lapply(files, gmm_source_csv, chunk_rows = 50))
#'   print(gmm_em(src, k = 2, seed = 1, tol = 1e-8))
#'   future::plan(old)
#'   unlink(files)
#' }
#' }
#' @export
gmm_source_future <- function(sources) {
  if (!requireNamespace("future", quietly = TRUE)) {
    stop("gmm_source_future() needs the future package: install.packages(\"future\").", call. = FALSE)
  }
  if (inherits(sources, "gmm_source") || !is.list(sources) || length(sources) == 0L ||
      !all(vapply(sources, inherits, logical(1), "gmm_source"))) {
    abort_arg("sources", "must be a list of gmm_source objects, one per shard.")
  }
  if (any(vapply(sources, function(s) !is.null(s$shards), logical(1)))) {
    abort_arg("sources", "must not hold sources of shards themselves.")
  }
  structure(list(shards = sources), class = "gmm_source")
}

# Every shard's pass as a future; the values in shard order.
future_passes <- function(shards, theta, model, iteration, at, sizes, resp) {
  pass <- shard_pass
  futures <- lapply(shards, function(shard) {
    future::future(pass(shard, theta, model, 1L, iteration, at, sizes, resp),
                   globals = list(pass = pass, shard = shard, theta = theta, model = model, iteration = iteration,
                                  at = at, sizes = sizes, resp = resp),
                   packages = "gmmem", seed = NULL)
  })
  lapply(futures, future::value)
}
