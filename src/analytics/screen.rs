//! Yearly screening of customers (`crm-cli screen`): five criteria scored 1–5 by percentile
//! among customers, a weighted total and a recommendation by explicit rules.
//!
//! Criteria (trailing 12 months = (as_of − 365, as_of], previous = the 365 days before):
//! volume = revenue; profitability = revenue − cost; safety = mean of the scores of overdue
//! share (lower better) and average days late (lower better); future = revenue growth against
//! the previous 12 months (customers without previous revenue score 3); cooperation = mean of
//! the scores of shipments and on-time payment rate. A mean of two scores is rounded half up.
//! Percentile scores are those of `tier`: ties share a score.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::rfm::percentile_scores;

pub const CRITERIA: [&str; 5] = ["volume", "profitability", "safety", "future", "cooperation"];
pub const RECOMMENDATIONS: [&str; 5] = ["key", "develop", "maintain", "watch", "exit"];

/// Per-customer inputs; money in minor units.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    pub revenue: Vec<i64>,
    pub margin: Vec<i64>,
    pub revenue_prev: Vec<i64>,
    pub shipments: Vec<i64>,
    /// From the invoices (None without invoices, or for a customer without any).
    pub overdue_share: Vec<Option<f64>>,
    pub avg_days_late: Vec<Option<f64>>,
    pub on_time_rate: Vec<Option<f64>>,
}

/// Weights of the five criteria, in [`CRITERIA`] order.
pub type Weights = [f64; 5];

/// Scores (0 = left out), weighted total, growth and recommendation per customer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scores {
    /// One vector per criterion, in [`CRITERIA`] order; None when the criterion is left out.
    pub scores: [Option<Vec<u8>>; 5],
    pub total: Vec<f64>,
    pub growth: Vec<Option<f64>>,
    pub recommendation: Vec<&'static str>,
    /// Which rule gave the recommendation (for --explain).
    pub reason: Vec<String>,
}

/// Percentile scores over the customers that have a value (None → 3).
///
/// Higher is better: tier's rule, 1 + floor(5 × W / N) capped at 5 with W = customers strictly
/// worse. Lower is better (overdue share, days late): the mirrored rule 5 − floor(5 × B / N)
/// floored at 1 with B = customers strictly better, so that a tie at the best value — nothing
/// overdue, never late, common in practice — scores 5 rather than the tie's lowest rank.
fn scores_opt(values: &[Option<f64>], lower_better: bool) -> Vec<u8> {
    let idx: Vec<usize> = (0..values.len()).filter(|&i| values[i].is_some()).collect();
    let known: Vec<f64> = idx.iter().filter_map(|&i| values[i]).collect();
    let mut sorted = known.clone();
    sorted.sort_by(f64::total_cmp);
    let n = known.len();
    let mut out = vec![3u8; values.len()];
    for (k, &i) in idx.iter().enumerate() {
        let v = known[k];
        let below = sorted.partition_point(|x| x.total_cmp(&v).is_lt());
        out[i] = if lower_better {
            // B = values strictly smaller = strictly better
            (5 - (5 * below / n) as i64).max(1) as u8
        } else {
            (1 + 5 * below / n).min(5) as u8
        };
    }
    out
}

/// Mean of two scores, rounded half up.
pub fn mean2(a: u8, b: u8) -> u8 {
    (a + b).div_ceil(2)
}

/// Revenue growth against the previous 12 months; None without previous revenue.
pub fn growth(revenue: i64, prev: i64) -> Option<f64> {
    (prev > 0).then(|| (revenue - prev) as f64 / prev as f64)
}

/// The recommendation rules, in order.
pub fn recommend(
    total: f64,
    s: &[Option<u8>; 5],
    margin: i64,
    growth: Option<f64>,
    chronic: bool,
) -> (&'static str, String) {
    let volume = s[0].unwrap_or(0);
    let future = s[3].unwrap_or(0);
    if margin <= 0 && growth.is_none_or(|g| g <= 0.0) {
        return ("exit", "no profit (margin ≤ 0) and no growth".into());
    }
    if chronic {
        return (
            "exit",
            "chronic non-payment (overdue share ≥ 50%, and ≥ 30 days late on average or nothing ever paid)".into(),
        );
    }
    if total >= 4.0 && volume >= 4 {
        return ("key", "total ≥ 4 and volume ≥ 4".into());
    }
    if total >= 3.0 && future >= 4 {
        return ("develop", "total ≥ 3 and future ≥ 4".into());
    }
    if total >= 3.0 {
        return ("maintain", "total ≥ 3".into());
    }
    ("watch", "total < 3".into())
}

/// Chronic non-payment: overdue share ≥ 50% and either on average ≥ 30 days late, or no
/// invoice ever paid (`days_late` is None: nothing closed yet).
pub fn chronic(overdue_share: Option<f64>, days_late: Option<f64>) -> bool {
    overdue_share.is_some_and(|s| s >= 0.5) && days_late.is_none_or(|d| d >= 30.0)
}

