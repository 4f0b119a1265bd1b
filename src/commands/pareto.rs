//! `crm-cli pareto`: the 80/20 rule and ABC classes.

use rust_decimal::Decimal;

use super::{
    GroupColumn, Output, check_group_loaded, decimal_list, group_column, load_options, money,
    window_args,
};
use crate::analytics::activity;
use crate::analytics::pareto::{self, CLASSES, GroupSummary, Items, Measure, Params};
use crate::analytics::rollup::Shipments;
use crate::cli::ParetoArgs;
use crate::config::{Config, Setting};
use crate::error::{Error, Result};
use crate::io::fields::{self, Dataset, Kind};
use crate::io::load::{self, Request};
use crate::io::source;
use crate::render::{Cell, ColKind, Column, Report, Table};

/// How the measure was asked for, before loading.
enum MeasureSpec {
    Revenue,
    Margin,
    Shipments,
    /// A numeric field (teu, weight_kg, cost, ...) loaded exactly.
    Field(&'static str),
    /// Any other column, by header, loaded exactly.
    Column(String),
}

impl MeasureSpec {
    fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        let norm = fields::normalize_header(s);
        Ok(match norm.as_str() {
            "revenue" => MeasureSpec::Revenue,
            "margin" => MeasureSpec::Margin,
            "shipments" | "count" => MeasureSpec::Shipments,
            _ => match super::field_named(s, Dataset::Shipments) {
                Some(f) if matches!(f.kind, Kind::Money | Kind::Number) => {
                    MeasureSpec::Field(f.name)
                }
                Some(f) => {
                    return Err(Error::Usage(format!(
                        "--measure {s}: '{}' is {} field, not a number",
                        f.name,
                        super::kind_phrase(f.kind)
                    )));
                }
                None if s.is_empty() => return Err(Error::Usage("--measure needs a name".into())),
                None => MeasureSpec::Column(s.to_string()),
            },
        })
    }

    fn name(&self) -> String {
        match self {
            MeasureSpec::Revenue => "revenue".into(),
            MeasureSpec::Margin => "margin".into(),
            MeasureSpec::Shipments => "shipments".into(),
            MeasureSpec::Field(f) => (*f).into(),
            MeasureSpec::Column(c) => c.clone(),
        }
    }
}

/// English plural of a field name: lane → lanes, status → statuses, currency → currencies.
fn plural(word: &str) -> String {
    if let Some(stem) = word.strip_suffix('y') {
        format!("{stem}ies")
    } else if word.ends_with('s') {
        format!("{word}es")
    } else {
        format!("{word}s")
    }
}

/// One key of `--by`.
enum Key {
    Customer,
    Column(GroupColumn),
}

impl Key {
    fn name(&self) -> &str {
        match self {
            Key::Customer => "customer_id",
            Key::Column(g) => &g.name,
        }
    }
}

fn parse_keys(by: &str) -> Result<Vec<Key>> {
    let mut keys = Vec::new();
    for part in by.split(',') {
        let norm = fields::normalize_header(part);
        let customer_field = super::field_named(part, Dataset::Shipments)
            .is_some_and(|f| matches!(f.name, "customer_id" | "customer_name"));
        let key =
            if customer_field || matches!(norm.as_str(), "customer" | "customerid" | "customers") {
                Key::Customer
            } else {
                let g = group_column("--by", part, Dataset::Shipments)?;
                if g.field == Some("customer_name") {
                    Key::Customer
                } else {
                    Key::Column(g)
                }
            };
        if keys.iter().any(|k: &Key| k.name() == key.name()) {
            return Err(Error::Usage(format!(
                "--by {by}: '{}' is named twice",
                key.name()
            )));
        }
        keys.push(key);
    }
    Ok(keys)
}

