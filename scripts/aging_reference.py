#!/usr/bin/env python3
"""Independent re-computation of the `crm-cli aging` fixture (testdata/aging/).

Standard library only (Python 3.8+): exact `decimal` money, `datetime` dates, `fractions` for
turnover and DSO. Written from docs/metrics.md (`## aging`), not from the Rust code.

    python3 scripts/aging_reference.py gbk          # rewrite testdata/aging/invoices_gbk.csv
    python3 scripts/aging_reference.py replay 2024-06-30 [--period 90] [--buckets 15,45]
                                              [--basis invoice] [--terms 45] [--no-payments]
    python3 scripts/aging_reference.py check        # the hand numbers of testdata/README.md

Run from the repository root.
"""
import csv
import sys
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

INV = "testdata/aging/invoices.csv"
PAY = "testdata/aging/payments.csv"
GBK = "testdata/aging/invoices_gbk.csv"


def d(s):
    return date.fromisoformat(s)


def load(terms=30, payments=True):
    rows = list(csv.DictReader(open(INV, encoding="utf-8")))
    merged = {}
    for r in rows:
        k = (r["invoice_id"], r["customer_id"])
        m = merged.setdefault(k, dict(date=d(r["invoice_date"]), due=None, amount=Decimal(0),
                                      paid=Decimal(0), paid_date=None))
        m["date"] = min(m["date"], d(r["invoice_date"]))
        if r["due_date"]:
            m["due"] = d(r["due_date"]) if m["due"] is None else min(m["due"], d(r["due_date"]))
        m["amount"] += Decimal(r["amount"])
        if r["paid_amount"]:
            m["paid"] += Decimal(r["paid_amount"])
        if r["paid_date"]:
            pd = d(r["paid_date"])
            m["paid_date"] = pd if m["paid_date"] is None else max(m["paid_date"], pd)
    invoices, pays, undated = [], [], []
    latest = None
    for (iid, c), m in merged.items():
        due = m["due"] or m["date"] + timedelta(days=terms)
        invoices.append(dict(id=iid, customer=c, date=m["date"], due=due, amount=m["amount"]))
        latest = max(latest or m["date"], m["date"])
        if m["paid"] != 0:
            if m["paid_date"]:
                pays.append(dict(invoice=iid, customer=c, date=m["paid_date"], amount=m["paid"]))
                latest = max(latest, m["paid_date"])
            else:
                undated.append(dict(invoice=iid, customer=c, amount=m["paid"],
                                    invoice_date=m["date"]))
    owner = {i["id"]: i["customer"] for i in invoices}
    if payments:
        for r in csv.DictReader(open(PAY, encoding="utf-8")):
            c = owner.get(r["invoice_id"]) or r["customer_id"]
            pays.append(dict(invoice=r["invoice_id"] or None, customer=c,
                             date=d(r["payment_date"]), amount=Decimal(r["amount"])))
            latest = max(latest, d(r["payment_date"]))
    return invoices, pays, undated, latest


def bucket(days, bounds):
    if days <= 0:
        return 0
    return 1 + sum(1 for b in bounds if days > b)


