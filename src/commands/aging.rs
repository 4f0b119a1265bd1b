//! `crm-cli aging`: receivables aged as of a date, days to pay, turnover and DSO.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use polars::prelude::*;

use super::{Output, date_arg, load_options, money};
use crate::analytics::aging::{self, Aging, Basis, Invoice, Payment, bucket_labels};
use crate::analytics::pareto;
use crate::analytics::rollup::Shipments;
use crate::analytics::window::Window;
use crate::cli::{AgingArgs, BasisArg};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::io::fields::Dataset;
use crate::io::load::{self, Loaded, Request, date_from_days, days_since_epoch};
use crate::io::source;
use crate::render::{Cell, ColKind, Column, Report, Table};

/// How many customers the summary lists as top overdue.
const TOP: usize = 10;

/// Bring money columns of two loads to one scale: returns the factor for each.
fn common_scale(a: u32, b: u32) -> (u32, i64, i64) {
    let s = a.max(b);
    (s, 10i64.pow(s - a), 10i64.pow(s - b))
}

pub fn run(args: &AgingArgs, cfg: &Config, progress: bool) -> Result<Output> {
    let inputs = source::resolve_inputs(&args.files)?;
    let pay_inputs = source::resolve_inputs(&args.payments)?;
    let ship_inputs = source::resolve_inputs(&args.shipments)?;
    let as_of_arg = date_arg("--as-of", args.as_of.as_deref())?;
    let mut bounds = Vec::new();
    for part in args.buckets.split(',') {
        let v: i64 = part.trim().parse().map_err(|_| {
            Error::Usage(format!(
                "--buckets {}: expected whole days like 30,60,90",
                args.buckets
            ))
        })?;
        if v < 1 || bounds.last().is_some_and(|&l| v <= l) {
            return Err(Error::Usage(format!(
                "--buckets {}: days must be positive and strictly ascending",
                args.buckets
            )));
        }
        bounds.push(v);
    }
    if args.period == 0 {
        return Err(Error::Usage("--period must be at least 1 day".into()));
    }

    let params = aging::Params {
        as_of: 0,
        buckets: bounds.clone(),
        basis: match args.basis {
            BasisArg::Due => Basis::Due,
            BasisArg::Invoice => Basis::Invoice,
        },
        period_days: args.period as i64,
    };
    let ledger = load_ledger(&inputs, &pay_inputs, &args.input, cfg, progress, args.terms)?;
    let as_of = as_of_arg.map_or(ledger.latest, days_since_epoch);
    let (result, notes) = ledger.age(&aging::Params { as_of, ..params })?;
    let (scale, names) = (ledger.scale, &ledger.names);
    let a_class = if ship_inputs.is_empty() {
        None
    } else {
        Some(a_class_customers(&ship_inputs, args, cfg, progress, as_of)?)
    };
    let view = View {
        a: &result,
        names,
        scale,
        labels: bucket_labels(&bounds),
        as_of,
        period: args.period,
    };
    let report = if args.summary {
        view.summary(a_class.as_ref())
    } else {
        Report::Rows(view.rows())
    };
    Ok(Output { report, notes })
}

/// Invoices and payments of a run, read and merged, ready to be aged at any date.
pub struct LedgerData {
    pub invoices: Vec<Invoice>,
    pub payments: Vec<Payment>,
    /// Paid amounts without a paid date.
    pub undated: Vec<Undated>,
    pub names: HashMap<String, String>,
    /// Latest invoice or payment date in the data (days since epoch).
    pub latest: i32,
    /// Money scale of invoices and payments together.
    pub scale: u32,
    pub notes: Vec<String>,
}

