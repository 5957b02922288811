# Shared test inputs: readers for the numpy reference fixtures (see
# fixtures/README.md), the handout fit and one faithful fit.

fixture_path <- function(...) test_path("fixtures", ...)

numpy_generate_cases <- function() {
  read.csv(fixture_path("numpy_generate.csv"), stringsAsFactors = FALSE)
}

numpy_em_reference <- function(start) {
  list(
    params = read.csv(fixture_path(sprintf("numpy_em_%s_params.csv", start))),
    loglik = read.csv(fixture_path(sprintf("numpy_em_%s_loglik.csv", start))),
    resp = read.csv(gzfile(fixture_path(sprintf("numpy_em_%s_resp.csv.gz", start))))
  )
}

# The handout's three starts (its own and the two of its second question).
handout_starts <- list(
  handout = list(c(0.1, 0), c(0, 0)),
  far = list(c(-3, -3), c(3, 3)),
  true = list(c(-2, 2), c(2, -2))
)

fit_handout <- function(start = "handout", ...) {
  gmm_em(generate_data(var1 = 3), pi = c(0.1, 0.9), mu = handout_starts[[start]],
         Sigma = list(diag(0.1, 2), diag(0.1, 2)), ...)
}

X_faithful <- as.matrix(faithful)

# Two VVV components on faithful, converged; made once, on first use.
fit_faithful <- local({
  fit <- NULL
  function() {
    if (is.null(fit)) fit <<- gmm_em(faithful, k = 2, seed = 1, tol = 1e-10, max_iter = 500)
    fit
  }
})