def replay(as_of, period=365, bounds=(30, 60, 90), basis="due", terms=30, payments=True):
    invoices, pays, undated, latest = load(terms, payments)
    # Undated paid amounts: paid by min(latest date, as_of), but only for an invoice dated
    # ≤ as_of (crm-cli also counts those of later invoices: a bug, see testdata/README.md).
    when = min(latest, as_of)
    for u in undated:
        if u["invoice_date"] <= as_of:
            pays.append(dict(invoice=u["invoice"], customer=u["customer"], amount=u["amount"],
                             date=when))
    start = as_of - timedelta(days=period)
    out = {}
    for c in sorted({i["customer"] for i in invoices} | {p["customer"] for p in pays}):
        items = sorted((i for i in invoices if i["customer"] == c and i["date"] <= as_of),
                       key=lambda i: (i["due"], i["date"], i["id"]))
        ids = {i["id"] for i in items}
        ps = [p for p in pays if p["customer"] == c and p["date"] <= as_of]
        if not items and not ps:
            continue  # nothing by as_of: no row (crm-cli lists a row of zeros: a bug)
        # same day: payments naming an invoice first, then file order
        ps = sorted(enumerate(ps), key=lambda kp: (kp[1]["date"], kp[1]["invoice"] is None, kp[0]))
        open_, closed, credit, arrived = {}, {}, Decimal(0), set()

        def absorb(day):
            nonlocal credit
            for i in items:
                if credit <= 0:
                    break
                if i["id"] in arrived and open_[i["id"]] > 0:
                    take = min(open_[i["id"]], credit)
                    open_[i["id"]] -= take
                    credit -= take
                    if open_[i["id"]] == 0 and i["id"] not in closed:
                        closed[i["id"]] = day

        def arrive(upto):
            nonlocal credit
            for i in sorted(items, key=lambda i: i["date"]):
                if i["id"] not in arrived and i["date"] <= upto:
                    arrived.add(i["id"])
                    open_[i["id"]] = max(i["amount"], Decimal(0))
                    if i["amount"] < 0:
                        credit -= i["amount"]
                    absorb(i["date"])

        for _, p in ps:
            arrive(p["date"])
            j = p["invoice"]
            if j in ids and j in arrived:
                open_[j] -= p["amount"]
                if open_[j] < 0:
                    credit -= open_[j]
                    open_[j] = Decimal(0)
                amount = next(i["amount"] for i in items if i["id"] == j)
                if open_[j] == 0 and j not in closed and amount > 0:
                    closed[j] = p["date"]
            else:
                credit += p["amount"]
            absorb(p["date"])
        arrive(as_of)
        b = [Decimal(0)] * (len(bounds) + 2)
        for i in items:
            age = (as_of - (i["due"] if basis == "due" else i["date"])).days
            b[bucket(age, bounds)] += open_[i["id"]]
        b[0] -= credit
        invoiced = sum((i["amount"] for i in items), Decimal(0))
        paid = sum((p["amount"] for _, p in ps), Decimal(0))
        outstanding = sum(b)
        assert outstanding == invoiced - paid, c
        done = [(closed[i["id"]] - i["date"]).days for i in items
                if i["amount"] > 0 and i["id"] in closed]
        on_time = [closed[i["id"]] <= i["due"] for i in items
                   if i["amount"] > 0 and i["id"] in closed]
        ip = sum((i["amount"] for i in items if i["date"] > start), Decimal(0))
        opening = (sum((i["amount"] for i in items if i["date"] <= start), Decimal(0))
                   - sum((p["amount"] for _, p in ps if p["date"] <= start), Decimal(0)))
        twice = opening + outstanding
        t = Fraction(2 * ip) / Fraction(twice) if twice > 0 and ip > 0 else None
        out[c] = dict(
            invoices=len(items), invoiced=invoiced, paid=paid, outstanding=outstanding,
            buckets=b, overdue=sum(b[1:]),
            avg_days=Fraction(sum(done), len(done)) if done else None,
            on_time=Fraction(sum(on_time), len(on_time)) if on_time else None,
            invoiced_period=ip, opening=opening, turnover=t,
            dso=Fraction(period) / t if t else None)
    return out


def labels(bounds):
    out, lo = ["current"], 1
    for b in bounds:
        out.append(f"{lo}_{b}")
        lo = b + 1
    return out + [f"over_{bounds[-1]}"]


def fmt(x):
    return "" if x is None else repr(float(x)) if isinstance(x, Fraction) else str(x)


def cmd_replay(argv):
    as_of = d(argv[0])
    kw, bounds = {}, (30, 60, 90)
    it = iter(argv[1:])
    for a in it:
        if a == "--period":
            kw["period"] = int(next(it))
        elif a == "--buckets":
            bounds = tuple(int(x) for x in next(it).split(","))
        elif a == "--basis":
            kw["basis"] = next(it)
        elif a == "--terms":
            kw["terms"] = int(next(it))
        elif a == "--no-payments":
            kw["payments"] = False
    res = replay(as_of, bounds=bounds, **kw)
    order = sorted(res, key=lambda c: (-res[c]["overdue"], -res[c]["outstanding"], c))
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["customer_id", "invoices", "invoiced", "paid", "outstanding"] + labels(bounds)
               + ["avg_days_to_pay", "on_time_rate", "invoiced_period", "opening",
                  "receivable_turnover", "dso"])
    for c in order:
        r = res[c]
        w.writerow([c, r["invoices"], r["invoiced"], r["paid"], r["outstanding"]] + r["buckets"]
                   + [fmt(r["avg_days"]), fmt(r["on_time"]), r["invoiced_period"], r["opening"],
                      fmt(r["turnover"]), fmt(r["dso"])])


