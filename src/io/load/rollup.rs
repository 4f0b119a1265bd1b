//! Shipments summed up per key while they are read (`load::load_rolled`): each piece of a file
//! (a CSV chunk, a Parquet slice) is parsed by the same row pipeline as always and then folded
//! into per-key partial sums, so the rows themselves are never all in memory. The partial sums
//! of the worker threads are merged at the end, in any order: every part of the result is a
//! sum, a minimum, a maximum or a value tagged with its position in the input.
//!
//! The columns of the result are those of [`crate::analytics::rollup`], which defines them
//! over loaded rows in polars; a test pins that the two give the same frame on every fixture.

use std::collections::HashMap;

use polars::prelude::*;

use super::parquet::Typed;
use super::{Builder, DATE_NULL, Target, Val, new_builder};
use crate::io::fields::Kind;

/// What to sum up per key while loading shipments. The result has one row per distinct key
/// (plus the currency, when the data has one), with the columns named in [`columns`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rollup {
    /// Text columns naming a row of the result: `customer_id`, or a group and `customer_id`.
    pub keys: Vec<String>,
    /// Exact (Int64 minor units) columns summed over the window's rows.
    pub sums: Vec<String>,
    /// Columns whose empty values are counted over the window's rows.
    pub null_counts: Vec<String>,
    /// Text columns: the last non-empty value in input order among the window's rows.
    pub last: Vec<String>,
    /// The window, as days since 1970-01-01: rows with `ship_date` in `[from, to]` are summed;
    /// every row is counted in [`columns::LOADED`].
    pub from: Option<i32>,
    pub to: Option<i32>,
    /// The result is used to count shipments: counting them as rows needs unique shipment ids.
    pub shipments: bool,
    /// Also key by `ship_date` (to count distinct shipping days).
    pub by_day: bool,
}

/// Names of the columns a rollup adds to its keys and sums.
pub mod columns {
    /// Rows read, in the window or not.
    pub const LOADED: &str = "__loaded";
    /// Rows in the window.
    pub const ROWS: &str = "__rows";
    /// Rows in the window that are shipments (revenue ≥ 0).
    pub const SHIP_ROWS: &str = "__ship_rows";
    /// First and last day (Int32 days) of the window's shipment rows; null without any.
    pub const FIRST: &str = "__first";
    pub const LAST: &str = "__last";
    /// First and last day of all the window's rows (credit notes too); null without any.
    pub const FIRST_ANY: &str = "__first_any";
    pub const LAST_ANY: &str = "__last_any";

    /// Count of empty values of `column` in the window.
    pub fn nulls(column: &str) -> String {
        format!("__nulls_{column}")
    }
    /// Where the last non-empty value of `column` was in the input (larger is later).
    pub fn pos(column: &str) -> String {
        format!("__pos_{column}")
    }
}

/// The targets a rollup reads, by index.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    keys: Vec<usize>,
    date: usize,
    revenue: usize,
    sums: Vec<usize>,
    nulls: Vec<usize>,
    last: Vec<usize>,
    /// Every exact target: its scale and the size of its total are checked as `finish` does.
    money: Vec<usize>,
    from: i32,
    to: i32,
}

impl Plan {
    /// None when the loader cannot roll this request up (a column is not a loaded target of
    /// the right kind, or the rollup needs shipping days): the rows are loaded instead.
    pub(super) fn new(spec: &Rollup, targets: &[Target]) -> Option<Plan> {
        if spec.by_day {
            return None;
        }
        let find = |name: &str, kinds: &[Kind]| {
            targets
                .iter()
                .position(|t| t.name == name && kinds.contains(&t.kind))
        };
        let text = [Kind::Id, Kind::Text];
        let mut keys = spec
            .keys
            .iter()
            .map(|k| find(k, &text))
            .collect::<Option<Vec<_>>>()?;
        // Rows in several currencies are kept apart until the currency check has run.
        if let Some(c) = find("currency", &text)
            && !keys.contains(&c)
        {
            keys.push(c);
        }
        let all_kinds = [Kind::Id, Kind::Text, Kind::Money, Kind::Number, Kind::Date];
        Some(Plan {
            keys,
            date: find("ship_date", &[Kind::Date])?,
            revenue: find("revenue", &[Kind::Money])?,
            sums: spec
                .sums
                .iter()
                .map(|s| find(s, &[Kind::Money]))
                .collect::<Option<_>>()?,
            nulls: spec
                .null_counts
                .iter()
                .map(|s| find(s, &all_kinds))
                .collect::<Option<_>>()?,
            last: spec
                .last
                .iter()
                .map(|s| find(s, &text))
                .collect::<Option<_>>()?,
            money: (0..targets.len())
                .filter(|&i| targets[i].kind == Kind::Money)
                .collect(),
            from: spec.from.unwrap_or(i32::MIN),
            to: spec.to.unwrap_or(i32::MAX),
        })
    }
}

