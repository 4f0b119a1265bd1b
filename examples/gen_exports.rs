//! Deterministic synthetic exports of a freight forwarder, for benchmarks: the same files, headers,
//! value formats and distributions as `../shared/bench/gen_exports.py`, several times faster
//! (own PRNG streams per customer, shipments generated on all cores, hand-rolled number
//! formatting). Not byte-identical to the Python script (another PRNG), but identical for a
//! given `--seed` whatever `--threads` is.
//!
//! Run: `cargo run --release --example gen_exports -- OUT_DIR --customers 50000 --shipments 10000000`

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use chrono::{Datelike, Duration, NaiveDate};

const USAGE: &str = "\
gen_exports: deterministic synthetic exports of a freight forwarder (benchmark data)

Usage: cargo run --release --example gen_exports -- OUT_DIR [OPTIONS]

Writes OUT_DIR/shipments.csv, OUT_DIR/invoices.csv and OUT_DIR/financials.csv (UTF-8, comma,
LF, header row) with the headers and value formats of ../shared/bench/gen_exports.py:
heavy-tailed customer sizes (Pareto, alpha 1.16), per-customer start dates, churn (35%) and
trends, 1% credit notes (negative revenue), lost/damaged/returned shipments, monthly invoices
net 30 with per-customer payment habits (3% bad payers with partial or no payments), and two
fiscal year-ends of financials per customer. Rows are grouped by customer, like the Python script.

Options:
  --customers N     number of customers [default: 2000]
  --shipments N     approximate number of shipment rows [default: 100000]
  --seed S          seed; the same seed gives byte-identical files [default: 7]
  --start DATE      first ship date, YYYY-MM-DD [default: 2022-01-01]
  --end DATE        last ship date, YYYY-MM-DD [default: 2026-10-31]
  --threads N       worker threads (output does not depend on it) [default: all cores]
  -h, --help        print this help
";

const LANES: [(&str, &str, &str); 9] = [
    ("CNSHA", "DEHAM", "Asia-Europe"),
    ("CNNGB", "NLRTM", "Asia-Europe"),
    ("CNSZX", "USLAX", "Transpacific"),
    ("CNTAO", "USNYC", "Transpacific"),
    ("CNSHA", "SGSIN", "Intra-Asia"),
    ("CNXMN", "THBKK", "Intra-Asia"),
    ("CNDLC", "ITGOA", "Asia-Med"),
    ("CNTSN", "AEJEA", "Middle-East"),
    ("CNSHA", "AUSYD", "Oceania"),
];
/// Mode, probability, transit days.
const MODES: [(&str, f64, i64); 4] = [
    ("sea", 0.70, 28),
    ("air", 0.15, 4),
    ("rail", 0.08, 18),
    ("road", 0.07, 9),
];
const TEU_CHOICES: [i64; 6] = [1, 1, 1, 2, 2, 4];
/// Shipments per work piece: big customers are split into pieces of this many rows, each with
/// its own PRNG stream, so work spreads over the threads and output never depends on them.
const PIECE: u64 = 1 << 16;
/// PRNG stream tags.
const STREAM_CUSTOMERS: u64 = 1;
const STREAM_SHIPMENTS: u64 = 2;
const STREAM_INVOICES: u64 = 3;
const STREAM_FINANCIALS: u64 = 4;

struct Args {
    out: PathBuf,
    customers: u64,
    shipments: u64,
    seed: u64,
    start: NaiveDate,
    end: NaiveDate,
    threads: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut out = None;
    let mut a = Args {
        out: PathBuf::new(),
        customers: 2000,
        shipments: 100_000,
        seed: 7,
        start: date("2022-01-01")?,
        end: date("2026-10-31")?,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let number = |name: &str, v: String| -> Result<u64, String> {
            v.replace('_', "")
                .parse()
                .map_err(|_| format!("{name}: expected a whole number, got '{v}'"))
        };
        match flag.as_str() {
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            "--customers" => a.customers = number("--customers", value("--customers")?)?,
            "--shipments" => a.shipments = number("--shipments", value("--shipments")?)?,
            "--seed" => a.seed = number("--seed", value("--seed")?)?,
            "--threads" => a.threads = number("--threads", value("--threads")?)?.max(1) as usize,
            "--start" => a.start = date(&value("--start")?)?,
            "--end" => a.end = date(&value("--end")?)?,
            f if f.starts_with('-') && f.len() > 1 => return Err(format!("unknown option {f}")),
            _ if out.is_none() => out = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument '{arg}'")),
        }
    }
    a.out = out.ok_or("missing OUT_DIR")?;
    if a.customers == 0 {
        return Err("--customers must be at least 1".into());
    }
    if a.end <= a.start {
        return Err("--end must be after --start".into());
    }
    Ok(a)
}

fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("'{s}' is not a YYYY-MM-DD date"))
}

/// SplitMix64 finaliser: a good 64-bit mixer.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// xoshiro256++ seeded through SplitMix64, one independent stream per (seed, stream, a, b).
struct Rng {
    s: [u64; 4],
    spare: Option<f64>,
}

impl Rng {
    fn new(seed: u64, stream: u64, a: u64, b: u64) -> Rng {
        let mut x = mix(seed ^ mix(stream.wrapping_add(mix(a ^ mix(b.wrapping_add(1))))));
        let mut s = [0u64; 4];
        for v in &mut s {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            *v = mix(x);
        }
        Rng { s, spare: None }
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let out = (s[0].wrapping_add(s[3])).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }

    /// Uniform in [0, 1).
    fn random(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.random()
    }

    /// Uniform integer in [0, n).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform integer in [lo, hi] (Python's randint).
    fn randint(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// Normal(mu, sigma), Box-Muller with the second value kept (as Python's gauss).
    fn gauss(&mut self, mu: f64, sigma: f64) -> f64 {
        let z = match self.spare.take() {
            Some(z) => z,
            None => {
                let u1 = 1.0 - self.random();
                let u2 = self.random();
                let r = (-2.0 * u1.ln()).sqrt();
                let (s, c) = (std::f64::consts::TAU * u2).sin_cos();
                self.spare = Some(r * s);
                r * c
            }
        };
        mu + sigma * z
    }

    fn paretovariate(&mut self, alpha: f64) -> f64 {
        1.0 / (1.0 - self.random()).powf(1.0 / alpha)
    }
}

struct Customer {
    w: f64,
    first: i64,
    last: i64,
    trend: f64,
    late: f64,
    bad: bool,
    lane: usize,
    margin: f64,
    /// Shipment rows and the id of the first one.
    n: u64,
    first_sid: u64,
}

/// Day offsets from --start as text, and their month index.
struct Calendar {
    start: NaiveDate,
    text: Vec<[u8; 10]>,
    month: Vec<u16>,
}

impl Calendar {
    fn new(start: NaiveDate, days: i64) -> Calendar {
        let mut text = Vec::with_capacity(days as usize);
        let mut month = Vec::with_capacity(days as usize);
        for k in 0..days {
            let d = start + Duration::days(k);
            let mut t = [0u8; 10];
            t.copy_from_slice(d.format("%Y-%m-%d").to_string().as_bytes());
            text.push(t);
            month.push(month_index(start, d) as u16);
        }
        Calendar { start, text, month }
    }