/// Read invoices (and a separate payments export) as `crm-cli aging` does.
pub fn load_ledger(
    inputs: &[source::Input],
    pay_inputs: &[source::Input],
    input: &crate::cli::InputArgs,
    cfg: &Config,
    progress: bool,
    terms: u32,
) -> Result<LedgerData> {
    let opts = load_options(input, cfg, Dataset::Invoices, progress)?;
    let fields = [
        "invoice_id",
        "customer_id",
        "customer_name",
        "invoice_date",
        "due_date",
        "amount",
        "paid_amount",
        "paid_date",
    ];
    let req = Request {
        dataset: Dataset::Invoices,
        fields: &fields,
        extra_columns: &[],
        exact: &[],
    };
    let loaded = load::load(inputs, &req, &opts)?;
    let mut notes = loaded.notes.clone();
    let payments_loaded = if pay_inputs.is_empty() {
        None
    } else {
        let popts = load_options(input, cfg, Dataset::Payments, progress)?;
        let preq = Request {
            dataset: Dataset::Payments,
            fields: &["invoice_id", "customer_id", "payment_date", "amount"],
            extra_columns: &[],
            exact: &[],
        };
        let p = load::load(pay_inputs, &preq, &popts)?;
        notes.extend(p.notes.iter().cloned());
        Some(p)
    };
    let pay_scale = payments_loaded.as_ref().map_or(0, |p| p.money_scale);
    let (scale, inv_factor, pay_factor) = common_scale(loaded.money_scale, pay_scale);
    let (invoices, mut payments, names, mut latest, undated) = ledger(&loaded, terms, inv_factor)?;
    if let Some(p) = &payments_loaded {
        let df =
            p.df.clone()
                .lazy()
                .select([
                    text_col(&p.df, "invoice_id"),
                    text_col(&p.df, "customer_id"),
                    col("payment_date").cast(DataType::Int32),
                    col("amount").cast(DataType::Int64),
                ])
                .collect()?;
        let mut ids = SharedIds::default();
        let inv = df.column("invoice_id")?.str()?.iter();
        let cust = df.column("customer_id")?.str()?.iter();
        let date = df.column("payment_date")?.i32()?.iter();
        let amount = df.column("amount")?.i64()?.iter();
        payments.reserve(df.height());
        for (((inv, cust), d), a) in inv.zip(cust).zip(date).zip(amount) {
            let (Some(d), Some(a)) = (d, a) else {
                continue;
            };
            latest = latest.max(d);
            payments.push(Payment {
                invoice: inv.map(Arc::from),
                customer: cust.map(|c| ids.customer(c)),
                date: d,
                amount: a * pay_factor,
            });
        }
    }
    Ok(LedgerData {
        invoices,
        payments,
        undated,
        names,
        latest,
        scale,
        notes,
    })
}

impl LedgerData {
    /// Age the ledger at `params.as_of`; the notes include the loader's.
    pub fn age(&self, params: &aging::Params) -> Result<(Aging, Vec<String>)> {
        let as_of = params.as_of;
        let mut notes = self.notes.clone();
        // paid_amount without paid_date: paid by the latest date in the data.
        // Only those of invoices dated by as_of: an invoice not yet issued was not yet paid.
        let undated: Vec<Payment> = self
            .undated
            .iter()
            .filter(|u| u.invoice_date <= as_of)
            .map(|u| Payment {
                date: self.latest.min(as_of),
                ..u.payment.clone()
            })
            .collect();
        if !undated.is_empty() && as_of < self.latest {
            notes.push(format!(
                "{} paid amount{} without a paid date taken as paid by the as-of date {} (the data runs to {})",
                undated.len(),
                if undated.len() == 1 { "" } else { "s" },
                date_from_days(as_of),
                date_from_days(self.latest)
            ));
        }
        let result = aging::compute(&self.invoices, self.payments.iter().chain(&undated), params)?;
        if result.is_empty() {
            return Err(Error::Input(format!(
                "no invoices dated on or before {}",
                date_from_days(as_of)
            )));
        }
        Ok((result, notes))
    }
}

/// A paid amount without a paid date: paid by the latest date in the data, or by the as-of
/// date when that is earlier.
pub struct Undated {
    /// The payment; its date is set when the ledger is aged.
    pub payment: Payment,
    pub invoice_date: i32,
}

/// Shares one copy of a customer id among consecutive rows of that customer (the ledger is
/// sorted by customer), so a million invoices hold as many customer ids as there are
/// customers.
#[derive(Default)]
struct SharedIds {
    last: Option<Arc<str>>,
}