/// An exact sum: an integer mantissa at a scale that grows to the largest scale added.
#[derive(Debug, Clone, Copy, Default)]
struct Sum {
    mantissa: i128,
    scale: u8,
}

fn pow10(n: u8) -> Option<i128> {
    10i128.checked_pow(u32::from(n))
}

impl Sum {
    /// Adds `mantissa × 10^-scale`; None on overflow.
    fn add(&mut self, mantissa: i128, scale: u8) -> Option<()> {
        if scale > self.scale {
            self.mantissa = self.mantissa.checked_mul(pow10(scale - self.scale)?)?;
            self.scale = scale;
        }
        let v = mantissa.checked_mul(pow10(self.scale - scale)?)?;
        self.mantissa = self.mantissa.checked_add(v)?;
        Some(())
    }

    /// The sum at `scale` (≥ every scale added), if it fits Int64.
    fn at(self, scale: u8) -> Option<i64> {
        let m = self
            .mantissa
            .checked_mul(pow10(scale.checked_sub(self.scale)?)?)?;
        i64::try_from(m).ok()
    }
}

/// A position in the input: file, then piece, then row.
type Pos = (u32, u64);

/// The partial sums of one key.
#[derive(Debug, Clone)]
struct Acc {
    loaded: i64,
    rows: i64,
    ship_rows: i64,
    first: i32,
    last: i32,
    first_any: i32,
    last_any: i32,
    sums: Vec<Sum>,
    nulls: Vec<i64>,
    last_text: Vec<Option<(Pos, Box<str>)>>,
}

impl Acc {
    fn new(plan: &Plan) -> Acc {
        Acc {
            loaded: 0,
            rows: 0,
            ship_rows: 0,
            first: i32::MAX,
            last: i32::MIN,
            first_any: i32::MAX,
            last_any: i32::MIN,
            sums: vec![Sum::default(); plan.sums.len()],
            nulls: vec![0; plan.nulls.len()],
            last_text: vec![None; plan.last.len()],
        }
    }

    fn merge(&mut self, o: Acc) -> Option<()> {
        self.loaded += o.loaded;
        self.rows += o.rows;
        self.ship_rows += o.ship_rows;
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        self.first_any = self.first_any.min(o.first_any);
        self.last_any = self.last_any.max(o.last_any);
        for (s, t) in self.sums.iter_mut().zip(o.sums) {
            s.add(t.mantissa, t.scale)?;
        }
        for (n, m) in self.nulls.iter_mut().zip(o.nulls) {
            *n += m;
        }
        for (a, b) in self.last_text.iter_mut().zip(o.last_text) {
            if let Some(b) = b
                && a.as_ref().is_none_or(|a| a.0 < b.0)
            {
                *a = Some(b);
            }
        }
        Some(())
    }
}

/// What the whole input says of one exact column, for the scale and size checks of `finish`.
#[derive(Debug, Clone, Default)]
struct MoneyStats {
    max_scale: Option<u8>,
    /// Sum of |mantissa| per scale.
    abs: Vec<u128>,
}

/// Partial sums per key (of one worker, one file, or everything read).
#[derive(Debug, Clone)]
pub(super) struct State {
    plan: Plan,
    /// This state's file (positions compare files first).
    file: u32,
    /// Key → index into `accs`. A key is its values, each as a u32 length (`u32::MAX` for
    /// none) and the bytes.
    index: HashMap<Box<[u8]>, u32, foldhash::fast::FixedState>,
    accs: Vec<Acc>,
    money: Vec<MoneyStats>,
    /// The key of the row being folded (kept to reuse its buffer).
    key: Vec<u8>,
    /// An overflow was met: the rows are loaded instead.
    failed: bool,
}

impl State {
    pub(super) fn new(plan: &Plan, file: u32) -> State {
        State {
            plan: plan.clone(),
            file,
            index: HashMap::default(),
            accs: Vec::new(),
            money: vec![MoneyStats::default(); plan.money.len()],
            key: Vec::with_capacity(64),
            failed: false,
        }
    }

    /// Folds the values of one piece of the input (its builders, emptied here) in; `piece`
    /// orders the pieces of this state's file.
    pub(super) fn fold(&mut self, targets: &mut [Target], piece: u32) {
        if self.fold_values(targets, piece).is_none() {
            self.failed = true;
        }
        for t in targets.iter_mut() {
            t.builder = new_builder(t.kind);
        }
    }

