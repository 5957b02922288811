# The "gmmem" engine for tidyclust's gm_clust(), registered only when tidyclust is loaded.

#' A tidyclust engine for `gm_clust()`
#'
#' When tidyclust is installed, loading gmmem adds the engine `"gmmem"` to
#' tidyclust's `gm_clust()` (at once if tidyclust is already loaded,
#' otherwise as soon as it is). `gm_clust(num_clusters = K, ...)` with
#' `set_engine("gmmem")` then fits by [gmm_em()] the covariance model that
#' tidyclust's `"mclust"` engine would fit, and `fit()`, `predict()`,
#' `extract_cluster_assignment()` and `extract_centroids()` work as for the
#' other engines. gmmem does not depend on tidyclust: without it nothing is
#' registered.
#'
#' @section Flags and models:
#' The five flags choose the covariance model
#' \eqn{\Sigma_k = \lambda_k D_k A_k D_k^\top}, by mclust's letters for
#' volume, shape and orientation: `shared_size` makes the volume equal across
#' components (E) or lets it vary (V); `circular = TRUE` makes shape and
#' orientation the identity (EII, VII); otherwise `shared_shape` is E or V for
#' the shape, and the orientation is the identity with `zero_covariance = TRUE`
#' (EEI, EVI, VEI, VVI) or, with `zero_covariance = FALSE`, E or V by
#' `shared_orientation` (EEE, EVE, VEE, VVE, EEV, EVV, VEV, VVV). So 14 of the
#' 32 combinations are distinct models; a flag that has no effect (any of the
#' other three under `circular = TRUE`, `shared_orientation` under
#' `zero_covariance = TRUE`) gives a warning when set to `FALSE`, as with the
#' `"mclust"` engine. The defaults (all `TRUE`) are EII.
#'
#' @section Engine arguments:
#' `set_engine("gmmem", ...)` passes its arguments to [gmm_em()]. Unless given
#' there, the engine uses `tol = 1e-8`, `max_iter = 1000`, `keep = "last"`
#' (only the last iteration's responsibilities are stored) and
#' `init = "mclust"`, an engine-only start: mclust's own, the partition of
#' mclust's model-based hierarchical clustering (`mclust::hc()` with
#' `mclust.options()` `"hcModelName"` and `"hcUse"`, so VVV on the data scaled
#' by their singular value decomposition), from which EM starts with the
#' model's M-step, as `mclust::Mclust()` does. Above `mclust.options("subset")`
#' rows (2000) the tree is grown on that many rows drawn at random (set a seed
#' to repeat a fit), and EM starts from the M-step of their partition. mclust
#' is installed wherever tidyclust is. With this start the engine finds the
#' clusters the `"mclust"` engine finds; gmmem's own starts sometimes find a
#' higher likelihood: on iris with three clusters, `init = "hc"` gives EEV,
#' EVE and EVV fits whose log-likelihood is 16 to 24 higher than mclust's and
#' whose clusters are closer to the species. `init = "hc"` (gmmem's
#' deterministic start), or several random starts with
#' `set_engine("gmmem", init = "kmeans++", n_init = 10, seed = 1)`, are the
#' alternatives.
#'
#' @section Clusters:
#' As tidyclust numbers clusters for every engine, `Cluster_1` is the
#' component of the first training row, `Cluster_2` that of the next row not
#' in `Cluster_1`, and so on (a component that takes no training row comes
#' last). Unlike tidyclust's `"mclust"` engine, the same numbering is used by
#' `predict()`, so a training row is predicted into the cluster that
#' `extract_cluster_assignment()` gives it. A row belongs to its most probable
#' component under the final parameters. `extract_centroids()` gives the
#' fitted component means (not the means of the rows assigned to each
#' cluster).
#'
#' @param x The predictors: a numeric matrix or data frame (tidyclust passes
#'   the model matrix of the formula).
#' @param num_clusters Number of components.
#' @param circular,zero_covariance,shared_orientation,shared_shape,shared_size
#'   `TRUE` or `FALSE`; see "Flags and models".
#' @param ... Engine arguments, passed to [gmm_em()].
#' @param object A `gmm_em` fit (for the extractors, one fitted to data kept
#'   in memory).
#' @param new_data New rows, matched to the fitted columns by name when both
#'   have names.
#' @param prefix,labels The cluster names: `prefix` followed by the cluster
#'   number, or the first `num_clusters` of `labels`.
#' @return `.gm_clust_fit_gmmem()`: a [gmm_em()] fit. `.gm_clust_predict_gmmem()`:
#'   a factor of cluster names. The extractors return what tidyclust's
#'   generics expect of them.
#' @examplesIf requireNamespace("tidyclust", quietly = TRUE)
#' library(tidyclust)
#' spec <- gm_clust(num_clusters = 3, circular = FALSE, zero_covariance = FALSE,
#'                  shared_orientation = FALSE, shared_shape = FALSE,
#'                  shared_size = FALSE) |>
#'   set_engine("gmmem")
#' fitted <- fit(spec, ~ ., data = iris[, 1:4])
#' extract_centroids(fitted)
#' table(extract_cluster_assignment(fitted)$.cluster, iris$Species)
#' predict(fitted, iris[c(1, 51, 101), 4:1])
#' @name gmmem-tidyclust
#' @keywords internal
NULL

