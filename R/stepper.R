# gmm_stepper(): a small Shiny app for teaching EM, stepping through a fit from a start placed by clicking.

#' Step through EM in a Shiny app
#'
#' `gmm_stepper()` builds a small Shiny app for teaching EM. Choose a data set
#' and the number of components \eqn{K}, place the starting means by clicking
#' on the plot (each click sets the next mean, in turn; "Reset means" clears
#' them), press "Fit", then move through the iterations with the slider (its
#' play button animates them) or the buttons: rewind to iteration 0, back one,
#' step one. The left panel is [plot_mixtures()] at the chosen iteration, the
#' right one [plot_loglik()] from iteration 0 with that iteration marked.
#'
#' The start is the clicked means, equal weights \eqn{1/K}, and for every
#' component the same diagonal covariance: the data's variances (of each
#' plotted column) divided by \eqn{K}, so that the \eqn{K} starting circles
#' together are about as wide as the data. EM then runs [gmm_em()] from it
#' for `max_iter` iterations, keeping every iteration's responsibilities
#' (`keep = "all"`).
#'
#' The data sets offered are the handout's, `generate_data(var1 = 3)`;
#' [datasets::faithful] standardised (each column centred and divided by
#' its standard deviation, so that clicks and circles mean the same on both
#' axes) or raw (minutes and eruption lengths, on their own scales); and
#' `data`, when given, with a choice of its columns (the first two numeric
#' columns to begin with).
#'
#' Clicking again after a fit starts a new start: the fit is dropped.
#'
#' @param data `NULL`, or a data frame or matrix with at least two numeric
#'   columns, offered as "Your data".
#' @param k The number of components to begin with, from 1 to 7 (the app
#'   lets you change it).
#' @param max_iter Number of EM iterations each fit runs (at least 1).
#' @param ... Further arguments to [gmm_em()], such as `model` or
#'   `reg_covar`; not `pi`, `mu`, `Sigma`, `k`, `keep` or `max_iter`, which the
#'   app sets.
#' @return A [shiny::shinyApp()] object: printing it (or [shiny::runApp()])
#'   runs the app.
#' @seealso [plot_mixtures()] and [plot_loglik()], the two figures the app
#'   shows.
#' @examples
#' if (interactive() && requireNamespace("shiny", quietly = TRUE)) {
#'   gmm_stepper()
#'   gmm_stepper(iris[3:4], k = 3, max_iter = 50)
#' }
#' @export
gmm_stepper <- function(data = NULL, k = 2, max_iter = 100, ...) {
  k <- as.integer(check_whole_number(k, "k", min = 1, max = stepper_max_k))
  max_iter <- as.integer(check_whole_number(max_iter, "max_iter", min = 1, max = 1e5))
  em_args <- list(...)
  set_by_app <- intersect(names(em_args), c("data", "pi", "mu", "Sigma", "k", "keep", "max_iter", "z"))
  if (length(set_by_app) > 0L) {
    abort_arg(set_by_app[1L], "is set by the app; do not pass it to gmm_stepper().")
  }
  if (length(em_args) > 0L && (is.null(names(em_args)) || any(names(em_args) == ""))) {
    abort_arg("...", "must be named arguments of gmm_em().")
  }
  sets <- stepper_datasets(data)
  # after the argument checks, so that a bad argument is named even without shiny
  need_package("shiny", "gmm_stepper()")
  shiny::shinyApp(stepper_ui(sets, k, data), stepper_server(sets, k, max_iter, em_args))
}

# The palette has seven colours; more components than that are hard to tell apart.
stepper_max_k <- 7

# The data sets offered, by label: each a numeric matrix, or (the user's) a data
# frame whose columns are chosen in the app.
stepper_datasets <- function(data = NULL) {
  handout <- generate_data(var1 = 3)
  sets <- list(`Handout: generate_data(var1 = 3)` = as.matrix(handout[c("x", "y")]),
               `faithful, standardised` = scale(as.matrix(datasets::faithful)),
               `faithful, raw` = as.matrix(datasets::faithful))
  attr(sets[[2L]], "scaled:center") <- attr(sets[[2L]], "scaled:scale") <- NULL
  if (!is.null(data)) sets$`Your data` <- check_stepper_data(data)
  sets
}

