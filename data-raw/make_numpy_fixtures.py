#!/usr/bin/python3
"""Reference fixtures for gmmem, computed with the course handout's own numpy code.

Run from the package root:

    /usr/bin/python3 data-raw/make_numpy_fixtures.py

Made with numpy 1.24.2 (Debian 12 python3-numpy).  Writes into
tests/testthat/fixtures/:

  numpy_generate.csv               generate_data() output for several cases
  numpy_em_<start>_params.csv      coeffs[t] of apply_em(), t = 0..100
  numpy_em_<start>_resp.csv.gz     rvals[t] of apply_em(), t = 0..100
  numpy_em_<start>_loglik.csv      log-likelihood of coeffs[t]

for the starts "handout", "far" and "true".

`apply_em` is the handout's code unchanged.  `generate_data` is the handout's
code with the seed and the two cluster means made parameters (defaults are the
handout's hard-coded values 42, [-2, 2], [2, -2]); the arithmetic is the same.
"""

import gzip
import math
import os
import sys

import numpy as np

OUT_DIR = os.path.join("tests", "testthat", "fixtures")
MAX_ITER = 100


# ---------------------------------------------------------------------------
# The handout's code
# ---------------------------------------------------------------------------

def apply_em(X, pi, mu, Sigma, max_iter=100):
    n, d = X.shape
    k = len(pi)
    r = np.zeros((n, k))
    coeffs, rvals = [], []
    # Store the initial state before any iteration
    coeffs.append({"pi": pi.copy(), "mu": mu.copy(), "Sigma": Sigma.copy()})
    rvals.append(np.ones((n, k)) / k)  # Uniform responsibility for initialization
    for it in range(max_iter):
        # E-step
        for i in range(k):
            diff = X - mu[i]
            r[:, i] = pi[i] * np.exp(-0.5 * np.sum((diff @ np.linalg.inv(Sigma[i])) * diff, axis=1))
            r[:, i] /= np.sqrt(np.linalg.det(Sigma[i]) * (2 * np.pi) ** d)
        r /= r.sum(axis=1, keepdims=True)
        # M-step
        Nk = r.sum(axis=0)
        pi = Nk / n
        mu = [(X * r[:, i][:, np.newaxis]).sum(axis=0) / Nk[i] for i in range(k)]
        Sigma = [(np.dot((r[:, i][:, np.newaxis] * (X - mu[i])).T, (X - mu[i])) / Nk[i]) for i in range(k)]
        coeffs.append({"pi": pi.copy(), "mu": mu.copy(), "Sigma": Sigma.copy()})
        rvals.append(r.copy())
    return {"coeffs": coeffs, "rvals": rvals}


def generate_data(n_samples_cluster1=200, n_samples_cluster2=200, var1=1, var2=1,
                  seed=42, mean1=(-2, 2), mean2=(2, -2)):
    np.random.seed(seed)
    cov1 = np.identity(2) * var1
    cov2 = np.identity(2) * var2
    cluster1 = np.random.multivariate_normal(mean=list(mean1), cov=cov1, size=n_samples_cluster1)
    cluster2 = np.random.multivariate_normal(mean=list(mean2), cov=cov2, size=n_samples_cluster2)
    return np.vstack((cluster1, cluster2))


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def f(x):
    """Shortest round-tripping decimal representation of a double."""
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        raise ValueError("non-finite value in output: %r" % x)
    return repr(x)


def loglik(X, pi, mu, Sigma):
    """sum_i log sum_k pi_k N(x_i | mu_k, Sigma_k), on the log scale throughout."""
    n, d = X.shape
    k = len(pi)
    logp = np.empty((n, k))
    for j in range(k):
        S = np.asarray(Sigma[j], dtype=float)
        sign, logdet = np.linalg.slogdet(S)
        if sign <= 0:
            return float("nan")
        diff = X - np.asarray(mu[j], dtype=float)
        sol = np.linalg.solve(S, diff.T).T          # Sigma^{-1} (x_i - mu)
        quad = np.sum(diff * sol, axis=1)
        logp[:, j] = (math.log(pi[j]) if pi[j] > 0 else -np.inf) \
            - 0.5 * d * math.log(2 * math.pi) - 0.5 * logdet - 0.5 * quad
    m = logp.max(axis=1)
    return float(np.sum(m + np.log(np.sum(np.exp(logp - m[:, None]), axis=1))))


