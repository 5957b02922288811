"""Times scikit-learn's GaussianMixture from a given start, for bench/bench.R.

usage: sklearn_bench.py DIR n d K iterations reps
DIR holds X.bin (n x d, row-major), pi.bin, mu.bin (K x d, row-major) and
Sigma.bin (d x d x K, column-major as R writes it), all float64.
Prints one line: seconds per fit (fastest of reps), peak RSS in MB, final means.
"""
import resource
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

folder, n, d, k, iterations, reps = sys.argv[1], *map(int, sys.argv[2:])
X = np.fromfile(f"{folder}/X.bin").reshape(n, d)
weights = np.fromfile(f"{folder}/pi.bin")
means = np.fromfile(f"{folder}/mu.bin").reshape(k, d)
covariances = np.fromfile(f"{folder}/Sigma.bin").reshape(k, d, d)  # each d x d is symmetric
precisions = np.linalg.inv(covariances)

best = float("inf")
model = None
for _ in range(reps):
    model = GaussianMixture(n_components=k, covariance_type="full", tol=0.0, reg_covar=0.0,
                            max_iter=iterations, weights_init=weights, means_init=means,
                            precisions_init=precisions)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    best = min(best, time.perf_counter() - start)

peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(" ".join(repr(float(v)) for v in [best, peak_mb, *model.means_.ravel()]))