check_stepper_data <- function(data) {
  if (is.matrix(data) && is.numeric(data)) {
    if (is.null(colnames(data))) colnames(data) <- paste0("V", seq_len(ncol(data)))
    data <- as.data.frame(data)
  }
  if (!is.data.frame(data)) abort_arg("data", "must be NULL, a data frame or a numeric matrix.")
  if (length(stepper_columns(data)) < 2L) abort_arg("data", "must have at least two numeric columns.")
  data
}

stepper_columns <- function(data) {
  names(data)[vapply(data, function(col) is.numeric(col) && !is.object(col), logical(1))]
}

# The n x 2 matrix EM runs on: a built-in set as it is, the user's by the chosen
# columns, its incomplete rows dropped (the app has no way to ask about them).
stepper_data <- function(sets, choice, columns = NULL) {
  X <- sets[[choice]]
  if (is.null(X)) abort_arg("choice", "must be one of the data sets offered.")
  if (is.matrix(X)) return(X)
  if (is.null(columns)) columns <- stepper_columns(X)[1:2]
  if (length(columns) != 2L || !all(columns %in% stepper_columns(X)) || columns[1L] == columns[2L]) {
    abort_arg("columns", "must be two different numeric columns of `data`.")
  }
  stats::na.omit(as.matrix(X[columns]))
}

# A click sets mean number `next_mean`, then the one after, around the K means.
stepper_click <- function(means, next_mean, x, y) {
  means[next_mean, ] <- c(x, y)
  list(means = means, next_mean = next_mean %% nrow(means) + 1L)
}

# "2 of 3 means placed: (-1.52, 2.01), (0.33, 1.20)." for the status line.
stepper_placed <- function(means) {
  placed <- which(!is.na(means[, 1L]))
  at <- sprintf("(%.2f, %.2f)", means[placed, 1L], means[placed, 2L])
  paste0(length(placed), " of ", nrow(means), " means placed", if (length(placed) > 0L) ": ",
         paste(at, collapse = ", "), ".")
}

stepper_no_means <- function(k) list(means = matrix(NA_real_, k, 2L), next_mean = 1L)

# The start from the clicked means: equal weights, and the data's variances / K
# on the diagonal of every covariance.
stepper_start <- function(X, means) {
  K <- nrow(means)
  if (anyNA(means)) abort_arg("means", "must all be placed: click on the plot ", K, " times.")
  S <- diag(apply(X, 2L, stats::var) / K, ncol(X))
  list(pi = rep(1 / K, K), mu = lapply(seq_len(K), function(k) means[k, ]), Sigma = rep(list(S), K))
}

stepper_fit <- function(X, means, max_iter, em_args = list()) {
  start <- stepper_start(X, means)
  do.call(gmm_em, c(list(X, pi = start$pi, mu = start$mu, Sigma = start$Sigma,
                         max_iter = max_iter, keep = "all"), em_args))
}

# The iteration after a button: `by` from `t`, kept within 0..n_iter.
stepper_move <- function(t, by, n_iter) as.integer(min(max(t + by, 0), n_iter))

# The data and the means placed so far, numbered, before a fit.
stepper_plot_start <- function(X, means) {
  labels <- axis_names(X, 1:2)
  placed <- which(!is.na(means[, 1L]))
  points <- data.frame(x = X[, 1L], y = X[, 2L])
  marks <- data.frame(x = means[placed, 1L], y = means[placed, 2L], label = as.character(placed))
  ggplot2::ggplot(points, ggplot2::aes(.data$x, .data$y)) +
    ggplot2::geom_point(colour = neutral_colour, alpha = 0.65) +
    ggplot2::geom_point(data = marks, shape = 4, size = 5, stroke = 2, colour = gmm_palette[placed]) +
    ggplot2::geom_label(data = marks, ggplot2::aes(label = .data$label), nudge_x = 0, vjust = -0.6) +
    ggplot2::labs(x = labels[1L], y = labels[2L],
                  title = sprintf("Click to place mean %d of %d", min(length(placed) + 1L, nrow(means)), nrow(means))) +
    ggplot2::theme_bw()
}

stepper_plot_loglik <- function(fit, t) {
  ll <- fit$loglik$loglik[fit$loglik$iteration == t]
  plot_loglik(fit, iterations = c(0, Inf)) +
    ggplot2::geom_vline(xintercept = t, colour = gmm_palette[2L]) +
    ggplot2::annotate("point", x = t, y = ll, colour = gmm_palette[2L], size = 3) +
    ggplot2::ggtitle(sprintf("Iteration %d: log-likelihood %.2f", t, ll))
}