/// Score every customer. `with_invoices` = false leaves safety out and scores cooperation on
/// shipments alone; weights of left-out criteria are ignored.
pub fn score(inp: &Inputs, weights: &Weights, with_invoices: bool) -> Scores {
    let n = inp.revenue.len();
    let volume = percentile_scores(&inp.revenue);
    let profit = percentile_scores(&inp.margin);
    let growths: Vec<Option<f64>> = (0..n)
        .map(|i| growth(inp.revenue[i], inp.revenue_prev[i]))
        .collect();
    let future = scores_opt(&growths, false);
    let ships = percentile_scores(&inp.shipments);
    let (safety, cooperation) = if with_invoices {
        let overdue = scores_opt(&inp.overdue_share, true);
        let late = scores_opt(&inp.avg_days_late, true);
        let on_time = scores_opt(&inp.on_time_rate, false);
        (
            Some(
                (0..n)
                    .map(|i| mean2(overdue[i], late[i]))
                    .collect::<Vec<u8>>(),
            ),
            (0..n)
                .map(|i| mean2(ships[i], on_time[i]))
                .collect::<Vec<u8>>(),
        )
    } else {
        (None, ships)
    };
    let scores = [
        Some(volume),
        Some(profit),
        safety,
        Some(future),
        Some(cooperation),
    ];
    let mut out = Scores {
        growth: growths,
        ..Default::default()
    };
    // Weights as the decimals they were written as (0.7, not 0.69999…).
    let w: [Decimal; 5] = std::array::from_fn(|k| {
        weights[k]
            .to_string()
            .parse::<Decimal>()
            .unwrap_or(Decimal::ZERO)
    });
    for i in 0..n {
        let s: [Option<u8>; 5] = std::array::from_fn(|k| scores[k].as_ref().map(|v| v[i]));
        // In decimals, so that an exact 3 or 4 is not an ulp below the rule's threshold.
        let (mut num, mut den) = (Decimal::ZERO, Decimal::ZERO);
        for k in 0..5 {
            if let Some(v) = s[k] {
                num += w[k] * Decimal::from(v);
                den += w[k];
            }
        }
        let total = if den > Decimal::ZERO {
            (num / den).round_dp(12).to_f64().unwrap_or(0.0)
        } else {
            0.0
        };
        let chronic = with_invoices && chronic(inp.overdue_share[i], inp.avg_days_late[i]);
        let (rec, why) = recommend(total, &s, inp.margin[i], out.growth[i], chronic);
        out.total.push(total);
        out.recommendation.push(rec);
        out.reason.push(why);
    }
    out.scores = scores;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_scores_rank_the_known_and_give_3_to_the_rest() {
        // lower is better, N = 3: 0.1 (B = 0) → 5; 0.3 (B = 1) → 5 − 1 = 4; 0.5 (B = 2) → 5 − 3 = 2
        let v = [Some(0.5), None, Some(0.1), Some(0.3)];
        assert_eq!(scores_opt(&v, true), vec![2, 3, 5, 4]);
        // higher is better (tier's rule): 0.5 (W = 2) → 4; 0.3 → 2; 0.1 → 1
        assert_eq!(scores_opt(&v, false), vec![4, 3, 1, 2]);
        // ties share a score: at the top for lower-better, at the bottom for higher-better
        // 0.9: B = 3 of N = 4 → 5 − floor(15 / 4) = 2
        assert_eq!(
            scores_opt(&[Some(0.0), Some(0.0), Some(0.0), Some(0.9)], true),
            vec![5, 5, 5, 2]
        );
        assert_eq!(scores_opt(&[Some(1.0), Some(1.0)], false), vec![1, 1]);
    }

    #[test]
    fn means_round_half_up() {
        assert_eq!(mean2(5, 2), 4);
        assert_eq!(mean2(4, 4), 4);
        assert_eq!(mean2(1, 2), 2);
    }

    #[test]
    fn recommendation_rules_in_order() {
        let s = |v: u8, f: u8| [Some(v), Some(3), Some(3), Some(f), Some(3)];
        assert_eq!(recommend(4.5, &s(5, 5), -1, Some(-0.1), false).0, "exit");
        assert_eq!(recommend(4.5, &s(5, 5), -1, None, false).0, "exit");
        // losing money but growing: not exit
        assert_eq!(recommend(4.5, &s(5, 5), -1, Some(0.2), false).0, "key");
        assert_eq!(recommend(4.5, &s(5, 5), 100, Some(0.2), true).0, "exit");
        assert_eq!(recommend(4.0, &s(4, 1), 100, None, false).0, "key");
        assert_eq!(recommend(3.99, &s(5, 4), 100, None, false).0, "develop");
        assert_eq!(recommend(3.0, &s(5, 3), 100, None, false).0, "maintain");
        assert_eq!(recommend(2.99, &s(5, 5), 100, None, false).0, "watch");
        assert!(chronic(Some(0.5), Some(30.0)));
        assert!(!chronic(Some(0.49), Some(90.0)));
        // overdue and never paid anything: chronic
        assert!(chronic(Some(0.9), None));
        assert!(!chronic(Some(0.9), Some(29.9)));
        assert!(!chronic(None, None));
    }

    #[test]
    fn weighted_total_and_left_out_safety() {
        let inp = Inputs {
            revenue: vec![100, 200, 300],
            margin: vec![10, 20, 30],
            revenue_prev: vec![100, 100, 0],
            shipments: vec![1, 2, 3],
            overdue_share: vec![None; 3],
            avg_days_late: vec![None; 3],
            on_time_rate: vec![None; 3],
        };
        let s = score(&inp, &[1.0; 5], false);
        assert!(s.scores[2].is_none());
        // customer 3: volume 4, profit 4, future 3 (no previous revenue), cooperation 4
        assert_eq!(s.scores[0].as_ref().unwrap()[2], 4);
        assert_eq!(s.scores[3].as_ref().unwrap()[2], 3);
        assert_eq!(s.total[2], (4.0 + 4.0 + 3.0 + 4.0) / 4.0);
        assert_eq!(s.growth, vec![Some(0.0), Some(1.0), None]);
        // weights: volume counted twice
        let s2 = score(&inp, &[2.0, 1.0, 1.0, 1.0, 1.0], false);
        assert_eq!(s2.total[2], (8.0 + 4.0 + 3.0 + 4.0) / 5.0);
    }
}
