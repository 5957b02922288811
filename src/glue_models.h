// Covariance structures named from R: the one place that turns a model name into the core's enum.
#ifndef GMMEM_GLUE_MODELS_H
#define GMMEM_GLUE_MODELS_H

#include <Rcpp.h>
#include <gmmem/covariance_models.h>
#include <string>

// mclust's names; "E" and "V" only for one-dimensional data, as in mclust.
inline gmmem::CovarianceModel covariance_model_from_r(const std::string& name, int d) {
  gmmem::CovarianceModel model;
  if (!gmmem::covariance_model_from_name(name, model)) {
    Rcpp::stop("`model` must be one of mclust's names (EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, "
               "VVE, EEV, VEV, EVV, VVV, or E, V for one-dimensional data), not \"" + name + "\".");
  }
  if ((name == "E" || name == "V") && d != 1) {
    Rcpp::stop("`model` \"" + name + "\" is for one-dimensional data; use \"" + name + "II\" for d = " +
               std::to_string(d) + ".");
  }
  return model;
}

#endif
