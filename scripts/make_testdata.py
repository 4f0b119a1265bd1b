#!/usr/bin/env python3
"""Regenerate crm-cli's test data in testdata/ (standard library only, deterministic).

Usage (from the repository root):
    python3 scripts/make_testdata.py [--gen ../shared/bench/gen_exports.py] [--retail ../shared/data/online_retail.csv]
    /tmp/venv/bin/python scripts/pandas_rfm.py          # pandas references for testdata/rfm_rank/
    python3 scripts/check_testdata.py                   # re-verify every claim in testdata/README.md

The generator and the online-retail file live in ../shared, which is NOT available at test time:
this script only copies from there; tests read the committed copies in testdata/.
If one of them is missing, the corresponding files are left as they are.

Every hand-made file is written from the tables below, so its values are the same on every run.
"""
import argparse
import csv
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TD = os.path.join(ROOT, "testdata")
BAD = os.path.join(TD, "bad")

SHORT_HDR = ["shipment_id", "customer_id", "customer_name", "ship_date", "revenue", "cost", "lane", "mode", "currency"]


def write_bytes(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def csv_text(rows, delimiter=",", lineterminator="\n", quoting=csv.QUOTE_MINIMAL):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator, quoting=quoting)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# 1. generator copies
# --------------------------------------------------------------------------------------------
GEN_ARGS = ["--customers", "120", "--shipments", "1200", "--start", "2024-01-01", "--end", "2026-10-31",
            "--seed", "7"]


def gen_exports(gen):
    if not os.path.exists(gen):
        print(f"skip shipments/invoices/financials: {gen} not found")
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, gen, tmp] + GEN_ARGS, check=True)
        for name in ("shipments.csv", "invoices.csv", "financials.csv"):
            shutil.copyfile(os.path.join(tmp, name), os.path.join(TD, name))


# --------------------------------------------------------------------------------------------
# 2./4. Chinese ERP export (GBK) + English twin + UTF-16 Excel "Unicode text"
# --------------------------------------------------------------------------------------------
CN_CUSTOMERS = [
    ("KH001", "上海远航物流有限公司"),
    ("KH002", "宁波港通国际货运代理有限公司"),
    ("KH003", "深圳华南供应链管理有限公司"),
    ("KH004", "青岛海瑞进出口贸易有限公司"),
    ("KH005", "厦门鹭达国际物流有限公司"),
    ("KH006", "天津北方联运有限公司"),
    ("KH007", "广州珠江货运代理有限公司"),
    ("KH008", "义乌小商品进出口有限公司"),
]
CN_LANES = ["上海-汉堡", "宁波-鹿特丹", "深圳-洛杉矶", "青岛-纽约", "上海-新加坡", "厦门-曼谷", "天津-安特卫普"]
YEN = "\uffe5"  # fullwidth yen/yuan sign; the halfwidth U+00A5 does not exist in GBK


def cn_rows():
    """40 shipments, Jan-Jun 2024, as (id, cust_id, name, date, revenue Decimal, cost Decimal, lane, mode)."""
    r = random.Random(2024)
    rows = []
    d = date(2024, 1, 5)
    for i in range(40):
        cid, name = CN_CUSTOMERS[r.choice([0, 0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7])]
        mode = r.choice(["sea", "sea", "sea", "sea", "air", "rail"])
        if mode == "sea":
            rev = Decimal(r.randrange(650000, 6200000, 50)) / 100  # 6,500 - 62,000 CNY, multiples of 0.50
        elif mode == "air":
            rev = Decimal(r.randrange(120000, 1800000, 10)) / 100
        else:
            rev = Decimal(r.randrange(80000, 2500000, 100)) / 100
        if i in (3, 17):
            rev = Decimal(r.randrange(30000, 99900, 100)) / 100  # a few sub-1,000 amounts (no separator)
        cost = (rev * Decimal(r.randrange(78, 93)) / 100).quantize(Decimal("0.01"))
        lane = r.choice(CN_LANES)
        rows.append((f"YD{d:%y%m%d}{i + 1:03d}", cid, name, d, rev, cost, lane, mode))
        d += timedelta(days=r.choice([1, 2, 3, 4, 5, 7]))
    return rows


