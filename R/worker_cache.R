# Shards kept in memory by future workers between the iterations of one fit (gmm_source_future(cache = )).

# On a worker, this environment (in gmmem's namespace there) holds `fit`, the
# key of the fit whose shards it keeps, and `shards`, those shards by index
# (most recently used first), each list(chunks, shape).
worker_cache <- new.env(parent = emptyenv())
worker_cache$fit <- NULL
worker_cache$shards <- list()

fit_counter <- new.env(parent = emptyenv())
fit_counter$n <- 0

# The key under which a fit's workers keep its shards, or NULL when they are
# not to: no cache asked, or a backend whose workers do not outlive a future
# (sequential, multicore, callr, batchtools: a copy kept there is never used).
# Made without the random number generator, so that caching leaves the
# user's random stream alone.
worker_cache_key <- function(source) {
  if (is.null(source$cache) || source$cache == 0 || !inherits(future::plan(), "cluster")) return(NULL)
  fit_counter$n <- fit_counter$n + 1
  list(id = paste(Sys.info()[["nodename"]], Sys.getpid(), fit_counter$n, format(Sys.time(), "%Y%m%d%H%M%OS6")),
       cap = source$cache, home = Sys.getpid())
}

# A shard's pass on a worker: from the worker's copy when it has one, else
# read from the source (and kept, when `key` asks and there is room).
worker_pass <- function(shard, index, key, theta, model, iteration, at, sizes, resp) {
  # a future run in the fitting process itself (plan(sequential)) keeps nothing
  if (is.null(key) || identical(key$home, Sys.getpid())) {
    return(shard_pass(shard, theta, model, 1L, iteration, at, sizes, resp))
  }
  if (!identical(worker_cache$fit, key$id)) {
    # a copy kept for another fit (one that ended without releasing it) goes
    worker_cache$fit <- key$id
    worker_cache$shards <- list()
  }
  name <- as.character(index)
  kept <- worker_cache$shards[[name]]
  if (!is.null(kept)) {
    worker_cache$shards <- c(worker_cache$shards[name], worker_cache$shards[names(worker_cache$shards) != name])
    return(shard_pass(shard, theta, model, 1L, iteration, at, sizes, resp, chunks = function(visit) {
      for (chunk in kept$chunks) visit(chunk)
      kept$shape
    }))
  }
  # room first, so that the worker never holds more than `cap` shards
  worker_cache$shards <- utils::head(worker_cache$shards, key$cap - 1)
  read <- list()
  out <- shard_pass(shard, theta, model, 1L, iteration, at, sizes, resp, chunks = function(visit) {
    chunk_loop(shard, function(chunk) {
      read[[length(read) + 1L]] <<- chunk
      visit(chunk)
    }, NULL)
  })
  entry <- list(list(chunks = read, shape = list(names = out$names, d = out$d)))
  names(entry) <- name
  worker_cache$shards <- c(entry, worker_cache$shards)
  out
}

# Drops a fit's shards from the worker it runs on.
worker_release <- function(id) {
  if (identical(worker_cache$fit, id)) {
    worker_cache$fit <- NULL
    worker_cache$shards <- list()
  }
  Sys.getpid()
}

# At the end of a fit, one small future per worker drops its copies. Cluster
# workers take futures in order of availability, so futures sent together
# while the workers are idle reach every worker; if one is missed, its copies
# go when it next runs a gmmem pass for another fit, or when it ends.
release_worker_caches <- function(key) {
  release <- worker_release
  id <- key$id
  tryCatch({
    futures <- lapply(seq_len(future::nbrOfWorkers()), function(i) {
      future::future(release(id), globals = list(release = release, id = id), packages = "gmmem", seed = NULL)
    })
    invisible(lapply(futures, future::value))
  }, error = function(e) {
    # a worker that cannot be reached keeps its copies until its next fit; a time limit (like an
    # interrupt) still goes through
    if (is_time_limit(e)) stop(e)
    NULL
  })
}
