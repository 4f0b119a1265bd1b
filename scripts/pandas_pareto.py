#!/usr/bin/env python3
"""Reference Pareto / ABC numbers for `crm-cli pareto`, computed with pandas and exact decimals.

Exact commands used for the committed fixtures (repository root):
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install pandas
    /tmp/venv/bin/python scripts/pandas_pareto.py fixture testdata/pareto/shipments.csv
    /tmp/venv/bin/python scripts/pandas_pareto.py expected testdata/pareto/shipments.csv testdata/pareto
Versions used: pandas 3.1.1, numpy 2.4.6, Python 3.11.7 (the script prints the versions it runs with).

`fixture` writes testdata/pareto/shipments.csv (seeded, deterministic): 41 customers P01..P41
(`shipment_id,customer_id,customer_name,ship_date,lane,mode,revenue`), 2-decimal revenues, credit
notes (negative rows), rows shuffled. Customer totals are designed first, then split into rows:
  * the positive totals sum to exactly 1,000,000.00;
  * the top 8 customers sum to exactly 800,000.00, so the 8th has cum_share exactly 80% (class A;
    with --cutoffs 79.99,95 it is B), and the 9th ties with the 8th in value (customer_id decides
    who is 8th);
  * the top 15 sum to exactly 950,000.00 (the 15th has cum_share exactly 95%, class B);
  * ties in the tail (two pairs and a triple of equal totals);
  * one customer whose credit notes exceed its revenue (total -300.00) and one whose total is
    exactly 0.00.

`expected` reads the fixture with pandas (every cell as text; money as decimal.Decimal, never
float) and writes:
  OUT/expected_customers.csv          cutoffs 80,95
  OUT/expected_customers_79.99_95.csv cutoffs 79.99,95
with columns rank,customer_id,customer_name,value,share,cum_share,item_share,class,nonpositive
(the columns of `crm-cli pareto --format csv`), and OUT/expected_summary.json (cutoffs 80,95) with
the fields of `crm-cli pareto --summary --format json`; money as strings with 2 decimals, floats as
Python repr (shortest round-trip).

Definitions (docs: `crm-cli pareto --help`; src/analytics/pareto.rs):
  value      exact sum of revenue per customer (all rows, credit notes included)
  order      value descending, then customer_id ascending (byte-wise; ids are ASCII)
  rank       1..M in that order; item_share = rank / M
  total      sum of the positive values (the base of every share)
  share      value / total, cum_share = running sum / total, for value > 0
  class      A while 100*cum <= c1*total, B while 100*cum <= c2*total, else C (exact, Decimal)
  nonpositive items (value <= 0): share 0, cum_share 1, class C
  headline_items  smallest N with 100*(sum of the top N values, negatives as 0) >= c1*total
  top20_items     ceil(0.2*M); top20_share = sum of their values (negatives as 0) / total
  gini       G = 2*sum(i*x_i)/(n*sum x) - (n+1)/n, x ascending, negatives as 0 (exact Fraction)
  lorenz     (k/n, sum of the k smallest / sum) for k = 0..n (n <= 100), else k = floor(p*n/100),
             p = 0..100
  classes    per class: items, items/M, sum of values (negatives included), value/total
Shares are computed exactly as fractions and rounded once to the nearest float.
"""

import json
import math
import random
import sys
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

LANES = ["Transpacific", "Asia-Europe", "Intra-Asia", "Transatlantic"]
MODES = ["sea", "air", "rail"]
NAMES = [
    "Pacific Freight Co., Ltd.", "Orient Lines", "Blue Anchor Logistics", "Huang & Sons",
    "Nordic Cargo AB", "Delta Forwarding", "Sunrise Trading", "Atlas Shipping",
    "Kowloon Express", "Baltic Bridge GmbH", "Maple Leaf Imports", "Red River Co.",
]


def cents(c):
    """An amount in cents as a 2-decimal string."""
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