def cn_money(x, style):
    s = f"{x:,.2f}"
    return YEN + s if style else s


def write_cn(rows):
    # English twin: UTF-8, LF, canonical headers, ISO dates, plain decimals
    en = [SHORT_HDR] + [[sid, cid, name, d.isoformat(), f"{rev:.2f}", f"{cost:.2f}", lane, mode, "CNY"]
                        for sid, cid, name, d, rev, cost, lane, mode in rows]
    write_bytes(os.path.join(TD, "shipments_gbk_en.csv"), csv_text(en).encode("utf-8"))

    # GBK export: Chinese headers, mixed date forms, ￥ and thousands separators, CRLF
    r = random.Random(99)
    out = [["运单号", "客户编号", "客户名称", "发货日期", "运费", "成本", "航线", "运输方式", "币种"]]
    for i, (sid, cid, name, d, rev, cost, lane, mode) in enumerate(rows):
        ds = f"{d.year}/{d.month}/{d.day}" if i % 2 == 0 else f"{d.year}年{d.month}月{d.day}日"
        style = r.random() < 0.6  # with or without the ￥ sign, chosen per row
        out.append([sid, cid, name, ds, cn_money(rev, style), cn_money(cost, not style), lane, mode, "CNY"])
    write_bytes(os.path.join(TD, "shipments_gbk.csv"), csv_text(out, lineterminator="\r\n").encode("gbk"))

    # Excel "Unicode text": UTF-16LE with BOM, tab-delimited, CRLF, first 10 rows of the English twin
    text = csv_text(en[:11], delimiter="\t", lineterminator="\r\n")
    write_bytes(os.path.join(TD, "shipments_utf16.txt"), b"\xff\xfe" + text.encode("utf-16-le"))


# --------------------------------------------------------------------------------------------
# 3. European export: semicolon, decimal comma, UTF-8 BOM + comma/plain twin
# --------------------------------------------------------------------------------------------
EU_CUSTOMERS = [
    ("EU01", "Müller Spedition GmbH"),
    ("EU02", "Transports Lefèvre SARL"),
    ("EU03", "Nordsee Logistik AG"),
    ("EU04", "Van der Berg Expeditie B.V."),
    ("EU05", "Łódź Cargo Sp. z o.o."),
    ("EU06", "Hansen, Jørgensen & Co. ApS"),
]
EU_ROWS = [  # id, customer index, date, revenue, cost, lane, mode
    ("EX24-0101", 0, "2024-03-04", "1234.56", "1010.20", "Shanghai-Hamburg", "sea"),
    ("EX24-0102", 1, "2024-03-05", "845.00", "701.35", "Ningbo-Le Havre", "sea"),
    ("EX24-0103", 2, "2024-03-07", "12450.75", "10920.00", "Shanghai-Hamburg", "sea"),
    ("EX24-0104", 0, "2024-03-11", "3980.40", "3402.10", "Shenzhen-Rotterdam", "sea"),
    ("EX24-0105", 3, "2024-03-12", "27315.00", "24102.85", "Qingdao-Rotterdam", "sea"),
    ("EX24-0106", 4, "2024-03-15", "6120.90", "5331.00", "Xi'an-Malaszewicze", "rail"),
    ("EX24-0107", 5, "2024-03-18", "2210.05", "1897.60", "Hong Kong-Copenhagen", "air"),
    ("EX24-0108", 1, "2024-03-21", "-1250.00", "0.00", "Ningbo-Le Havre", "sea"),
    ("EX24-0109", 2, "2024-03-25", "18900.00", "16235.45", "Shanghai-Hamburg", "sea"),
    ("EX24-0110", 0, "2024-04-02", "1125400.00", "1010050.30", "Shanghai-Hamburg", "sea"),
    ("EX24-0111", 3, "2024-04-03", "9875.10", "8711.25", "Qingdao-Rotterdam", "sea"),
    ("EX24-0112", 5, "2024-04-08", "455.80", "389.99", "Hong Kong-Copenhagen", "air"),
    ("EX24-0113", 4, "2024-04-10", "14602.33", "12880.00", "Xi'an-Malaszewicze", "rail"),
    ("EX24-0114", 2, "2024-04-15", "7300.00", "6125.70", "Shenzhen-Rotterdam", "sea"),
    ("EX24-0115", 1, "2024-04-19", "3140.60", "2698.12", "Ningbo-Le Havre", "sea"),
    ("EX24-0116", 0, "2024-04-22", "58.90", "41.20", "Frankfurt-Lyon", "road"),
    ("EX24-0117", 3, "2024-04-26", "21044.44", "18300.01", "Qingdao-Rotterdam", "sea"),
    ("EX24-0118", 5, "2024-05-02", "1999.99", "1750.00", "Hong Kong-Copenhagen", "air"),
    ("EX24-0119", 4, "2024-05-06", "4987.65", "4321.09", "Xi'an-Malaszewicze", "rail"),
    ("EX24-0120", 2, "2024-05-10", "102345.67", "90876.54", "Shanghai-Hamburg", "sea"),
]


