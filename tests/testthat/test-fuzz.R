# Property test: every exported function, and every S3 method gmmem registers,
# called with random garbage in its arguments, returns a valid result or stops
# with an R error that has a message (naming the argument); none crashes R,
# hangs, returns NaN, or fails inside R's own code for want of a check.
#
# The calls run in a child R process, so that a crash fails this test instead
# of ending the session. Replay: GMMEM_FUZZ_SEED=<seed> (and GMMEM_FUZZ_CALLS=<n>
# per function) reproduce a run exactly; every failure is listed with a
# stand-alone call.

# The fuzzer. It runs in the child, so it uses only base R, gmmem and its imports; it
# returns a data frame with one row per call: the target, the call as text,
# the outcome and the message.
fuzz_engine <- function(seed, calls, per_call_limit, progress_file) {
  suppressPackageStartupMessages(library(gmmem))
  ns <- asNamespace("gmmem")
  grDevices::pdf(NULL)

  # What the reproducers call X, Xm, fits and fit. Besides the handout's
  # shape (K = 2, d = 2), fits of K from 1..6 and d from 1..150 drawn from
  # the seed; each call runs on one of them, named in its reproducer.
  set.seed(seed)
  shapes <- rbind(c(2L, 2L), cbind(sample(1:6, 4L, replace = TRUE), c(1L, sample(3:12, 2L), 150L)))
  pool_text <- sprintf("fits <- list(%s)", paste(sprintf("fuzz_fit(%dL, %dL)", shapes[, 1L], shapes[, 2L]),
                                                 collapse = ", "))
  fit_maker <- paste(
    "fuzz_fit <- function(K, d) {",
    "  n <- max(40L, 2L * d + 20L)",
    "  Y <- gmm_simulate(n, rep(1 / K, K), lapply(seq_len(K), function(k) rep(3 * k, d)),",
    "                    lapply(seq_len(K), function(k) diag(d)), seed = K * 1000 + d)",
    "  gmm_em(Y, k = K, seed = 1, max_iter = 5, reg_covar = 1e-3)",
    "}", sep = "\n")
  preamble <- paste(
    "library(gmmem)",
    "X <- generate_data(20, 20, var1 = 3)",
    "Xm <- as.matrix(X[c(\"x\", \"y\")])",
    fit_maker, pool_text,
    "fit <- fits[[1]]",
    sep = "\n")
  env <- new.env(parent = globalenv())
  eval(parse(text = preamble), envir = env)

  # Plausible values by argument name, as whole profiles (a given start, or k).
  # A formal with a default is left to it unless the profile names it.
  profiles <- list(
    start = alist(data = X, newdata = X, x = fit, object = fit, fit = fit, model = fit,
                  pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
                  Sigma = list(diag(0.1, 2), diag(0.1, 2)), max_iter = 10),
    k = alist(data = Xm, newdata = Xm, x = fit, object = fit, fit = fit, model = fit,
              k = 2, max_iter = 10)
  )

  # Garbage, as expressions so that every call can be printed and replayed.
  garbage <- alist(
    NULL, numeric(0), integer(0), character(0), logical(0), list(), NA, NA_real_, NA_integer_,
    NA_character_, NaN, Inf, -Inf, 1e308, -1e308, 1e-308, 5e-324, -1, 0, 0.5, 1L, 2.5, 3, 1e6,
    -2147483647L, .Machine$integer.max, 2^31, 2^53, TRUE, FALSE, "a", "", c("a", "b"),
    factor(c("a", "b")), factor("1"), 1i, as.Date("2020-01-01"), as.POSIXct("2020-01-01", tz = "UTC"),
    list(1, "a"), list(NULL), list(list()), list(a = 1), matrix(numeric(0), 0, 2),
    matrix(numeric(0), 2, 0), matrix(NA_real_, 3, 2), matrix(1:6, 3, 2), matrix(c(1, 2, 3, 4, 5, 6), 2, 3),
    matrix("a", 2, 2), array(1, c(2, 2, 2)), array(0, c(2, 2, 0)), diag(2), diag(-1, 2),
    matrix(c(1, 2, 3, 4), 2), diag(c(1, NaN)), diag(3), diag(c(1, 1e-17)), c(NA, 1), c(1, Inf),
    c(0.5, 0.6), c(0.5, 0.5), c(-0.5, 1.5), c(1, 2, 3), 1:3, c(1e308, 1e308), c(1e-308, 1 - 1e-308),
    rep(0.25, 4), c(0, 1, 5), -1:1, list(c(1, 2)), list(c(1, 2), c(NA, 1)), list(c(1, 2, 3), c(1, 2, 3)),
    list("a", "b"), list(diag(2), "a"), list(diag(3), diag(3)), list(diag(2), diag(-1, 2)),
    list(diag(2), matrix(c(1, 2, 3, 4), 2)), list(diag(2), diag(2), diag(2)),
    list(diag(1e-300, 2), diag(1e300, 2)), data.frame(), data.frame(x = numeric(0), y = numeric(0)),
    data.frame(x = c("a", "b"), y = 1:2), data.frame(x = factor(c("a", "b")), y = 1:2),
    data.frame(x = c(1, NA), y = 1:2), data.frame(x = 1:3, y = c(1, Inf, 3)),
    data.frame(x = as.Date("2020-01-01") + 0:2, y = 1:3), data.frame(x = I(list(1, 2)), y = 1:2),
    Xm[0, ], Xm[1, , drop = FALSE], Xm[, 1], Xm[, 1, drop = FALSE], t(Xm), Xm * 1e300, Xm * 1e-300,
    Xm + 1e15, rbind(Xm, c(NA, 1)), Xm[c(1, 1, 1), ], X[0, ], X[1:2, ], X$x, unclass(fit),
    structure(list(), class = "gmm_em"), fit, list(fit, fit), list(a = fit, b = 1), function(x) x,
    quote(x), new.env(), raw(2), "kmeans++", "random", "all", "last", "auto", "mixtures", "loglik"
  )

  # Messages R itself gives when a function lacks a check.
  internal <- paste(c(
    "subscript out of bounds", "non-numeric argument", "missing value where TRUE/FALSE needed",
    "argument is of length zero", "not interpretable as logical", "the condition has length > 1",
    "invalid 'type'", "is not subsettable", "operator is invalid for atomic vectors",
    "incorrect number of dimensions", "non-conformable", "differing number of rows",
    "replacement has", "cannot coerce", "NAs introduced by coercion", "Not compatible with requested type",
    "Wrong R type", "bad_alloc", "negative length vectors", "invalid argument to unary operator",
    "dims \\[product", "could not find function", "attempt to apply non-function",
    "undefined columns selected", "vector size cannot be", "cannot allocate",
    "longer object length is not a multiple", "number of items to replace", "invalid '.*' argument",
    "std::", "Eigen", "index out of bounds", "recursive indexing failed", "is missing, with no default",
    "invalid subscript type", "non-character argument", "object '.*' not found", "NA/NaN argument",
    "only 0's may be mixed", "comparison .* is possible only", "evaluation nested too deeply",
    "C stack", "arguments must have same length", "must be atomic", "invalid (first|second) argument",
    "'x' must be", "unimplemented type", "not meaningful for factors", "Ops\\.", "Math\\."
  ), collapse = "|")

  no_nan <- function(x, depth = 0L) {
    if (depth > 4L || is.environment(x) || is.function(x)) return(TRUE)
    if (is.double(x) || is.complex(x)) return(!any(is.nan(x)))
    if (is.list(x)) return(all(vapply(x, no_nan, logical(1), depth = depth + 1L)))
    TRUE
  }
  valid_result <- function(value) {
    if (inherits(value, "gmm_em")) {
      ll <- .subset2(value, "loglik")$loglik
      if (!all(is.finite(ll)) || !all(is.finite(as.matrix(.subset2(value, "params"))))) {
        return("a gmm_em fit with non-finite parameters or log-likelihood")
      }
    }
    if (inherits(value, "ggplot")) return(NA_character_)
    if (!no_nan(value)) return("a result containing NaN")
    NA_character_
  }

  # One call with a time limit: its outcome, message and the warnings it gave.
  # A ggplot is built too, since its errors would otherwise wait for print().
  run_call <- function(f, args, build = TRUE) {
    warnings <- character()
    started <- proc.time()[["elapsed"]]
    on.exit(setTimeLimit(), add = TRUE)
    outcome <- withCallingHandlers(
      tryCatch({
        setTimeLimit(elapsed = per_call_limit, transient = TRUE)
        value <- NULL
        utils::capture.output(value <- do.call(f, args, quote = TRUE))
        # A gganim (animate_mixtures(render = FALSE)) is left unbuilt: building it renders it with
        # gganimate's defaults, not gmmem's; test-animate.R renders it with the documented settings.
        if (build && inherits(value, "ggplot") && !inherits(value, "gganim")) {
          utils::capture.output(ggplot2::ggplot_build(value))
        }
        setTimeLimit()
        problem <- valid_result(value)
        if (is.na(problem)) list(kind = "value", message = "") else list(kind = "invalid", message = problem)
      },
      error = function(e) {
        setTimeLimit()
        msg <- conditionMessage(e)
        kind <- if (grepl("reached (elapsed|CPU) time limit", msg)) "timeout" else "error"
        call <- conditionCall(e)
        list(kind = kind, message = msg, class = class(e)[1L],
             call = if (is.null(call)) "" else paste(deparse(call, nlines = 1L), collapse = ""))
      },
      interrupt = function(i) {
        setTimeLimit()
        list(kind = "timeout", message = "interrupted (time limit)")
      }),
      warning = function(w) {
        warnings <<- c(warnings, conditionMessage(w))
        invokeRestart("muffleWarning")
      },
      message = function(m) invokeRestart("muffleMessage"))
    outcome$seconds <- proc.time()[["elapsed"]] - started
    outcome$warnings <- unique(warnings)
    outcome
  }

  # The targets: exported functions, then methods registered for classes that
  # gmmem objects have (a fit, and whatever a method makes of one).
  targets <- list()
  for (name in sort(getNamespaceExports(ns))) {
    f <- get(name, envir = ns)
    if (!is.function(f)) next
    targets[[length(targets) + 1L]] <- list(label = name, text = paste0("gmmem::", name), f = f,
                                           object = NULL, own = identical(environment(f), ns))
  }
  s3 <- getNamespaceInfo(ns, "S3methods")
  objects <- list(gmm_em = env$fit)
  object_texts <- list(gmm_em = "fit")
  for (pass in 1:2) {
    for (i in seq_len(nrow(s3))) {
      cls <- s3[i, 2L]
      if (!cls %in% names(objects)) next
      method <- if (!is.na(s3[i, 3L])) s3[i, 3L] else paste(s3[i, 1L], cls, sep = ".")
      f <- get(method, envir = ns)
      out <- tryCatch(utils::capture.output(value <- f(objects[[cls]])), error = function(e) NULL)
      if (!is.null(out) && is.object(value)) {
        for (new in setdiff(class(value), c(names(objects), "list", "data.frame"))) {
          objects[[new]] <- value
          object_texts[[new]] <- sprintf("%s(%s)", s3[i, 1L], object_texts[[cls]])
        }
      }
    }
  }
  for (i in seq_len(nrow(s3))) {
    cls <- s3[i, 2L]
    if (!cls %in% names(objects)) next
    method <- if (!is.na(s3[i, 3L])) s3[i, 3L] else paste(s3[i, 1L], cls, sep = ".")
    targets[[length(targets) + 1L]] <- list(
      label = method, text = sprintf("gmmem:::`%s`", method), f = get(method, envir = ns),
      object = objects[[cls]], object_text = object_texts[[cls]],
      generic = s3[i, 1L], own = TRUE)
  }

  # Options gmmem reads (found in the code of its functions): each is set to
  # garbage around a plausible call of an exported function.
  option_names <- unique(unlist(lapply(ls(ns, all.names = TRUE), function(name) {
    f <- get(name, envir = ns)
    if (!is.function(f)) return(NULL)
    code <- paste(deparse(f), collapse = "\n")
    found <- regmatches(code, gregexpr("getOption\\(\"gmmem\\.[A-Za-z0-9._]+\"", code))[[1L]]
    sub("getOption\\(\"(.*)\"", "\\1", found)
  })))
  callable <- Filter(function(t) t$own && is.null(t$object) && length(formals(t$f)), targets)
  for (opt in sort(option_names)) {
    targets[[length(targets) + 1L]] <- list(label = sprintf("options(%s)", opt), option = opt, own = TRUE)
  }

  names_in <- function(target) setdiff(names(formals(target$f)), "...")
  rows <- list()
  for (t_i in seq_along(targets)) {
    target <- targets[[t_i]]
    option <- target$option
    # A re-exported generic is another package's code: a few calls show that
    # it dispatches; its gmmem method is a target of its own.
    # An option is read by few functions: fewer calls (and no plot drawn) suffice.
    n_calls <- calls
    if (is.null(option) && !length(names_in(target))) n_calls <- 1L
    if (is.null(option) && !target$own) n_calls <- min(calls, 10L)
    if (!is.null(option)) n_calls <- max(10L, calls %/% 4L)
    built <- 0L
    for (call_i in seq_len(n_calls)) {
      set.seed(seed + 1000003L * t_i + call_i)
      pick <- sample(length(env$fits), 1L)
      env$fit <- env$fits[[pick]]
      if (!is.null(option)) {
        target <- callable[[sample(length(callable), 1L)]]
        target$option <- option
      }
      formal_names <- names_in(target)
      fmls <- formals(target$f)
      profile <- profiles[[sample(names(profiles), 1L)]]
      fuzzable <- if (is.null(option)) formal_names else character()
      args <- list()
      if (!is.null(target$object)) {
        object <- if (inherits(target$object, "gmm_em")) env$fit else target$object
        args[[formal_names[1L]]] <- list(expr = as.name("fit"), text = target$object_text, value = object)
        fuzzable <- formal_names[-1L]
      }
      for (a in setdiff(formal_names, names(args))) {
        no_default <- is.symbol(fmls[[a]]) && identical(as.character(fmls[[a]]), "")
        if (a %in% names(profile)) args[[a]] <- list(expr = profile[[a]])
        else if (no_default) args[[a]] <- list(expr = quote(fit))
      }
      if (length(fuzzable)) {
        how_many <- sample(c(1L, 2L, 3L, length(fuzzable)), 1L, prob = c(0.55, 0.2, 0.1, 0.15))
        for (a in sample(fuzzable, min(how_many, length(fuzzable)))) {
          args[[a]] <- list(expr = garbage[[sample(length(garbage), 1L)]])
        }
      }
      # Evaluated here, not by the function, so the call is what the text says.
      values <- lapply(args, function(a) if (!is.null(a$value)) a$value else eval(a$expr, env))
      texts <- vapply(args, function(a) {
        if (!is.null(a$text)) a$text else paste(deparse(a$expr, width.cutoff = 500L), collapse = " ")
      }, character(1))
      call_text <- sprintf("fit <- fits[[%d]]; %s(%s)", pick, target$text,
                           paste(sprintf("%s = %s", names(texts), texts), collapse = ", "))
      f <- target$f
      if (!is.null(option)) {
        bad <- garbage[[sample(length(garbage), 1L)]]
        setting <- list(eval(bad, env))
        names(setting) <- option
        call_text <- sprintf("options(%s = %s); %s", option,
                             paste(deparse(bad, width.cutoff = 500L), collapse = " "), call_text)
        f <- local({
          inner <- target$f
          function(...) {
            old <- options(setting)
            on.exit(options(old))
            inner(...)
          }
        })
      }
      cat(call_text, "\n", file = progress_file, sep = "")
      # NULL as a value must stay an argument, not drop out of the list.
      arg_list <- vector("list", length(values))
      names(arg_list) <- names(values)
      for (a in names(values)) if (!is.null(values[[a]])) arg_list[a] <- list(values[[a]])
      # Building a plot takes a tenth of a second: the first 20 that succeed are built.
      res <- run_call(f, arg_list, build = is.null(option) && built < 20L)
      if (identical(res$kind, "value")) built <- built + 1L

      category <- "ok"
      if (res$kind == "timeout") {
        category <- if (res$seconds > per_call_limit + 20) "hang" else "timeout"
      } else if (res$kind == "invalid") {
        category <- "invalid"
      } else if (res$kind == "error") {
        msg <- res$message
        named <- any(vapply(c(formal_names, "data", "pi", "mu", "Sigma", "k"), function(a) {
          grepl(paste0("`", a), msg, fixed = TRUE)
        }, logical(1))) || !is.null(option) && grepl(option, msg, fixed = TRUE)
        if (!nzchar(trimws(msg))) {
          category <- "empty_message"
        } else if (identical(res$class, "gmmem_em_error")) {
          category <- "ok"
        } else if (!target$own) {
          category <- "ok"  # a re-exported generic: its errors are its own package's
        } else if (grepl(internal, msg)) {
          category <- "internal"
        } else if (!named) {
          category <- "unnamed"
        }
      }
      rows[[length(rows) + 1L]] <- data.frame(
        target = if (is.null(option)) target$label else sprintf("options(%s)", option), call = call_text, kind = res$kind, category = category,
        message = gsub("\\s+", " ", res$message),
        error_call = if (is.null(res$call)) "" else res$call,
        warnings = paste(gsub("\\s+", " ", res$warnings), collapse = " | "),
        seconds = res$seconds, stringsAsFactors = FALSE)
    }
  }
  out <- do.call(rbind, rows)
  attr(out, "preamble") <- preamble
  out
}

