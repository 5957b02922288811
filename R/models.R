# The covariance models by name: mclust's fourteen, scikit-learn's four
# aliases, and what each structure asks of the data. The core holds one policy
# per model; this table is the R side of the same seam.

# Volume, shape and orientation of Sigma_k = lambda_k D_k A_k D_k' (Celeux and
# Govaert, 1995): E = equal across components, V = variable, I = identity.
covariance_models <- data.frame(
  model = c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV"),
  structure = rep(c("spherical", "diagonal", "full"), c(2L, 4L, 8L)),
  stringsAsFactors = FALSE
)
covariance_models$description <- c(
  "spherical, equal volume", "spherical, varying volume",
  "diagonal, equal volume and shape", "diagonal, varying volume, equal shape",
  "diagonal, equal volume, varying shape", "diagonal, varying volume and shape",
  "ellipsoidal, equal volume, shape and orientation", "ellipsoidal, equal shape and orientation",
  "ellipsoidal, equal volume and orientation", "ellipsoidal, equal orientation",
  "ellipsoidal, equal volume and shape", "ellipsoidal, equal shape",
  "ellipsoidal, equal volume", "ellipsoidal, varying volume, shape and orientation")

# scikit-learn's covariance_type names for the same structures.
sklearn_models <- c(spherical = "VII", diag = "VVI", tied = "EEE", full = "VVV")

# The model's name as the fit reports it: one of the fourteen, or in one
# dimension mclust's "E" (equal variances) or "V" (varying), to which every
# name reduces there (the volume letter decides).
check_model <- function(model, d, arg = "model") {
  known <- c(covariance_models$model, names(sklearn_models), "E", "V")
  if (!is.character(model) || length(model) != 1L || is.na(model) || !model %in% known) {
    abort_arg(arg, "must be one of mclust's models (", paste(covariance_models$model, collapse = ", "),
              "; \"E\" or \"V\" in one dimension) or scikit-learn's (",
              paste0("\"", names(sklearn_models), "\"", collapse = ", "), ").")
  }
  if (model %in% names(sklearn_models)) model <- sklearn_models[[model]]
  if (d == 1L) return(substr(model, 1L, 1L))
  if (model %in% c("E", "V")) {
    abort_arg(arg, "\"", model, "\" is for one-dimensional data; the data have ", d,
              " columns (use \"", model, "II\", or another of the fourteen).")
  }
  model
}

# "spherical", "diagonal" or "full": what a model needs the data to be.
model_structure <- function(model) {
  if (model %in% c("E", "V")) return("spherical")
  covariance_models$structure[match(model, covariance_models$model)]
}

model_description <- function(model) {
  if (model == "E") return("one dimension, equal variances")
  if (model == "V") return("one dimension, varying variances")
  covariance_models$description[match(model, covariance_models$model)]
}

# Free parameters of a mixture of K components (those still in it) in d
# dimensions: weights, means and the model's covariance parameters.
model_df <- function(model, K, d) {
  as.integer((K - 1L) + K * d + covariance_df_cpp(model, as.integer(d), as.integer(K)))
}
