// gmmem's C++ core: Eigen only, no R. Include this from packages that LinkingTo: gmmem.
#ifndef GMMEM_H
#define GMMEM_H

#include "gmmem/covariance_models.h"
#include "gmmem/types.h"
#include "gmmem/component.h"
#include "gmmem/em.h"
#include "gmmem/numpy_legacy_rng.h"
#include "gmmem/generate.h"

#endif