# The five flags, in the order the arguments come.
gm_clust_flags <- c("circular", "zero_covariance", "shared_orientation", "shared_shape", "shared_size")

# The mclust model name a flag combination stands for, letter by letter (volume, shape,
# orientation); warns about a FALSE flag that the others make irrelevant, as tidyclust does.
gm_clust_model <- function(circular, zero_covariance, shared_orientation, shared_shape, shared_size) {
  flags <- list(circular = circular, zero_covariance = zero_covariance, shared_orientation = shared_orientation,
                shared_shape = shared_shape, shared_size = shared_size)
  for (arg in gm_clust_flags) {
    value <- flags[[arg]]
    if (!is.logical(value) || length(value) != 1L || is.na(value)) abort_arg(arg, "must be TRUE or FALSE.")
  }
  ignored <- if (circular) {
    c("zero_covariance", "shared_orientation", "shared_shape")
  } else if (zero_covariance) {
    "shared_orientation"
  } else {
    character()
  }
  cause <- if (circular) "circular = TRUE" else "zero_covariance = TRUE"
  for (arg in ignored) {
    if (flags[[arg]]) next
    warning(sprintf("`%s = FALSE` has no effect with `%s`: the model is the same as with TRUE.", arg, cause),
            call. = FALSE)
  }
  volume <- if (shared_size) "E" else "V"
  if (circular) return(paste0(volume, "II"))
  shape <- if (shared_shape) "E" else "V"
  orientation <- if (zero_covariance) "I" else if (shared_orientation) "E" else "V"
  paste0(volume, shape, orientation)
}

#' @rdname gmmem-tidyclust
#' @export
.gm_clust_fit_gmmem <- function(x, num_clusters = NULL, circular = TRUE, zero_covariance = TRUE,
                                shared_orientation = TRUE, shared_shape = TRUE, shared_size = TRUE, ...) {
  if (is.null(num_clusters)) abort_arg("num_clusters", "must be given to fit a gm_clust() specification.")
  model <- gm_clust_model(circular, zero_covariance, shared_orientation, shared_shape, shared_size)
  engine_args <- list(...)
  if (length(engine_args) && (is.null(names(engine_args)) || !all(nzchar(names(engine_args))))) {
    abort_arg("set_engine", "arguments must be named, as gmm_em() names them.")
  }
  if (any(c("k", "model", "data") %in% names(engine_args))) {
    abort_arg("set_engine", "must not set `k`, `model` or `data`: they come from gm_clust() and fit().")
  }
  # mclust stops on the same relative change of the log-likelihood, at 1e-5; a tighter tol
  # costs little at the sizes tidyclust works with.
  defaults <- list(init = "mclust", tol = 1e-8, max_iter = 1000L, keep = "last")
  args <- utils::modifyList(defaults, engine_args)
  # A call that names `x` keeps the data out of fit$call.
  fit_call <- if (identical(args$init, "mclust")) {
    args$init <- NULL
    start <- mclust_start(x, num_clusters, model)
    if (is.null(start$z)) {
      x_start <- start$params
      as.call(c(list(quote(gmm_em), data = quote(x), pi = quote(x_start$pi), mu = quote(x_start$mu),
                     Sigma = quote(x_start$Sigma), model = model), args))
    } else {
      x_start <- start$z
      as.call(c(list(quote(gmm_em), data = quote(x), z = quote(x_start), model = model), args))
    }
  } else {
    as.call(c(list(quote(gmm_em), data = quote(x), k = num_clusters, model = model), args))
  }
  fit <- eval(fit_call)
  attr(fit, "num_clusters") <- length(fit$final$pi)
  # tidyclust's metrics (sse_within_total() and the like) read the training rows from here.
  attr(fit, "training_data") <- fit$data
  fit
}

