#!/usr/bin/python3
"""Reference EM iterates from scikit-learn's GaussianMixture for its four covariance types.

Run from the package root (needs R on the PATH for the iris export):

    /usr/bin/python3 data-raw/make_sklearn_fixtures.py

Made with scikit-learn 1.2.1 and numpy 1.24.2 (Debian 12 python3-sklearn,
python3-numpy).  Writes into tests/testthat/fixtures/:

  iris.csv          R's datasets::iris[1:4], exported by Rscript, so that the
                    data are R's whatever copy of iris Python has
  sklearn_em.csv    weights_, means_, covariances_ after EM iteration t, the
                    start (t = 0), lower_bound_ and score(X), for
                    covariance_type spherical, diag, tied and full on the
                    handout data (K = 2) and on iris (K = 3)

Every run is given its whole start (weights_init, means_init and
precisions_init, the inverse of the start's covariances in the type's shape),
with tol = 0 and reg_covar = 0, and is stepped one EM iteration at a time with
warm_start = True and max_iter = 1.  The script checks that independent fits
with max_iter = t (no warm start) give bit-identical parameters at t = 1, 2, 5
and 20, so the stepping is the same computation as a plain fit.
"""

import math
import os
import subprocess
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

OUT_DIR = os.path.join("tests", "testthat", "fixtures")
TYPES = ["spherical", "diag", "tied", "full"]
MAX_ITER = 20
STORED = [0, 1, 2, 3, 5, 10, 20]
COLD_CHECK = [1, 2, 5, 20]


def f(x):
    """Shortest decimal string that reads back as the same double."""
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        raise ValueError("non-finite value in output: %r" % x)
    return repr(x)


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

def handout_data():
    """The handout's data set (generate_data(var1 = 3)), as the numpy fixture holds it."""
    rows = []
    with open(os.path.join(OUT_DIR, "numpy_generate.csv")) as fh:
        header = fh.readline().strip().split(",")
        ix, iy = header.index("x"), header.index("y")
        for line in fh:
            cells = line.strip().split(",")
            if cells[0] == "handout":
                rows.append((float(cells[ix]), float(cells[iy])))
    X = np.array(rows)
    assert X.shape == (400, 2)
    return X


def iris_data():
    path = os.path.join(OUT_DIR, "iris.csv")
    # R writes the four columns with 15 significant digits; iris has one decimal, so nothing is lost.
    subprocess.run(["Rscript", "-e",
                    'write.csv(datasets::iris[1:4], "%s", row.names = FALSE)' % path], check=True)
    X = np.loadtxt(path, delimiter=",", skiprows=1)
    assert X.shape == (150, 4)
    return X


# ---------------------------------------------------------------------------
# Starts: covariances in the type's own shape (what sklearn reports as covariances_)
# ---------------------------------------------------------------------------

def handout_start():
    """The handout's start: it is spherical, diagonal and tied at once, so it suits every type."""
    weights = np.array([0.1, 0.9])
    means = np.array([[0.1, 0.0], [0.0, 0.0]])
    full = np.array([np.identity(2) * 0.1, np.identity(2) * 0.1])
    covs = {
        "spherical": np.array([0.1, 0.1]),
        "diag": np.array([[0.1, 0.1], [0.1, 0.1]]),
        "tied": np.identity(2) * 0.1,
        "full": full,
    }
    return weights, means, covs


def iris_start(X):
    """Unequal weights, one observation of each species as the means, and
    covariances built from the data's covariance C with a different size
    (and for full, a different correlation) per component."""
    weights = np.array([0.2, 0.3, 0.5])
    means = X[[0, 50, 100], :].copy()
    C = np.cov(X.T)
    scale = np.array([0.2, 0.3, 0.5])
    mix = np.array([0.3, 0.6, 0.9])  # share of C's off-diagonal kept
    D = np.diag(np.diag(C))
    covs = {
        "spherical": scale * np.mean(np.diag(C)),
        "diag": np.array([s * np.diag(C) for s in scale]),
        "tied": 0.3 * ((1 - 0.6) * D + 0.6 * C),
        "full": np.array([s * ((1 - a) * D + a * C) for s, a in zip(scale, mix)]),
    }
    return weights, means, covs


def precisions(cov, ctype):
    if ctype in ("spherical", "diag"):
        return 1.0 / cov
    if ctype == "tied":
        P = np.linalg.inv(cov)
        return (P + P.T) / 2
    P = np.array([np.linalg.inv(c) for c in cov])
    return (P + np.transpose(P, (0, 2, 1))) / 2


# ---------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------

def model(ctype, start, max_iter, warm):
    weights, means, covs = start
    return GaussianMixture(n_components=len(weights), covariance_type=ctype, tol=0.0, reg_covar=0.0,
                           max_iter=max_iter, n_init=1, init_params="random", random_state=0,
                           weights_init=weights, means_init=means,
                           precisions_init=precisions(covs[ctype], ctype), warm_start=warm)


def run(X, ctype, start):
    """Parameters after iterations 0..MAX_ITER, lower_bound_ and score(X) after 1..MAX_ITER."""
    weights, means, covs = start
    path = [{"weights_": weights, "means_": means, "covariances_": covs[ctype]}]
    gm = model(ctype, start, 1, True)
    for t in range(1, MAX_ITER + 1):
        gm.fit(X)
        path.append({"weights_": gm.weights_.copy(), "means_": gm.means_.copy(),
                     "covariances_": gm.covariances_.copy(),
                     "lower_bound_": gm.lower_bound_, "score": gm.score(X)})
        assert gm.n_iter_ == 1
    for t in COLD_CHECK:
        cold = model(ctype, start, t, False).fit(X)
        assert cold.n_iter_ == t
        for name in ("weights_", "means_", "covariances_"):
            assert np.array_equal(getattr(cold, name), path[t][name]), (ctype, t, name)
        assert cold.lower_bound_ == path[t]["lower_bound_"]
    for t in range(MAX_ITER + 1):
        assert np.all(np.isfinite(path[t]["covariances_"]))
    return path


def rows(data_name, ctype, path):
    out = []
    for t in STORED:
        for name in ("weights_", "means_", "covariances_"):
            a = np.asarray(path[t][name])
            for index in np.ndindex(a.shape):
                ix = [str(i + 1) for i in index] + [""] * (3 - len(index))
                out.append(",".join([data_name, ctype, str(t), name] + ix + [f(a[index])]))
        if t > 0:
            for name in ("lower_bound_", "score"):
                out.append(",".join([data_name, ctype, str(t), name, "", "", "", f(path[t][name])]))
    return out


def main():
    assert sklearn.__version__ == "1.2.1", sklearn.__version__
    warnings.simplefilter("ignore", ConvergenceWarning)  # tol = 0: every fit "fails" to converge
    X_iris = iris_data()
    cases = [("handout", handout_data(), handout_start()),
             ("iris", X_iris, iris_start(X_iris))]
    lines = ["data,covariance_type,iteration,parameter,i1,i2,i3,value"]
    for data_name, X, start in cases:
        for ctype in TYPES:
            path = run(X, ctype, start)
            lines.extend(rows(data_name, ctype, path))
            print("%-8s %-9s lower_bound_ at t = %d: %.17g" % (data_name, ctype, MAX_ITER,
                                                                 path[MAX_ITER]["lower_bound_"]))
    with open(os.path.join(OUT_DIR, "sklearn_em.csv"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("wrote %d rows" % (len(lines) - 1))


if __name__ == "__main__":
    main()