    /// The targets the fold reads.
    fn used(&self) -> Vec<usize> {
        let plan = &self.plan;
        plan.keys
            .iter()
            .chain(&plan.sums)
            .chain(&plan.nulls)
            .chain(&plan.last)
            .chain(&plan.money)
            .chain([&plan.date, &plan.revenue])
            .copied()
            .collect()
    }

    /// Folds `rows` rows of a Parquet slice's typed columns (by target) in, as the row
    /// pipeline would give them; `piece` orders the pieces of this state's file.
    pub(super) fn fold_typed(&mut self, columns: &[Typed<'_>], rows: usize, piece: u32) {
        let columns = self.read_columns(columns, |c| c);
        if self
            .fold_columns(&columns, rows, piece, |c, r| c.val(r))
            .is_none()
        {
            self.failed = true;
        }
    }

    /// `column(item)` of each target the fold reads; None for the others.
    fn read_columns<'t, T, C>(
        &self,
        items: &'t [T],
        column: impl Fn(&'t T) -> C,
    ) -> Vec<Option<C>> {
        let used = self.used();
        items
            .iter()
            .enumerate()
            .map(|(i, t)| used.contains(&i).then(|| column(t)))
            .collect()
    }

    /// Folds `rows` rows in, row `r`'s value of each target being `val(column, r)`, and empty
    /// for the targets without a column. None on an overflow.
    fn fold_columns<'v, C>(
        &mut self,
        columns: &[Option<C>],
        rows: usize,
        piece: u32,
        val: impl Fn(&C, usize) -> Val<'v>,
    ) -> Option<()> {
        let mut row: Vec<Val<'v>> = Vec::with_capacity(columns.len());
        // Backwards: the first name met is the piece's last, and later ones need no comparing.
        for r in (0..rows).rev() {
            row.clear();
            row.extend(
                columns
                    .iter()
                    .map(|c| c.as_ref().map_or(Val::Null, |c| val(c, r))),
            );
            self.fold_values_of_row(&row, piece, r as u32)?;
        }
        Some(())
    }