def eu_money(s):
    d = Decimal(s)
    neg = d < 0
    whole, frac = f"{abs(d):.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return ("-" if neg else "") + ".".join(groups) + "," + frac


def write_eu():
    en = [SHORT_HDR] + [[sid, EU_CUSTOMERS[c][0], EU_CUSTOMERS[c][1], d, rev, cost, lane, mode, "EUR"]
                        for sid, c, d, rev, cost, lane, mode in EU_ROWS]
    write_bytes(os.path.join(TD, "shipments_semicolon_en.csv"), csv_text(en).encode("utf-8"))
    eu = [SHORT_HDR] + [[sid, EU_CUSTOMERS[c][0], EU_CUSTOMERS[c][1], d, eu_money(rev), eu_money(cost), lane, mode,
                         "EUR"] for sid, c, d, rev, cost, lane, mode in EU_ROWS]
    write_bytes(os.path.join(TD, "shipments_semicolon.csv"),
                b"\xef\xbb\xbf" + csv_text(eu, delimiter=";", lineterminator="\r\n").encode("utf-8"))


# --------------------------------------------------------------------------------------------
# 5. broken exports
# --------------------------------------------------------------------------------------------
BASE_BAD = [  # 10 plain valid rows reused by the broken files
    ["B0001", "C100", "Harbor Line Trading", "2024-02-01", "1520.00", "1288.40", "Asia-Europe", "sea", "USD"],
    ["B0002", "C101", "Pacific Rim Imports", "2024-02-02", "980.50", "845.10", "Transpacific", "sea", "USD"],
    ["B0003", "C100", "Harbor Line Trading", "2024-02-05", "2310.00", "1990.00", "Asia-Europe", "sea", "USD"],
    ["B0004", "C102", "Golden Gate Apparel", "2024-02-06", "455.25", "380.00", "Transpacific", "air", "USD"],
    ["B0005", "C103", "Nordic Home Supply", "2024-02-08", "3100.00", "2705.30", "Asia-Europe", "sea", "USD"],
    ["B0006", "C101", "Pacific Rim Imports", "2024-02-12", "1275.75", "1102.00", "Transpacific", "sea", "USD"],
    ["B0007", "C104", "Sunrise Electronics", "2024-02-14", "6890.00", "6010.45", "Intra-Asia", "air", "USD"],
    ["B0008", "C102", "Golden Gate Apparel", "2024-02-19", "720.00", "611.80", "Transpacific", "rail", "USD"],
    ["B0009", "C103", "Nordic Home Supply", "2024-02-22", "1840.60", "1600.00", "Asia-Europe", "sea", "USD"],
    ["B0010", "C100", "Harbor Line Trading", "2024-02-27", "2999.99", "2650.00", "Asia-Europe", "sea", "USD"],
]


