"""Reference BG/NBD numbers from the Python package `lifetimes` (the model of Fader, Hardie & Lee 2005).

Exact commands used for the committed fixtures (repository root, venv made with
`python3 -m venv /tmp/lt && /tmp/lt/bin/pip install lifetimes`):

    /tmp/lt/bin/python scripts/lifetimes_bgnbd.py sample ../shared/data/cdnow_master.csv testdata/cdnow_sample.csv
    /tmp/lt/bin/python scripts/lifetimes_bgnbd.py fit testdata/cdnow_sample.csv testdata/bgnbd
    /tmp/lt/bin/python scripts/lifetimes_bgnbd.py fit ../shared/data/cdnow_master.csv /tmp/bgnbd_full   # not committed

Versions: Python 3.11.7, lifetimes 0.11.3, autograd 1.9.1, pandas 3.1.1, numpy 2.4.6, scipy 1.17.1
(lifetimes 0.11.3 works unpinned with these).

`sample` writes every transaction (lines byte-identical, source order) of 2,000 customers picked
deterministically: the customers at 0-based positions floor(i * N / 2000), i = 0..1999, of the sorted
distinct customer ids (N = 23,570 for CDNOW).

`fit` follows lifetimes' own recipe in days:
    summary_data_from_transaction_data(df, 'customer_id', 'date', freq='D',
                                       observation_period_end='1998-06-30')
    BetaGeoFitter(penalizer_coef=0).fit(frequency, recency, T)
and then checks that lifetimes' optimiser (scipy BFGS, tol=1e-7 on the per-customer mean negative
log-likelihood, in time scaled by 1/max(T)) really reached the maximum: it polishes lifetimes'
solution with full Newton steps (autograd's exact Hessian of the same objective) and prints both
log-likelihoods and gradients. (A BFGS refit with tol=1e-13 cannot be used: scipy stops at once with
"precision loss" and lifetimes raises ConvergenceError.) lifetimes' default fit is close but not
exact: 3.0e-8 relative from the MLE on the sample, 1.4e-7 on the full file, which moves expected
purchases of heavy buyers by up to ~1.4e-6 relative. So the outputs hold the polished MLE
(r, alpha, a, b; p_alive and expected_90 computed by lifetimes' own methods at those parameters),
and the JSON also records lifetimes' default fit.

Conventions worth knowing (also in testdata/README.md):
  * lifetimes fits in scaled time (t / max(T)); its `_negative_log_likelihood_` is the MEAN over
    customers in those scaled units. The total log-likelihood in day units differs by
    sum(x) * log(max T): LL_scaled = LL_days + sum(x) * log(max(T)). `log_likelihood` written here is
    the day-unit total, -N * BetaGeoFitter._negative_log_likelihood(log(params_days), x, t_x, T, 1, 0).
  * frequency = distinct purchase days - 1, recency = last - first day, T = end - first day.

Outputs (fit): OUT/expected_params.json, OUT/expected_customers.csv
(customer_id,frequency,recency,T,p_alive,expected_90; floats written with repr(), i.e. round-trip).
"""

import csv
import json
import math
import os
import sys

import numpy as np
import pandas as pd

AS_OF = "1998-06-30"
HORIZON = 90.0
SAMPLE_SIZE = 2000


