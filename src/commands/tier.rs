//! `crm-cli tier`: RFM scores, segments and the value pyramid per customer.

use rust_decimal::Decimal;

use super::{
    GroupColumn, Output, check_group_loaded, decimal_list, group_column, load_options,
    minor_units_ceil, money, window_args,
};
use crate::analytics::activity;
use crate::analytics::rfm::{self, Bins, Customers, Params, SegmentRule, Tiering};
use crate::analytics::rollup::Shipments;
use crate::analytics::window::Window;
use crate::cli::{FrequencyArg, ScoresArg, TierArgs, TierByArg, ValueArg};
use crate::config::{Config, Setting};
use crate::error::{Error, Result};
use crate::io::fields::{Dataset, Kind};
use crate::io::load::{self, Request};
use crate::io::source;
use crate::render::{Cell, ColKind, Column, Report, Table};

/// Fields `tier` reads; others are never parsed.
const FIELDS: &[&str] = &[
    "shipment_id",
    "customer_id",
    "customer_name",
    "ship_date",
    "revenue",
];
pub fn run(args: &TierArgs, cfg: &Config, progress: bool) -> Result<Output> {
    // Resolve every option before reading data, so usage errors come first.
    let inputs = source::resolve_inputs(&args.files)?;
    let opts = load_options(&args.input, cfg, Dataset::Shipments, progress)?;
    let plan = plan(args, cfg)?;
    let group = plan.group.clone();

    let mut fields: Vec<&'static str> = FIELDS.to_vec();
    if args.value == ValueArg::Margin {
        fields.push("cost");
    }
    let mut extra = Vec::new();
    match &group {
        Some(GroupColumn { field: Some(f), .. }) => fields.push(f),
        Some(g) => extra.push((g.name.clone(), Kind::Text)),
        None => {}
    }
    let req = Request {
        dataset: Dataset::Shipments,
        fields: &fields,
        extra_columns: &extra,
        exact: &[],
    };
    // The rollup does not depend on the money scale or the ids, known once loaded.
    let spec = rfm::rollup_spec(&plan.params(args, 0, activity::Ids::MayRepeat));
    let loaded = load::load_rolled(&inputs, &req, &opts, &spec)?;
    if let Some(g) = &group {
        check_group_loaded("--by", g, &loaded)?;
    }
    let scale = loaded.money_scale;
    let mut notes = loaded.notes.clone();
    let params = plan.params(args, scale, activity::Ids::new(loaded.repeated_ids));
    for j in rfm::unreachable_rules(&params.segments) {
        notes.push(format!(
            "segment rule '{}' can never match: earlier rules cover all its scores",
            params.segments[j].name
        ));
    }
    let customers = rfm::compute(Shipments::of(&loaded), &params)?;
    let outside = customers.loaded_rows.saturating_sub(customers.rows);
    if outside > 0
        && let (Some(start), Some(end)) = (customers.window_start, customers.as_of)
    {
        notes.push(format!(
            "{outside} row{} outside the window {start} to {end} left out",
            if outside == 1 { "" } else { "s" }
        ));
    }
    if params.value == rfm::Value::Margin && customers.rows_without_cost > 0 {
        notes.push(format!(
            "{} row{} without a cost counted with cost 0 in margin",
            customers.rows_without_cost,
            if customers.rows_without_cost == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    let report = if args.summary {
        summary_report(&customers, &params, &plan.bin_texts)
    } else {
        Report::Rows(customer_table(&customers, params.group.as_deref(), scale))
    };
    Ok(Output { report, notes })
}

/// Every option of `tier` resolved (flags, then crm.toml, then the defaults) before any data is
/// read; [`Plan::params`] completes it once the data's money scale is known.
pub struct Plan {
    pub window: Window,
    pub group: Option<GroupColumn>,
    segments: Vec<SegmentRule>,
    tiering: TieringSpec,
    bins: BinSpecs,
    /// The fixed-bin specs as written (flags, else crm.toml), for the summary.
    pub bin_texts: Vec<String>,
}

pub fn plan(args: &TierArgs, cfg: &Config) -> Result<Plan> {
    let window = window_args(
        args.dates.from.as_deref(),
        args.dates.to.as_deref(),
        args.dates.as_of.as_deref(),
    )?;
    let group = match &args.by {
        Some(b) => {
            let g = group_column("--by", b, Dataset::Shipments)?;
            if g.field == Some("customer_name") {
                return Err(Error::Usage(
                    "--by customer_name: tiers are per customer already; group by lane, origin, destination, mode or another column".into(),
                ));
            }
            Some(g)
        }
        None => None,
    };
    let segments = segment_rules(cfg)?;
    let tier_cfg = &cfg.tier;
    let tiering = match args.tier_by {
        TierByArg::Pyramid => {
            let s = Setting::pick(
                "--pyramid",
                args.pyramid.as_deref(),
                tier_cfg.pyramid.as_deref(),
                cfg,
                "[tier] pyramid",
                "1,4,15",
            );
            let p = decimal_list(s, 3)?;
            if p.iter().any(|x| x.is_sign_negative())
                || p.iter().sum::<Decimal>() > Decimal::from(100)
            {
                return Err(s.error("percentages must be ≥ 0 and add up to at most 100"));
            }
            TieringSpec::Pyramid([p[0], p[0] + p[1], p[0] + p[1] + p[2]])
        }
        TierByArg::Spend => {
            let s = Setting::pick(
                "--thresholds",
                args.thresholds.as_deref(),
                tier_cfg.thresholds.as_deref(),
                cfg,
                "[tier] thresholds",
                "500000,100000",
            );
            let t = decimal_list(s, 2)?;
            if t[0] < t[1] {
                return Err(s.error("the Large threshold comes first and must be ≥ the Medium one"));
            }
            TieringSpec::Spend(t[0], t[1])
        }
    };
    let bin_texts: Vec<String> = if args.bins.is_empty() {
        cfg.tier.bins.clone()
    } else {
        args.bins.clone()
    };
    let bins = if args.bins.is_empty() {
        let specs: Vec<Setting<'_>> = tier_cfg
            .bins
            .iter()
            .map(|b| Setting::from_file(cfg, "[tier] bins", b))
            .collect();
        parse_bins(&specs)?
    } else {
        let specs: Vec<Setting<'_>> = args
            .bins
            .iter()
            .map(|b| Setting::from_flag("--bins", b))
            .collect();
        parse_bins(&specs)?
    };
    Ok(Plan {
        window,
        group,
        segments,
        tiering,
        bins,
        bin_texts,
    })
}

impl Plan {
    /// The analytics parameters at the data's money `scale`.
    pub fn params(&self, args: &TierArgs, scale: u32, ids: activity::Ids) -> Params {
        Params {
            from: self.window.from,
            to: self.window.to,
            as_of: self.window.as_of,
            frequency: match args.frequency {
                FrequencyArg::Shipments => rfm::Frequency::Shipments,
                FrequencyArg::Days => rfm::Frequency::Days,
            },
            value: match args.value {
                ValueArg::Revenue => rfm::Value::Revenue,
                ValueArg::Margin => rfm::Value::Margin,
            },
            scores: match args.scores {
                ScoresArg::Percentile => rfm::ScoreMethod::Percentile,
                ScoresArg::Rank => rfm::ScoreMethod::Rank,
            },
            bins: Bins {
                r: self.bins.r,
                f: self.bins.f,
                m: self.bins.m.map(|m| {
                    m.map(|v| {
                        minor_units_ceil(v, scale).clamp(i64::MIN as i128, i64::MAX as i128) as i64
                    })
                }),
            },
            segments: self.segments.clone(),
            tiering: match self.tiering {
                TieringSpec::Pyramid(cum_pct) => Tiering::Pyramid { cum_pct },
                TieringSpec::Spend(large, medium) => Tiering::Spend {
                    large: minor_units_ceil(large, scale),
                    medium: minor_units_ceil(medium, scale),
                },
            },
            group: self.group.as_ref().map(|g| g.name.clone()),
            money_scale: scale,
            ids,
        }
    }
}

/// Tiering as parsed from the options, before the data's money scale is known.
#[derive(Clone, Copy)]
enum TieringSpec {
    Pyramid([Decimal; 3]),
    Spend(Decimal, Decimal),
}

/// Fixed thresholds as parsed: whole days/counts for R and F, money for M.
#[derive(Default)]
struct BinSpecs {
    r: Option<[i64; 4]>,
    f: Option<[i64; 4]>,
    m: Option<[Decimal; 4]>,
}

/// Segment rules from crm.toml, or the defaults.
fn segment_rules(cfg: &Config) -> Result<Vec<SegmentRule>> {
    let Some(rules) = cfg.tier.segments.as_deref() else {
        return Ok(rfm::default_segments());
    };
    let mut out: Vec<SegmentRule> = Vec::new();
    for s in rules {
        let range = |dim: &str, v: Option<&str>| -> Result<(u8, u8)> {
            let v = v.unwrap_or("1-5").trim();
            let bad = || {
                Error::Input(format!(
                    "{}: segment '{}': {dim} = '{v}' is not a score range like \"4-5\" or \"3\"",
                    cfg.source, s.name
                ))
            };
            let (a, b) = v.split_once('-').unwrap_or((v, v));
            let a: u8 = a.trim().parse().map_err(|_| bad())?;
            let b: u8 = b.trim().parse().map_err(|_| bad())?;
            if !(1..=5).contains(&a) || !(1..=5).contains(&b) || a > b {
                return Err(bad());
            }
            Ok((a, b))
        };
        let name = s.name.trim();
        if name.is_empty() || name == rfm::OTHERS || out.iter().any(|r| r.name == name) {
            return Err(Error::Input(format!(
                "{}: segment '{name}': names must be non-empty, unique and not '{}'",
                cfg.source,
                rfm::OTHERS
            )));
        }
        out.push(SegmentRule {
            name: name.to_string(),
            r: range("r", s.r.as_deref())?,
            f: range("f", s.f.as_deref())?,
            m: range("m", s.m.as_deref())?,
        });
    }
    Ok(out)
}

/// `--bins r:30,90,180,365` etc.
fn parse_bins(specs: &[Setting<'_>]) -> Result<BinSpecs> {
    let mut bins = BinSpecs::default();
    for spec in specs {
        let Some((dim, list)) = spec.value.split_once(':') else {
            return Err(spec.error("expected DIM:T1,T2,T3,T4 with DIM r, f or m"));
        };
        let dim = dim.trim().to_ascii_lowercase();
        let values = decimal_list(spec.with_value(list), 4)?;
        if values.windows(2).any(|w| w[0] >= w[1]) {
            return Err(spec.error("thresholds must be strictly ascending"));
        }
        let whole = || -> Result<[i64; 4]> {
            let mut out = [0i64; 4];
            for (o, v) in out.iter_mut().zip(&values) {
                if !v.fract().is_zero() {
                    return Err(spec.error("recency and frequency thresholds are whole numbers"));
                }
                *o = v
                    .trunc()
                    .try_into()
                    .map_err(|_| spec.error("threshold too large"))?;
            }
            Ok(out)
        };
        match dim.as_str() {
            "r" | "recency" => bins.r = Some(whole()?),
            "f" | "frequency" => bins.f = Some(whole()?),
            "m" | "monetary" => bins.m = Some([values[0], values[1], values[2], values[3]]),
            _ => return Err(spec.error("unknown dimension (use r, f or m)")),
        }
    }
    Ok(bins)
}

fn col(key: &str, kind: ColKind, zh: &str) -> Column {
    Column::new(key, kind).zh(zh)
}

/// The per-customer table.
/// The column of `--by`'s groups keeps the name of what it groups by (`lane`, `Country`).
fn group_header(name: &str) -> Column {
    let zh = crate::render::zh_header(name).unwrap_or(name);
    Column::new(name, ColKind::Text).zh(zh)
}

pub fn customer_table(c: &Customers, group: Option<&str>, scale: u32) -> Table {
    let mut columns = Vec::new();
    if let Some(g) = group {
        columns.push(group_header(g));
    }
    columns.push(col("customer_id", ColKind::Text, "客户编号"));
    if c.customer_name.is_some() {
        columns.push(col("customer_name", ColKind::Text, "客户名称"));
    }
    columns.extend([
        col("first_date", ColKind::Date, "首次发货"),
        col("last_date", ColKind::Date, "最近发货"),
        col("recency_days", ColKind::Int, "距今天数"),
        col("frequency", ColKind::Int, "频次"),
        col("monetary", ColKind::Money, "金额"),
        col("r", ColKind::Int, "R"),
        col("f", ColKind::Int, "F"),
        col("m", ColKind::Int, "M"),
        col("rfm", ColKind::Text, "RFM"),
        col("segment", ColKind::Label, "客户分群"),
        col("tier", ColKind::Label, "客户等级"),
    ]);
    if c.annualised.is_some() {
        columns.push(col("annualised", ColKind::Money, "年化金额"));
    }
    columns.push(col("share", ColKind::Share, "占比"));
    columns.push(col("cum_share", ColKind::Share, "累计占比"));

    let opt_str = |v: &Option<String>| v.clone().map_or(Cell::Null, Cell::Str);
    let share = |v: Option<f64>| v.map_or(Cell::Null, Cell::Float);
    let rows = (0..c.len())
        .map(|i| {
            let mut row = Vec::with_capacity(columns.len());
            if let Some(g) = &c.group {
                row.push(opt_str(&g[i]));
            }
            row.push(Cell::Str(c.customer_id[i].clone()));
            if let Some(n) = &c.customer_name {
                row.push(opt_str(&n[i]));
            }
            row.extend([
                Cell::Date(c.first_date[i]),
                Cell::Date(c.last_date[i]),
                Cell::Int(c.recency_days[i]),
                Cell::Int(c.frequency[i]),
                Cell::Money(money(c.monetary[i] as i128, scale)),
                Cell::Int(c.r[i] as i64),
                Cell::Int(c.f[i] as i64),
                Cell::Int(c.m[i] as i64),
                Cell::Str(format!("{}{}{}", c.r[i], c.f[i], c.m[i])),
                Cell::Str(c.segment[i].clone()),
                Cell::Str(c.tier[i].to_string()),
            ]);
            if let Some(a) = &c.annualised {
                row.push(Cell::Money(money(a[i] as i128, scale)));
            }
            row.push(share(c.share[i]));
            row.push(share(c.cum_share[i]));
            row
        })
        .collect();
    let total: i128 = c.monetary.iter().map(|&v| v as i128).sum();
    let totals = columns
        .iter()
        .map(|column| match column.key.as_str() {
            "monetary" => Cell::Money(money(total, scale)),
            "frequency" => Cell::Int(c.frequency.iter().sum()),
            _ => Cell::Null,
        })
        .collect();
    Table {
        name: "customers".into(),
        title: "Customer tiers".into(),
        title_zh: Some("客户分层".into()),
        columns,
        rows,
        totals: Some(totals),
    }
}

#[allow(clippy::too_many_arguments)]
fn summary_table(
    name: &str,
    title: &str,
    title_zh: &str,
    label_key: &str,
    label_zh: &str,
    rows: &[rfm::SummaryRow],
    group: Option<&str>,
    scale: u32,
) -> Table {
    let mut columns = Vec::new();
    if let Some(g) = group {
        columns.push(group_header(g));
    }
    columns.extend([
        col(label_key, ColKind::Label, label_zh),
        col("customers", ColKind::Int, "客户数"),
        col("customers_share", ColKind::Share, "客户占比"),
        col("monetary", ColKind::Money, "金额"),
        col("monetary_share", ColKind::Share, "金额占比"),
        col("median_recency_days", ColKind::Float, "中位距今天数"),
        col("median_frequency", ColKind::Float, "中位频次"),
    ]);
    let f = |v: Option<f64>| v.map_or(Cell::Null, Cell::Float);
    let body = rows
        .iter()
        .map(|r| {
            let mut row = Vec::new();
            if group.is_some() {
                row.push(r.group.clone().map_or(Cell::Null, Cell::Str));
            }
            row.extend([
                Cell::Str(r.label.clone()),
                Cell::Int(r.customers as i64),
                f(r.customers_share),
                Cell::Money(money(r.monetary, scale)),
                f(r.monetary_share),
                f(r.median_recency_days),
                f(r.median_frequency),
            ]);
            row
        })
        .collect();
    Table {
        name: name.into(),
        title: title.into(),
        title_zh: Some(title_zh.into()),
        columns,
        rows: body,
        totals: None,
    }
}

/// The `--summary` report; `bins` = [`Plan::bin_texts`].
pub fn summary_report(c: &Customers, params: &Params, bins: &[String]) -> Report {
    let scale = params.money_scale;
    let (tiers, segments) = rfm::summarize(c, params);
    let group = params.group.as_deref();
    let total: i128 = c.monetary.iter().map(|&v| v as i128).sum();
    let date = |d: Option<chrono::NaiveDate>| d.map_or(Cell::Null, Cell::Date);
    let fields = vec![
        (col("as_of", ColKind::Date, "截至日期"), date(c.as_of)),
        (
            col("window_start", ColKind::Date, "窗口起始"),
            date(c.window_start),
        ),
        (
            col("customers", ColKind::Int, "客户数"),
            Cell::Int(
                c.customer_id
                    .iter()
                    .collect::<std::collections::HashSet<_>>()
                    .len() as i64,
            ),
        ),
        (col("rows", ColKind::Int, "行数"), Cell::Int(c.rows as i64)),
        (
            col("monetary_total", ColKind::Money, "金额合计"),
            Cell::Money(money(total, scale)),
        ),
        (
            col("value", ColKind::Text, "金额口径"),
            Cell::Str(
                if params.value == rfm::Value::Margin {
                    "margin"
                } else {
                    "revenue"
                }
                .into(),
            ),
        ),
        (
            col("scores", ColKind::Text, "评分方法"),
            Cell::Str(match params.scores {
                rfm::ScoreMethod::Percentile => "percentile".into(),
                rfm::ScoreMethod::Rank => "rank".into(),
            }),
        ),
        (
            col("tier_by", ColKind::Text, "分层方法"),
            Cell::Str(match params.tiering {
                Tiering::Pyramid { .. } => "pyramid".into(),
                Tiering::Spend { .. } => "spend".into(),
            }),
        ),
    ];
    let mut fields = fields;
    let text = |v: Option<String>| v.map_or(Cell::Null, Cell::Str);
    fields.extend([
        (
            col("frequency", ColKind::Text, "频次口径"),
            Cell::Str(match params.frequency {
                rfm::Frequency::Shipments => "shipments".into(),
                rfm::Frequency::Days => "days".into(),
            }),
        ),
        (col("by", ColKind::Text, "分组"), text(params.group.clone())),
        (
            col("bins", ColKind::Text, "固定阈值"),
            text((!bins.is_empty()).then(|| bins.join(" "))),
        ),
    ]);
    Report::Summary {
        title: "Customer tiers".into(),
        fields,
        tables: vec![
            summary_table(
                "tiers",
                "Tiers",
                "客户等级",
                "tier",
                "客户等级",
                &tiers,
                group,
                scale,
            ),
            summary_table(
                "segments",
                "Segments",
                "客户分群",
                "segment",
                "客户分群",
                &segments,
                group,
                scale,
            ),
        ],
    }
}