    fn fold_values(&mut self, targets: &mut [Target], piece: u32) -> Option<()> {
        for t in targets.iter_mut() {
            if let Builder::Text(b) = &mut t.builder {
                b.seal().ok()?;
            }
        }
        let n = match &targets[self.plan.date].builder {
            Builder::Date(v) => v.len(),
            _ => return None,
        };
        // The values of the targets the fold reads, as the row pipeline gave them.
        enum Values<'b> {
            Text(Vec<Option<&'b str>>),
            Fixed(&'b super::FixedVec),
            Date(&'b [i32]),
        }
        let columns = self.read_columns(targets, |t| match &t.builder {
            Builder::Text(b) => Values::Text(b.parts.iter().flat_map(|p| p.iter()).collect()),
            Builder::Fixed(v) => Values::Fixed(v),
            Builder::Date(v) => Values::Date(v),
        });
        self.fold_columns(&columns, n, piece, |c, r| match c {
            Values::Text(v) => v.get(r).copied().flatten().map_or(Val::Null, Val::Text),
            Values::Fixed(v) => match (v.mantissa.get(r), v.scale.get(r)) {
                (Some(&mantissa), Some(&scale)) if scale != super::FixedVec::NULL => {
                    Val::Fixed(crate::io::parse::Fixed {
                        mantissa,
                        scale: u32::from(scale),
                    })
                }
                _ => Val::Null,
            },
            Values::Date(v) => match v.get(r) {
                Some(&d) if d != DATE_NULL => Val::Date(d),
                _ => Val::Null,
            },
        })
    }

    /// Folds one good row of the row pipeline in: `vals` by target, the `row`-th of `piece`.
    pub(super) fn fold_row(&mut self, vals: &[Val<'_>], piece: u32, row: u32) {
        if self.fold_values_of_row(vals, piece, row).is_none() {
            self.failed = true;
        }
    }

    /// [`State::fold_row`]; None on an overflow.
    fn fold_values_of_row(&mut self, vals: &[Val<'_>], piece: u32, row: u32) -> Option<()> {
        let plan = &self.plan;
        for (stats, &t) in self.money.iter_mut().zip(&plan.money) {
            if let Some(Val::Fixed(f)) = vals.get(t) {
                let s = u8::try_from(f.scale).ok()?;
                stats.max_scale = Some(stats.max_scale.map_or(s, |x| x.max(s)));
                let i = usize::from(s);
                if stats.abs.len() <= i {
                    stats.abs.resize(i + 1, 0);
                }
                stats.abs[i] = stats.abs[i].checked_add(u128::from(f.mantissa.unsigned_abs()))?;
            }
        }
        let text = |i: usize| match vals.get(i) {
            Some(Val::Text(s)) => Some(*s),
            _ => None,
        };
        let key = &mut self.key;
        key.clear();
        for &k in &plan.keys {
            match text(k) {
                Some(s) => {
                    key.extend_from_slice(&(s.len() as u32).to_le_bytes());
                    key.extend_from_slice(s.as_bytes());
                }
                None => key.extend_from_slice(&u32::MAX.to_le_bytes()),
            }
        }
        let a = match self.index.get(key.as_slice()) {
            Some(&a) => a as usize,
            None => {
                let a = self.accs.len();
                self.index.insert(key.as_slice().into(), a as u32);
                self.accs.push(Acc::new(plan));
                a
            }
        };
        let acc = &mut self.accs[a];
        acc.loaded += 1;
        let d = match vals.get(plan.date) {
            Some(Val::Date(d)) => *d,
            _ => return Some(()),
        };
        if d < plan.from || d > plan.to {
            return Some(());
        }
        acc.rows += 1;
        acc.first_any = acc.first_any.min(d);
        acc.last_any = acc.last_any.max(d);
        if let Some(Val::Fixed(f)) = vals.get(plan.revenue)
            && f.mantissa >= 0
        {
            acc.ship_rows += 1;
            acc.first = acc.first.min(d);
            acc.last = acc.last.max(d);
        }
        for (s, &t) in acc.sums.iter_mut().zip(&plan.sums) {
            if let Some(Val::Fixed(f)) = vals.get(t) {
                s.add(i128::from(f.mantissa), u8::try_from(f.scale).ok()?)?;
            }
        }
        for (c, &t) in acc.nulls.iter_mut().zip(&plan.nulls) {
            *c += i64::from(matches!(vals.get(t), None | Some(Val::Null)));
        }
        let pos = (self.file, (u64::from(piece) << 32) | u64::from(row));
        for (slot, &t) in acc.last_text.iter_mut().zip(&plan.last) {
            if let Some(s) = text(t) {
                match slot {
                    Some((p, _)) if *p >= pos => {}
                    Some((p, v)) => {
                        *p = pos;
                        if **v != *s {
                            *v = s.into();
                        }
                    }
                    None => *slot = Some((pos, s.into())),
                }
            }
        }
        Some(())
    }

    /// Adds another state's sums (of the same plan) to these.
    pub(super) fn merge(&mut self, other: State) {
        self.failed |= other.failed;
        for (a, b) in self.money.iter_mut().zip(other.money) {
            a.max_scale = match (a.max_scale, b.max_scale) {
                (Some(x), Some(y)) => Some(x.max(y)),
                (x, y) => x.or(y),
            };
            if a.abs.len() < b.abs.len() {
                a.abs.resize(b.abs.len(), 0);
            }
            for (x, y) in a.abs.iter_mut().zip(b.abs) {
                match x.checked_add(y) {
                    Some(v) => *x = v,
                    None => self.failed = true,
                }
            }
        }
        let mut accs: Vec<Option<Acc>> = other.accs.into_iter().map(Some).collect();
        for (key, i) in other.index {
            let Some(acc) = accs[i as usize].take() else {
                continue;
            };
            match self.index.get(&key) {
                Some(&j) => {
                    if self.accs[j as usize].merge(acc).is_none() {
                        self.failed = true;
                    }
                }
                None => {
                    self.index.insert(key, self.accs.len() as u32);
                    self.accs.push(acc);
                }
            }
        }
    }

    /// Adds `more` to the totals in `all`, which it becomes when there are none yet.
    pub(super) fn merge_into(all: &mut Option<State>, more: State) {
        match all {
            Some(all) => all.merge(more),
            None => *all = Some(more),
        }
    }

    /// The largest scale written in target `t` (an exact column), if any value.
    pub(super) fn max_scale(&self, t: usize) -> Option<u32> {
        let k = self.plan.money.iter().position(|&m| m == t)?;
        self.money[k].max_scale.map(u32::from)
    }

    /// The result frame. `scales` holds each target's scale in the loaded data (as
    /// `target_scales` chose it); None when a total does not fit (the rows are loaded instead,
    /// which reports it).
    pub(super) fn finish(self, targets: &[Target], scales: &[u32]) -> Option<DataFrame> {
        if self.failed {
            return None;
        }
        let plan = &self.plan;
        // As `finish` checks the loaded column: every total of any group fits in Int64.
        for (stats, &t) in self.money.iter().zip(&plan.money) {
            let scale = scales[t];
            let mut total: u128 = 0;
            for (s, &a) in stats.abs.iter().enumerate() {
                let f = 10u128.checked_pow(scale.checked_sub(s as u32)?)?;
                total = total.checked_add(a.checked_mul(f)?)?;
            }
            if total > super::MAX_EXACT_TOTAL as u128 {
                return None;
            }
        }
        // Keys in a fixed order (the frame's row order does not matter to its users, but the
        // same input always gives the same frame).
        let mut entries: Vec<(Box<[u8]>, Acc)> = {
            let mut accs: Vec<Option<Acc>> = self.accs.into_iter().map(Some).collect();
            self.index
                .into_iter()
                .filter_map(|(k, i)| accs[i as usize].take().map(|a| (k, a)))
                .collect()
        };
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let n = entries.len();
        let mut key_values: Vec<Vec<Option<&str>>> = vec![Vec::with_capacity(n); plan.keys.len()];
        for (k, _) in &entries {
            let mut at = 0;
            for values in key_values.iter_mut() {
                let len = u32::from_le_bytes(k.get(at..at + 4)?.try_into().ok()?);
                at += 4;
                if len == u32::MAX {
                    values.push(None);
                } else {
                    let s = std::str::from_utf8(k.get(at..at + len as usize)?).ok()?;
                    at += len as usize;
                    values.push(Some(s));
                }
            }
        }
        let mut cols: Vec<Column> = Vec::new();
        for (values, &t) in key_values.iter().zip(&plan.keys) {
            if targets[t].seen {
                cols.push(Column::new(targets[t].name.as_str().into(), values));
            }
        }
        let ints = |name: &str, f: &dyn Fn(&Acc) -> i64| {
            Column::new(
                name.into(),
                entries.iter().map(|(_, a)| f(a)).collect::<Vec<i64>>(),
            )
        };
        let days = |name: &str, f: &dyn Fn(&Acc) -> Option<i32>| {
            Column::new(
                name.into(),
                entries
                    .iter()
                    .map(|(_, a)| f(a))
                    .collect::<Vec<Option<i32>>>(),
            )
        };
        let real = |d: i32| (d != i32::MAX && d != i32::MIN).then_some(d);
        cols.push(ints(columns::LOADED, &|a| a.loaded));
        cols.push(ints(columns::ROWS, &|a| a.rows));
        cols.push(ints(columns::SHIP_ROWS, &|a| a.ship_rows));
        cols.push(days(columns::FIRST, &|a| real(a.first)));
        cols.push(days(columns::LAST, &|a| real(a.last)));
        cols.push(days(columns::FIRST_ANY, &|a| real(a.first_any)));
        cols.push(days(columns::LAST_ANY, &|a| real(a.last_any)));
        for (k, &t) in plan.sums.iter().enumerate() {
            if !targets[t].seen {
                continue;
            }
            let scale = u8::try_from(scales[t]).ok()?;
            let values = entries
                .iter()
                .map(|(_, a)| a.sums[k].at(scale))
                .collect::<Option<Vec<i64>>>()?;
            cols.push(Column::new(targets[t].name.as_str().into(), values));
        }
        for (k, &t) in plan.nulls.iter().enumerate() {
            if targets[t].seen {
                cols.push(ints(&columns::nulls(&targets[t].name), &|a| a.nulls[k]));
            }
        }
        for (k, &t) in plan.last.iter().enumerate() {
            if !targets[t].seen {
                continue;
            }
            // Positions as ranks: the order is what counts.
            let mut at: Vec<(Pos, usize)> = entries
                .iter()
                .enumerate()
                .filter_map(|(i, (_, a))| a.last_text[k].as_ref().map(|(p, _)| (*p, i)))
                .collect();
            at.sort_unstable();
            let mut rank: Vec<Option<i64>> = vec![None; n];
            for (r, (_, i)) in at.iter().enumerate() {
                rank[*i] = Some(r as i64);
            }
            let name = targets[t].name.as_str();
            let values: Vec<Option<&str>> = entries
                .iter()
                .map(|(_, a)| a.last_text[k].as_ref().map(|(_, v)| &**v))
                .collect();
            cols.push(Column::new(name.into(), values));
            cols.push(Column::new(columns::pos(name).as_str().into(), rank));
        }
        DataFrame::new(n, cols).ok()
    }
}