def design_totals(rng):
    """Customer totals in cents, in rank order (largest first), per the module docstring."""
    while True:
        top = [rng.randint(lo * 100, hi * 100) for lo, hi in
               [(120000, 150000), (100000, 119000), (80000, 99000), (60000, 79000),
                (50000, 59000), (40000, 49000), (35000, 39000)]]
        r1 = 80_000_000 - sum(top)
        if r1 <= top[0]:
            continue
        top = [r1] + top  # ranks 1..8, sum 800,000.00
        mid = [top[-1]] + [rng.randint(lo * 100, hi * 100) for lo, hi in
                           [(28000, 34000), (22000, 27000), (17000, 21000), (12000, 16000),
                            (9000, 11900)]]
        r15 = 15_000_000 - sum(mid)
        if not (650_000 < r15 < mid[-1]):
            continue
        mid.append(r15)  # ranks 9..15, sum 150,000.00
        tail = sorted({rng.randint(10_000, 450_000) for _ in range(19)}, reverse=True)
        if len(tail) != 19:
            continue
        # ties: two pairs and a triple
        tail += [tail[3], tail[9], tail[12], tail[12]]
        rest = 5_000_000 - sum(tail)
        if not (max(tail) < rest < r15 and rest not in tail):
            continue
        tail.append(rest)
        tail.sort(reverse=True)
        assert len(tail) == 24 and sum(tail) == 5_000_000
        return top + mid + tail  # 39 positive totals


def split(rng, total, n):
    """n positive 2-decimal amounts (cents) of at least 1.00 that sum to total."""
    weights = [rng.random() + 0.2 for _ in range(n)]
    s = sum(weights)
    parts = [max(100, int(total * w / s)) for w in weights]
    parts[-1] = total - sum(parts[:-1])
    assert all(p >= 100 for p in parts), (total, parts)
    return parts


