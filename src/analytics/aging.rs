//! Receivable aging, days to pay, receivable turnover and DSO (`crm-cli aging`).
//!
//! A customer's ledger is replayed in date order: invoices (and credit notes, negative
//! invoices) arrive on their invoice date; payments against an invoice reduce it; payments
//! known only by customer are applied to that customer's open invoices, oldest due date first;
//! what cannot be applied is the customer's unapplied credit, which the next invoices absorb.
//! Everything is integer minor units, so the buckets sum exactly to the outstanding balance and
//! the totals equal invoices dated ≤ as_of minus payments dated ≤ as_of.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

/// Hash maps keyed by ids: foldhash instead of SipHash (no untrusted keys to defend against,
/// and millions of lookups per run).
type Map<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

use crate::error::{Error, Result};

/// One invoice (or credit note, amount < 0). Dates are days since 1970-01-01.
///
/// Ids are shared strings: a customer's invoices hold one copy of its id, a payment on an
/// invoice holds the invoice's, and cloning a ledger copies no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub id: Arc<str>,
    pub customer: Arc<str>,
    pub date: i32,
    pub due: i32,
    pub amount: i64,
}

/// A payment against an invoice (`invoice: Some`) or a customer's account (`invoice: None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub invoice: Option<Arc<str>>,
    pub customer: Option<Arc<str>>,
    pub date: i32,
    pub amount: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Days past the due date.
    Due,
    /// Days since the invoice date.
    Invoice,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub as_of: i32,
    /// Upper bounds of the overdue buckets, ascending (default 30, 60, 90).
    pub buckets: Vec<i64>,
    pub basis: Basis,
    /// Length of the turnover period ending at as_of, days.
    pub period_days: i64,
}

/// Bucket labels for `bounds`: current, 1_30, 31_60, 61_90, over_90.
pub fn bucket_labels(bounds: &[i64]) -> Vec<String> {
    let mut out = vec!["current".to_string()];
    let mut lo = 1;
    for &b in bounds {
        out.push(format!("{lo}_{b}"));
        lo = b + 1;
    }
    out.push(format!("over_{}", bounds.last().copied().unwrap_or(0)));
    out
}

/// Bucket index of an item `days` past due (≤ 0 → current).
pub fn bucket_of(days: i64, bounds: &[i64]) -> usize {
    if days <= 0 {
        return 0;
    }
    1 + bounds.iter().take_while(|&&b| days > b).count()
}

/// Per customer, sorted by customer id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aging {
    pub customer: Vec<String>,
    /// Invoices (net of credit notes) dated ≤ as_of.
    pub invoiced: Vec<i64>,
    /// Payments dated ≤ as_of.
    pub paid: Vec<i64>,
    pub outstanding: Vec<i64>,
    /// One vector per bucket (see [`bucket_labels`]), summing to `outstanding`.
    pub buckets: Vec<Vec<i64>>,
    /// Unapplied credit (payments beyond open invoices), included in the current bucket.
    pub unapplied: Vec<i64>,
    pub overdue: Vec<i64>,
    pub overdue_share: Vec<Option<f64>>,
    /// Over invoices (amount > 0) fully paid by as_of.
    pub paid_invoices: Vec<usize>,
    pub avg_days_to_pay: Vec<Option<f64>>,
    pub on_time_rate: Vec<Option<f64>>,
    /// Mean of max(0, closing date − due date) over the invoices (amount > 0) closed by as_of.
    pub avg_days_late: Vec<Option<f64>>,
    /// Invoiced in (as_of − period, as_of].
    pub invoiced_period: Vec<i64>,
    /// Balance at as_of − period (the start of the period).
    pub opening_balance: Vec<i64>,
    pub receivable_turnover: Vec<Option<f64>>,
    pub dso: Vec<Option<f64>>,
    /// Invoices dated ≤ as_of.
    pub invoices: Vec<usize>,
}

