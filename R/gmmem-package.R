#' gmmem: Gaussian mixture models by EM, with the whole path kept
#'
#' gmmem fits Gaussian mixture models by expectation-maximisation with a C++
#' core, and keeps every iteration's parameters, log-likelihood and
#' responsibilities as tidy data frames. It reproduces the GMM course handout
#' (numpy) number for number: [generate_data()] draws the handout's data set
#' bit for bit, and [gmm_em()] from the handout's start gives the handout's
#' iterates.
#'
#' @keywords internal
"_PACKAGE"

## usethis namespace: start
#' @useDynLib gmmem, .registration = TRUE
#' @importFrom Rcpp sourceCpp
## usethis namespace: end
NULL