# mclust's own start, which Mclust() and so tidyclust's "mclust" engine use: the partition into
# K of mclust's model-based hierarchical clustering (mclust.options() "hcModelName" on data
# transformed by "hcUse": VVV on the SVD-scaled data unless changed). Above mclust.options()
# "subset" rows (2000) the tree is grown, as mclust does, on that many rows drawn at random, and
# the start is the model's M-step from their partition. mclust is always there with tidyclust.
mclust_start <- function(x, K, model) {
  if (!requireNamespace("mclust", quietly = TRUE)) {
    abort_arg("init", "\"mclust\" needs the mclust package; install it or give `init = \"hc\"`.")
  }
  X <- as_data_matrix(x, "x", names_required = TRUE)
  K <- check_whole_number(K, "num_clusters", min = 1, max = nrow(X))
  rows <- seq_len(nrow(X))
  subset <- mclust::mclust.options("subset")
  if (nrow(X) > subset) rows <- sort(sample.int(nrow(X), subset))
  # mclust::hc() looks up its hc<model>() function from its caller's frame, so it is called from
  # an environment that sees mclust's namespace.
  tree <- eval(quote(hc(data, modelName = mclust.options("hcModelName"), use = mclust.options("hcUse"))),
               list(data = X[rows, , drop = FALSE]), asNamespace("mclust"))
  z <- as.vector(mclust::hclass(tree, K))
  if (length(rows) == nrow(X)) return(list(z = z))
  sub <- gmm_em(X[rows, , drop = FALSE], z = z, model = model, max_iter = 0L, keep = "last")
  list(params = sub$final)
}

#' @rdname gmmem-tidyclust
#' @export
.gm_clust_predict_gmmem <- function(object, new_data, prefix = "Cluster_", labels = NULL) {
  check_fit(object, "object")
  X <- model_rows(object, new_data, "new_data")
  component <- as.integer(hard_clusters(final_responsibilities(object, X, "new_data")))
  names <- cluster_names(length(object$final$pi), prefix, labels)
  factor(names[match(component, cluster_order(object))], levels = names)
}

# Components in the order tidyclust numbers clusters: by the first training row each takes,
# then those that take none.
cluster_order <- function(object) {
  training <- as.integer(training_clusters(object))
  unique(c(training, seq_along(object$final$pi)))
}

# Each training row's most probable component under the final parameters.
training_clusters <- function(object) {
  hard_clusters(final_responsibilities(object, fit_data(object, "object"), "object"))
}

cluster_names <- function(K, prefix, labels) {
  if (is.null(labels)) {
    if (!is.character(prefix) || length(prefix) != 1L || is.na(prefix)) abort_arg("prefix", "must be a single string.")
    return(paste0(prefix, seq_len(K)))
  }
  if (!is.character(labels) || length(labels) < K || anyNA(labels[seq_len(K)])) {
    abort_arg("labels", "must be a character vector of at least ", K, " names, one per cluster.")
  }
  labels <- labels[seq_len(K)]
  if (anyDuplicated(labels)) abort_arg("labels", "must not repeat a name.")
  labels
}