def with_changes(changes):
    """Copy of BASE_BAD with {row index 0-based: {column: value}} applied."""
    rows = [list(r) for r in BASE_BAD]
    for i, ch in changes.items():
        for col, v in ch.items():
            rows[i][SHORT_HDR.index(col)] = v
    return rows


def write_bad():
    # data row k (0-based) is file line k + 2 (line 1 = header); no field in these files has a newline
    write_bytes(os.path.join(BAD, "bad_money.csv"),
                csv_text([SHORT_HDR] + with_changes({3: {"revenue": "12,3a"}, 7: {"revenue": "abc"}})).encode())
    write_bytes(os.path.join(BAD, "bad_date.csv"),
                csv_text([SHORT_HDR] + with_changes({2: {"ship_date": "2024-02-30"},
                                                     6: {"ship_date": "05/01/2024"}})).encode())
    mc = [["shipment_id", "customer_id", "ship_date", "cost"]] + [[r[0], r[1], r[3], r[5]] for r in BASE_BAD[:8]]
    write_bytes(os.path.join(BAD, "missing_column.csv"), csv_text(mc).encode())
    write_bytes(os.path.join(BAD, "empty_customer.csv"),
                csv_text([SHORT_HDR] + with_changes({2: {"customer_id": ""}, 7: {"customer_id": ""}})).encode())
    write_bytes(os.path.join(BAD, "mixed_currency.csv"),
                csv_text([SHORT_HDR] + with_changes({1: {"currency": "CNY", "revenue": "7050.00", "cost": "6080.00"},
                                                     5: {"currency": "CNY", "revenue": "9180.00", "cost": "7935.50"},
                                                     8: {"currency": "CNY", "revenue": "13250.40",
                                                         "cost": "11500.00"}})).encode())
    # duplicates: B0005 appears twice with different values; B0009 row repeated byte-for-byte
    dup = [list(r) for r in BASE_BAD]
    dup.insert(6, ["B0005", "C103", "Nordic Home Supply", "2024-02-09", "3150.00", "2705.30", "Asia-Europe", "sea",
                   "USD"])
    dup.insert(10, list(BASE_BAD[8]))
    write_bytes(os.path.join(BAD, "duplicate_ids.csv"), csv_text([SHORT_HDR] + dup).encode())

    # binary junk: neither UTF-8 nor GB18030/GBK nor UTF-16 (odd length); no BOM
    r = random.Random(31337)
    junk = bytearray()
    while len(junk) < 511:
        junk += bytes(r.randrange(0x80, 0x100) for _ in range(r.randrange(3, 12)))
        junk += b"\xff\xff\x00" + bytes([r.randrange(0, 0x20)])
    junk = b"\xff\x80\xfe\x00" + bytes(junk[:507])
    write_bytes(os.path.join(BAD, "not_text.bin.csv"), bytes(junk))

    # embedded newlines/commas/quotes inside quoted fields; bad revenue on a record after them
    qn = [
        SHORT_HDR,
        ["Q0001", "C200", "Atlas Freight, Inc.", "2024-05-02", "1200.00", "1010.00", "Transpacific", "sea", "USD"],
        ["Q0002", "C201", "Blue Ocean Trading Co.\nAttn: Accounts Payable\nBuilding 7, Floor 3", "2024-05-03",
         "845.60", "700.00", "Asia-Europe", "sea", "USD"],
        ["Q0003", "C202", 'Crane "Heavy Lift" Services, Ltd.', "2024-05-06", "15320.00", "13900.10", "Asia-Med",
         "sea", "USD"],
        ["Q0004", "C200", "Atlas Freight, Inc.", "2024-05-07", "990.00", "850.25", "Transpacific", "air", "USD"],
        ["Q0005", "C203", "Delta Home & Garden,\nWarehouse B", "2024-05-09", "2100.00", "1820.00", "Intra-Asia",
         "rail", "USD"],
        ["Q0006", "C200", "Atlas Freight, Inc.", "2024-05-13", "1,05O.00", "900.00", "Transpacific", "sea", "USD"],
        ["Q0007", "C202", 'Crane "Heavy Lift" Services, Ltd.', "2024-05-14", "4400.00", "3800.00", "Asia-Med", "sea",
         "USD"],
        ["Q0008", "C203", "Delta Home & Garden,\nWarehouse B", "2024-05-20", "760.40", "640.00", "Intra-Asia",
         "rail", "USD"],
    ]
    write_bytes(os.path.join(BAD, "quoted_newline.csv"), csv_text(qn).encode())


