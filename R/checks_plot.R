# Argument checks of the figures (plot_mixtures(), the views, the animation),
# beside the fitting functions' checks in checks.R and in the same style.

check_dots_unused <- function(...) {
  if (...length() == 0L) return(invisible())
  names <- ...names()
  given <- if (is.null(names)) rep("", ...length()) else names
  given[is.na(given) | !nzchar(given)] <- "(unnamed)"
  abort_arg("...", "must be empty; unused argument", if (length(given) > 1L) "s", ": ",
            paste0("`", given, "`", collapse = ", "), ". Check the spelling of the arguments.")
}

check_fit <- function(fit, arg) {
  if (!inherits(fit, "gmm_em")) {
    abort_arg(arg, "must be a `gmm_em` fit (from gmm_em()), not ", class(fit)[1L], ".")
  }
  if (!all(c("params", "loglik", "path", "resp", "data", "n_iter", "final") %in% names(fit))) {
    abort_arg(arg, "is not a complete `gmm_em` fit: make it with gmm_em().")
  }
  invisible(fit)
}

# Iteration numbers whose responsibilities the fit kept.
check_iterations <- function(iterations, fit) {
  iterations <- check_iteration_numbers(iterations, fit$n_iter)
  kept <- kept_iterations(fit)
  missing_resp <- setdiff(iterations, kept)
  if (length(missing_resp) > 0L) {
    abort_arg("iterations", "includes ", paste(missing_resp, collapse = ", "),
              ", whose responsibilities the fit did not keep (it kept ", summarise_kept(kept), "). ",
              "Refit with `keep = \"all\"`, or with `keep` listing the iterations to plot.")
  }
  iterations
}

# The handout's iterations that this fit can draw, then its last one.
default_iterations <- function(fit) {
  wanted <- figure_iterations
  n_iter <- fit$n_iter
  available <- intersect(wanted[wanted <= n_iter], kept_iterations(fit))
  if (length(available) == length(wanted)) return(wanted)
  unique(c(available, n_iter))
}

check_dims <- function(dims, d, default = FALSE) {
  if (d == 1L) {
    if (default || isTRUE(all.equal(dims, 1))) return(1L)
    abort_arg("dims", "must be 1: the data have a single column.")
  }
  if (!is.numeric(dims) || length(dims) != 2L || anyNA(dims) || any(!is.finite(dims)) || any(dims != round(dims))) {
    abort_arg("dims", "must be two column numbers of the data (from 1 to ", d, ").")
  }
  if (any(dims < 1) || any(dims > d)) {
    abort_arg("dims", "must be column numbers from 1 to ", d, " (the data have ", d, " columns), not ",
              paste(dims, collapse = " and "), ".")
  }
  if (dims[1L] == dims[2L]) abort_arg("dims", "must be two different columns.")
  as.integer(dims)
}

check_radii <- function(radii) {
  if (!is.numeric(radii) || length(radii) == 0L || anyNA(radii) || any(!is.finite(radii))) {
    abort_arg("radii", "must be positive finite numbers.")
  }
  if (any(radii <= 0)) abort_arg("radii", "must be positive.")
  if (length(radii) > 6L) abort_arg("radii", "must have at most 6 values, not ", length(radii), ".")
  if (anyDuplicated(as.vector(radii))) abort_arg("radii", "must not repeat a radius.")
  as.vector(radii)
}

check_colours <- function(colours, K) {
  if (is.null(colours)) {
    if (K <= length(gmm_palette)) return(gmm_palette[seq_len(K)])
    return(grDevices::hcl.colors(K, "Dark 3"))
  }
  if (!is.character(colours) || length(colours) != K || anyNA(colours)) {
    abort_arg("colours", "must be ", K, " colour", if (K > 1L) "s", " (one per component), as character strings.")
  }
  valid <- vapply(colours, function(colour) !inherits(try(grDevices::col2rgb(colour), silent = TRUE), "try-error"),
                  logical(1))
  if (!all(valid)) abort_arg("colours", "must be valid colours; not: ", paste0("\"", colours[!valid], "\"", collapse = ", "), ".")
  # as hex, so that the identity fill scale and the blend agree
  grDevices::rgb(t(grDevices::col2rgb(colours)), maxColorValue = 255)
}

# A fit, or a named list of fits, as a named list (attribute `named` when the
# user gave names, so that a single fit in a list still gets its legend).
check_fit_list <- function(x) {
  if (inherits(x, "gmm_em")) return(list(fit = check_fit(x, "x")))
  if (!is.list(x) || length(x) == 0L) {
    abort_arg("x", "must be a `gmm_em` fit or a named list of them, not ",
              if (is.list(x)) "an empty list" else class(x)[1L], ".")
  }
  names <- names(x)
  if (is.null(names) || anyNA(names) || any(!nzchar(names))) {
    abort_arg("x", "must be a named list of `gmm_em` fits: every fit needs a name for the legend.")
  }
  if (anyDuplicated(names)) abort_arg("x", "must have distinct names; ", names[anyDuplicated(names)], " repeats.")
  for (i in seq_along(x)) {
    if (!inherits(x[[i]], "gmm_em")) {
      abort_arg(sprintf("x[[\"%s\"]]", names[i]), "must be a `gmm_em` fit, not ", class(x[[i]])[1L], ".")
    }
    check_fit(x[[i]], sprintf("x[[\"%s\"]]", names[i]))
  }
  structure(x, named = TRUE)
}

check_window <- function(iterations, fits) {
  if (is.null(iterations)) {
    longest <- max(vapply(fits, function(fit) fit$n_iter, numeric(1)))
    return(c(if (longest == 0) 0 else 1, Inf))
  }
  if (!is.numeric(iterations) || length(iterations) != 2L || anyNA(iterations) || iterations[1L] > iterations[2L] ||
      iterations[1L] < 0 || !is.finite(iterations[1L])) {
    abort_arg("iterations", "must be NULL or a range `c(from, to)` with 0 <= from <= to (`to` may be Inf).")
  }
  iterations
}

# One iteration (the last when NULL), by the same rule as check_iteration_numbers().
check_iteration <- function(iteration, fit) {
  if (is.null(iteration)) return(as.integer(fit$n_iter))
  if (length(iteration) != 1L) abort_arg("iteration", "must be NULL or a single iteration number.")
  check_iteration_numbers(iteration, fit$n_iter, "iteration")
}

check_grid <- function(grid) {
  if (!is.numeric(grid) || length(grid) != 1L || is.na(grid) || !is.finite(grid) || grid != round(grid) ||
      grid < 10 || grid > 2000) {
    abort_arg("grid", "must be a whole number from 10 to 2000.")
  }
  as.integer(grid)
}

check_pair_dims <- function(dims, d) {
  if (d < 2L) abort_arg("fit", "must be fitted to data with at least two columns for a pairs plot; it has one.")
  if (is.null(dims)) return(seq_len(d))
  if (!is.numeric(dims) || length(dims) < 2L || anyNA(dims) || any(!is.finite(dims)) || any(dims != round(dims))) {
    abort_arg("dims", "must be NULL or at least two column numbers of the data (from 1 to ", d, ").")
  }
  if (any(dims < 1) || any(dims > d)) {
    abort_arg("dims", "must be column numbers from 1 to ", d, " (the data have ", d, " columns).")
  }
  if (anyDuplicated(as.vector(dims))) abort_arg("dims", "must not repeat a column.")
  as.integer(dims)
}