def make_fixture(out):
    rng = random.Random(20240630)
    positives = design_totals(rng)
    ids = [f"P{i:02d}" for i in range(1, 42)]
    rng.shuffle(ids)
    # rank 8 and rank 9 tie: the smaller id must come first
    i8, i9 = sorted([ids[7], ids[8]])
    ids[7], ids[8] = i8, i9
    zero_id, neg_id = ids[39], ids[40]
    # 39 positive customers, one at 0.00, one at -300.00
    totals = dict(zip(ids[:39], positives))
    totals[zero_id] = 0
    totals[neg_id] = -30_000
    assert sum(v for v in totals.values() if v > 0) == 100_000_000
    start = date(2024, 1, 1)
    rows = []
    credit_customers = set(rng.sample(ids[:39], 6))
    for rank, cid in enumerate(ids):
        t = totals[cid]
        name = f"{NAMES[rank % len(NAMES)]} ({cid})"
        lanes = rng.sample(LANES, rng.randint(1, 3))
        amounts = []
        if cid == zero_id:
            amounts = [85_025, -85_025]
        elif cid == neg_id:
            amounts = [120_000, 30_000, -180_000]
        else:
            n = 16 if rank < 8 else 10 if rank < 15 else rng.randint(2, 6)
            credit = 0
            if cid in credit_customers:
                credit = rng.randint(5_000, max(5_001, t // 20))
            amounts = split(rng, t + credit, n)
            if credit:
                amounts.append(-credit)
        for a in amounts:
            rows.append(dict(
                customer_id=cid, customer_name=name,
                ship_date=(start + timedelta(days=rng.randint(0, 365))).isoformat(),
                lane=rng.choice(lanes), mode=rng.choice(MODES), revenue=cents(a)))
    rng.shuffle(rows)
    for i, r in enumerate(rows, 1):
        r["shipment_id"] = f"PS{i:04d}"
    cols = ["shipment_id", "customer_id", "customer_name", "ship_date", "lane", "mode", "revenue"]
    pd.DataFrame(rows)[cols].to_csv(out, index=False, lineterminator="\n")
    print(f"wrote {out}: {len(rows)} rows, {len(ids)} customers")


def ffloat(x):
    """A Fraction rounded once to the nearest float, as repr."""
    return float(x)


def customer_table(path, cutoffs):
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw["amount"] = raw["revenue"].map(Decimal)
    raw["d"] = raw["ship_date"].map(date.fromisoformat)
    g = raw.groupby("customer_id", sort=False)
    df = pd.DataFrame({
        "value": g["amount"].agg(lambda s: sum(s, Decimal(0))),
        "customer_name": g["customer_name"].agg(lambda s: [v for v in s if v][-1]),
    }).reset_index()
    # value descending, then customer_id ascending: stable sort by id, then by -value
    df = df.sort_values("customer_id", kind="mergesort")
    df = df.sort_values("value", ascending=False, kind="mergesort").reset_index(drop=True)
    m = len(df)
    total = sum((v for v in df["value"] if v > 0), Decimal(0))
    c1, c2 = cutoffs
    run = Decimal(0)
    out = []
    for i, row in df.iterrows():
        v = row["value"]
        rank = i + 1
        rec = dict(rank=rank, customer_id=row["customer_id"], customer_name=row["customer_name"],
                   value=f"{v:.2f}", item_share=ffloat(Fraction(rank, m)))
        if v <= 0 or total <= 0:
            rec.update(share=0.0, cum_share=1.0, cls="C", nonpositive=v <= 0)
        else:
            run += v
            cls = "A" if run * 100 <= c1 * total else "B" if run * 100 <= c2 * total else "C"
            rec.update(share=ffloat(Fraction(v) / Fraction(total)),
                       cum_share=ffloat(Fraction(run) / Fraction(total)), cls=cls,
                       nonpositive=False)
        out.append(rec)
    table = pd.DataFrame(out)
    return table, df, total, raw


def write_customers(table, path):
    t = table.rename(columns={"cls": "class"})
    t["nonpositive"] = t["nonpositive"].map(lambda b: "true" if b else "false")
    for c in ("share", "cum_share", "item_share"):
        t[c] = t[c].map(repr)
    cols = ["rank", "customer_id", "customer_name", "value", "share", "cum_share", "item_share",
            "class", "nonpositive"]
    t[cols].to_csv(path, index=False, lineterminator="\n")
    print(f"wrote {path}")


def summary(table, df, total, raw, cutoffs):
    m = len(df)
    values = list(df["value"])  # rank order
    c1, c2 = cutoffs
    run = Decimal(0)
    headline = None
    for i, v in enumerate(values):
        run += max(v, Decimal(0))
        if run * 100 >= c1 * total:
            headline = i + 1
            break
    top20 = -(-20 * m // 100)
    top = sum((max(v, Decimal(0)) for v in values[:top20]), Decimal(0))
    x = sorted(Fraction(max(v, Decimal(0))) for v in values)
    sx = sum(x)
    gini = Fraction(2) * sum((i + 1) * xi for i, xi in enumerate(x)) / (m * sx) - Fraction(m + 1, m)
    ks = list(range(m + 1)) if m <= 100 else [p * m // 100 for p in range(101)]
    prefix = [Fraction(0)]
    for xi in x:
        prefix.append(prefix[-1] + xi)
    lorenz = [dict(item_share=ffloat(Fraction(k, m)), value_share=ffloat(prefix[k] / sx)) for k in ks]
    classes = []
    for cls in "ABC":
        members = table[table["cls"] == cls]
        v = sum((df["value"][i] for i in members.index), Decimal(0))
        classes.append(dict(**{"class": cls}, items=len(members),
                            item_share=ffloat(Fraction(len(members), m)), value=f"{v:.2f}",
                            value_share=ffloat(Fraction(v) / Fraction(total))))
    pct = (Decimal(headline) * 100 / Decimal(m)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    pct_s = format(pct, "f")
    cut_s = lambda c: format(c.normalize(), "f")
    return {
        "as_of": max(raw["d"]).isoformat(),
        "window_start": min(raw["d"]).isoformat(),
        "by": "customer_id",
        "within": None,
        "measure": "revenue",
        "cutoffs": f"{cut_s(c1)},{cut_s(c2)}",
        "headline": f"{headline} of {m} customers ({pct_s}%) make {cut_s(c1)}% of revenue",
        "items": m,
        "total": f"{total:.2f}",
        "headline_items": headline,
        "headline_item_share": ffloat(Fraction(headline, m)),
        "top20_items": top20,
        "top20_share": ffloat(Fraction(top) / Fraction(total)),
        "gini": ffloat(gini),
        "classes": classes,
        "lorenz": lorenz,
    }


def expected(src, out):
    print(f"pandas {pd.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")
    cut = (Decimal(80), Decimal(95))
    table, df, total, raw = customer_table(src, cut)
    write_customers(table, out / "expected_customers.csv")
    s = summary(table, df, total, raw, cut)
    (out / "expected_summary.json").write_text(json.dumps(s, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out / 'expected_summary.json'}: {s['headline']}, total {s['total']}")
    table2, _, _, _ = customer_table(src, (Decimal("79.99"), Decimal(95)))
    write_customers(table2, out / "expected_customers_79.99_95.csv")
    changed = (table["cls"] != table2["cls"]).sum()
    print(f"cutoffs 79.99,95: {changed} class(es) differ from 80,95")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "fixture":
        make_fixture(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "expected":
        expected(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