# --------------------------------------------------------------------------------------------
# 6. real line items (UCI Online Retail)
# --------------------------------------------------------------------------------------------
RETAIL_CUSTOMERS = {"14644.0", "14853.0", "17440.0", "18276.0", "15018.0",  # these have cancellations
                    "17133.0", "17396.0", "13502.0", "15587.0", "14737.0", "12950.0", "15206.0", "17262.0",
                    "13666.0", "16989.0"}
RETAIL_NO_CUSTOMER_INVOICES = {"536414", "536596", "536640", "536755", "536780", "C537572", "555330", "578788"}


def write_line_items(retail):
    if not os.path.exists(retail):
        print(f"skip line_items.csv: {retail} not found")
        return
    out = []
    with open(retail, newline="", encoding="utf-8") as f:
        lines = f.read().splitlines(keepends=True)
    out.append(lines[0])
    for line in lines[1:]:
        row = next(csv.reader([line]))
        if row[6] in RETAIL_CUSTOMERS or (row[6] == "" and row[0] in RETAIL_NO_CUSTOMER_INVOICES):
            out.append(line)  # the source line, byte for byte
    write_bytes(os.path.join(TD, "line_items.csv"), "".join(out).encode("utf-8"))


# --------------------------------------------------------------------------------------------
# 7. float vs exact money
# --------------------------------------------------------------------------------------------
def money_exact_rows(seed):
    r = random.Random(seed)
    rows = []
    d0 = date(2024, 1, 1)
    for i in range(1000):
        cust = r.choice(["K1", "K1", "K2", "K2", "K3"])
        kind = r.random()
        if kind < 0.5:
            cents = r.randrange(3500, 250000)  # 35.00 - 2,499.99
        elif kind < 0.9:
            cents = r.randrange(250000, 4500000)
        else:
            cents = r.randrange(1, 100) * 10 + r.choice([1, 3, 7, 9])  # small surcharges like 0.71, 4.33
        rows.append((f"M{i + 1:05d}", cust, (d0 + timedelta(days=r.randrange(0, 366))).isoformat(),
                     f"{Decimal(cents) / 100:.2f}"))
    return rows


def money_exact_ok(rows):
    import itertools
    exact, flt = {}, {}
    for _, c, _, v in rows:
        exact[c] = exact.get(c, Decimal(0)) + Decimal(v)
        flt[c] = flt.get(c, 0.0) + float(v)
    total_e = sum(exact.values(), Decimal(0))
    total_f = 0.0
    for _, _, _, v in rows:
        total_f += float(v)
    if any(repr(flt[c]) == f"{exact[c]:.2f}" or float(exact[c]) == flt[c] for c in exact):
        return False
    if repr(total_f) == f"{total_e:.2f}" or float(total_e) == total_f:
        return False
    for perm in itertools.permutations(sorted(exact)):  # total as a sum of the customer sums, any order
        s = 0.0
        for c in perm:
            s += flt[c]
        if s == float(total_e):
            return False
    return True


