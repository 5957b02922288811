#!/usr/bin/python3
"""Reference draws from numpy for gmm_simulate(rng = "numpy") and draw_numpy_diagonal_cpp().

Run from the package root:

    /usr/bin/python3 data-raw/make_simulate_fixtures.py

Made with numpy 1.24.2 (Debian 12 python3-numpy, reference LAPACK).  Writes
tests/testthat/fixtures/numpy_simulate.csv and prints, for each covariance used,
which standard normal numpy's SVD feeds to which coordinate.

Two kinds of case, stacked in one file:

  kind = "single":  np.random.seed(seed)
                    np.random.multivariate_normal(mean, np.diag(variances), n)
                    (one component; what draw_numpy_diagonal_cpp() claims to do)
  kind = "mixture": gmm_simulate_numpy() below: the counts n_k from n and pi,
                    then one seeded stream, component after component.

Columns: case, kind, seed, n, row (1-based), component (1-based), x1..x5
(coordinates beyond the case's d are empty).  Numbers are written with repr(),
so R's read.csv() reads back the very same doubles.
"""

import math
import os
import sys

import numpy as np

OUT = os.path.join("tests", "testthat", "fixtures", "numpy_simulate.csv")
MAX_D = 5


def numpy_counts(n, pi):
    """floor(n * pi_k), then one more point each for the largest remainders
    (ties to the lower component): the counts gmm_simulate() uses."""
    q = [n * p for p in pi]
    counts = [math.floor(x) for x in q]
    short = n - sum(counts)
    order = sorted(range(len(pi)), key=lambda k: (-(q[k] - counts[k]), k))
    for k in order[:short]:
        counts[k] += 1
    return counts


def gmm_simulate_numpy(n, pi, mu, variances, seed):
    """The numpy program gmm_simulate(rng = "numpy") reproduces."""
    counts = numpy_counts(n, pi)
    np.random.seed(seed)
    blocks = [np.random.multivariate_normal(mu[k], np.diag(variances[k]), counts[k])
              for k in range(len(pi))]
    labels = [k + 1 for k in range(len(pi)) for _ in range(counts[k])]
    return np.vstack(blocks), labels


def svd_feed(variances):
    """Which output coordinate (1-based) each standard normal position feeds."""
    _, s, vt = np.linalg.svd(np.diag(np.asarray(variances, dtype=float)))
    feed = []
    for p in range(len(variances)):
        nz = np.flatnonzero(vt[p])
        assert len(nz) == 1 and vt[p, nz[0]] == 1.0, vt
        feed.append(int(nz[0]) + 1)
    assert np.array_equal(s, np.sort(np.asarray(variances, dtype=float))[::-1])
    return feed


SINGLE = [
    # case, seed, n, mean, variances
    ("v13", 1, 7, [0.0, 0.0], [1.0, 3.0]),
    ("v31", 1, 7, [0.0, 0.0], [3.0, 1.0]),
    ("v225", 2, 5, [1.0, -1.0, 0.5], [2.0, 2.0, 5.0]),
    ("v522", 2, 5, [1.0, -1.0, 0.5], [5.0, 2.0, 2.0]),
    ("v252", 3, 4, [0.0, 10.0, -3.0], [2.0, 5.0, 2.0]),
    ("v7.3", 4, 6, [0.0, 0.0, 0.0], [7.3, 0.1, 7.3]),
    ("v5mix", 5, 9, [1.0, 2.0, 3.0, 4.0, 5.0], [0.5, 0.25, 4.0, 4.0, 0.1]),
    ("v1d", 6, 3, [2.5], [0.7]),
    ("v2eq", 7, 3, [-2.0, 2.0], [3.0, 3.0]),
]

MIXTURE = [
    # case, seed, n, pi, mu, variances
    # the handout's data set: counts 200/200, var 3 then 1
    ("handout", 42, 400, [0.5, 0.5], [[-2.0, 2.0], [2.0, -2.0]], [[3.0, 3.0], [1.0, 1.0]]),
    # odd block sizes in d = 3: the Gaussian cache crosses from one component to the next
    ("k3d3", 2024, 20, [0.35, 0.2, 0.45], [[0.0, 0.0, 0.0], [5.0, -1.0, 2.0], [-3.0, 4.0, 1.0]],
     [[1.0, 2.0, 3.0], [5.0, 2.0, 2.0], [0.5, 0.5, 0.5]]),
    # remainders decide the counts (n pi = 2.5, 2.5, 2): 3, 2, 2
    ("ties", 7, 7, [2.5 / 7, 2.5 / 7, 2.0 / 7], [[1.0], [2.0], [3.0]], [[1.0], [4.0], [0.25]]),
    # a component with no points (n pi_1 = 0.3 -> 0)
    ("empty", 11, 3, [0.1, 0.9], [[0.0, 0.0], [1.0, 1.0]], [[1.0, 1.0], [2.0, 0.5]]),
    ("seedmax", 4294967295, 9, [0.25, 0.75], [[0.0, 0.0, 0.0, 0.0, 0.0], [1.0, 2.0, 3.0, 4.0, 5.0]],
     [[2.0, 1.0, 2.0, 1.0, 2.0], [0.3, 0.3, 0.3, 9.0, 0.3]]),
]


def f(x):
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        raise ValueError("non-finite value")
    return repr(x)


def rows_for(case, kind, seed, n, X, labels):
    out = []
    for i in range(X.shape[0]):
        coords = [f(v) for v in X[i]] + [""] * (MAX_D - X.shape[1])
        out.append(",".join([case, kind, str(seed), str(n), str(i + 1), str(labels[i])] + coords))
    return out


def main():
    if not os.path.isfile("DESCRIPTION"):
        sys.exit("run from the package root (the directory holding DESCRIPTION)")
    print("numpy", np.__version__, "python", sys.version.split()[0])
    lines = ["case,kind,seed,n,row,component," + ",".join("x%d" % j for j in range(1, MAX_D + 1))]
    for case, seed, n, mean, var in SINGLE:
        np.random.seed(seed)
        X = np.random.multivariate_normal(mean, np.diag(var), n)
        lines += rows_for(case, "single", seed, n, X, [1] * n)
        print("%-8s variances %-28s normal p feeds coordinate %s" % (case, var, svd_feed(var)))
    for case, seed, n, pi, mu, var in MIXTURE:
        X, labels = gmm_simulate_numpy(n, pi, mu, var, seed)
        assert X.shape == (n, len(mu[0]))
        lines += rows_for(case, "mixture", seed, n, X, labels)
        print("%-8s counts %s" % (case, numpy_counts(n, pi)))
    # the handout case must be the handout's generate_data(var1 = 3)
    np.random.seed(42)
    ref = np.vstack((np.random.multivariate_normal([-2, 2], np.identity(2) * 3, 200),
                     np.random.multivariate_normal([2, -2], np.identity(2), 200)))
    X, _ = gmm_simulate_numpy(400, [0.5, 0.5], [[-2.0, 2.0], [2.0, -2.0]], [[3.0, 3.0], [1.0, 1.0]], 42)
    assert np.array_equal(ref, X)
    with open(OUT, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("wrote %s (%d rows)" % (OUT, len(lines) - 1))


if __name__ == "__main__":
    main()