pub fn run(args: &ParetoArgs, cfg: &Config, progress: bool) -> Result<Output> {
    let inputs = source::resolve_inputs(&args.files)?;
    let opts = load_options(&args.input, cfg, Dataset::Shipments, progress)?;
    let window = window_args(
        args.dates.from.as_deref(),
        args.dates.to.as_deref(),
        args.dates.as_of.as_deref(),
    )?;
    let cutoff_setting = Setting::from_flag("--cutoffs", &args.cutoffs);
    let c = decimal_list(cutoff_setting, 2)?;
    if !(c[0] > Decimal::ZERO && c[0] <= c[1] && c[1] <= Decimal::from(100)) {
        return Err(cutoff_setting.error("expected 0 < A ≤ B ≤ 100"));
    }
    let cutoffs = [c[0], c[1]];
    let keys = parse_keys(&args.by)?;
    let within = match &args.within {
        Some(w) => {
            let g = group_column("--within", w, Dataset::Shipments)?;
            if keys.iter().any(|k| k.name() == g.name) {
                return Err(Error::Usage(format!(
                    "--within {}: it is already a key of --by",
                    g.name
                )));
            }
            Some(g)
        }
        None => None,
    };
    let measure = MeasureSpec::parse(&args.measure)?;

    let mut fields: Vec<&'static str> = vec!["customer_id", "ship_date", "revenue"];
    let mut extra: Vec<(String, Kind)> = Vec::new();
    let mut exact: Vec<&'static str> = Vec::new();
    let with_names = keys.iter().any(|k| matches!(k, Key::Customer));
    if with_names {
        fields.push("customer_name");
    }
    for g in keys
        .iter()
        .filter_map(|k| match k {
            Key::Column(g) => Some(g),
            Key::Customer => None,
        })
        .chain(within.iter())
    {
        match g.field {
            Some(f) => fields.push(f),
            None => extra.push((g.name.clone(), Kind::Text)),
        }
    }
    match &measure {
        MeasureSpec::Margin => fields.push("cost"),
        MeasureSpec::Shipments => fields.push("shipment_id"),
        MeasureSpec::Field(f) => {
            fields.push(f);
            exact.push(f);
        }
        MeasureSpec::Column(c) => extra.push((c.clone(), Kind::Money)),
        MeasureSpec::Revenue => {}
    }
    let mut params = Params {
        window,
        keys: keys.iter().map(|k| k.name().to_string()).collect(),
        within: within.as_ref().map(|g| g.name.clone()),
        measure: match &measure {
            MeasureSpec::Revenue => Measure::Sum("revenue".into()),
            MeasureSpec::Margin => Measure::Margin,
            MeasureSpec::Shipments => Measure::Shipments(activity::Ids::MayRepeat),
            MeasureSpec::Field(f) => Measure::Sum(f.to_string()),
            MeasureSpec::Column(c) => Measure::Sum(c.clone()),
        },
        cutoffs,
        with_names,
    };
    let req = Request {
        dataset: Dataset::Shipments,
        fields: &fields,
        extra_columns: &extra,
        exact: &exact,
    };
    let loaded = load::load_rolled(&inputs, &req, &opts, &pareto::rollup_spec(&params))?;
    for k in &keys {
        if let Key::Column(g) = k {
            check_group_loaded("--by", g, &loaded)?;
        }
    }
    if let Some(g) = &within {
        check_group_loaded("--within", g, &loaded)?;
    }
    let (scale, is_count) = match &measure {
        MeasureSpec::Revenue => (loaded.money_scale, false),
        MeasureSpec::Margin => {
            if !loaded.has("cost") {
                return Err(Error::Input(
                    "--measure margin needs a cost column (map one with --map cost=HEADER)".into(),
                ));
            }
            (loaded.money_scale, false)
        }
        MeasureSpec::Shipments => {
            params.measure = Measure::Shipments(activity::Ids::new(loaded.repeated_ids));
            (0, true)
        }
        MeasureSpec::Field(f) => {
            if !loaded.has(f) {
                return Err(Error::Input(format!(
                    "--measure {f}: the data has no {f} column (map one with --map {f}=HEADER)"
                )));
            }
            let scale = loaded.scales.get(*f).copied().unwrap_or(loaded.money_scale);
            (scale, false)
        }
        MeasureSpec::Column(c) => (loaded.scales.get(c).copied().unwrap_or(0), false),
    };
    let items = pareto::compute(Shipments::of(&loaded), &params)?;
    let view = View {
        keys: &keys,
        within: within.as_ref(),
        scale,
        is_count,
        measure: measure.name(),
        cutoffs,
    };
    let report = if args.summary {
        view.summary(&items)
    } else {
        Report::Rows(view.rows(&items))
    };
    Ok(Output {
        report,
        notes: loaded.notes,
    })
}

/// What the tables need to know about the question asked.
struct View<'a> {
    keys: &'a [Key],
    within: Option<&'a GroupColumn>,
    scale: u32,
    is_count: bool,
    measure: String,
    cutoffs: [Decimal; 2],
}

/// The `--summary` report of customers by revenue (as `pareto --summary`), for `report`.
pub fn customer_summary(items: &Items, scale: u32, cutoffs: [Decimal; 2]) -> Report {
    View {
        keys: &[Key::Customer],
        within: None,
        scale,
        is_count: false,
        measure: "revenue".into(),
        cutoffs,
    }
    .summary(items)
}

fn column(key: &str, kind: ColKind) -> Column {
    let c = Column::new(key, kind);
    match crate::render::zh_header(key) {
        Some(zh) => c.zh(zh),
        None => c,
    }
}

