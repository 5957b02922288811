# The GMM handout's experiment, as a new user meets it: its numpy data set, its
# start, 100 EM iterations, and pi and mu at the iterations the handout plots.
library(gmmem)

X <- generate_data(n_samples_cluster1 = 200, n_samples_cluster2 = 200, var1 = 3, var2 = 1)
cat("The handout's data: 400 points; the first two are\n")
print(format(head(as.data.frame(X), 2), digits = 17), row.names = FALSE)

fit <- gmm_em(X, pi = c(0.1, 0.9),
              mu = list(c(0.1, 0), c(0, 0)),
              Sigma = list(diag(0.1, 2), diag(0.1, 2)))
print(fit)

shown <- c(0, 1, 5, 10, 25, 40, 100)
cat("\npi and mu at iterations", paste(shown, collapse = ", "), "\n")
path <- fit$params[fit$params$iteration %in% shown, c("iteration", "component", "pi", "mu_x", "mu_y")]
print(format(path, digits = 6), row.names = FALSE)
cat("\nlog-likelihood at the same iterations\n")
print(format(fit$loglik[fit$loglik$iteration %in% shown, c("iteration", "loglik")], digits = 10),
      row.names = FALSE)

# The handout's six-panel figure, written to a PNG file: the path in the
# environment variable GMMEM_FIGURE, or handout-six-panels.png in the working
# directory.
figure <- plot_mixtures(fit, iterations = c(0, 1, 5, 10, 25, 40))
figure_file <- Sys.getenv("GMMEM_FIGURE", "handout-six-panels.png")
ggplot2::ggsave(figure_file, figure, width = 9, height = 6, dpi = 100)
cat("\nThe six-panel figure is in", normalizePath(figure_file), "\n")