stepper_ui <- function(sets, k, data) {
  columns <- if (is.null(data)) character() else stepper_columns(sets$`Your data`)
  shiny::fluidPage(
    shiny::titlePanel("EM for a Gaussian mixture, one iteration at a time"),
    shiny::sidebarLayout(
      shiny::sidebarPanel(
        width = 3,
        shiny::radioButtons("dataset", "Data", names(sets)),
        if (length(columns) > 0L) shiny::conditionalPanel(
          "input.dataset == 'Your data'",
          shiny::selectInput("xcol", "x column", columns, columns[1L]),
          shiny::selectInput("ycol", "y column", columns, columns[2L])),
        shiny::numericInput("k", "Components K", k, min = 1, max = stepper_max_k, step = 1),
        shiny::helpText("Click on the plot to place the starting means, one per click. Each starts with",
                        "weight 1/K and covariance diag(the data's variances) / K."),
        shiny::actionButton("reset", "Reset means"),
        shiny::actionButton("fit", "Fit", class = "btn-primary"),
        shiny::hr(),
        shiny::sliderInput("t", "Iteration", min = 0, max = 1, value = 0, step = 1,
                           animate = shiny::animationOptions(interval = 400)),
        shiny::actionButton("rewind", "Rewind"),
        shiny::actionButton("back", "Back"),
        shiny::actionButton("step", "Step"),
        shiny::hr(),
        shiny::textOutput("status")),
      shiny::mainPanel(
        width = 9,
        shiny::fluidRow(
          shiny::column(7, shiny::plotOutput("path", click = "plot_click", height = "480px")),
          shiny::column(5, shiny::plotOutput("loglik", height = "480px"))))))
}

stepper_server <- function(sets, k, max_iter, em_args) {
  function(input, output, session) {
    state <- shiny::reactiveValues(clicks = stepper_no_means(k), fit = NULL, message = NULL)
    current <- shiny::reactiveVal(0L)

    X <- shiny::reactive(stepper_data(sets, input$dataset, if (identical(input$dataset, "Your data")) {
      c(input$xcol, input$ycol)
    }))
    K <- shiny::reactive({
      kk <- input$k
      if (is.numeric(kk) && length(kk) == 1L && !is.na(kk)) as.integer(min(max(round(kk), 1), stepper_max_k)) else k
    })
    start_over <- function() {
      state$clicks <- stepper_no_means(K())
      state$fit <- NULL
      state$message <- NULL
      current(0L)
    }
    shiny::observeEvent(list(input$dataset, input$xcol, input$ycol, K(), input$reset), start_over(),
                        ignoreInit = TRUE)

    shiny::observeEvent(input$plot_click, {
      state$clicks <- stepper_click(state$clicks$means, state$clicks$next_mean, input$plot_click$x, input$plot_click$y)
      state$fit <- NULL
      state$message <- NULL
      current(0L)
    })
    shiny::observeEvent(input$fit, {
      state$message <- NULL
      state$fit <- tryCatch(stepper_fit(X(), state$clicks$means, max_iter, em_args),
                            error = function(e) { state$message <- conditionMessage(e); NULL })
      current(0L)
      if (!is.null(state$fit)) shiny::updateSliderInput(session, "t", max = state$fit$n_iter, value = 0L)
    })

    go <- function(to) {
      current(to)
      shiny::updateSliderInput(session, "t", value = to)
    }
    n_iter <- function() if (is.null(state$fit)) 0L else state$fit$n_iter
    shiny::observeEvent(input$t, current(stepper_move(input$t, 0, n_iter())))
    shiny::observeEvent(input$step, go(stepper_move(current(), 1, n_iter())))
    shiny::observeEvent(input$back, go(stepper_move(current(), -1, n_iter())))
    shiny::observeEvent(input$rewind, go(0L))

    output$path <- shiny::renderPlot({
      if (is.null(state$fit)) stepper_plot_start(X(), state$clicks$means) else plot_mixtures(state$fit, iterations = current())
    })
    output$loglik <- shiny::renderPlot({
      shiny::req(state$fit)
      stepper_plot_loglik(state$fit, current())
    })
    output$status <- shiny::renderText({
      if (!is.null(state$message)) return(state$message)
      if (is.null(state$fit)) return(stepper_placed(state$clicks$means))
      sprintf("Iteration %d of %d; log-likelihood %.3f.", current(), state$fit$n_iter,
              state$fit$loglik$loglik[state$fit$loglik$iteration == current()])
    })
    # for shiny::testServer()
    session$userData$state <- state
    session$userData$current <- current
  }
}
