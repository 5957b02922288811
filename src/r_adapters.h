// What differs between R and elsewhere, for the core's template parameters: interrupts and RNG.
#ifndef GMMEM_R_ADAPTERS_H
#define GMMEM_R_ADAPTERS_H

#include <Rcpp.h>

// Lets a user's Ctrl-C, a setTimeLimit() or any R error raised by R's event
// processing stop a fit between iterations. R_CheckUserInterrupt() runs under
// unwind protection: when it jumps, the jump becomes a C++ exception that
// unwinds the core (its destructors run), and Rcpp's wrapper resumes the same
// jump in R, so the caller receives R's own condition (an interrupt stays an
// interrupt, a time limit stays base R's error), with nothing printed.
struct RInterrupt {
  void operator()() const {
    Rcpp::unwindProtect([]() -> SEXP {
      R_CheckUserInterrupt();
      return R_NilValue;
    });
  }
};

// Standard normals from R's generator, so set.seed() reproduces draws.
// The caller holds the RNG state (Rcpp::RNGScope).
struct RNormal {
  double normal() { return norm_rand(); }
};

#endif