impl View<'_> {
    fn value(&self, v: i128) -> Cell {
        if self.is_count {
            Cell::Int(v.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
        } else {
            Cell::Money(money(v, self.scale))
        }
    }

    fn value_kind(&self) -> ColKind {
        if self.is_count {
            ColKind::Int
        } else {
            ColKind::Money
        }
    }

    fn group_columns(&self) -> Vec<Column> {
        self.within
            .map(|g| column(&g.name, ColKind::Text))
            .into_iter()
            .collect()
    }

    /// "customers", "lanes", "customer × lane pairs", "'Country' values".
    fn noun(&self) -> String {
        let one = |k: &Key| match k {
            Key::Customer => "customer".to_string(),
            Key::Column(g) => g.name.clone(),
        };
        match self.keys {
            [k] => match k {
                Key::Customer => "customers".into(),
                Key::Column(GroupColumn { field: Some(f), .. }) => plural(f),
                Key::Column(g) => format!("'{}' values", g.name),
            },
            many => format!(
                "{} pairs",
                many.iter().map(one).collect::<Vec<_>>().join(" × ")
            ),
        }
    }

    fn rows(&self, items: &Items) -> Table {
        let mut columns = self.group_columns();
        columns.push(column("rank", ColKind::Int).zh("排名"));
        for k in self.keys {
            columns.push(column(k.name(), ColKind::Text));
        }
        if items.names.is_some() {
            columns.push(column("customer_name", ColKind::Text));
        }
        columns.extend([
            Column::new("value", self.value_kind()).zh("数值"),
            column("share", ColKind::Share),
            column("cum_share", ColKind::Share),
            Column::new("item_share", ColKind::Share).zh("累计对象占比"),
            Column::new("class", ColKind::Label).zh("ABC分类"),
            Column::new("nonpositive", ColKind::Bool).zh("非正值"),
        ]);
        let text = |v: &Option<String>| v.clone().map_or(Cell::Null, Cell::Str);
        let rows = (0..items.len())
            .map(|i| {
                let mut row = Vec::with_capacity(columns.len());
                if let Some(g) = &items.group {
                    row.push(text(&g[i]));
                }
                row.push(Cell::Int(items.rank[i] as i64));
                for k in &items.keys {
                    row.push(text(&k[i]));
                }
                if let Some(n) = &items.names {
                    row.push(text(&n[i]));
                }
                row.extend([
                    self.value(items.value[i]),
                    Cell::Float(items.share[i]),
                    Cell::Float(items.cum_share[i]),
                    Cell::Float(items.item_share[i]),
                    Cell::Str(items.class[i].to_string()),
                    Cell::Bool(items.nonpositive[i]),
                ]);
                row
            })
            .collect();
        let total: i128 = items.value.iter().sum();
        let totals = columns
            .iter()
            .map(|c| {
                if c.key == "value" {
                    self.value(total)
                } else {
                    Cell::Null
                }
            })
            .collect();
        Table {
            name: "items".into(),
            title: "Pareto".into(),
            title_zh: Some("帕累托分析".into()),
            columns,
            rows,
            totals: Some(totals),
        }
    }

    fn headline(&self, s: &GroupSummary) -> Option<String> {
        let n = s.headline_items?;
        let pct =
            Decimal::from(n as u64) * Decimal::from(100) / Decimal::from(s.items.max(1) as u64);
        Some(format!(
            "{n} of {} {} ({}%) make {}% of {}",
            s.items,
            self.noun(),
            {
                let mut p = pct.round_dp_with_strategy(
                    1,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                );
                p.rescale(1);
                p
            },
            self.cutoffs[0].normalize(),
            self.measure
        ))
    }

    fn summary(&self, items: &Items) -> Report {
        let groups = pareto::summarize(items, &self.cutoffs);
        let date = |d: Option<chrono::NaiveDate>| d.map_or(Cell::Null, Cell::Date);
        let text = |v: Option<String>| v.map_or(Cell::Null, Cell::Str);
        let mut fields = vec![
            (
                Column::new("as_of", ColKind::Date).zh("截至日期"),
                date(items.as_of),
            ),
            (
                Column::new("window_start", ColKind::Date).zh("窗口起始"),
                date(items.window_start),
            ),
            (
                Column::new("by", ColKind::Text).zh("分析对象"),
                Cell::Str(
                    self.keys
                        .iter()
                        .map(Key::name)
                        .collect::<Vec<_>>()
                        .join(","),
                ),
            ),
            (
                Column::new("within", ColKind::Text).zh("分组"),
                text(self.within.map(|g| g.name.clone())),
            ),
            (
                Column::new("measure", ColKind::Text).zh("指标"),
                Cell::Str(self.measure.clone()),
            ),
            (
                Column::new("cutoffs", ColKind::Text).zh("分类阈值"),
                Cell::Str(format!(
                    "{},{}",
                    self.cutoffs[0].normalize(),
                    self.cutoffs[1].normalize()
                )),
            ),
        ];
        if let ([g], None) = (groups.as_slice(), self.within) {
            fields.extend(self.group_fields(g));
        }
        let group_col = self.group_columns();
        let group_cell = |g: &GroupSummary| -> Vec<Cell> {
            if self.within.is_some() {
                vec![text(g.group.clone())]
            } else {
                Vec::new()
            }
        };
        let mut tables = Vec::new();
        if self.within.is_some() {
            let mut columns = group_col.clone();
            columns.extend(self.group_fields(&groups[0]).into_iter().map(|(c, _)| c));
            let rows = groups
                .iter()
                .map(|g| {
                    let mut row = group_cell(g);
                    row.extend(self.group_fields(g).into_iter().map(|(_, v)| v));
                    row
                })
                .collect();
            tables.push(Table {
                name: "groups".into(),
                title: "Groups".into(),
                title_zh: Some("分组".into()),
                columns,
                rows,
                totals: None,
            });
        }
        let mut columns = group_col.clone();
        columns.extend([
            Column::new("class", ColKind::Label).zh("ABC分类"),
            Column::new("items", ColKind::Int).zh("对象数"),
            Column::new("item_share", ColKind::Share).zh("对象占比"),
            Column::new("value", self.value_kind()).zh("数值"),
            Column::new("value_share", ColKind::Share).zh("数值占比"),
        ]);
        let mut rows = Vec::new();
        for g in &groups {
            for (k, class) in CLASSES.iter().enumerate() {
                let (n, v) = g.classes[k];
                let mut row = group_cell(g);
                row.extend([
                    Cell::Str(class.to_string()),
                    Cell::Int(n as i64),
                    Cell::Float(n as f64 / g.items.max(1) as f64),
                    self.value(v),
                    if g.total > 0 {
                        Cell::Float(v as f64 / g.total as f64)
                    } else {
                        Cell::Null
                    },
                ]);
                rows.push(row);
            }
        }
        tables.push(Table {
            name: "classes".into(),
            title: "ABC classes".into(),
            title_zh: Some("ABC分类".into()),
            columns,
            rows,
            totals: None,
        });
        let mut columns = group_col;
        columns.extend([
            Column::new("item_share", ColKind::Share).zh("对象累计占比"),
            Column::new("value_share", ColKind::Share).zh("数值累计占比"),
        ]);
        let rows = groups
            .iter()
            .flat_map(|g| {
                g.lorenz.iter().map(move |&(x, y)| {
                    let mut row = group_cell(g);
                    row.extend([Cell::Float(x), Cell::Float(y)]);
                    row
                })
            })
            .collect();
        tables.push(Table {
            name: "lorenz".into(),
            title: "Lorenz curve".into(),
            title_zh: Some("洛伦兹曲线".into()),
            columns,
            rows,
            totals: None,
        });
        Report::Summary {
            title: "Pareto".into(),
            fields,
            tables,
        }
    }

    /// The headline numbers of one group, as (column, value) pairs.
    fn group_fields(&self, g: &GroupSummary) -> Vec<(Column, Cell)> {
        let opt = |v: Option<f64>| v.map_or(Cell::Null, Cell::Float);
        vec![
            (
                Column::new("headline", ColKind::Text).zh("结论"),
                self.headline(g).map_or(Cell::Null, Cell::Str),
            ),
            (
                Column::new("items", ColKind::Int).zh("对象数"),
                Cell::Int(g.items as i64),
            ),
            (
                Column::new("total", self.value_kind()).zh("正值合计"),
                self.value(g.total),
            ),
            (
                Column::new("headline_items", ColKind::Int).zh("达到阈值的对象数"),
                g.headline_items.map_or(Cell::Null, |n| Cell::Int(n as i64)),
            ),
            (
                Column::new("headline_item_share", ColKind::Share).zh("达到阈值的对象占比"),
                opt(g.headline_items.map(|n| n as f64 / g.items.max(1) as f64)),
            ),
            (
                Column::new("top20_items", ColKind::Int).zh("前20%对象数"),
                Cell::Int(g.top20_items as i64),
            ),
            (
                Column::new("top20_share", ColKind::Share).zh("前20%对象占比"),
                opt(g.top20_share),
            ),
            (
                Column::new("gini", ColKind::Float).zh("基尼系数"),
                opt(g.gini),
            ),
        ]
    }
}
