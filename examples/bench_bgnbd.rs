//! Times the BG/NBD fit (`crm-cli churn --model bgnbd`) on 50,000 synthetic customers.
//!
//! ```sh
//! cargo run --release --example bench_bgnbd            # 50000 customers, 7 runs
//! cargo run --release --example bench_bgnbd -- 100000 5
//! ```
//!
//! Customers are drawn from a BG/NBD process with r = 0.25, alpha = 40 (days), a = 0.5, b = 2
//! over a 545-day observation window (CDNOW-like), with a fixed-seed generator, so every run fits
//! the same data. Prints the parameters, the number of distinct (x, t_x, T) triples and the
//! median wall time of the fit.

use std::time::Instant;

use crm_cli::analytics::bgnbd;

/// splitmix64: a small deterministic generator (no dependency needed for a benchmark).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    /// Gamma(shape, 1) by Marsaglia–Tsang (with the shape < 1 boost).
    fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            return self.gamma(shape + 1.0) * self.unit().powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            // Standard normal by Box–Muller.
            let n =
                (-2.0 * self.unit().ln()).sqrt() * (2.0 * std::f64::consts::PI * self.unit()).cos();
            let v = (1.0 + c * n).powi(3);
            if v > 0.0 && self.unit().ln() < 0.5 * n * n + d - d * v - d * v.ln() {
                return d * v;
            }
        }
    }
    fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        x / (x + self.gamma(b))
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let runs: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(7);
    let (r, alpha, a, b, horizon) = (0.25, 40.0, 0.5, 2.0, 545.0);
    let mut rng = Rng(7);
    let (mut xs, mut txs, mut ts) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for _ in 0..n {
        let lambda = rng.gamma(r) / alpha;
        let p = rng.beta(a, b);
        // First purchase somewhere in the first quarter of the window; T in whole days.
        let t = (horizon * (0.75 + 0.25 * rng.unit())).floor();
        let (mut clock, mut x, mut last) = (0.0f64, 0u32, 0.0f64);
        loop {
            clock += -rng.unit().ln() / lambda.max(1e-12);
            if clock > t {
                break;
            }
            x += 1;
            last = clock.floor();
            if rng.unit() < p {
                break;
            }
        }
        xs.push(x as f64);
        txs.push(if x == 0 { 0.0 } else { last });
        ts.push(t);
    }
    let mut triples: Vec<(u64, u64, u64)> = (0..n)
        .map(|i| (xs[i].to_bits(), txs[i].to_bits(), ts[i].to_bits()))
        .collect();
    triples.sort_unstable();
    triples.dedup();
    let mut times = Vec::new();
    let mut fit = None;
    for _ in 0..runs {
        let start = Instant::now();
        let f = bgnbd::fit(&xs, &txs, &ts);
        times.push(start.elapsed().as_secs_f64());
        fit = Some(f);
    }
    times.sort_by(f64::total_cmp);
    match fit {
        Some(Ok(f)) => println!(
            "{n} customers ({} distinct triples): r {:.4}, alpha {:.3}, a {:.4}, b {:.4}; fit median {:.1} ms over {runs} runs (min {:.1}, max {:.1})",
            triples.len(),
            f.params.r,
            f.params.alpha,
            f.params.a,
            f.params.b,
            times[times.len() / 2] * 1e3,
            times[0] * 1e3,
            times[times.len() - 1] * 1e3
        ),
        Some(Err(e)) => println!("fit failed: {e}"),
        None => println!("no runs"),
    }
}
