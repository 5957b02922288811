# Writes man/figures/handout-em-path.gif, the README's animation of the
# handout's EM path. Run from the package root with gmmem, gganimate and magick
# installed:  R_LIBS=.lib Rscript data-raw/make_readme_animation.R

library(gmmem)

X <- generate_data(var1 = 3)
fit <- gmm_em(X, pi = c(0.1, 0.9), mu = list(c(0.1, 0), c(0, 0)),
              Sigma = list(diag(0.1, 2), diag(0.1, 2)))

out <- file.path("man", "figures", "handout-em-path.gif")
animate_mixtures(fit, fps = 10, pause = 2, width = 540, height = 540, file = out)
cat(sprintf("%s: %d iterations, %.0f kB\n", out, fit$n_iter + 1L, file.size(out) / 1024))