impl SharedIds {
    fn customer(&mut self, c: &str) -> Arc<str> {
        match &self.last {
            Some(l) if **l == *c => l.clone(),
            _ => {
                let id: Arc<str> = Arc::from(c);
                self.last = Some(id.clone());
                id
            }
        }
    }
}

/// A text column of a load as String (a null column when the load has none).
fn text_col(df: &DataFrame, name: &str) -> Expr {
    if df.get_column_names().iter().any(|n| n.as_str() == name) {
        col(name).cast(DataType::String)
    } else {
        lit(Null {}).cast(DataType::String).alias(name)
    }
}

type Ledger = (
    Vec<Invoice>,
    Vec<Payment>,
    HashMap<String, String>,
    i32,
    Vec<Undated>,
);

/// Invoices (duplicate ids merged), the payments written on them, customer names, the latest
/// date in the data, and the paid amounts that have no date.
fn ledger(loaded: &Loaded, terms: u32, factor: i64) -> Result<Ledger> {
    // Rows of one invoice are merged; when the loader found every invoice id on one row only,
    // each row is its own invoice and the same columns are taken directly (no group-by over
    // millions of string keys).
    let lf = loaded.df.clone().lazy();
    let lf = if loaded.repeated_ids {
        lf.group_by([col("invoice_id"), col("customer_id")]).agg(
            [
                Some(
                    col("invoice_date")
                        .cast(DataType::Int32)
                        .min()
                        .alias("date"),
                ),
                loaded
                    .has("due_date")
                    .then(|| col("due_date").cast(DataType::Int32).min().alias("due")),
                Some(col("amount").sum().alias("amount")),
                loaded
                    .has("paid_amount")
                    .then(|| col("paid_amount").sum().alias("paid")),
                loaded
                    .has("paid_amount")
                    .then(|| col("paid_amount").count().alias("paid_n")),
                loaded.has("paid_date").then(|| {
                    col("paid_date")
                        .cast(DataType::Int32)
                        .max()
                        .alias("paid_date")
                }),
                loaded
                    .has("customer_name")
                    .then(|| col("customer_name").drop_nulls().last().alias("name")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>(),
        )
    } else {
        lf.select(
            [
                Some(col("invoice_id")),
                Some(col("customer_id")),
                Some(col("invoice_date").cast(DataType::Int32).alias("date")),
                loaded
                    .has("due_date")
                    .then(|| col("due_date").cast(DataType::Int32).alias("due")),
                // a one-row sum: the value, 0 for none
                Some(col("amount").fill_null(lit(0i64)).alias("amount")),
                loaded
                    .has("paid_amount")
                    .then(|| col("paid_amount").fill_null(lit(0i64)).alias("paid")),
                loaded.has("paid_amount").then(|| {
                    col("paid_amount")
                        .is_not_null()
                        .cast(DataType::Int64)
                        .alias("paid_n")
                }),
                loaded
                    .has("paid_date")
                    .then(|| col("paid_date").cast(DataType::Int32).alias("paid_date")),
                loaded
                    .has("customer_name")
                    .then(|| col("customer_name").alias("name")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>(),
        )
    };
    // Every column present, with one type each (a null column for what the load has not).
    let typed = |name: &str, has: bool, dtype: DataType| {
        if has {
            col(name).cast(dtype)
        } else {
            lit(Null {}).cast(dtype).alias(name)
        }
    };
    let (has_due, has_paid) = (loaded.has("due_date"), loaded.has("paid_amount"));
    let df = lf
        .select([
            col("invoice_id").cast(DataType::String),
            col("customer_id").cast(DataType::String),
            col("date").cast(DataType::Int32),
            typed("due", has_due, DataType::Int32),
            col("amount").cast(DataType::Int64),
            typed("paid", has_paid, DataType::Int64),
            typed("paid_n", has_paid, DataType::Int64),
            typed("paid_date", loaded.has("paid_date"), DataType::Int32),
            typed("name", loaded.has("customer_name"), DataType::String),
        ])
        .sort(["customer_id", "invoice_id"], Default::default())
        .collect()?;
    let ids = df.column("invoice_id")?.str()?.iter();
    let cust = df.column("customer_id")?.str()?.iter();
    let date = df.column("date")?.i32()?.iter();
    let due = df.column("due")?.i32()?.iter();
    let amount = df.column("amount")?.i64()?.iter();
    let paid = df.column("paid")?.i64()?.iter();
    let paid_n = df.column("paid_n")?.i64()?.iter();
    let paid_date = df.column("paid_date")?.i32()?.iter();
    let name = df.column("name")?.str()?.iter();
    let rows = ids
        .zip(cust)
        .zip(date)
        .zip(due)
        .zip(amount)
        .zip(paid)
        .zip(paid_n)
        .zip(paid_date)
        .zip(name);
    let mut invoices = Vec::with_capacity(df.height());
    let mut payments = Vec::new();
    let mut undated = Vec::new();
    let mut names = HashMap::new();
    let mut latest = i32::MIN;
    let mut customers = SharedIds::default();
    for ((((((((id, c), d), due), amount), paid), paid_n), paid_date), name) in rows {
        let (Some(id), Some(c), Some(d)) = (id, c, d) else {
            continue;
        };
        latest = latest.max(d);
        if let Some(n) = name
            && !names.contains_key(c)
        {
            names.insert(c.to_string(), n.to_string());
        }
        let id: Arc<str> = Arc::from(id);
        let c = customers.customer(c);
        invoices.push(Invoice {
            id: id.clone(),
            customer: c.clone(),
            date: d,
            due: due.unwrap_or(d + terms as i32),
            amount: amount.unwrap_or(0) * factor,
        });
        if paid_n.unwrap_or(0) > 0
            && let Some(p) = paid
            && p != 0
        {
            let payment = Payment {
                invoice: Some(id),
                customer: Some(c),
                date: paid_date.unwrap_or(d),
                amount: p * factor,
            };
            match paid_date {
                Some(pd) => {
                    latest = latest.max(pd);
                    payments.push(payment);
                }
                None => undated.push(Undated {
                    payment,
                    invoice_date: d,
                }),
            }
        }
    }
    Ok((invoices, payments, names, latest, undated))
}

/// Customers in Pareto class A by revenue up to as_of (default cutoffs 80, 95).
fn a_class_customers(
    inputs: &[source::Input],
    args: &AgingArgs,
    cfg: &Config,
    progress: bool,
    as_of: i32,
) -> Result<HashSet<String>> {
    let opts = load_options(&args.input, cfg, Dataset::Shipments, progress)?;
    let req = Request {
        dataset: Dataset::Shipments,
        fields: &["customer_id", "ship_date", "revenue"],
        extra_columns: &[],
        exact: &[],
    };
    let params = pareto::Params {
        window: Window {
            from: None,
            to: None,
            as_of: Some(date_from_days(as_of)),
        },
        keys: vec!["customer_id".into()],
        within: None,
        measure: pareto::Measure::Sum("revenue".into()),
        cutoffs: [80.into(), 95.into()],
        with_names: false,
    };
    let loaded = load::load_rolled(inputs, &req, &opts, &pareto::rollup_spec(&params))?;
    let items = pareto::compute(Shipments::of(&loaded), &params)?;
    Ok((0..items.len())
        .filter(|&i| items.class[i] == "A")
        .filter_map(|i| items.keys[0][i].clone())
        .collect())
}

struct View<'a> {
    a: &'a Aging,
    names: &'a HashMap<String, String>,
    scale: u32,
    labels: Vec<String>,
    as_of: i32,
    period: u32,
}

/// The `--summary` report (as `aging --summary`; `a_class` as with `--shipments`), for `report`.
pub fn summary_report(
    a: &Aging,
    ledger: &LedgerData,
    params: &aging::Params,
    a_class: Option<&HashSet<String>>,
) -> Report {
    View {
        a,
        names: &ledger.names,
        scale: ledger.scale,
        labels: bucket_labels(&params.buckets),
        as_of: params.as_of,
        period: u32::try_from(params.period_days).unwrap_or(u32::MAX),
    }
    .summary(a_class)
}

fn column(key: &str, kind: ColKind, zh: &str) -> Column {
    Column::new(key, kind).zh(zh)
}

impl View<'_> {
    fn money(&self, v: i64) -> Cell {
        Cell::Money(money(v as i128, self.scale))
    }

    /// Rows: overdue descending, outstanding descending, customer id.
    fn order(&self) -> Vec<usize> {
        let a = self.a;
        let mut order: Vec<usize> = (0..a.len()).collect();
        order.sort_by(|&x, &y| {
            a.overdue[y]
                .cmp(&a.overdue[x])
                .then(a.outstanding[y].cmp(&a.outstanding[x]))
                .then(a.customer[x].cmp(&a.customer[y]))
        });
        order
    }

    fn bucket_zh(label: &str) -> String {
        match label {
            "current" => "未到期".into(),
            l if l.starts_with("over_") => format!("超{}天", &l[5..]),
            l => format!("逾期{}天", l.replace('_', "-")),
        }
    }

    fn customer_columns(&self) -> Vec<Column> {
        let mut columns = vec![column("customer_id", ColKind::Text, "客户编号")];
        if !self.names.is_empty() {
            columns.push(column("customer_name", ColKind::Text, "客户名称"));
        }
        columns
    }

    fn customer_cells(&self, i: usize) -> Vec<Cell> {
        let c = &self.a.customer[i];
        let mut cells = vec![Cell::Str(c.clone())];
        if !self.names.is_empty() {
            cells.push(self.names.get(c).cloned().map_or(Cell::Null, Cell::Str));
        }
        cells
    }

    fn rows(&self) -> Table {
        let a = self.a;
        let mut columns = self.customer_columns();
        columns.extend([
            column("invoices", ColKind::Int, "发票数"),
            column("invoiced", ColKind::Money, "开票金额"),
            column("paid", ColKind::Money, "已收金额"),
            column("outstanding", ColKind::Money, "应收余额"),
        ]);
        for l in &self.labels {
            columns.push(Column::new(l, ColKind::Money).zh(&Self::bucket_zh(l)));
        }
        columns.extend([
            column("overdue_share", ColKind::Share, "逾期占比"),
            column("avg_days_to_pay", ColKind::Float, "平均回款天数"),
            column("on_time_rate", ColKind::Share, "按时回款率"),
            column("invoiced_period", ColKind::Money, "期间开票"),
            column("receivable_turnover", ColKind::Float, "应收周转率"),
            column("dso", ColKind::Float, "DSO"),
        ]);
        let opt = |v: Option<f64>| v.map_or(Cell::Null, Cell::Float);
        let rows = self
            .order()
            .into_iter()
            .map(|i| {
                let mut row = self.customer_cells(i);
                row.extend([
                    Cell::Int(a.invoices[i] as i64),
                    self.money(a.invoiced[i]),
                    self.money(a.paid[i]),
                    self.money(a.outstanding[i]),
                ]);
                for b in &a.buckets {
                    row.push(self.money(b[i]));
                }
                row.extend([
                    opt(a.overdue_share[i]),
                    opt(a.avg_days_to_pay[i]),
                    opt(a.on_time_rate[i]),
                    self.money(a.invoiced_period[i]),
                    opt(a.receivable_turnover[i]),
                    opt(a.dso[i]),
                ]);
                row
            })
            .collect();
        let sum = |v: &[i64]| v.iter().sum::<i64>();
        let totals = columns
            .iter()
            .map(|c| match c.key.as_str() {
                "invoices" => Cell::Int(a.invoices.iter().sum::<usize>() as i64),
                "invoiced" => self.money(sum(&a.invoiced)),
                "paid" => self.money(sum(&a.paid)),
                "outstanding" => self.money(sum(&a.outstanding)),
                "invoiced_period" => self.money(sum(&a.invoiced_period)),
                k => match self.labels.iter().position(|l| l == k) {
                    Some(b) => self.money(sum(&a.buckets[b])),
                    None => Cell::Null,
                },
            })
            .collect();
        Table {
            name: "customers".into(),
            title: "Receivable aging".into(),
            title_zh: Some("应收账款账龄".into()),
            columns,
            rows,
            totals: Some(totals),
        }
    }

    fn summary(&self, a_class: Option<&HashSet<String>>) -> Report {
        let a = self.a;
        let sum = |v: &[i64]| v.iter().sum::<i64>();
        let outstanding = sum(&a.outstanding);
        let overdue = sum(&a.overdue);
        let (turnover, dso) = aging::turnover(
            sum(&a.invoiced_period),
            sum(&a.opening_balance),
            outstanding,
            self.period as i64,
        );
        let opt = |v: Option<f64>| v.map_or(Cell::Null, Cell::Float);
        let mut fields = vec![
            (
                column("as_of", ColKind::Date, "截至日期"),
                Cell::Date(date_from_days(self.as_of)),
            ),
            (
                column("customers", ColKind::Int, "客户数"),
                Cell::Int(a.len() as i64),
            ),
            (
                column("invoices", ColKind::Int, "发票数"),
                Cell::Int(a.invoices.iter().sum::<usize>() as i64),
            ),
            (
                column("invoiced", ColKind::Money, "开票金额"),
                self.money(sum(&a.invoiced)),
            ),
            (
                column("paid", ColKind::Money, "已收金额"),
                self.money(sum(&a.paid)),
            ),
            (
                column("outstanding", ColKind::Money, "应收余额"),
                self.money(outstanding),
            ),
            (
                column("overdue", ColKind::Money, "逾期金额"),
                self.money(overdue),
            ),
            (
                column("overdue_share", ColKind::Share, "逾期占比"),
                opt((outstanding > 0).then(|| overdue as f64 / outstanding as f64)),
            ),
            (
                column("period_days", ColKind::Int, "周转期间天数"),
                Cell::Int(self.period as i64),
            ),
            (
                column("receivable_turnover", ColKind::Float, "应收周转率"),
                opt(turnover),
            ),
            (column("dso", ColKind::Float, "DSO"), opt(dso)),
        ];
        if let Some(set) = a_class {
            let members: Vec<usize> = (0..a.len())
                .filter(|&i| set.contains(&a.customer[i]))
                .collect();
            fields.push((
                column("a_class_customers", ColKind::Int, "A类客户数"),
                Cell::Int(set.len() as i64),
            ));
            fields.push((
                column("a_class_overdue", ColKind::Money, "A类客户逾期金额"),
                self.money(members.iter().map(|&i| a.overdue[i]).sum()),
            ));
        }
        let buckets = Table {
            name: "buckets".into(),
            title: "Buckets".into(),
            title_zh: Some("账龄区间".into()),
            columns: vec![
                column("bucket", ColKind::Label, "账龄区间"),
                column("amount", ColKind::Money, "金额"),
                column("share", ColKind::Share, "占比"),
                column("customers", ColKind::Int, "客户数"),
            ],
            rows: self
                .labels
                .iter()
                .enumerate()
                .map(|(k, l)| {
                    let v = sum(&a.buckets[k]);
                    vec![
                        Cell::Str(l.clone()),
                        self.money(v),
                        opt((outstanding > 0).then(|| v as f64 / outstanding as f64)),
                        Cell::Int(a.buckets[k].iter().filter(|&&x| x > 0).count() as i64),
                    ]
                })
                .collect(),
            totals: Some(vec![
                Cell::Null,
                self.money(outstanding),
                Cell::Null,
                Cell::Null,
            ]),
        };
        let mut columns = self.customer_columns();
        columns.extend([
            column("overdue", ColKind::Money, "逾期金额"),
            column("outstanding", ColKind::Money, "应收余额"),
            column("overdue_share", ColKind::Share, "逾期占比"),
            column("dso", ColKind::Float, "DSO"),
        ]);
        let rows = self
            .order()
            .into_iter()
            .filter(|&i| a.overdue[i] > 0)
            .take(TOP)
            .map(|i| {
                let mut row = self.customer_cells(i);
                row.extend([
                    self.money(a.overdue[i]),
                    self.money(a.outstanding[i]),
                    opt(a.overdue_share[i]),
                    opt(a.dso[i]),
                ]);
                row
            })
            .collect();
        let top = Table {
            name: "top_overdue".into(),
            title: "Top overdue customers".into(),
            title_zh: Some("逾期金额最高的客户".into()),
            columns,
            rows,
            totals: None,
        };
        Report::Summary {
            title: "Receivable aging".into(),
            fields,
            tables: vec![buckets, top],
        }
    }
}
