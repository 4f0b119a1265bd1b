//! Turns a clean `shipments.csv` (from `gen_exports`) into the export a Chinese ERP writes, for
//! benchmarking the loader on messy input: GBK, CRLF, Chinese headers, dates written
//! `2024/1/5` and `2024年1月5日` (alternating rows), money as `"￥1,234.50"` (full-width yen sign,
//! thousands separators, quoted because of the commas). Same values as the input.
//!
//! Run: `cargo run --release --example messify -- IN.csv OUT.csv`

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};

const HEADERS: [(&str, &str); 9] = [
    ("shipment_id", "运单号"),
    ("customer_id", "客户编号"),
    ("customer_name", "客户名称"),
    ("ship_date", "发货日期"),
    ("revenue", "运费"),
    ("cost", "成本"),
    ("lane", "航线"),
    ("mode", "运输方式"),
    ("currency", "币种"),
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: messify IN.csv OUT.csv");
        std::process::exit(2);
    };
    if let Err(e) = run(input, output) {
        eprintln!("messify: {e}");
        std::process::exit(1);
    }
}

fn run(input: &str, output: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut rdr = csv::Reader::from_reader(BufReader::with_capacity(1 << 20, File::open(input)?));
    let headers = rdr.headers()?.clone();
    let cols: Vec<usize> = HEADERS
        .iter()
        .map(|(h, _)| {
            headers
                .iter()
                .position(|x| x == *h)
                .ok_or_else(|| format!("{input}: no column {h}"))
        })
        .collect::<Result<_, _>>()?;
    let mut out = BufWriter::with_capacity(1 << 20, File::create(output)?);
    let mut line = String::new();
    let put = |line: &str, out: &mut BufWriter<File>| -> std::io::Result<()> {
        let (bytes, _, _) = encoding_rs::GBK.encode(line);
        out.write_all(&bytes)
    };
    let header: Vec<&str> = HEADERS.iter().map(|(_, zh)| *zh).collect();
    put(&format!("{}\r\n", header.join(",")), &mut out)?;
    let mut rec = csv::StringRecord::new();
    let mut n = 0u64;
    while rdr.read_record(&mut rec)? {
        n += 1;
        line.clear();
        for (k, &ci) in cols.iter().enumerate() {
            if k > 0 {
                line.push(',');
            }
            let v = rec.get(ci).unwrap_or("");
            match HEADERS[k].0 {
                "ship_date" => line.push_str(&chinese_date(v, n.is_multiple_of(2))),
                "revenue" | "cost" => line.push_str(&yen(v)),
                _ if v.contains([',', '"']) => {
                    line.push('"');
                    line.push_str(&v.replace('"', "\"\""));
                    line.push('"');
                }
                _ => line.push_str(v),
            }
        }
        line.push_str("\r\n");
        put(&line, &mut out)?;
    }
    out.flush()?;
    Ok(())
}

/// `2024-01-05` → `2024/1/5`, or `2024年1月5日` when `long`.
fn chinese_date(v: &str, long: bool) -> String {
    let parts: Vec<&str> = v.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return v.to_string();
    };
    let m = m.trim_start_matches('0');
    let d = d.trim_start_matches('0');
    if long {
        format!("{y}年{m}月{d}日")
    } else {
        format!("{y}/{m}/{d}")
    }
}

/// `-1234.5` → `"-￥1,234.5"`: full-width yen sign (GBK has no half-width one), grouped
/// thousands, quoted when a comma is written.
fn yen(v: &str) -> String {
    if v.is_empty() {
        return String::new();
    }
    let (sign, digits) = v.strip_prefix('-').map_or(("", v), |d| ("-", d));
    let (int, frac) = digits
        .split_once('.')
        .map_or((digits, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
    let s = format!("{sign}￥{grouped}{frac}");
    if s.contains(',') {
        format!("\"{s}\"")
    } else {
        s
    }
}