impl Aging {
    pub fn len(&self) -> usize {
        self.customer.len()
    }
    pub fn is_empty(&self) -> bool {
        self.customer.is_empty()
    }
}

/// Turnover = invoiced in the period / average of the opening and closing balances;
/// DSO = period days / turnover. None when a denominator is not positive.
pub fn turnover(
    invoiced_period: i64,
    opening: i64,
    closing: i64,
    period_days: i64,
) -> (Option<f64>, Option<f64>) {
    let twice_avg = opening as i128 + closing as i128;
    if twice_avg <= 0 || invoiced_period <= 0 {
        return (None, None);
    }
    let t = 2.0 * invoiced_period as f64 / twice_avg as f64;
    (Some(t), Some(period_days as f64 / t))
}

/// One customer's invoices (in aging order: oldest due first) while their payments are replayed.
struct Replay {
    /// Open amount of each invoice (0 before it arrives, and for credit notes).
    open: Vec<i64>,
    arrived: Vec<bool>,
    /// The date an invoice (amount > 0) was paid in full.
    closed: Vec<Option<i32>>,
    /// Unapplied credit: payments on account, overpayments, credit notes.
    credit: i64,
    /// Arrived invoices that may be open, smallest aging position first. An entry whose
    /// invoice is no longer open is dropped when it comes up, so credit is applied in
    /// O(log n) per invoice it touches instead of a scan from the oldest invoice.
    candidates: BinaryHeap<Reverse<usize>>,
}

impl Replay {
    fn new(n: usize) -> Self {
        Replay {
            open: vec![0; n],
            arrived: vec![false; n],
            closed: vec![None; n],
            credit: 0,
            candidates: BinaryHeap::new(),
        }
    }

    /// Invoice `k` is issued. A credit note (amount < 0) is the customer's credit, like an
    /// unapplied payment.
    fn arrive(&mut self, k: usize, amount: i64) {
        self.arrived[k] = true;
        if amount < 0 {
            self.credit -= amount;
        } else {
            self.open[k] = amount;
            self.candidates.push(Reverse(k));
        }
    }

    /// A payment written on arrived invoice `k`; an overpayment is credit for the others.
    fn pay(&mut self, k: usize, amount: i64, closable: bool, date: i32) {
        self.open[k] -= amount;
        if self.open[k] < 0 {
            self.credit -= self.open[k];
            self.open[k] = 0;
        }
        if self.open[k] == 0 && closable && self.closed[k].is_none() {
            self.closed[k] = Some(date);
        }
        if self.open[k] > 0 {
            // open again after a negative payment (a refund): a candidate once more
            self.candidates.push(Reverse(k));
        }
    }

    /// Apply the credit to the open invoices, oldest due first, until it is used up.
    fn apply_credit(&mut self, date: i32) {
        while self.credit > 0 {
            let Some(&Reverse(k)) = self.candidates.peek() else {
                break;
            };
            if self.open[k] > 0 {
                let take = self.open[k].min(self.credit);
                self.open[k] -= take;
                self.credit -= take;
                if self.open[k] > 0 {
                    break;
                }
                if self.closed[k].is_none() {
                    self.closed[k] = Some(date);
                }
            }
            self.candidates.pop();
        }
    }
}