def cmd_check():
    D = Decimal
    r = replay(d("2024-06-30"))
    want = {  # outstanding, buckets, avg days, on time (testdata/README.md)
        "K1": ("2149.50", ["230.00", "580.00", "740.00", "369.50", "230.00"], None, None),
        "K2": ("1200.00", ["300.00", "0", "900.00", "0", "0"], 76, 0),
        "K3": ("120.00", ["120.00", "0", "0", "0", "0"], 19, 1),
        "K4": ("400.00", ["0", "400.00", "0", "0", "0"], None, None),
        "K5": ("150.00", ["150.00", "0", "0", "0", "0"], 43, 0),
        "K6": ("650.00", ["0", "650.00", "0", "0", "0"], Fraction(61, 2), Fraction(1, 2)),
        "K7": ("400.00", ["0", "400.00", "0", "0", "0"], None, None),
    }
    for c, (o, b, avg, ot) in want.items():
        assert r[c]["outstanding"] == D(o), (c, r[c]["outstanding"])
        assert r[c]["buckets"] == [D(x) for x in b], (c, r[c]["buckets"])
        assert r[c]["avg_days"] == avg and r[c]["on_time"] == ot, (c, r[c])
    assert sum(x["invoiced"] for x in r.values()) == D("11010.00")
    assert sum(x["paid"] for x in r.values()) == D("5940.50")
    r90 = replay(d("2024-06-30"), period=90)
    ip = sum(x["invoiced_period"] for x in r90.values())
    op = sum(x["opening"] for x in r90.values())
    cl = sum(x["outstanding"] for x in r90.values())
    assert (ip, op, cl) == (D("4970.00"), D("3590.00"), D("5069.50"))
    assert Fraction(90) * Fraction(op + cl) / Fraction(2 * ip) == Fraction(90 * 865950, 2 * 497000)
    for c, dso in {"K1": Fraction(90 * 150475, 135000), "K2": 555, "K3": Fraction(525, 4),
                   "K4": Fraction(180, 7), "K5": Fraction(45, 8), "K6": Fraction(65, 2),
                   "K7": 45}.items():
        assert r90[c]["dso"] == dso, (c, r90[c]["dso"])
    b1545 = replay(d("2024-06-30"), bounds=(15, 45))["K1"]["buckets"]
    assert b1545 == [D("230.00"), D("270.00"), D("660.00"), D("989.50")], b1545
    binv = replay(d("2024-06-30"), basis="invoice")
    assert binv["K1"]["buckets"] == [0, D("230.00"), D("580.00"), D("740.00"), D("599.50")]
    assert binv["K2"]["buckets"] == [0, D("300.00"), 0, D("800.00"), D("100.00")]
    print("aging fixture: every hand number re-checked")


def cmd_gbk():
    rows = list(csv.DictReader(open(INV, encoding="utf-8")))
    zh = ["发票号", "客户编号", "开票日期", "到期日", "金额", "已收金额", "收款日期"]

    def dt(s, k):
        if not s:
            return s
        y, m, dd = s.split("-")
        return f"{y}/{int(m)}/{int(dd)}" if k % 2 == 0 else f"{y}年{int(m)}月{int(dd)}日"

    def money(s):
        if not s:
            return s
        neg = s.startswith("-")
        i, _, frac = s.lstrip("-").partition(".")
        v = ("-" if neg else "") + f"{int(i):,}" + "." + frac
        return f'"{v}"' if "," in v else v

    lines = [",".join(zh)]
    for k, r in enumerate(rows):
        lines.append(",".join([r["invoice_id"], r["customer_id"], dt(r["invoice_date"], k),
                               dt(r["due_date"], k), money(r["amount"]),
                               money(r["paid_amount"]), dt(r["paid_date"], k)]))
    open(GBK, "wb").write(("\r\n".join(lines) + "\r\n").encode("gbk"))


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "check"
    if cmd == "gbk":
        cmd_gbk()
    elif cmd == "replay":
        cmd_replay(sys.argv[2:])
    else:
        cmd_check()