    fn put(&self, out: &mut Vec<u8>, day: i64) {
        match self.text.get(day as usize) {
            Some(t) if day >= 0 => out.extend_from_slice(t),
            _ => out.extend_from_slice(
                (self.start + Duration::days(day))
                    .format("%Y-%m-%d")
                    .to_string()
                    .as_bytes(),
            ),
        }
    }
}

fn month_index(start: NaiveDate, d: NaiveDate) -> i64 {
    (d.year() as i64 - start.year() as i64) * 12 + d.month0() as i64 - start.month0() as i64
}

fn put_uint(out: &mut Vec<u8>, mut v: u64, min_digits: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 && buf.len() - i >= min_digits {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// A fixed-point number `v / 10^decimals` with exactly `decimals` decimals ("-12.50").
fn put_fixed(out: &mut Vec<u8>, v: i64, decimals: u32) {
    if v < 0 {
        out.push(b'-');
    }
    let a = v.unsigned_abs();
    let p = 10u64.pow(decimals);
    put_uint(out, a / p, 1);
    out.push(b'.');
    put_uint(out, a % p, decimals as usize);
}

/// Shipment rows of one piece: `count` rows of customer `ci` from id `sid0`; adds revenue per
/// month (cents) to `months`.
#[allow(clippy::too_many_arguments)]
fn shipments_piece(
    out: &mut Vec<u8>,
    months: &mut [i64],
    rng: &mut Rng,
    c: &Customer,
    ci: usize,
    sid0: u64,
    count: u64,
    cal: &Calendar,
    span: i64,
) {
    let active = c.last - c.first + 1;
    let id = format!("C{:06}", ci + 1);
    let name = format!("\"Customer {:06} Co., Ltd.\"", ci + 1);
    for k in 0..count {
        // trend: density ~ 1 + trend·(t − 0.5), sampled by rejection
        let mut u = rng.random();
        while (1.0 + c.trend * (u - 0.5)) < rng.random() * (1.0 + c.trend.abs()) {
            u = rng.random();
        }
        let d = c.first + (u * (active - 1) as f64) as i64;
        let lane = LANES[if rng.random() < 0.7 {
            c.lane
        } else {
            rng.below(LANES.len() as u64) as usize
        }];
        let x = rng.random();
        let mut acc = 0.0;
        let mut mode = 0;
        for (m, (_, p, _)) in MODES.iter().enumerate() {
            acc += p;
            if x < acc {
                mode = m;
                break;
            }
        }
        let (mode_name, _, transit) = MODES[mode];
        let promised = d + transit;
        let late = if rng.random() < 0.85 {
            (rng.gauss(-1.0, 3.0) as i64).max(0)
        } else {
            rng.randint(1, 15)
        };
        let x = rng.random();
        let status = if x < 0.004 {
            "damaged"
        } else if x < 0.006 {
            "lost"
        } else if x < 0.02 {
            "returned"
        } else {
            "delivered"
        };
        let teu = if mode == 0 {
            TEU_CHOICES[rng.below(6) as usize]
        } else {
            0
        };
        // weight in tenths of a kg
        let kg10 = (rng.gauss(8.5, 1.0).exp() * 10.0).round() as i64;
        let kg = kg10 as f64 / 10.0;
        let base = match mode {
            0 => 1400.0 * teu as f64,
            1 => 4.8 * kg,
            2 => 0.9 * kg,
            _ => 0.35 * kg,
        };
        let mut rev = ((base * rng.uniform(0.8, 1.25)).max(35.0) * 100.0).round() as i64;
        if rng.random() < 0.01 {
            rev = -((rev as f64 * rng.uniform(0.05, 0.3)).round() as i64); // credit note
        }
        let cost = (rev as f64 * (1.0 - c.margin + rng.gauss(0.0, 0.05))).round() as i64;

        out.push(b'S');
        put_uint(out, sid0 + k, 9);
        out.push(b',');
        out.extend_from_slice(id.as_bytes());
        out.push(b',');
        out.extend_from_slice(name.as_bytes());
        out.push(b',');
        cal.put(out, d);
        out.push(b',');
        cal.put(out, promised);
        out.push(b',');
        if status != "lost" && promised + late <= span {
            cal.put(out, promised + late);
        }
        for s in [lane.0, lane.1, lane.2, mode_name] {
            out.push(b',');
            out.extend_from_slice(s.as_bytes());
        }
        out.push(b',');
        put_uint(out, teu as u64, 1);
        out.push(b',');
        put_fixed(out, kg10, 1);
        out.push(b',');
        put_fixed(out, rev, 2);
        out.push(b',');
        put_fixed(out, cost, 2);
        out.extend_from_slice(b",USD,");
        out.extend_from_slice(status.as_bytes());
        out.push(b'\n');
        months[cal.month[d as usize] as usize] += rev;
    }
}

/// One unit of work: consecutive pieces (customer, piece number, first id, rows).
type Job = Vec<(usize, u64, u64, u64)>;

fn jobs(cust: &[Customer]) -> Vec<Job> {
    let mut jobs = Vec::new();
    let mut cur: Job = Vec::new();
    let mut rows = 0;
    for (ci, c) in cust.iter().enumerate() {
        let mut piece = 0;
        let mut done = 0;
        while done < c.n {
            let count = (c.n - done).min(PIECE);
            if rows + count > PIECE && !cur.is_empty() {
                jobs.push(std::mem::take(&mut cur));
                rows = 0;
            }
            cur.push((ci, piece, c.first_sid + done, count));
            rows += count;
            done += count;
            piece += 1;
        }
    }
    if !cur.is_empty() {
        jobs.push(cur);
    }
    jobs
}

fn create(dir: &Path, name: &str) -> std::io::Result<BufWriter<File>> {
    Ok(BufWriter::with_capacity(
        1 << 20,
        File::create(dir.join(name))?,
    ))
}

fn run(a: &Args) -> std::io::Result<()> {
    let span = (a.end - a.start).num_days();
    let n_months = month_index(a.start, a.end) as usize + 1;
    let cal = Calendar::new(a.start, span + 120);
    std::fs::create_dir_all(&a.out)?;

    // Customers: weight (Pareto, alpha 1.16 ~ 80/20), life window, trend, payment habit, lane.
    let mut r = Rng::new(a.seed, STREAM_CUSTOMERS, 0, 0);
    let mut cust: Vec<Customer> = (0..a.customers)
        .map(|_| {
            let w = r.paretovariate(1.16);
            let first = r.randint(0, (span as f64 * 0.85) as i64);
            let churn = (r.random() < 0.35).then(|| first + r.randint(60, span));
            Customer {
                w,
                first,
                last: churn.map_or(span, |c| c.min(span)),
                trend: r.uniform(-0.6, 0.8),
                late: r.gauss(8.0, 20.0).max(0.0),
                bad: r.random() < 0.03,
                lane: r.below(LANES.len() as u64) as usize,
                margin: r.uniform(0.04, 0.28),
                n: 0,
                first_sid: 0,
            }
        })
        .collect();
    // Each customer's shipments: proportional to weight × active days.
    let tot_w: f64 = cust
        .iter()
        .map(|c| c.w * (c.last - c.first + 1) as f64)
        .sum();
    let mut sid = 1;
    for c in &mut cust {
        let share = a.shipments as f64 * c.w * (c.last - c.first + 1) as f64 / tot_w;
        c.n = (share.round_ties_even() as u64).max(1);
        c.first_sid = sid;
        sid += c.n;
    }
    let ship_rows = sid - 1;

    // Shipments: jobs on all threads, written in order.
    let mut months = vec![0i64; cust.len() * n_months];
    let mut f = create(&a.out, "shipments.csv")?;
    f.write_all(
        b"shipment_id,customer_id,customer_name,ship_date,promised_date,delivered_date,origin,\
destination,lane,mode,teu,weight_kg,revenue,cost,currency,status\n",
    )?;
    let work = jobs(&cust);
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| -> std::io::Result<()> {
        let (tx, rx) =
            mpsc::sync_channel::<(usize, Vec<u8>, Vec<(usize, Vec<i64>)>)>(a.threads * 2);
        for _ in 0..a.threads {
            let tx = tx.clone();
            let (work, next, cust, cal) = (&work, &next, &cust, &cal);
            s.spawn(move || {
                loop {
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = work.get(j) else { break };
                    let rows: u64 = job.iter().map(|p| p.3).sum();
                    let mut out = Vec::with_capacity(rows as usize * 160);
                    let mut sums = Vec::with_capacity(job.len());
                    for &(ci, piece, sid0, count) in job {
                        let mut m = vec![0i64; n_months];
                        let mut rng = Rng::new(a.seed, STREAM_SHIPMENTS, ci as u64, piece);
                        shipments_piece(
                            &mut out, &mut m, &mut rng, &cust[ci], ci, sid0, count, cal, span,
                        );
                        sums.push((ci, m));
                    }
                    if tx.send((j, out, sums)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending = std::collections::BTreeMap::new();
        let mut want = 0;
        for (j, out, sums) in rx {
            pending.insert(j, out);
            for (ci, m) in sums {
                for (t, v) in months[ci * n_months..(ci + 1) * n_months].iter_mut().zip(m) {
                    *t += v;
                }
            }
            while let Some(out) = pending.remove(&want) {
                f.write_all(&out)?;
                want += 1;
            }
        }
        Ok(())
    })?;
    f.flush()?;
    drop(f);

    // Invoices: one per customer and month with shipments (amount > 0), dated the month's last
    // day, net 30; payment habit per customer.
    let mut f = create(&a.out, "invoices.csv")?;
    f.write_all(
        b"invoice_id,customer_id,invoice_date,due_date,amount,paid_amount,paid_date,currency\n",
    )?;
    let mut iid: u64 = 0;
    let mut line = Vec::with_capacity(128);
    let first_of_month0 = a.start.with_day(1).unwrap_or(a.start);
    for (ci, c) in cust.iter().enumerate() {
        let mut r = Rng::new(a.seed, STREAM_INVOICES, ci as u64, 0);
        for (mi, &amount) in months[ci * n_months..(ci + 1) * n_months]
            .iter()
            .enumerate()
        {
            if amount <= 0 {
                continue;
            }
            let next_month = first_of_month0
                .checked_add_months(chrono::Months::new(mi as u32 + 1))
                .unwrap_or(a.end);
            let inv = (next_month - Duration::days(1) - a.start).num_days();
            let due = inv + 30;
            iid += 1;
            let delay = r.gauss(c.late, 10.0).max(-10.0) as i64;
            let paid_on = due + delay;
            let (paid, paid_date) = if paid_on > span {
                (0, false)
            } else if c.bad && r.random() < 0.6 {
                // a partial payment, or none
                let p = if r.random() < 0.3 {
                    (amount as f64 * r.uniform(0.0, 0.5)).round() as i64
                } else {
                    0
                };
                (p, p != 0)
            } else {
                (amount, true)
            };
            line.clear();
            line.extend_from_slice(b"INV");
            put_uint(&mut line, iid, 8);
            line.push(b',');
            line.push(b'C');
            put_uint(&mut line, ci as u64 + 1, 6);
            line.push(b',');
            cal.put(&mut line, inv);
            line.push(b',');
            cal.put(&mut line, due);
            line.push(b',');
            put_fixed(&mut line, amount, 2);
            line.push(b',');
            put_fixed(&mut line, paid, 2);
            line.push(b',');
            if paid_date {
                cal.put(&mut line, paid_on);
            }
            line.extend_from_slice(b",USD\n");
            f.write_all(&line)?;
        }
    }
    f.flush()?;
    drop(f);

    // Financials: two fiscal year-ends per customer (for averages), balance sheet + income
    // statement.
    let mut f = create(&a.out, "financials.csv")?;
    f.write_all(
        b"customer_id,period_end,cash,short_term_investments,receivables,inventory,current_assets,\
total_assets,current_liabilities,total_liabilities,revenue,credit_sales,cogs,net_income\n",
    )?;
    for (ci, c) in cust.iter().enumerate() {
        let mut r = Rng::new(a.seed, STREAM_FINANCIALS, ci as u64, 0);
        let size = 2e5 * c.w;
        for year in [2024, 2025] {
            let g = 1.0 + r.gauss(0.05, 0.1) * (year - 2024) as f64;
            let cash = size * r.uniform(0.02, 0.3) * g;
            let sti = size * r.uniform(0.0, 0.1) * g;
            let rec = size * r.uniform(0.05, 0.4) * g;
            let inv = size * r.uniform(0.0, 0.5) * g;
            let ca = cash + sti + rec + inv + size * r.uniform(0.0, 0.1);
            let ta = ca + size * r.uniform(0.2, 2.0);
            let cl = ca / r.uniform(0.4, 3.0);
            let tl = cl + size * r.uniform(0.0, 1.0);
            let rev = size * r.uniform(0.8, 4.0) * g;
            let cs = rev * r.uniform(0.5, 1.0);
            let cogs = rev * r.uniform(0.6, 0.92);
            let ni = (rev - cogs) * r.uniform(-0.5, 0.6);
            write!(f, "C{:06},{year}-12-31", ci + 1)?;
            for v in [cash, sti, rec, inv, ca, ta, cl, tl, rev, cs, cogs, ni] {
                write!(f, ",{v:.2}")?;
            }
            f.write_all(b"\n")?;
        }
    }
    f.flush()?;
    println!(
        "wrote {ship_rows} shipments, {iid} invoices, {} financial rows for {} customers to {}",
        2 * cust.len(),
        cust.len(),
        a.out.display()
    );
    Ok(())
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("error: {}: {e}", args.out.display());
        std::process::exit(1);
    }
}