/// Replay every customer's ledger up to `as_of`.
///
/// Invoice ids are unique (the loader merges the rows of one invoice); a payment naming an
/// invoice belongs to that invoice's customer, whatever customer id it carries.
pub fn compute<'p>(
    invoices: &[Invoice],
    payments: impl IntoIterator<Item = &'p Payment>,
    params: &Params,
) -> Result<Aging> {
    let payments: Vec<&Payment> = payments.into_iter().collect();
    let mut bounds = params.buckets.clone();
    bounds.sort_unstable();
    let nb = bounds.len() + 2;
    // Every invoice id's index: payments by invoice find their invoice and customer here.
    let mut index: Map<&str, usize> =
        Map::with_capacity_and_hasher(invoices.len(), Default::default());
    for (i, inv) in invoices.iter().enumerate() {
        if let Some(prev) = index.insert(&inv.id, i) {
            let other = &invoices[prev].customer;
            return Err(Error::Input(if *other == inv.customer {
                format!("invoice {} appears twice for customer {other}", inv.id)
            } else {
                format!(
                    "invoice {} belongs to two customers ({other} and {})",
                    inv.id, inv.customer
                )
            }));
        }
    }
    let mut by_customer: Map<&str, (Vec<usize>, Vec<usize>)> = Map::default();
    for (i, inv) in invoices.iter().enumerate() {
        by_customer.entry(&inv.customer).or_default().0.push(i);
    }
    // The invoice each payment is written on, when it is in the invoices.
    let mut target: Vec<Option<usize>> = Vec::with_capacity(payments.len());
    let mut unknown = Vec::new();
    for (k, p) in payments.iter().enumerate() {
        let found = p.invoice.as_deref().and_then(|id| index.get(id).copied());
        target.push(found);
        let customer: &str = match (found, &p.invoice, &p.customer) {
            (Some(i), _, _) => &invoices[i].customer,
            (None, _, Some(c)) => c,
            (None, Some(id), None) => {
                unknown.push(id.as_ref());
                continue;
            }
            (None, None, None) => {
                return Err(Error::Input(
                    "a payment has neither an invoice id nor a customer id".into(),
                ));
            }
        };
        by_customer.entry(customer).or_default().1.push(k);
    }
    if !unknown.is_empty() {
        unknown.sort_unstable();
        unknown.dedup();
        let shown: Vec<&str> = unknown.iter().take(5).copied().collect();
        return Err(Error::Input(format!(
            "{} payment{} name an invoice that is not in the invoices and no customer ({}{}); add the customer id to the payments or the invoice to the invoices",
            unknown.len(),
            if unknown.len() == 1 { "" } else { "s" },
            shown.join(", "),
            if unknown.len() > 5 { ", …" } else { "" }
        )));
    }
    // Position of an invoice in its customer's aging order (set while that customer is
    // replayed; NONE for invoices dated after as_of).
    const NONE: usize = usize::MAX;
    let mut pos: Vec<usize> = vec![NONE; invoices.len()];
    let mut customers: Vec<&str> = by_customer.keys().copied().collect();
    customers.sort_unstable();

    let a = params.as_of;
    let start = a as i64 - params.period_days;
    let mut out = Aging {
        buckets: vec![Vec::new(); nb],
        ..Default::default()
    };
    for c in customers {
        let (inv_idx, pay_idx) = &by_customer[c];
        let mut items: Vec<usize> = inv_idx
            .iter()
            .copied()
            .filter(|&i| invoices[i].date <= a)
            .collect();
        // Oldest due date first; then invoice date and id.
        items.sort_by(|&x, &y| {
            let (p, q) = (&invoices[x], &invoices[y]);
            p.due
                .cmp(&q.due)
                .then(p.date.cmp(&q.date))
                .then(p.id.cmp(&q.id))
        });
        for (k, &i) in items.iter().enumerate() {
            pos[i] = k;
        }
        let mut pays: Vec<usize> = pay_idx
            .iter()
            .copied()
            .filter(|&k| payments[k].date <= a)
            .collect();
        pays.sort_by_key(|&k| (payments[k].date, payments[k].invoice.is_none(), k));
        if items.is_empty() && pays.is_empty() {
            // Nothing invoiced or paid by as_of: not a receivable customer yet.
            continue;
        }

        // Arrival order of invoices: by date, then the aging order.
        let mut arrivals: Vec<usize> = (0..items.len()).collect();
        arrivals.sort_by_key(|&k| (invoices[items[k]].date, k));
        let amounts: Vec<i64> = items.iter().map(|&i| invoices[i].amount).collect();
        let mut r = Replay::new(items.len());
        let mut next_arrival = 0;
        let mut arrive_until = |r: &mut Replay, date: i32| {
            while next_arrival < arrivals.len()
                && invoices[items[arrivals[next_arrival]]].date <= date
            {
                let k = arrivals[next_arrival];
                r.arrive(k, amounts[k]);
                next_arrival += 1;
                r.apply_credit(invoices[items[k]].date);
            }
        };
        let mut paid_total: i64 = 0;
        for &k in &pays {
            let p = &payments[k];
            arrive_until(&mut r, p.date);
            paid_total += p.amount;
            match target[k].map(|i| pos[i]) {
                Some(j) if j != NONE && r.arrived[j] => r.pay(j, p.amount, amounts[j] > 0, p.date),
                // Paid on account (or before its invoice is dated): oldest due first.
                _ => r.credit += p.amount,
            }
            r.apply_credit(p.date);
        }
        arrive_until(&mut r, a);
        let Replay {
            open,
            closed,
            credit,
            ..
        } = r;

        let invoiced: i64 = items.iter().map(|&i| invoices[i].amount).sum();
        let mut b = vec![0i64; nb];
        for (k, &i) in items.iter().enumerate() {
            if open[k] == 0 {
                continue;
            }
            let inv = &invoices[i];
            let age = match params.basis {
                Basis::Due => a as i64 - inv.due as i64,
                Basis::Invoice => a as i64 - inv.date as i64,
            };
            b[bucket_of(age, &bounds)] += open[k];
        }
        b[0] -= credit;
        let outstanding: i64 = b.iter().sum();
        if outstanding != invoiced - paid_total {
            return Err(Error::Input(format!(
                "internal check failed for customer {c}: buckets {outstanding} ≠ invoiced {invoiced} − paid {paid_total}"
            )));
        }
        let overdue: i64 = b[1..].iter().sum();
        // Days to pay over invoices (amount > 0) closed by as_of.
        let mut days = Vec::new();
        let (mut late_days, mut late_n) = (0i64, 0usize);
        let mut on_time = 0usize;
        for (k, &i) in items.iter().enumerate() {
            let inv = &invoices[i];
            if inv.amount <= 0 {
                continue;
            }
            if let Some(d) = closed[k] {
                days.push((d - inv.date) as f64);
                late_days += (d as i64 - inv.due as i64).max(0);
                late_n += 1;
                if d <= inv.due {
                    on_time += 1;
                }
            }
        }
        let n_paid = days.len();
        let invoiced_period: i64 = items
            .iter()
            .map(|&i| &invoices[i])
            .filter(|inv| inv.date as i64 > start)
            .map(|inv| inv.amount)
            .sum();
        let opening = items
            .iter()
            .map(|&i| &invoices[i])
            .filter(|inv| inv.date as i64 <= start)
            .map(|inv| inv.amount)
            .sum::<i64>()
            - pays
                .iter()
                .map(|&k| &payments[k])
                .filter(|p| p.date as i64 <= start)
                .map(|p| p.amount)
                .sum::<i64>();
        let (t, dso) = turnover(invoiced_period, opening, outstanding, params.period_days);

        out.customer.push(c.to_string());
        out.invoiced.push(invoiced);
        out.paid.push(paid_total);
        out.outstanding.push(outstanding);
        for (k, v) in b.into_iter().enumerate() {
            out.buckets[k].push(v);
        }
        out.unapplied.push(credit);
        out.overdue.push(overdue);
        out.overdue_share
            .push((outstanding > 0).then(|| overdue as f64 / outstanding as f64));
        out.paid_invoices.push(n_paid);
        out.avg_days_to_pay
            .push((n_paid > 0).then(|| days.iter().sum::<f64>() / n_paid as f64));
        out.on_time_rate
            .push((n_paid > 0).then(|| on_time as f64 / n_paid as f64));
        out.avg_days_late
            .push((late_n > 0).then(|| late_days as f64 / late_n as f64));
        out.invoiced_period.push(invoiced_period);
        out.opening_balance.push(opening);
        out.receivable_turnover.push(t);
        out.dso.push(dso);
        out.invoices.push(items.len());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(id: &str, c: &str, date: i32, due: i32, amount: i64) -> Invoice {
        Invoice {
            id: id.into(),
            customer: c.into(),
            date,
            due,
            amount,
        }
    }
    fn pay(invoice: Option<&str>, c: Option<&str>, date: i32, amount: i64) -> Payment {
        Payment {
            invoice: invoice.map(Into::into),
            customer: c.map(Into::into),
            date,
            amount,
        }
    }
    fn params(as_of: i32) -> Params {
        Params {
            as_of,
            buckets: vec![30, 60, 90],
            basis: Basis::Due,
            period_days: 365,
        }
    }

    #[test]
    fn labels_and_buckets() {
        assert_eq!(
            bucket_labels(&[30, 60, 90]),
            vec!["current", "1_30", "31_60", "61_90", "over_90"]
        );
        let b = [30, 60, 90];
        assert_eq!(bucket_of(-5, &b), 0);
        assert_eq!(bucket_of(0, &b), 0); // due today is current
        assert_eq!(bucket_of(1, &b), 1);
        assert_eq!(bucket_of(30, &b), 1);
        assert_eq!(bucket_of(31, &b), 2);
        assert_eq!(bucket_of(90, &b), 3);
        assert_eq!(bucket_of(91, &b), 4);
    }

    #[test]
    fn buckets_by_days_past_due_and_payments_up_to_as_of() {
        // as_of = 100. I1 due 100 (current), I2 due 69 (31 days past), I3 due 5 (95 past).
        let invoices = vec![
            inv("I1", "A", 70, 100, 1000),
            inv("I2", "A", 39, 69, 500),
            inv("I3", "A", 0, 5, 300),
            inv("I4", "A", 101, 131, 999), // after as_of: not counted
        ];
        let payments = vec![
            pay(Some("I3"), None, 50, 100),  // partial
            pay(Some("I2"), None, 101, 500), // after as_of: still open
        ];
        let a = compute(&invoices, &payments, &params(100)).unwrap();
        assert_eq!(a.customer, vec!["A"]);
        assert_eq!(a.invoiced, vec![1800]);
        assert_eq!(a.paid, vec![100]);
        assert_eq!(a.outstanding, vec![1700]);
        let b: Vec<i64> = a.buckets.iter().map(|v| v[0]).collect();
        assert_eq!(b, vec![1000, 0, 500, 0, 200]);
        assert_eq!(a.overdue, vec![700]);
        assert_eq!(a.paid_invoices, vec![0]);
        assert_eq!(a.avg_days_to_pay, vec![None]);
    }

    #[test]
    fn payments_on_account_go_to_the_oldest_due_first() {
        let invoices = vec![
            inv("I1", "A", 0, 30, 100),
            inv("I2", "A", 10, 20, 100),
            inv("I3", "A", 20, 50, 100),
        ];
        // 150 on account on day 25: I2 (due 20) closed, then I1 half paid
        let payments = vec![pay(None, Some("A"), 25, 150)];
        let a = compute(&invoices, &payments, &params(60)).unwrap();
        // as_of 60: I1 due 30 → 30 days past (1_30) with 50 open; I3 due 50 → 10 past, 100 open
        let b: Vec<i64> = a.buckets.iter().map(|v| v[0]).collect();
        assert_eq!(b, vec![0, 150, 0, 0, 0]);
        assert_eq!(a.paid_invoices, vec![1]);
        // I2: invoiced day 10, closed day 25 → 15 days, late (due 20)
        assert_eq!(a.avg_days_to_pay, vec![Some(15.0)]);
        assert_eq!(a.on_time_rate, vec![Some(0.0)]);
        // I2 closed day 25, due 20 → 5 days late (open invoices do not count)
        assert_eq!(a.avg_days_late, vec![Some(5.0)]);
    }

    #[test]
    fn overpayment_and_credit_notes_are_unapplied_credit_in_current() {
        let invoices = vec![
            inv("I1", "A", 0, 30, 100),
            inv("CN1", "A", 5, 5, -40),
            inv("I2", "A", 50, 80, 100),
        ];
        // I1 paid 100 on day 10 → closed; credit note 40 waits; I2 arrives day 50 and absorbs it
        let payments = vec![pay(Some("I1"), None, 10, 100), pay(None, Some("A"), 20, 30)];
        let a = compute(&invoices, &payments, &params(100)).unwrap();
        assert_eq!(a.invoiced, vec![160]);
        assert_eq!(a.paid, vec![130]);
        assert_eq!(a.outstanding, vec![30]);
        // I2 open 100 − 70 credit = 30, 20 days past due
        let b: Vec<i64> = a.buckets.iter().map(|v| v[0]).collect();
        assert_eq!(b, vec![0, 30, 0, 0, 0]);
        assert_eq!(a.unapplied, vec![0]);
        // More payments than invoices: negative current
        let payments = vec![pay(None, Some("A"), 60, 500)];
        let a = compute(&invoices, &payments, &params(100)).unwrap();
        assert_eq!(a.outstanding, vec![-340]);
        assert_eq!(a.unapplied, vec![340]);
        assert_eq!(a.buckets[0], vec![-340]);
    }

    #[test]
    fn turnover_and_dso() {
        // invoiced 1200 in the period, balances 100 → 300: avg 200 → turnover 6, DSO 365/6
        let (t, d) = turnover(1200, 100, 300, 365);
        assert_eq!(t, Some(6.0));
        assert!((d.unwrap() - 365.0 / 6.0).abs() < 1e-12);
        assert_eq!(turnover(1200, 0, 0, 365), (None, None));
        assert_eq!(turnover(0, 100, 300, 365), (None, None));
    }

    #[test]
    fn unknown_invoices_without_customer_are_errors() {
        let e = compute(&[], &[pay(Some("X9"), None, 1, 5)], &params(10))
            .unwrap_err()
            .to_string();
        assert!(e.contains("X9"), "{e}");
        // with a customer: on account
        let a = compute(&[], &[pay(Some("X9"), Some("B"), 1, 5)], &params(10)).unwrap();
        assert_eq!(a.outstanding, vec![-5]);
    }

    #[test]
    fn a_payment_before_its_invoice_is_credit_for_the_oldest_due() {
        // I2 is dated day 40; its payment on day 20 is credit, which I1 (open then) absorbs
        // first; I2 arrives on day 40 and takes what is left.
        let invoices = vec![inv("I1", "A", 0, 30, 100), inv("I2", "A", 40, 70, 100)];
        let payments = vec![pay(Some("I2"), None, 20, 150)];
        let a = compute(&invoices, &payments, &params(50)).unwrap();
        assert_eq!(a.outstanding, vec![50]);
        // I1 closed on day 20 (on time), I2 half open and current
        assert_eq!(a.buckets[0], vec![50]);
        assert_eq!(a.paid_invoices, vec![1]);
        assert_eq!(a.on_time_rate, vec![Some(1.0)]);
        // Aged on day 30, I2 is not yet issued: the payment still belongs to customer A
        let a = compute(&invoices, &payments, &params(30)).unwrap();
        assert_eq!(a.customer, vec!["A"]);
        assert_eq!(a.invoiced, vec![100]);
        assert_eq!(a.outstanding, vec![-50]);
        assert_eq!(a.unapplied, vec![50]);
    }

    #[test]
    fn a_refund_reopens_its_invoice_for_later_credit() {
        let invoices = vec![
            inv("I1", "A", 0, 10, 100),
            inv("I2", "A", 0, 20, 100),
            inv("I3", "A", 0, 30, 100),
        ];
        let payments = vec![
            // day 5, 250 on account: I1 and I2 closed, I3 has 50 open
            pay(None, Some("A"), 5, 250),
            // day 8, 100 refunded on I1: I1 open again (100)
            pay(Some("I1"), None, 8, -100),
            // day 12, 120 on account: I1 (oldest due) takes 100, I3 20
            pay(None, Some("A"), 12, 120),
        ];
        let a = compute(&invoices, &payments, &params(40)).unwrap();
        assert_eq!(a.invoiced, vec![300]);
        assert_eq!(a.paid, vec![270]);
        assert_eq!(a.outstanding, vec![30]);
        // I3: 30 open, due 30, aged on day 40 → 10 days past due
        let b: Vec<i64> = a.buckets.iter().map(|v| v[0]).collect();
        assert_eq!(b, vec![0, 30, 0, 0, 0]);
        assert_eq!(a.unapplied, vec![0]);
        // I1 and I2 first closed on day 5, both on time
        assert_eq!(a.paid_invoices, vec![2]);
        assert_eq!(a.avg_days_to_pay, vec![Some(5.0)]);
        assert_eq!(a.on_time_rate, vec![Some(1.0)]);
    }

    #[test]
    fn many_payments_on_account_close_invoices_oldest_first() {
        // Invoice m (m < n) dated m, due m + 30, 100; 50 on account every day. As of n − 1
        // the 50·n paid closes invoices 0..n/2 exactly, invoice m on day 2m + 1.
        let n = 20_000;
        let ids: Vec<String> = (0..n).map(|m| format!("I{m:05}")).collect();
        let invoices: Vec<Invoice> = (0..n)
            .map(|m| inv(&ids[m as usize], "A", m, m + 30, 100))
            .collect();
        let payments: Vec<Payment> = (0..n).map(|d| pay(None, Some("A"), d, 50)).collect();
        let a = compute(&invoices, &payments, &params(n - 1)).unwrap();
        assert_eq!(a.invoiced, vec![100 * n as i64]);
        assert_eq!(a.paid, vec![50 * n as i64]);
        assert_eq!(a.outstanding, vec![50 * n as i64]);
        assert_eq!(a.paid_invoices, vec![n as usize / 2]);
        // days to pay m + 1 for m < n/2: mean (n/2 + 1)/2
        assert_eq!(a.avg_days_to_pay, vec![Some((n as f64 / 2.0 + 1.0) / 2.0)]);
        // on time when 2m + 1 ≤ m + 30: m ≤ 29
        assert_eq!(a.on_time_rate, vec![Some(30.0 / (n as f64 / 2.0))]);
        // open: m ≥ n/2, days past due n − 31 − m; current when ≤ 0 (31 invoices),
        // 30 invoices in each of 1_30, 31_60, 61_90, the rest over 90
        let b: Vec<i64> = a.buckets.iter().map(|v| v[0]).collect();
        let over = 50 * n as i64 - 3100 - 9000;
        assert_eq!(b, vec![3100, 3000, 3000, 3000, over]);
        assert_eq!(a.unapplied, vec![0]);
    }

    #[test]
    fn an_invoice_id_twice_is_an_error() {
        let e = compute(
            &[inv("I1", "A", 0, 30, 100), inv("I1", "A", 5, 35, 50)],
            &[],
            &params(60),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("invoice I1 appears twice for customer A"), "{e}");
        let e = compute(
            &[inv("I1", "A", 0, 30, 100), inv("I1", "B", 5, 35, 50)],
            &[],
            &params(60),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("belongs to two customers (A and B)"), "{e}");
    }
}
