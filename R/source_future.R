# Shards of the data on `future` workers: each iteration, each worker reads its shard and returns statistics.

#' Fit on several workers: one source per shard, run as futures
#'
#' Each shard (a [gmm_source()], for instance one file or one query per
#' shard) is fitted by a `future` in every EM iteration, on whatever backend
#' [future::plan()] sets (`multisession` for local processes, `cluster` for
#' other machines). Only the parameters go to the workers and only the
#' statistics of each shard (see [gmm_stats()]) come back; they are merged in
#' shard order, so the fit equals the fit to all the shards' rows in one data
#' set, whatever the number of workers.
#'
#' @section Workers keep their shard:
#' With `cache = 1` (the default) a worker that has read a shard keeps it in
#' memory, as the chunks' matrices, until the end of the fit; when the same
#' shard lands on that worker in a later iteration, the worker uses its copy
#' instead of reading the source again. `future` has no way to send a future
#' to a chosen worker, so this is a cache and not a pinning: a shard that
#' lands on another worker is read from its source there (and kept there),
#' and the fit is the same either way. `cache` is how many shards a worker
#' may keep (the least recently used goes first); a worker needs memory for
#' that many shards on top of one chunk. `cache = 0` turns it off for shards
#' too big for a worker: then every iteration reads every shard from its
#' source, with one chunk in memory per worker. At the end of the fit
#' (finished, failed or interrupted) each worker is sent a small future that
#' drops the fit's copies; a worker this misses drops them when it next runs
#' a pass of another fit, or when it ends.
#'
#' How often the copy is used depends on the backend:
#' * `plan(multisession)` and `plan(cluster)`: the workers are R processes
#'   that live across futures. `future` gives each new future the first idle
#'   worker, and gmmem launches an iteration's futures together, so with no
#'   more shards than workers shard *i* goes to worker *i* in every
#'   iteration and is read once per fit. With more shards than workers the
#'   extra shards go to whichever worker frees first; give `cache` the number
#'   of shards per worker (for instance `ceiling(shards / workers)`) if the
#'   workers' memory allows, or most of those passes read the source again.
#' * `plan(sequential)` (the fitting process itself, as is
#'   `plan(multisession, workers = 1)`), `plan(multicore)`
#'   (a forked process per future), `future.callr` and `future.batchtools`
#'   (a new R process or job per future): no worker outlives its future, so
#'   nothing is kept and every iteration reads every shard, whatever `cache`
#'   says. On a batchtools scheduler each iteration is one job per shard.
#'
#' The sources must work in another R process: readers that hold a path or
#' a function that connects, such as [gmm_source_csv()] and
#' [gmm_source_dbi()] with a connecting function, do. A start chosen from
#' `k` draws its sample by reading the shards in turn in this process.
#'
#' @param sources A list of `gmm_source` objects, one per shard.
#' @param cache How many shards a worker keeps in memory between iterations:
#'   0 (none: read every shard in every iteration), 1 (the default), 2, ...,
#'   or `Inf`. See the section below.
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
gmm_source_future <- function(sources, cache = 1) {
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
  if (!is.numeric(cache) || length(cache) != 1L || is.na(cache) || cache < 0 ||
      (is.finite(cache) && cache != round(cache))) {
    abort_arg("cache", "must be the number of shards a worker may keep in memory: 0 (none), 1, 2, ... or Inf.")
  }
  for (i in seq_along(sources)) {
    sources[[i]]$label <- sprintf("shard %d, %s", i, if (is.null(sources[[i]]$label)) "a source" else sources[[i]]$label)
  }
  structure(list(shards = sources, cache = cache), class = "gmm_source")
}

# Every shard's pass as a future; the values in shard order. Each future is
# collected before any error is raised, so that no future is left running on
# a worker that a later future (the caches' release) should reach.
future_passes <- function(source, theta, model, iteration, at, sizes, resp) {
  pass <- worker_pass
  key <- source$fit
  # future does not carry options to its workers: the caller's kernel choice goes along, so that
  # options(gmmem.kernel = "portable") holds on every worker (and a SIMD kernel's name fails where it cannot run)
  kernel <- kernel_choice()
  futures <- lapply(seq_along(source$shards), function(index) {
    shard <- source$shards[[index]]
    future::future(local({
      old <- options(gmmem.kernel = kernel)
      tryCatch(pass(shard, index, key, theta, model, iteration, at, sizes, resp), finally = options(old))
    }),
                   globals = list(pass = pass, shard = shard, index = index, key = key, theta = theta, model = model,
                                  iteration = iteration, at = at, sizes = sizes, resp = resp, kernel = kernel),
                   packages = "gmmem", seed = NULL)
  })
  values <- lapply(futures, function(f) tryCatch(future::value(f), error = function(e) e))
  failed <- vapply(values, inherits, logical(1), "error")
  if (any(failed)) stop(values[[which(failed)[1L]]])
  values
}