def write_money_exact():
    seed = 1
    while not money_exact_ok(money_exact_rows(seed)):
        seed += 1
    rows = money_exact_rows(seed)
    write_bytes(os.path.join(TD, "money_exact.csv"),
                csv_text([["shipment_id", "customer_id", "ship_date", "revenue"]] + rows).encode())
    exact, flt = {}, {}
    total_f = 0.0
    for _, c, _, v in rows:
        exact[c] = exact.get(c, Decimal(0)) + Decimal(v)
        flt[c] = flt.get(c, 0.0) + float(v)
        total_f += float(v)
    total_e = sum(exact.values(), Decimal(0))
    doc = {
        "rows": len(rows),
        "total": f"{total_e:.2f}",
        "customers": {c: f"{exact[c]:.2f}" for c in sorted(exact)},
        "rows_per_customer": {c: sum(1 for x in rows if x[1] == c) for c in sorted(exact)},
        "float_sum": {
            "note": "naive f64 sums (Python float, IEEE 754 binary64, rows added in file order), shortest "
                    "round-trip repr; none equals the exact decimal value",
            "total": repr(total_f),
            "customers": {c: repr(flt[c]) for c in sorted(exact)},
        },
    }
    with open(os.path.join(TD, "money_exact.expected.json"), "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"money_exact.csv: seed {seed}; exact total {total_e:.2f}, float total {total_f!r}")
    for c in sorted(exact):
        print(f"  {c}: exact {exact[c]:.2f}  float {flt[c]!r}")


# --------------------------------------------------------------------------------------------
# 8. RFM ranking input (ties on purpose)
# --------------------------------------------------------------------------------------------
def write_rfm_rank():
    r = random.Random(37)
    ids = [f"C{i:03d}" for i in range(1, 38)]
    # frequency plan with many ties (37 customers, 264 distinct shipments)
    freqs = [1] * 4 + [2] * 3 + [3] * 5 + [5] * 6 + [8] * 7 + [10] * 4 + [12] * 4 + [15] * 2 + [20] * 2
    r.shuffle(freqs)
    # monetary ties: these customers get the same amounts, hence the same frequency and monetary
    tie_amounts = {"C005": ["1500.00"], "C019": ["1500.00"], "C033": ["1500.00"],
                   "C011": ["2750.25", "980.00"], "C024": ["2750.25", "980.00"]}
    for c, amounts in tie_amounts.items():  # swap a matching frequency into this customer's slot
        i = ids.index(c)
        j = next(k for k, f in enumerate(freqs) if f == len(amounts) and ids[k] not in tie_amounts)
        freqs[i], freqs[j] = freqs[j], freqs[i]
    assert all(freqs[ids.index(c)] == len(a) for c, a in tie_amounts.items())
    asof = date(2024, 12, 30)
    last_choices = [0, 0, 1, 3, 3, 7, 7, 14, 30, 30, 45, 60, 90, 120, 200, 300]  # days before as-of: recency ties
    rows = []
    sid = 1000
    for c, n in zip(ids, freqs):
        last = asof - timedelta(days=r.choice(last_choices))
        dates = [last] + [last - timedelta(days=r.randrange(1, 330)) for _ in range(n - 1)]
        amounts = tie_amounts.get(c) or [f"{Decimal(r.randrange(8000, 1200000)) / 100:.2f}" for _ in range(n)]
        for d, a in zip(dates, amounts):
            sid += r.randrange(1, 9)
            rows.append([f"S{sid:06d}", c, d.isoformat(), a])
    # a few shipments billed in two lines (freight + surcharge): same shipment_id and date, 2 rows
    extra = []
    for row in r.sample([x for x in rows if x[1] not in tie_amounts], 10):
        extra.append([row[0], row[1], row[2], f"{Decimal(r.randrange(2500, 40000)) / 100:.2f}"])
    # one credit note on an existing shipment
    credit = r.choice([x for x in rows if x[1] not in tie_amounts])
    extra.append([credit[0], credit[1], credit[2], "-250.00"])
    rows += extra
    r.shuffle(rows)
    assert max(x[2] for x in rows) == asof.isoformat(), max(x[2] for x in rows)
    assert len({x[1] for x in rows}) == 37
    write_bytes(os.path.join(TD, "rfm_rank", "shipments.csv"),
                csv_text([["shipment_id", "customer_id", "ship_date", "revenue"]] + rows).encode())


# --------------------------------------------------------------------------------------------
# 9. tiny hand-checkable file
# --------------------------------------------------------------------------------------------
TINY = [  # id, cust, name, date, revenue, cost, lane, mode
    ("T001", "A01", "Alpha Freight Ltd", "2024-06-01", "100.00", "80.00", "Asia-Europe", "sea"),
    ("T002", "A01", "Alpha Freight Ltd", "2024-06-10", "200.00", "150.00", "Asia-Europe", "sea"),
    ("T003", "A01", "Alpha Freight Ltd", "2024-06-30", "300.00", "240.00", "Asia-Europe", "sea"),
    ("T004", "A02", "Bravo Imports", "2024-06-05", "1000.00", "900.00", "Transpacific", "sea"),
    ("T005", "A02", "Bravo Imports", "2024-06-20", "500.00", "400.00", "Transpacific", "air"),
    ("T006", "A03", "Charlie Textiles", "2024-06-02", "50.00", "45.00", "Intra-Asia", "road"),
    ("T007", "A04", "Delta Machinery", "2024-06-15", "2500.00", "2000.00", "Asia-Med", "sea"),
    ("T008", "A04", "Delta Machinery", "2024-06-25", "2500.00", "2100.00", "Asia-Med", "sea"),
    ("T009", "A05", "Echo Electronics", "2024-06-03", "120.50", "100.00", "Transpacific", "air"),
    ("T010", "A05", "Echo Electronics", "2024-06-04", "120.50", "100.00", "Transpacific", "air"),
    ("T011", "A05", "Echo Electronics", "2024-06-12", "120.50", "100.00", "Transpacific", "air"),
    ("T012", "A05", "Echo Electronics", "2024-06-28", "120.50", "100.00", "Transpacific", "air"),
    ("T013", "A06", "Foxtrot Foods", "2024-06-29", "75.25", "60.00", "Oceania", "sea"),
    ("T014", "A07", "Golf Outdoor Co", "2024-06-07", "400.00", "300.00", "Asia-Europe", "rail"),
    ("T015", "A07", "Golf Outdoor Co", "2024-06-14", "400.00", "310.00", "Asia-Europe", "rail"),
    ("T016", "A07", "Golf Outdoor Co", "2024-06-21", "400.00", "320.00", "Asia-Europe", "rail"),
    ("T017", "A08", "Hotel Supplies Inc", "2024-06-08", "900.00", "950.00", "Middle-East", "sea"),
    ("T018", "A08", "Hotel Supplies Inc", "2024-06-18", "-100.00", "0.00", "Middle-East", "sea"),
    ("T019", "A09", "India Pharma Pvt", "2024-06-11", "1500.00", "1200.00", "Intra-Asia", "air"),
    ("T020", "A09", "India Pharma Pvt", "2024-06-22", "1500.00", "1250.00", "Intra-Asia", "air"),
    ("T021", "A09", "India Pharma Pvt", "2024-06-26", "1000.00", "850.00", "Intra-Asia", "air"),
    ("T022", "A10", "Juliet Toys", "2024-06-09", "60.00", "50.00", "Transpacific", "sea"),
    ("T023", "A10", "Juliet Toys", "2024-06-16", "60.00", "50.00", "Transpacific", "sea"),
    ("T024", "A10", "Juliet Toys", "2024-06-23", "60.00", "50.00", "Transpacific", "sea"),
    ("T025", "A10", "Juliet Toys", "2024-06-27", "60.00", "50.00", "Transpacific", "sea"),
]


def write_tiny():
    write_bytes(os.path.join(TD, "tiny.csv"),
                csv_text([SHORT_HDR] + [list(t) + ["USD"] for t in TINY]).encode())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gen", default=os.path.join(ROOT, "..", "shared", "bench", "gen_exports.py"))
    ap.add_argument("--retail", default=os.path.join(ROOT, "..", "shared", "data", "online_retail.csv"))
    a = ap.parse_args()
    os.makedirs(BAD, exist_ok=True)
    gen_exports(a.gen)
    write_cn(cn_rows())
    write_eu()
    write_bad()
    write_line_items(a.retail)
    write_money_exact()
    write_rfm_rank()
    write_tiny()
    print("done; now run scripts/pandas_rfm.py and scripts/check_testdata.py")


if __name__ == "__main__":
    main()