# Runs fuzz_engine() in a child R process on the installed gmmem, or (when
# gmmem was loaded from source by pkgload) in this one.
run_fuzz <- function(seed, calls, per_call_limit = 5, timeout = 1800) {
  engine <- fuzz_engine
  environment(engine) <- globalenv()
  progress <- tempfile("fuzz-progress-")
  result <- tempfile("fuzz-result-", fileext = ".rds")
  pkg_path <- getNamespaceInfo(asNamespace("gmmem"), "path")
  installed <- file.exists(file.path(pkg_path, "Meta", "package.rds"))
  if (!installed) {
    return(list(status = 0L, results = engine(seed, calls, per_call_limit, progress), log = character()))
  }
  engine_file <- tempfile("fuzz-engine-", fileext = ".rds")
  script <- tempfile("fuzz-", fileext = ".R")
  log <- tempfile("fuzz-log-")
  saveRDS(engine, engine_file)
  writeLines(c(
    sprintf(".libPaths(c(%s, .libPaths()))", deparse(dirname(pkg_path))),
    sprintf("engine <- readRDS(%s)", deparse(engine_file)),
    sprintf("res <- engine(%d, %d, %s, %s)", seed, calls, format(per_call_limit), deparse(progress)),
    sprintf("saveRDS(res, %s)", deparse(result))
  ), script)
  rscript <- file.path(R.home("bin"), if (.Platform$OS.type == "windows") "Rscript.exe" else "Rscript")
  status <- suppressWarnings(system2(rscript, c("--vanilla", shQuote(script)), stdout = log, stderr = log,
                                     timeout = timeout))
  list(status = status, results = if (file.exists(result)) readRDS(result),
       log = if (file.exists(log)) readLines(log, warn = FALSE),
       last_call = if (file.exists(progress)) readLines(progress, warn = FALSE))
}

