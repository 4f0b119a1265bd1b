#!/usr/bin/env python3
"""Reference RFM scores for testdata/rfm_rank/shipments.csv, computed with pandas.

Command used to produce the committed outputs (from the repository root):
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install pandas
    /tmp/venv/bin/python scripts/pandas_rfm.py testdata/rfm_rank/shipments.csv testdata/rfm_rank
Versions used: pandas 3.1.1, numpy 2.4.6, Python 3.11.7 (the script prints the versions it runs with).

Writes OUT_DIR/expected_pandas.csv and OUT_DIR/expected_percentile.csv, both with columns
customer_id,recency_days,frequency,monetary,r,f,m sorted by customer_id (byte-wise).

Per customer, as of the max ship_date in the file:
  recency_days = as_of - last ship_date (days), frequency = number of distinct shipment_id,
  monetary = exact decimal sum of revenue over all rows (printed with 2 decimals).
expected_pandas.csv: on the customer table sorted by customer_id,
  r = pd.qcut(recency_days.rank(method="first"), 5, labels=[5,4,3,2,1])
  f = pd.qcut(frequency.rank(method="first"), 5, labels=[1,2,3,4,5])
  m = pd.qcut(monetary_float.rank(method="first"), 5, labels=[1,2,3,4,5])
  where monetary_float = float(exact decimal sum); rank "first" breaks ties by customer_id order.
expected_percentile.csv (the project's default rule): with N customers, for each of R/F/M
  score = min(5, 1 + (5 * W) // N), W = number of customers with a strictly worse value
  (R: larger recency_days is worse; F, M: smaller value is worse); ties get the same score.
"""
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd


def customer_table(path):
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw["d"] = raw["ship_date"].map(date.fromisoformat)
    as_of = raw["d"].max()
    rows = []
    for cid, g in raw.groupby("customer_id", sort=False):
        money = sum((Decimal(v) for v in g["revenue"]), Decimal(0))
        rows.append(dict(customer_id=cid, recency_days=(as_of - g["d"].max()).days,
                         frequency=g["shipment_id"].nunique(), monetary=money))
    df = pd.DataFrame(rows)
    # byte-wise order of the ids (ids are ASCII, so code-point order == byte order)
    df = df.iloc[sorted(range(len(df)), key=lambda i: df["customer_id"].iloc[i].encode("utf-8"))]
    df = df.reset_index(drop=True)
    df["monetary_float"] = df["monetary"].map(float)
    return df, as_of


def percentile_scores(values, worse):
    n = len(values)
    out = []
    for v in values:
        w = sum(1 for u in values if worse(u, v))
        out.append(min(5, 1 + (5 * w) // n))
    return out


def main():
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "testdata/rfm_rank/shipments.csv")
    out = Path(sys.argv[2] if len(sys.argv) > 2 else src.parent)
    df, as_of = customer_table(src)
    print(f"pandas {pd.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")
    print(f"{len(df)} customers, as of {as_of}")

    pdf = df.copy()
    pdf["r"] = pd.qcut(pdf.recency_days.rank(method="first"), 5, labels=[5, 4, 3, 2, 1])
    pdf["f"] = pd.qcut(pdf.frequency.rank(method="first"), 5, labels=[1, 2, 3, 4, 5])
    pdf["m"] = pd.qcut(pdf.monetary_float.rank(method="first"), 5, labels=[1, 2, 3, 4, 5])

    rec, fr, mon = list(df.recency_days), list(df.frequency), list(df.monetary)  # exact values, int/Decimal
    qdf = df.copy()
    qdf["r"] = percentile_scores(rec, lambda u, v: u > v)
    qdf["f"] = percentile_scores(fr, lambda u, v: u < v)
    qdf["m"] = percentile_scores(mon, lambda u, v: u < v)

    cols = ["customer_id", "recency_days", "frequency", "monetary", "r", "f", "m"]
    for frame, name in ((pdf, "expected_pandas.csv"), (qdf, "expected_percentile.csv")):
        frame = frame.copy()
        frame["monetary"] = frame["monetary"].map(lambda d: f"{d:.2f}")
        for c in ("r", "f", "m"):
            frame[c] = frame[c].astype(int)
        frame[cols].to_csv(out / name, index=False, lineterminator="\n")
        print(f"wrote {out / name}")


if __name__ == "__main__":
    main()