def make_sample(src, dst):
    with open(src, newline="") as f:
        lines = f.read().splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    ids = sorted({line.split(",", 1)[0] for line in body})
    n = len(ids)
    keep = {ids[(i * n) // SAMPLE_SIZE] for i in range(SAMPLE_SIZE)}
    assert len(keep) == SAMPLE_SIZE
    out = [header] + [line for line in body if line.split(",", 1)[0] in keep]
    with open(dst, "w", newline="") as f:
        f.writelines(out)
    print(f"{dst}: {len(out) - 1} transactions of {len(keep)} customers (of {n})")


def day_loglik(params, freq, rec, T):
    """Total log-likelihood in day units, lifetimes' own per-customer formula."""
    from lifetimes import BetaGeoFitter

    w = np.ones_like(rec, dtype=int)
    nll = BetaGeoFitter._negative_log_likelihood(np.log(np.asarray(params)), freq, rec, T, w, 0.0)
    return -float(nll) * len(freq)


def fit(src, out_dir):
    from autograd import grad, hessian
    from lifetimes import BetaGeoFitter
    from lifetimes.utils import summary_data_from_transaction_data

    tx = pd.read_csv(src, dtype={"customer_id": str, "date": str, "amount": str, "quantity": str})
    summary = summary_data_from_transaction_data(
        tx, "customer_id", "date", freq="D", observation_period_end=AS_OF
    ).sort_index()
    freq = summary["frequency"].to_numpy().astype(int)
    rec = summary["recency"].to_numpy()
    T = summary["T"].to_numpy()
    n = len(summary)
    print(f"{src}: {n} customers, sum(frequency) = {freq.sum()}, max T = {T.max()}")

    default = BetaGeoFitter(penalizer_coef=0.0).fit(freq, rec, T)
    p_default = default.params_[["r", "alpha", "a", "b"]].to_numpy()

    # Is lifetimes' BFGS answer the maximum? Polish it with full Newton steps (autograd's exact Hessian
    # of the same scaled objective) until the step is below 1e-14 in log-parameters.
    scale = 1.0 / T.max()
    to_scaled = np.array([0.0, math.log(scale), 0.0, 0.0])
    args = (freq, rec * scale, T * scale, np.ones(n, dtype=int), 0.0)
    g = grad(BetaGeoFitter._negative_log_likelihood)
    h = hessian(BetaGeoFitter._negative_log_likelihood)
    lp = np.log(p_default) + to_scaled
    for _ in range(50):
        step = np.linalg.solve(h(lp, *args), g(lp, *args))
        lp = lp - step
        if np.abs(step).max() < 1e-14:
            break
    p_newton = np.exp(lp - to_scaled)
    for name, p in (("lifetimes default fit (BFGS, tol=1e-7)", p_default), ("Newton-polished", p_newton)):
        lps = np.log(p) + to_scaled
        print(
            f"{name}: r={float(p[0])!r} alpha={float(p[1])!r} a={float(p[2])!r} b={float(p[3])!r}\n"
            f"    total LL (day units) = {day_loglik(p, freq, rec, T)!r}\n"
            f"    total LL (lifetimes' scaled units) = {-n * float(BetaGeoFitter._negative_log_likelihood(lps, *args))!r}\n"
            f"    max |grad| of mean NLL wrt log-params (scaled) = {np.abs(g(lps, *args)).max():.3e}"
        )
    rel = float(np.abs(p_default / p_newton - 1).max())
    print(f"max relative parameter difference, default vs polished: {rel:.3e}")

    # Outputs at the converged MLE, through lifetimes' own prediction methods.
    model = default  # lifetimes' fitter object, its parameters replaced by the polished MLE
    model.params_ = pd.Series(p_newton, index=["r", "alpha", "a", "b"])
    params = model.params_[["r", "alpha", "a", "b"]].to_numpy()
    ll_days = day_loglik(params, freq, rec, T)
    ll_scaled = -n * float(BetaGeoFitter._negative_log_likelihood(np.log(params) + to_scaled, *args))
    assert math.isclose(ll_scaled, ll_days + freq.sum() * math.log(T.max()), rel_tol=1e-12)

    p_alive = model.conditional_probability_alive(freq, rec, T)
    expected = model.conditional_expected_number_of_purchases_up_to_time(HORIZON, freq, rec, T)
    assert np.all(np.isfinite(p_alive)) and np.all(np.isfinite(expected))

    os.makedirs(out_dir, exist_ok=True)
    doc = {
        "source": os.path.basename(src),
        "observation_period_end": AS_OF,
        "customers": n,
        "r": float(params[0]),
        "alpha": float(params[1]),
        "a": float(params[2]),
        "b": float(params[3]),
        "log_likelihood": ll_days,
        "lifetimes_default_fit": {
            "r": float(p_default[0]),
            "alpha": float(p_default[1]),
            "a": float(p_default[2]),
            "b": float(p_default[3]),
            "log_likelihood": day_loglik(p_default, freq, rec, T),
        },
        "note": "r, alpha, a, b: maximum-likelihood BG/NBD in days: lifetimes BetaGeoFitter(penalizer_coef=0) "
        "polished by Newton steps on its own objective (lifetimes_default_fit: as it stops by itself); "
        "log_likelihood: total over customers in day units, lifetimes' per-customer formula",
    }
    with open(os.path.join(out_dir, "expected_params.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "expected_customers.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["customer_id", "frequency", "recency", "T", "p_alive", "expected_90"])
        for cid, x, tx_, t, pa, e in zip(summary.index, freq, rec, T, p_alive, expected):
            w.writerow([cid, int(x), repr(float(tx_)), repr(float(t)), repr(float(pa)), repr(float(e))])
    print(f"wrote {out_dir}/expected_params.json and expected_customers.csv")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("sample", "fit"):
        sys.exit(__doc__)
    (make_sample if sys.argv[1] == "sample" else fit)(sys.argv[2], sys.argv[3])