# One line per distinct (target, message): the first call that gave it.
fuzz_report <- function(results, categories) {
  bad <- results[results$category %in% categories, , drop = FALSE]
  if (!nrow(bad)) return(character())
  key <- paste(bad$target, bad$category, sub("[0-9.e+-]+", "#", bad$message))
  bad <- bad[!duplicated(key), , drop = FALSE]
  sprintf("[%s] %s\n    -> %s%s", bad$category, bad$call, bad$message,
          ifelse(nzchar(bad$error_call), paste0("  (in ", bad$error_call, ")"), ""))
}

fuzz_seed <- as.integer(Sys.getenv("GMMEM_FUZZ_SEED", "20240610"))
fuzz_calls <- as.integer(Sys.getenv("GMMEM_FUZZ_CALLS",
                                    if (identical(Sys.getenv("NOT_CRAN"), "true")) "100" else "30"))
fuzz_run <- NULL
fuzz_results <- function() {
  if (is.null(fuzz_run)) fuzz_run <<- run_fuzz(fuzz_seed, fuzz_calls)
  fuzz_run
}

test_that("garbage in every argument of every function never crashes R or hangs", {
  skip_on_os("windows")  # the child's time limit uses system2(timeout =)
  run <- fuzz_results()
  replay <- sprintf("replay: GMMEM_FUZZ_SEED=%d GMMEM_FUZZ_CALLS=%d", fuzz_seed, fuzz_calls)
  expect(identical(run$status, 0L) && is.data.frame(run$results),
         paste0("the fuzzing R process ended with status ", run$status, " (", replay, ").\n",
                "Last call started: ", paste(run$last_call, collapse = "\n"), "\n",
                "Its output ended with:\n", paste(utils::tail(run$log, 60), collapse = "\n")))
  skip_if(!is.data.frame(run$results))
  res <- run$results
  # Every target was reached, and the calls were of every kind.
  expect_true(all(c("gmm_em", "generate_data", "gmm_threads") %in% res$target))
  expect_gt(sum(res$kind == "value"), 0)
  expect_gt(sum(res$kind == "error"), 0)
  hangs <- fuzz_report(res, "hang")
  expect(length(hangs) == 0L,
         paste0("calls that ignored their time limit (", replay, "):\n",
                paste(hangs, collapse = "\n"), "\n", attr(res, "preamble")))
})

