# The C++ core as another package uses it (LinkingTo: gmmem): gmmem::fit_em()
# with its default sink, compiled here from the installed headers, gives the
# path gmm_em() gives, keeps the responsibilities its Control asks for, and
# reports a failure through gmmem::em_error's fields.

cpp_source <- '
// [[Rcpp::depends(RcppEigen, gmmem)]]
#include <RcppEigen.h>
#include <gmmem.h>

// [[Rcpp::export]]
Rcpp::List run_fit_em(Eigen::MatrixXd X, Eigen::VectorXd pi, Eigen::MatrixXd mu, Rcpp::List Sigma,
                      int max_iter, double tol, std::vector<int> keep) {
  gmmem::Params start;
  start.pi = pi;
  start.mu = mu;
  for (int k = 0; k < Sigma.size(); ++k) start.Sigma.push_back(Rcpp::as<Eigen::MatrixXd>(Sigma[k]));
  gmmem::Control control;
  control.max_iter = max_iter;
  control.tol = tol;
  control.keep.iterations = keep;
  try {
    gmmem::Trace trace = gmmem::fit_em(X.data(), static_cast<int>(X.rows()), static_cast<int>(X.cols()),
                                       start, control);
    Rcpp::List resp;
    for (const Eigen::MatrixXd& r : trace.resp) resp.push_back(r);
    const gmmem::Params& last = trace.params.back();
    return Rcpp::List::create(Rcpp::Named("loglik") = trace.loglik, Rcpp::Named("n_iter") = trace.n_iter,
                              Rcpp::Named("converged") = trace.converged, Rcpp::Named("pi") = last.pi,
                              Rcpp::Named("mu") = last.mu, Rcpp::Named("Sigma1") = last.Sigma[0],
                              Rcpp::Named("resp_iteration") = trace.resp_iteration, Rcpp::Named("resp") = resp);
  } catch (const gmmem::em_error& e) {
    return Rcpp::List::create(Rcpp::Named("kind") = gmmem::failure_name(e.kind()),
                              Rcpp::Named("iteration") = e.iteration(),
                              Rcpp::Named("component") = e.component());
  }
}
'

test_that("gmmem::fit_em() from C++ gives gmm_em()'s path and keeps what Control asks", {
  skip_on_os("windows")
  # RcppEigen is in Suggests as well as LinkingTo so that a check's library
  # (--as-cran keeps only declared packages) has it for this compilation
  skip_if_not_installed("RcppEigen")
  env <- new.env()
  # Eigen's SSE packet types make gcc warn about ignored attributes by the
  # screenful; they say nothing about this code
  old_flags <- Sys.getenv("PKG_CXXFLAGS", NA)
  Sys.setenv(PKG_CXXFLAGS = "-Wno-ignored-attributes")
  on.exit(if (is.na(old_flags)) Sys.unsetenv("PKG_CXXFLAGS") else Sys.setenv(PKG_CXXFLAGS = old_flags), add = TRUE)
  Rcpp::sourceCpp(code = cpp_source, env = env, cacheDir = tempfile("gmmem-cpp-"))
  X <- as.matrix(generate_data(var1 = 3)[c("x", "y")])
  start <- list(pi = c(0.1, 0.9), mu = cbind(c(0.1, 0), c(0, 0)), Sigma = list(diag(0.1, 2), diag(0.1, 2)))
  cpp <- env$run_fit_em(X, start$pi, start$mu, start$Sigma, 30L, -1, c(0L, 7L))
  # the same bits as the kernel built with the same (portable) flags as this
  # compilation; the AVX2 one agrees to rounding (test-kernel.R)
  old_kernel <- options(gmmem.kernel = "portable")
  on.exit(options(old_kernel), add = TRUE)
  fit <- gmm_em(X, pi = start$pi, mu = list(c(0.1, 0), c(0, 0)), Sigma = start$Sigma, max_iter = 30)
  expect_identical(cpp$n_iter, 30L)
  expect_identical(cpp$loglik, unname(fit$path$loglik))
  expect_identical(as.vector(cpp$pi), unname(fit$final$pi))
  expect_identical(cpp$mu, unname(t(fit$final$mu)))
  expect_identical(cpp$Sigma1, unname(fit$final$Sigma[, , 1]))
  # iterations 0 and 7 as asked, and the last one always
  expect_identical(cpp$resp_iteration, c(0L, 7L, 30L))
  expect_identical(cpp$resp[[2]], unname(fit$resp[, , "7"]))
  expect_identical(cpp$resp[[3]], unname(fit$resp[, , "30"]))
  expect_true(all(cpp$resp[[1]] == 0.5))
  # with tol, the last kept matrix is where it stopped
  conv <- env$run_fit_em(X, start$pi, start$mu, start$Sigma, 1000L, 1e-8, integer())
  expect_true(conv$converged)
  expect_identical(conv$resp_iteration, conv$n_iter)
  # a failure carries its fields (0-based component in C++)
  far <- rbind(X, c(50, 50), c(50, 50))
  bad <- env$run_fit_em(far, c(0.5, 0.5), cbind(c(0, 0), c(50, 50)), list(diag(2), diag(2)), 5L, -1, integer())
  expect_identical(bad$kind, "singular_covariance")
  expect_identical(bad$iteration, 1L)
  expect_identical(bad$component, 1L)
})