#' @rdname gmmem-tidyclust
#' @exportS3Method tidyclust::extract_cluster_assignment
extract_cluster_assignment.gmm_em <- function(object, ..., prefix = "Cluster_", labels = NULL) {
  names <- cluster_names(length(object$final$pi), prefix, labels)
  component <- as.integer(training_clusters(object))
  tibble::tibble(.cluster = factor(names[match(component, cluster_order(object))], levels = names))
}

#' @rdname gmmem-tidyclust
#' @exportS3Method tidyclust::extract_fit_summary
extract_fit_summary.gmm_em <- function(object, ..., prefix = "Cluster_", labels = NULL) {
  X <- fit_data(object, "object")
  K <- length(object$final$pi)
  order <- cluster_order(object)
  names <- cluster_names(K, prefix, labels)
  component <- as.integer(training_clusters(object))
  cluster <- match(component, order)
  centroids <- object$final$mu[order, , drop = FALSE]
  colnames(centroids) <- fit_colnames(object)
  # Squared Euclidean distances to the fitted means, as tidyclust's sse_within_total() measures.
  sq_dist <- rowSums((X - centroids[cluster, , drop = FALSE])^2)
  list(
    cluster_names = factor(names, levels = names),
    centroids = tibble::as_tibble(as.data.frame(centroids)),
    n_members = tabulate(cluster, nbins = K),
    sse_within_total_total = vapply(seq_len(K), function(j) sum(sq_dist[cluster == j]), numeric(1)),
    sse_total = sum(sweep(X, 2L, colMeans(X))^2),
    orig_labels = component,
    cluster_assignments = factor(names[cluster], levels = names)
  )
}

# Adds the engine to tidyclust's gm_clust() through modelenv, where tidyclust keeps its models.
# Does nothing if it is there already (gmmem loaded again) or if this tidyclust has no gm_clust().
register_tidyclust_engine <- function() {
  engines <- modelenv::get_from_env("gm_clust")
  if (is.null(engines) || "gmmem" %in% engines$engine) return(invisible(FALSE))
  model <- "gm_clust"
  mode <- "partition"
  eng <- "gmmem"
  modelenv::set_model_engine(model, mode, eng)
  modelenv::set_dependency(model = model, mode = mode, eng = eng, pkg = "gmmem")
  modelenv::set_fit(model = model, mode = mode, eng = eng, value = list(
    interface = "matrix",
    protect = c("x", "num_clusters", gm_clust_flags),
    func = c(pkg = "gmmem", fun = ".gm_clust_fit_gmmem"),
    defaults = list()
  ))
  modelenv::set_encoding(model = model, mode = mode, eng = eng, options = list(
    predictor_indicators = "traditional",
    compute_intercept = TRUE,
    remove_intercept = TRUE,
    allow_sparse_x = FALSE
  ))
  # The tuning parameter objects are tidyclust's own (num_clusters is dials').
  modelenv::set_model_arg(model = model, eng = eng, exposed = "num_clusters", original = "num_clusters",
                          func = list(pkg = "dials", fun = "num_clusters"), has_submodel = FALSE)
  for (flag in gm_clust_flags) {
    modelenv::set_model_arg(model = model, eng = eng, exposed = flag, original = flag,
                            func = list(pkg = "tidyclust", fun = flag), has_submodel = FALSE)
  }
  modelenv::set_pred(model = model, mode = mode, eng = eng, type = "cluster", value = list(
    pre = NULL,
    post = NULL,
    func = c(pkg = "gmmem", fun = ".gm_clust_predict_gmmem"),
    args = list(object = quote(object$fit), new_data = quote(new_data))
  ))
  invisible(TRUE)
}

# Registers now if tidyclust is loaded, and again (a no-op then) whenever tidyclust loads.
# A failure must not stop tidyclust or gmmem from loading: it is reported as a warning.
hook_tidyclust_engine <- function() {
  register <- function(...) {
    tryCatch(register_tidyclust_engine(), error = function(e) {
      warning("gmmem could not add its engine to tidyclust: ", conditionMessage(e), call. = FALSE)
    })
  }
  setHook(packageEvent("tidyclust", "onLoad"), register)
  if (isNamespaceLoaded("tidyclust")) register()
  invisible()
}
