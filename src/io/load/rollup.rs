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

/// Keeps `s` in `slot` when `pos` comes later in the input than the text kept there (the text
/// is copied only when it differs: most customers keep one name).
fn keep_later(slot: &mut Option<(Pos, Box<str>)>, pos: Pos, s: &str) {
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

    /// Folds `rows` rows of a Parquet slice's typed columns (by target) in, giving the totals
    /// the row pipeline's values would give ([`State::fold_row`]; a test compares the two).
    /// Column by column: each row gets the number of its key within the slice (see
    /// [`key_codes`]), the columns are summed into dense arrays by that number, and only then
    /// is each key of the slice added to the totals. `piece` orders the pieces of this state's
    /// file.
    pub(super) fn fold_typed(&mut self, columns: &[Typed<'_>], rows: usize, piece: u32) {
        if self.fold_slice(columns, rows, piece).is_none() {
            self.failed = true;
        }
    }

    /// [`State::fold_typed`]; None on an overflow, or a column of a kind the fold cannot read.
    fn fold_slice(&mut self, columns: &[Typed<'_>], rows: usize, piece: u32) -> Option<()> {
        let State {
            plan,
            file,
            index,
            accs,
            money,
            key,
            ..
        } = self;
        // What the input says of each exact column: every value, in the window or not.
        for (stats, &t) in money.iter_mut().zip(&plan.money) {
            let col = columns.get(t)?;
            let Some(scale) = fixed_scale(col) else {
                continue;
            };
            let (mut n, mut abs) = (0usize, 0u128);
            let mut overflow = false;
            each_fixed(col, |_, m| {
                n += 1;
                match abs.checked_add(m.unsigned_abs()) {
                    Some(v) => abs = v,
                    None => overflow = true,
                }
            });
            if overflow {
                return None;
            }
            if n > 0 {
                stats.max_scale = Some(stats.max_scale.map_or(scale, |x| x.max(scale)));
                let i = usize::from(scale);
                if stats.abs.len() <= i {
                    stats.abs.resize(i + 1, 0);
                }
                stats.abs[i] = stats.abs[i].checked_add(abs)?;
            }
        }

        if rows == 0 {
            return Some(());
        }
        let slice = Slice::group(plan, columns, rows)?;
        let groups = &slice.groups;
        let n = slice.len();
        let g = |r: usize| groups[r] as usize;

        // The window: rows with a day in [from, to]; shipments among them (revenue ≥ 0).
        let mut day = vec![0i32; rows];
        let mut in_window = vec![false; rows];
        match columns.get(plan.date)? {
            Typed::Date(ca) => {
                for (r, d) in ca.iter().enumerate() {
                    if let Some(d) = d
                        && d >= plan.from
                        && d <= plan.to
                    {
                        day[r] = d;
                        in_window[r] = true;
                    }
                }
            }
            Typed::Absent => {}
            _ => return None,
        }
        let mut shipment = vec![false; rows];
        each_fixed(columns.get(plan.revenue)?, |r, m| shipment[r] = m >= 0);

        let mut loaded = vec![0i64; n];
        let mut in_rows = vec![0i64; n];
        let mut ship_rows = vec![0i64; n];
        let (mut first, mut last) = (vec![i32::MAX; n], vec![i32::MIN; n]);
        let (mut first_any, mut last_any) = (vec![i32::MAX; n], vec![i32::MIN; n]);
        for r in 0..rows {
            let k = g(r);
            loaded[k] += 1;
            if !in_window[r] {
                continue;
            }
            let d = day[r];
            in_rows[k] += 1;
            first_any[k] = first_any[k].min(d);
            last_any[k] = last_any[k].max(d);
            if shipment[r] {
                ship_rows[k] += 1;
                first[k] = first[k].min(d);
                last[k] = last[k].max(d);
            }
        }
        // Sums: the mantissas at the column's one scale, and how many there were.
        let mut sums: Vec<(u8, Vec<i128>, Vec<u32>)> = Vec::with_capacity(plan.sums.len());
        for &t in &plan.sums {
            let col = columns.get(t)?;
            let (mut total, mut count) = (vec![0i128; n], vec![0u32; n]);
            each_fixed(col, |r, m| {
                if in_window[r] {
                    total[g(r)] += m;
                    count[g(r)] += 1;
                }
            });
            sums.push((fixed_scale(col).unwrap_or(0), total, count));
        }
        let mut nulls: Vec<Vec<i64>> = Vec::with_capacity(plan.nulls.len());
        for &t in &plan.nulls {
            let mut count = vec![0i64; n];
            each_null(columns.get(t)?, rows, |r| {
                if in_window[r] {
                    count[g(r)] += 1;
                }
            });
            nulls.push(count);
        }
        // The last non-empty text of each key: its row and value.
        let mut lasts: Vec<Vec<Option<(u32, &str)>>> = Vec::with_capacity(plan.last.len());
        for &t in &plan.last {
            let mut at: Vec<Option<(u32, &str)>> = vec![None; n];
            match columns.get(t)? {
                Typed::Str(ca) => {
                    for (r, s) in ca.iter().enumerate() {
                        if let Some(s) = s
                            && in_window[r]
                        {
                            at[g(r)] = Some((r as u32, s));
                        }
                    }
                }
                Typed::Absent => {}
                _ => return None,
            }
            lasts.push(at);
        }

        // Each key of the slice into the totals.
        for k in 0..n {
            slice.key_bytes(k, key);
            let a = match index.get(key.as_slice()) {
                Some(&a) => a as usize,
                None => {
                    let a = accs.len();
                    index.insert(key.as_slice().into(), a as u32);
                    accs.push(Acc::new(plan));
                    a
                }
            };
            let acc = &mut accs[a];
            acc.loaded += loaded[k];
            acc.rows += in_rows[k];
            acc.ship_rows += ship_rows[k];
            acc.first = acc.first.min(first[k]);
            acc.last = acc.last.max(last[k]);
            acc.first_any = acc.first_any.min(first_any[k]);
            acc.last_any = acc.last_any.max(last_any[k]);
            for (s, (scale, total, count)) in acc.sums.iter_mut().zip(&sums) {
                if count[k] > 0 {
                    s.add(total[k], *scale)?;
                }
            }
            for (c, count) in acc.nulls.iter_mut().zip(&nulls) {
                *c += count[k];
            }
            for (slot, at) in acc.last_text.iter_mut().zip(&lasts) {
                if let Some((row, s)) = at[k] {
                    keep_later(slot, (*file, (u64::from(piece) << 32) | u64::from(row)), s);
                }
            }
        }
        Some(())
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
                keep_later(slot, pos, s);
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

/// The scale of an exact typed column (None: not an exact column).
fn fixed_scale(col: &Typed<'_>) -> Option<u8> {
    match col {
        Typed::Int(_) => Some(0),
        Typed::Dec(_, scale) => u8::try_from(*scale).ok(),
        _ => None,
    }
}

/// Calls `f(row, mantissa)` for each value of an exact typed column, in row order (nothing for
/// another column: the row pipeline gives no exact value there either).
fn each_fixed(col: &Typed<'_>, mut f: impl FnMut(usize, i128)) {
    match col {
        Typed::Int(ca) => {
            for (r, m) in ca.iter().enumerate() {
                if let Some(m) = m {
                    f(r, i128::from(m));
                }
            }
        }
        // `typed_targets` took the column only with every mantissa within i64.
        Typed::Dec(ca, _) => {
            for (r, m) in ca.iter().enumerate() {
                if let Some(m) = m {
                    f(r, m);
                }
            }
        }
        _ => {}
    }
}

/// Calls `f(row)` for each empty value of a typed column, in row order.
fn each_null(col: &Typed<'_>, rows: usize, mut f: impl FnMut(usize)) {
    fn each<T>(values: impl Iterator<Item = Option<T>>, f: &mut impl FnMut(usize)) {
        for (r, v) in values.enumerate() {
            if v.is_none() {
                f(r);
            }
        }
    }
    match col {
        Typed::Absent => (0..rows).for_each(f),
        Typed::Str(ca) if ca.null_count() > 0 => each(ca.iter(), &mut f),
        Typed::Date(ca) if ca.null_count() > 0 => each(ca.iter(), &mut f),
        Typed::Int(ca) if ca.null_count() > 0 => each(ca.iter(), &mut f),
        Typed::Dec(ca, _) if ca.null_count() > 0 => each(ca.iter(), &mut f),
        _ => {}
    }
}

/// The keys of one slice: each row's key number, and each key's values.
struct Slice<'a> {
    /// Row → key number (0..len).
    groups: Vec<u32>,
    /// The distinct values of each key column (None: empty).
    values: Vec<Vec<Option<&'a str>>>,
    /// Key number → its value number in each key column (`values.len()` numbers a key).
    tuples: Vec<u32>,
}

impl<'a> Slice<'a> {
    /// Numbers the keys of a slice's rows (first met, first numbered). None when a key column
    /// is not text.
    fn group(plan: &Plan, columns: &[Typed<'a>], rows: usize) -> Option<Slice<'a>> {
        let mut slice = Slice {
            groups: vec![0; rows],
            values: Vec::with_capacity(plan.keys.len()),
            tuples: Vec::new(),
        };
        // No key column yet: every row is the one key of no values.
        let mut len = usize::from(rows > 0);
        for &k in &plan.keys {
            let (codes, values) = key_codes(columns.get(k)?, rows)?;
            let width = slice.values.len();
            if len <= 1 {
                // One key so far: the column's numbers are the keys'.
                let prefix: Vec<u32> = slice.tuples.get(..width).unwrap_or(&[]).to_vec();
                slice.tuples = (0..values.len() as u32)
                    .flat_map(|c| prefix.iter().copied().chain([c]))
                    .collect();
                len = values.len();
                slice.groups = codes;
            } else if values.len() == 1 {
                // One value in this column: the keys stay as they are.
                slice.tuples = slice
                    .tuples
                    .chunks(width)
                    .flat_map(|t| t.iter().copied().chain([0]))
                    .collect();
            } else {
                let mut pairs: HashMap<(u32, u32), u32, foldhash::fast::FixedState> =
                    HashMap::default();
                let mut tuples = Vec::new();
                for (g, &c) in slice.groups.iter_mut().zip(&codes) {
                    let next = pairs.len() as u32;
                    let new = *pairs.entry((*g, c)).or_insert_with(|| {
                        let at = *g as usize * width;
                        tuples.extend_from_slice(&slice.tuples[at..at + width]);
                        tuples.push(c);
                        next
                    });
                    *g = new;
                }
                slice.tuples = tuples;
                len = pairs.len();
            }
            slice.values.push(values);
        }
        if plan.keys.is_empty() {
            slice.tuples.clear();
        }
        Some(slice)
    }

    /// How many keys.
    fn len(&self) -> usize {
        self.tuples
            .len()
            .checked_div(self.values.len())
            .unwrap_or(usize::from(!self.groups.is_empty()))
    }

    /// Key `k` as [`State`] keys it: each value as a u32 length (`u32::MAX` for none) and
    /// its bytes.
    fn key_bytes(&self, k: usize, key: &mut Vec<u8>) {
        key.clear();
        let width = self.values.len();
        for (column, &c) in self
            .values
            .iter()
            .zip(&self.tuples[k * width..(k + 1) * width])
        {
            match column[c as usize] {
                Some(s) => {
                    key.extend_from_slice(&(s.len() as u32).to_le_bytes());
                    key.extend_from_slice(s.as_bytes());
                }
                None => key.extend_from_slice(&u32::MAX.to_le_bytes()),
            }
        }
    }
}

/// Each row's number of its value in a text column (first met, first numbered), and the
/// distinct values (None: empty). Rows are told apart by their 16-byte string views, looked
/// up as integers; a view seen for the first time in an array is looked up by its text, so
/// that equal texts behind different views (other buffers, another array) get one number.
/// None when the column is not text.
fn key_codes<'a>(col: &Typed<'a>, rows: usize) -> Option<(Vec<u32>, Vec<Option<&'a str>>)> {
    let ca: &'a StringChunked = match col {
        Typed::Absent => return Some((vec![0; rows], vec![None])),
        Typed::Str(ca) => ca,
        _ => return None,
    };
    type Fixed = foldhash::fast::FixedState;
    let mut codes: Vec<u32> = Vec::with_capacity(rows);
    let mut values: Vec<Option<&'a str>> = Vec::new();
    let mut by_text: HashMap<&'a str, u32, Fixed> = HashMap::default();
    let mut empty: Option<u32> = None;
    for arr in ca.downcast_iter() {
        // A view of a long text points into its own array's buffers: numbers per array.
        let mut by_view: HashMap<u128, u32, Fixed> = HashMap::default();
        for (view, s) in arr.views().iter().zip(arr.iter()) {
            let Some(s) = s else {
                let c = *empty.get_or_insert_with(|| {
                    values.push(None);
                    (values.len() - 1) as u32
                });
                codes.push(c);
                continue;
            };
            let c = *by_view.entry(view.as_u128()).or_insert_with(|| {
                *by_text.entry(s).or_insert_with(|| {
                    values.push(Some(s));
                    (values.len() - 1) as u32
                })
            });
            codes.push(c);
        }
    }
    Some((codes, values))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (the test needs variety, not quality).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    /// A text column of `chunks` arrays drawn from `pool` (None: empty).
    fn texts(rng: &mut Lcg, pool: &[Option<&str>], chunks: &[usize]) -> StringChunked {
        let mut all: Option<StringChunked> = None;
        for &len in chunks {
            let part: Vec<Option<&str>> = (0..len)
                .map(|_| pool[rng.next(pool.len() as u64) as usize])
                .collect();
            let part = StringChunked::from_iter_options("t".into(), part.into_iter());
            match &mut all {
                Some(a) => a.append(&part).expect("same type"),
                None => all = Some(part),
            }
        }
        all.expect("some chunk")
    }

    /// A numeric column of `chunks` arrays; `draw` draws a value (None: empty).
    fn numbers<T: PolarsNumericType>(
        rng: &mut Lcg,
        chunks: &[usize],
        mut draw: impl FnMut(&mut Lcg) -> Option<T::Native>,
    ) -> ChunkedArray<T> {
        let mut all: Option<ChunkedArray<T>> = None;
        for &len in chunks {
            let part: Vec<Option<T::Native>> = (0..len).map(|_| draw(rng)).collect();
            let part = ChunkedArray::<T>::from_iter_options("n".into(), part.into_iter());
            match &mut all {
                Some(a) => a.append(&part).expect("same type"),
                None => all = Some(part),
            }
        }
        all.expect("some chunk")
    }

    /// Everything a state holds, in key order, as text to compare.
    fn summary(state: &State) -> Vec<String> {
        let mut out: Vec<String> = state
            .index
            .iter()
            .map(|(k, &a)| format!("{k:?} {:?}", state.accs[a as usize]))
            .collect();
        out.sort();
        out.push(format!("{:?} failed={}", state.money, state.failed));
        out
    }

    /// The columnar fold of typed Parquet columns gives the totals, positions and money
    /// statistics that folding the same values row by row gives: keys with empty values,
    /// long texts (string views into buffers) repeated across arrays, several arrays per
    /// column, dates outside the window and empty, credit notes, absent columns, two keys,
    /// and two pieces of one file.
    #[test]
    fn the_columnar_fold_of_typed_columns_is_the_row_fold() {
        let customers = [
            Some("C1"),
            Some("C2"),
            Some("a customer with a long name"),
            Some("another customer, long as well"),
            None,
        ];
        let currencies = [Some("CNY"), Some("USD")];
        let names = [Some("Acme"), Some("Acme Logistics (Shanghai) Co."), None];
        // Targets: 0 customer, 1 currency, 2 date, 3 revenue (Dec 2), 4 cost (Int),
        // 5 name, 6 absent text, 7 absent money.
        let plan = Plan {
            keys: vec![0, 1],
            date: 2,
            revenue: 3,
            sums: vec![3, 4, 7],
            nulls: vec![5, 2, 6, 3],
            last: vec![5, 6],
            money: vec![3, 4, 7],
            from: 19_000,
            to: 19_300,
        };
        let one_currency = Plan {
            keys: vec![0],
            ..plan.clone()
        };
        let mut rng = Lcg(7);
        let mut typed_state = [State::new(&plan, 3), State::new(&one_currency, 3)];
        let mut row_state = [State::new(&plan, 3), State::new(&one_currency, 3)];
        for (piece, chunks) in [(0u32, vec![40, 1, 75]), (1, vec![120]), (2, vec![0])] {
            let rows: usize = chunks.iter().sum();
            let customer = texts(&mut rng, &customers, &chunks);
            let currency = texts(&mut rng, &currencies, &chunks);
            let name = texts(&mut rng, &names, &chunks);
            let date: Int32Chunked = numbers(&mut rng, &chunks, |r| {
                (r.next(10) > 0).then(|| 18_900 + r.next(500) as i32)
            });
            let revenue: Int128Chunked = numbers(&mut rng, &chunks, |r| {
                (r.next(8) > 0).then(|| r.next(2_000_000) as i128 - 300_000)
            });
            let cost: Int64Chunked = numbers(&mut rng, &chunks, |r| {
                (r.next(5) > 0).then(|| r.next(90_000) as i64)
            });
            let columns = || {
                vec![
                    Typed::Str(&customer),
                    Typed::Str(&currency),
                    Typed::Date(&date),
                    Typed::Dec(&revenue, 2),
                    Typed::Int(&cost),
                    Typed::Str(&name),
                    Typed::Absent,
                    Typed::Absent,
                ]
            };
            for (typed, by_row) in typed_state.iter_mut().zip(row_state.iter_mut()) {
                typed.fold_typed(&columns(), rows, piece);
                let cols: Vec<Option<Typed<'_>>> = columns().into_iter().map(Some).collect();
                let folded = by_row.fold_columns(&cols, rows, piece, |c, r| c.val(r));
                assert!(folded.is_some());
            }
        }
        for (typed, by_row) in typed_state.iter().zip(&row_state) {
            assert!(!typed.failed);
            assert!(
                typed.accs.len() >= customers.len(),
                "{} keys",
                typed.accs.len()
            );
            assert_eq!(summary(typed), summary(by_row));
        }
    }
}