test_that("garbage gives a valid result or an error with a message, never NaN", {
  skip_on_os("windows")
  res <- fuzz_results()$results
  skip_if(!is.data.frame(res))
  replay <- sprintf("replay: GMMEM_FUZZ_SEED=%d GMMEM_FUZZ_CALLS=%d", fuzz_seed, fuzz_calls)
  bad <- fuzz_report(res, c("empty_message", "invalid"))
  expect(length(bad) == 0L,
         paste0(length(bad), " call(s) gave an empty error message or an invalid result (",
                replay, "):\n", paste(bad, collapse = "\n"), "\nwith\n", attr(res, "preamble")))
})

test_that("garbage never reaches R's own code unchecked", {
  skip_on_os("windows")
  res <- fuzz_results()$results
  skip_if(!is.data.frame(res))
  replay <- sprintf("replay: GMMEM_FUZZ_SEED=%d GMMEM_FUZZ_CALLS=%d", fuzz_seed, fuzz_calls)
  bad <- fuzz_report(res, "internal")
  expect(length(bad) == 0L,
         paste0(length(bad), " distinct error(s) raised by R itself, not by a gmmem check (",
                replay, "):\n", paste(bad, collapse = "\n"), "\nwith\n", attr(res, "preamble")))
})

test_that("every error gmmem gives names the argument it is about", {
  skip_on_os("windows")
  res <- fuzz_results()$results
  skip_if(!is.data.frame(res))
  replay <- sprintf("replay: GMMEM_FUZZ_SEED=%d GMMEM_FUZZ_CALLS=%d", fuzz_seed, fuzz_calls)
  bad <- fuzz_report(res, "unnamed")
  expect(length(bad) == 0L,
         paste0(length(bad), " distinct error message(s) that name no argument (", replay, "):\n",
                paste(bad, collapse = "\n"), "\nwith\n", attr(res, "preamble")))
})