def write_text(path, lines, compress=False):
    data = ("\n".join(lines) + "\n").encode("ascii")
    if compress:
        # mtime=0 and no file name in the header: byte-for-byte reproducible
        with open(path, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
                gz.write(data)
    else:
        with open(path, "wb") as fh:
            fh.write(data)


# ---------------------------------------------------------------------------
# 1. generate_data fixtures
# ---------------------------------------------------------------------------

GEN_CASES = [
    # name, seed, n1, n2, var1, var2, mean1, mean2
    ("handout",        42,         200, 200, 3.0,  1.0,  (-2.0, 2.0), (2.0, -2.0)),
    ("defaults",       42,         200, 200, 1.0,  1.0,  (-2.0, 2.0), (2.0, -2.0)),
    ("seed0_odd",      0,          7,   4,   0.5,  2.5,  (-2.0, 2.0), (2.0, -2.0)),
    ("seed0_even",     0,          20,  30,  10.0, 1.0,  (-2.0, 2.0), (2.0, -2.0)),
    ("seed1_single",   1,          1,   1,   10.0, 0.5,  (-2.0, 2.0), (2.0, -2.0)),
    ("seed1_odd",      1,          15,  6,   1.0,  1.0,  (-2.0, 2.0), (2.0, -2.0)),
    ("seed12345_odd",  12345,      33,  10,  2.5,  10.0, (-2.0, 2.0), (2.0, -2.0)),
    ("seedmax_odd",    4294967295, 51,  50,  0.5,  3.0,  (-2.0, 2.0), (2.0, -2.0)),
    ("seedmax_odd2",   4294967295, 8,   9,   1.0,  2.5,  (-2.0, 2.0), (2.0, -2.0)),
    ("means",          42,         25,  15,  2.0,  0.5,  (0.0, 5.0),  (-3.0, 1.5)),
]


def make_generate():
    header = "case,seed,n1,n2,var1,var2,mean1_x,mean1_y,mean2_x,mean2_y,row,x,y"
    lines = [header]
    data = {}
    for name, seed, n1, n2, v1, v2, m1, m2 in GEN_CASES:
        X = generate_data(n_samples_cluster1=n1, n_samples_cluster2=n2, var1=v1, var2=v2,
                          seed=seed, mean1=m1, mean2=m2)
        assert X.shape == (n1 + n2, 2)
        assert np.all(np.isfinite(X))
        data[name] = X
        for i in range(X.shape[0]):
            lines.append(",".join([name, str(seed), str(n1), str(n2), f(v1), f(v2),
                                   f(m1[0]), f(m1[1]), f(m2[0]), f(m2[1]),
                                   str(i + 1), f(X[i, 0]), f(X[i, 1])]))
    # Sanity: the handout's generate_data with its own defaults must equal ours.
    ref = generate_data(200, 200, var1=3, var2=1)
    assert np.array_equal(ref, data["handout"])
    write_text(os.path.join(OUT_DIR, "numpy_generate.csv"), lines)
    return data


def check_handout_facts(X):
    # Values quoted in handout.md, "Facts worth knowing about this code"
    expect = {
        0: (-1.1396658501460037, 1.760519205498503),
        1: (-0.87817054452958998, 4.6379650927430314),
        200: (0.4055723412056329, -2.5993750229537729),
    }
    for i, (ex, ey) in expect.items():
        assert X[i, 0] == ex and X[i, 1] == ey, \
            "row %d: got (%r, %r), handout says (%r, %r)" % (i + 1, X[i, 0], X[i, 1], ex, ey)
        print("row %3d = (%.17g, %.17g)  matches handout.md" % (i + 1, X[i, 0], X[i, 1]))


# ---------------------------------------------------------------------------
# 2. apply_em fixtures
# ---------------------------------------------------------------------------

STARTS = [
    ("handout", np.array([0.1, 0]), np.array([0, 0])),
    ("far",     np.array([-3, -3]), np.array([3, 3])),
    ("true",    np.array([-2, 2]),  np.array([2, -2])),
]

SUMMARY_ITERS = [0, 1, 5, 10, 25, 40, 100]


def make_em(X):
    for name, mu1, mu2 in STARTS:
        # Exactly as in the handout's experiment
        Sigma1, Sigma2 = np.identity(2) * 0.1, np.identity(2) * 0.1
        pi = [0.1, 0.9]
        mu, Sigma = [mu1, mu2], [Sigma1, Sigma2]

        with np.errstate(invalid="raise", divide="raise", over="raise"):
            res = apply_em(X, pi, mu, Sigma, max_iter=MAX_ITER)
        coeffs, rvals = res["coeffs"], res["rvals"]
        assert len(coeffs) == MAX_ITER + 1 and len(rvals) == MAX_ITER + 1

        # params
        lines = ["iteration,component,pi,mu_1,mu_2,sigma_11,sigma_12,sigma_22,sigma_21"]
        lls = []
        asym = 0.0
        for t, c in enumerate(coeffs):
            for j in range(2):
                m = np.asarray(c["mu"][j], dtype=float)
                S = np.asarray(c["Sigma"][j], dtype=float)
                # np.dot(A.T, B) with A = r*(X-mu), B = X-mu is symmetric only up to
                # rounding, so sigma_21 is kept too (it differs from sigma_12 by ~1 ulp).
                asym = max(asym, abs(S[0, 1] - S[1, 0]) / max(abs(S[0, 1]), 1e-300))
                lines.append(",".join([str(t), str(j + 1), f(c["pi"][j]), f(m[0]), f(m[1]),
                                       f(S[0, 0]), f(S[0, 1]), f(S[1, 1]), f(S[1, 0])]))
            lls.append(loglik(X, c["pi"], c["mu"], c["Sigma"]))
        write_text(os.path.join(OUT_DIR, "numpy_em_%s_params.csv" % name), lines)

        # log-likelihood
        lines = ["iteration,loglik"] + ["%d,%s" % (t, f(ll)) for t, ll in enumerate(lls)]
        write_text(os.path.join(OUT_DIR, "numpy_em_%s_loglik.csv" % name), lines)

        # responsibilities
        lines = ["iteration,point,component,r"]
        for t, r in enumerate(rvals):
            assert r.shape == (X.shape[0], 2)
            for i in range(r.shape[0]):
                for j in range(2):
                    lines.append("%d,%d,%d,%s" % (t, i + 1, j + 1, f(r[i, j])))
        write_text(os.path.join(OUT_DIR, "numpy_em_%s_resp.csv.gz" % name), lines, compress=True)

        # summary
        fin = coeffs[-1]
        print("\n=== start '%s': mu1=%s mu2=%s, Sigma=0.1*I, pi=[0.1, 0.9] ===" %
              (name, mu1.tolist(), mu2.tolist()))
        print("final pi    = [%.17g, %.17g]" % (fin["pi"][0], fin["pi"][1]))
        for j in range(2):
            S = fin["Sigma"][j]
            print("final mu%d   = [%.17g, %.17g]   Sigma%d = [[%.6g, %.6g], [%.6g, %.6g]]" %
                  (j + 1, fin["mu"][j][0], fin["mu"][j][1], j + 1, S[0, 0], S[0, 1], S[1, 0], S[1, 1]))
        for t in SUMMARY_ITERS:
            print("  loglik[%3d] = %.17g" % (t, lls[t]))
        diffs = np.diff(lls)
        print("  min loglik increment over t=0..100: %.3g (negative => not monotone)" % diffs.min())
        print("  |loglik[100]-loglik[99]| = %.3g" % abs(lls[-1] - lls[-2]))
        print("  max relative |sigma_12 - sigma_21| = %.3g" % asym)


def main():
    if not os.path.isfile("DESCRIPTION"):
        sys.exit("run from the package root (the directory holding DESCRIPTION)")
    os.makedirs(OUT_DIR, exist_ok=True)
    print("numpy", np.__version__, "python", sys.version.split()[0])
    data = make_generate()
    X = data["handout"]
    check_handout_facts(X)
    make_em(X)
    print()
    for fn in sorted(os.listdir(OUT_DIR)):
        if fn.startswith("numpy_"):
            print("%-34s %9d bytes" % (fn, os.path.getsize(os.path.join(OUT_DIR, fn))))


if __name__ == "__main__":
    main()
