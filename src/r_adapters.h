// What differs between R and elsewhere, for the core's template parameters: interrupts and RNG.
#ifndef GMMEM_R_ADAPTERS_H
#define GMMEM_R_ADAPTERS_H

#include <Rcpp.h>

// Lets a user's Ctrl-C (or setTimeLimit()) stop a fit between iterations; the
// exception unwinds the core cleanly and Rcpp turns it into an R interrupt.
struct RInterrupt {
  void operator()() const { Rcpp::checkUserInterrupt(); }
};

// Standard normals from R's generator, so set.seed() reproduces draws.
// The caller holds the RNG state (Rcpp::RNGScope).
struct RNormal {
  double normal() { return norm_rand(); }
};

#endif