# Calls the fuzzer found failing inside R's own code, kept here whatever the
# seed: each must be an error naming its argument.
test_that("the fuzzer's past findings stay fixed", {
  X <- generate_data(20, 20, var1 = 3)
  fit <- gmm_em(X, pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
                Sigma = list(diag(0.1, 2), diag(0.1, 2)), max_iter = 10)
  expect_named_error <- function(expr, arg) {
    err <- tryCatch({
      utils::capture.output(value <- expr)
      if (inherits(value, "ggplot")) utils::capture.output(ggplot2::ggplot_build(value))
      NULL
    }, error = function(e) e)
    expect_s3_class(err, "error")
    if (inherits(err, "error")) expect_match(conditionMessage(err), paste0("`", arg), fixed = TRUE)
  }
  expect_named_error(generate_data(.Machine$integer.max), "n_samples_cluster1")
  expect_named_error(generate_data(.Machine$integer.max, .Machine$integer.max), "n_samples_cluster1")
  expect_named_error(plot_mixtures(structure(list(), class = "gmm_em")), "fit")
  # anyDuplicated() on a matrix compares rows, not values
  expect_named_error(plot_mixtures(fit, iterations = diag(2)), "iterations")
  expect_named_error(plot_mixtures(fit, radii = matrix(c(1, 2, 1, 2), 2)), "radii")
  for (digits in list(0, 1e6, "a", NA, new.env(), X[0, ])) {
    expect_named_error(print(fit, digits = digits), "digits")
    expect_named_error(print(summary(fit), digits = digits), "digits")
  }
  old <- options(gmmem.keep_budget = NA)
  on.exit(options(old))
  expect_error(gmm_em(X, pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
                      Sigma = list(diag(0.1, 2), diag(0.1, 2))), "gmmem.keep_budget", fixed = TRUE)
})

test_that("warnings from garbage are gmmem's own, never R's", {
  skip_on_os("windows")
  res <- fuzz_results()$results
  skip_if(!is.data.frame(res))
  warned <- res[nzchar(res$warnings), , drop = FALSE]
  internal <- "NAs introduced by coercion|longer object length|the condition has length|number of items to replace|NaNs produced|data length|partial match"
  bad <- warned[grepl(internal, warned$warnings), , drop = FALSE]
  bad <- bad[!duplicated(paste(bad$target, bad$warnings)), , drop = FALSE]
  expect(nrow(bad) == 0L,
         paste0("warnings from R itself (GMMEM_FUZZ_SEED=", fuzz_seed, "):\n",
                paste(sprintf("%s\n    -> %s", bad$call, bad$warnings), collapse = "\n")))
})
