//! Exact value parsers for messy ERP / Excel exports (Chinese and Western).
//!
//! - Money and plain numbers are read into [`Fixed`] (an `i64` mantissa and a decimal
//!   scale) without ever going through floating point, so `0.1 + 0.2` is exactly `0.3`.
//! - Dates are read as the calendar date written in the cell; time of day and time zone are
//!   ignored. Day/month order is never guessed.
//! - Ids lose Excel's `.0` float suffix but keep their leading zeros.
//!
//! The grammars are deliberately strict: a wrongly read number is worse than an error, so
//! anything not clearly understood is rejected with a [`ValueError`] carrying a short hint.

use chrono::format::{Fixed as FmtFixed, Item, Numeric, StrftimeItems};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

/// A decimal number parsed exactly: value = mantissa / 10^scale. `scale` = fraction digits as
/// written ("1234.50" -> 123450, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fixed {
    pub mantissa: i64,
    pub scale: u32,
}

impl Fixed {
    /// Mantissa at a larger or equal scale; None on i64 overflow or when `scale < self.scale`
    /// (would lose digits).
    pub fn rescale(self, scale: u32) -> Option<i64> {
        let extra = scale.checked_sub(self.scale)?;
        let factor = 10i64.checked_pow(extra)?;
        self.mantissa.checked_mul(factor)
    }

    /// Exact conversion that keeps the scale (`1234.50` stays `1234.50`).
    ///
    /// `Decimal` holds at most 28 fraction digits; a (pathological) larger scale, which only
    /// [`Fixed::checked_mul`] can produce, is rounded half away from zero to 28 places.
    pub fn to_decimal(self) -> Decimal {
        if let Ok(d) = Decimal::try_new(self.mantissa, self.scale) {
            return d;
        }
        let drop = self.scale.saturating_sub(MAX_SCALE);
        let m = i128::from(self.mantissa);
        let Some(div) = 10i128.checked_pow(drop) else {
            return Decimal::ZERO;
        };
        let mut q = m / div;
        let r = m % div;
        if r.unsigned_abs() * 2 >= div.unsigned_abs() {
            q += m.signum();
        }
        i64::try_from(q)
            .ok()
            .and_then(|q| Decimal::try_new(q, MAX_SCALE).ok())
            .unwrap_or(Decimal::ZERO)
    }

    /// Nearest `f64` (correctly rounded).
    pub fn to_f64(self) -> f64 {
        const POW10: [f64; 23] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        ];
        // Fast path: both operands exact in f64, so one division rounds correctly.
        if self.mantissa.unsigned_abs() < (1u64 << 53)
            && let Some(p) = usize::try_from(self.scale).ok().and_then(|i| POW10.get(i))
        {
            return self.mantissa as f64 / p;
        }
        format!("{}e-{}", self.mantissa, self.scale)
            .parse()
            .unwrap_or(f64::NAN)
    }

    /// Exact product, scale = sum of scales; None on overflow.
    pub fn checked_mul(self, other: Fixed) -> Option<Fixed> {
        Some(Fixed {
            mantissa: self.mantissa.checked_mul(other.mantissa)?,
            scale: self.scale.checked_add(other.scale)?,
        })
    }
}

/// How numbers are written in a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NumberFormat {
    /// `1.234,56`: comma is the decimal separator, point/space/apostrophe group thousands.
    pub decimal_comma: bool,
}

/// How dates are written in a file, beyond the unambiguous forms always accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateFormat {
    /// A chrono strftime format (`--date-format`), tried first.
    pub format: Option<String>,
    /// Read plain numbers as Excel serial dates (`--excel-dates`).
    pub excel_serial: bool,
}

/// Why a value could not be read. `what` is "money", "number" or "date"; `expected` a short hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    pub what: &'static str,
    pub expected: String,
}

impl ValueError {
    /// e.g. "cannot read '12,3a' as money (expected e.g. 1234.56)". The raw value is quoted as
    /// written (truncated to 40 characters with "…" if longer).
    pub fn message(&self, raw: &str) -> String {
        format!(
            "cannot read '{}' as {} (expected {})",
            truncate_chars(raw, MAX_QUOTED),
            self.what,
            self.expected
        )
    }

    fn new(what: &'static str, expected: impl Into<String>) -> Self {
        ValueError {
            what,
            expected: expected.into(),
        }
    }
}

/// Longest raw value quoted in full by [`ValueError::message`].
const MAX_QUOTED: usize = 40;
/// Most fraction digits a `Decimal` (and therefore a parsed value) can hold.
const MAX_SCALE: u32 = 28;

const HINT_MONEY: &str = "e.g. 1234.56";
const HINT_NUMBER: &str = "e.g. 12.5";
const HINT_DECIMAL_COMMA_ON: &str = "e.g. 1.234,56";
const HINT_TRY_DECIMAL_COMMA: &str = "; if this file writes 1.234,56 pass --decimal-comma";
const HINT_OVERFLOW: &str = "a number below 9.2e18";
const HINT_TOO_PRECISE: &str = "a number with at most 28 decimal places";
const HINT_DATE: &str = "e.g. 2024-01-05, 2024/1/5 or 2024年1月5日";
const HINT_BAD_CALENDAR: &str = "a real calendar date, e.g. 2024-01-05";
const HINT_EXCEL: &str =
    "a date; this looks like an Excel serial date, pass --excel-dates to read it";
const HINT_EXCEL_RANGE: &str = "an Excel serial date between 1 and 2958465";
const HINT_EXCEL_60: &str =
    "a real date; Excel serial 60 is the non-existent 1900-02-29, pass a corrected value";

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// Blank characters trimmed around every value: ASCII whitespace, NBSP, narrow NBSP and the
/// full-width (ideographic) space.
fn is_blank(c: char) -> bool {
    c.is_ascii_whitespace() || matches!(c, '\u{a0}' | '\u{202f}' | '\u{3000}')
}

fn trim_value(s: &str) -> &str {
    s.trim_matches(is_blank)
}

/// The first `max` characters of `s`, with "…" appended when something was cut.
fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or(s)),
        None => s.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Money and numbers
// ---------------------------------------------------------------------------------------------

/// Currency marks, compared with ASCII letters upper-cased. Longest first so that `US$` wins
/// over `$`.
const CURRENCY_MARKS: [&str; 13] = [
    "US$", "RMB", "CNY", "USD", "EUR", "HKD", "GBP", "JPY", "¥", "￥", "$", "€", "£",
];
/// Marks only accepted after the number.
const CURRENCY_SUFFIXES: [&str; 1] = ["元"];

/// Why the number grammar rejected a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumErr {
    Invalid,
    Overflow,
    TooPrecise,
}

/// Parse a money amount. Ok(None) = empty/missing.
pub fn parse_money(s: &str, fmt: NumberFormat) -> Result<Option<Fixed>, ValueError> {
    parse_amount(s, fmt, "money", HINT_MONEY)
}

/// Plain numbers (quantity, teu, weight): same grammar as money (currency marks tolerated),
/// what = "number".
pub fn parse_number(s: &str, fmt: NumberFormat) -> Result<Option<Fixed>, ValueError> {
    parse_amount(s, fmt, "number", HINT_NUMBER)
}

fn parse_amount(
    s: &str,
    fmt: NumberFormat,
    what: &'static str,
    hint: &str,
) -> Result<Option<Fixed>, ValueError> {
    match parse_fixed(s, fmt.decimal_comma) {
        Ok(v) => Ok(v),
        Err(NumErr::Overflow) => Err(ValueError::new(what, HINT_OVERFLOW)),
        Err(NumErr::TooPrecise) => Err(ValueError::new(what, HINT_TOO_PRECISE)),
        Err(NumErr::Invalid) if fmt.decimal_comma => {
            Err(ValueError::new(what, HINT_DECIMAL_COMMA_ON))
        }
        Err(NumErr::Invalid) => {
            // Rejected with a decimal point but fine with a decimal comma: say so.
            if matches!(parse_fixed(s, true), Ok(Some(_))) {
                Err(ValueError::new(
                    what,
                    format!("{hint}{HINT_TRY_DECIMAL_COMMA}"),
                ))
            } else {
                Err(ValueError::new(what, hint))
            }
        }
    }
}

/// Fold full-width forms and the Unicode minus to ASCII for the number grammar.
fn fold_number_char(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(u32::from(c) - 0xFF10 + u32::from('0')).unwrap_or(c),
        '．' => '.',
        '，' => ',',
        '－' | '\u{2212}' => '-',
        '＋' => '+',
        '（' => '(',
        '）' => ')',
        _ => c,
    }
}

/// Whether `mark` (upper-case ASCII letters) equals `chars` ignoring ASCII case.
fn mark_matches(chars: &[char], mark: &str) -> bool {
    chars.len() == mark.chars().count()
        && chars
            .iter()
            .zip(mark.chars())
            .all(|(c, m)| c.to_ascii_uppercase() == m)
}

/// Length in chars of a currency mark starting at `chars[0]`.
fn currency_prefix_len(chars: &[char]) -> Option<usize> {
    CURRENCY_MARKS.iter().find_map(|m| {
        let n = m.chars().count();
        chars
            .get(..n)
            .filter(|head| mark_matches(head, m))
            .map(|_| n)
    })
}

/// Length in chars of a currency mark ending at the end of `chars`.
fn currency_suffix_len(chars: &[char]) -> Option<usize> {
    CURRENCY_MARKS
        .iter()
        .chain(CURRENCY_SUFFIXES.iter())
        .find_map(|m| {
            let n = m.chars().count();
            let start = chars.len().checked_sub(n)?;
            chars
                .get(start..)
                .filter(|tail| mark_matches(tail, m))
                .map(|_| n)
        })
}

/// The common forms of clean and Chinese/US exports, without building a char vector: an
/// optional `-`, then digits, optionally the decimal separator and digits, 18 digits at most
/// (so the value fits an i64). With a decimal point the digits may also carry a `¥`, `￥` or `$`
/// in front and be grouped by `,` in threes (`-￥1,234.50`). Anything else (None) goes through
/// the full grammar, which gives the same value for these forms (checked in the tests).
fn fast_fixed(s: &[u8], decimal_comma: bool) -> Option<Fixed> {
    let (negative, rest) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    let (point, group) = if decimal_comma {
        (b',', None)
    } else {
        (b'.', Some(b','))
    };
    let rest = if decimal_comma {
        rest
    } else {
        ["¥", "￥", "$"]
            .iter()
            .find_map(|m| rest.strip_prefix(m.as_bytes()))
            .unwrap_or(rest)
    };
    let (int, frac) = match memchr::memchr(point, rest) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let mut groups = int.split(|&b| Some(b) == group);
    let first = groups.next()?;
    let grouped = group.is_some_and(|g| int.contains(&g));
    if first.is_empty() || (grouped && first.len() > 3) {
        return None;
    }
    let mut digits: u32 = 0;
    let mut magnitude: i64 = 0;
    let mut take = |part: &[u8]| -> Option<()> {
        for &d in part {
            if !d.is_ascii_digit() || digits == 18 {
                return None;
            }
            digits += 1;
            magnitude = magnitude * 10 + i64::from(d - b'0');
        }
        Some(())
    };
    take(first)?;
    for g in groups {
        if g.len() != 3 {
            return None;
        }
        take(g)?;
    }
    let scale = match frac {
        Some([]) => return None,
        Some(f) => {
            take(f)?;
            f.len() as u32
        }
        None => 0,
    };
    Some(Fixed {
        mantissa: if negative { -magnitude } else { magnitude },
        scale,
    })
}

/// Parse with the full grammar: decorations (currency, sign, parentheses) around a number.
fn parse_fixed(s: &str, decimal_comma: bool) -> Result<Option<Fixed>, NumErr> {
    if let Some(f) = fast_fixed(s.as_bytes(), decimal_comma) {
        return Ok(Some(f));
    }
    let t = trim_value(s);
    if t.is_empty() {
        return Ok(None);
    }
    let chars: Vec<char> = t.chars().map(fold_number_char).collect();
    let (negative, core) = strip_decorations(&chars)?;
    let (magnitude, scale) = parse_unsigned(core, decimal_comma)?;
    // magnitude <= 2^63 (checked while accumulating), so it fits an i128.
    let magnitude = i128::try_from(magnitude).map_err(|_| NumErr::Overflow)?;
    let signed = if negative { -magnitude } else { magnitude };
    let mantissa = i64::try_from(signed).map_err(|_| NumErr::Overflow)?;
    Ok(Some(Fixed { mantissa, scale }))
}

/// Remove currency marks, signs and accounting parentheses from both ends. Returns whether the
/// value is negative and the remaining number.
fn strip_decorations(chars: &[char]) -> Result<(bool, &[char]), NumErr> {
    let mut rest = chars;
    let mut signs = 0u32;
    let mut negative = false;
    let mut open = false;
    let mut close = false;
    let mut currency = false;

    // Leading: any order of one sign, one '(' and one currency mark, blanks between.
    loop {
        while let Some((&c, tail)) = rest.split_first() {
            if !is_blank(c) {
                break;
            }
            rest = tail;
        }
        let Some((&c, tail)) = rest.split_first() else {
            break;
        };
        match c {
            '-' | '+' => {
                signs += 1;
                negative |= c == '-';
                rest = tail;
            }
            '(' if !open => {
                open = true;
                rest = tail;
            }
            _ => match currency_prefix_len(rest) {
                Some(n) if !currency => {
                    currency = true;
                    rest = rest.get(n..).unwrap_or_default();
                }
                _ => break,
            },
        }
    }

    // Trailing: a trailing minus, one ')' and one currency mark (incl. 元), blanks between.
    loop {
        while let Some((&c, head)) = rest.split_last() {
            if !is_blank(c) {
                break;
            }
            rest = head;
        }
        let Some((&c, head)) = rest.split_last() else {
            break;
        };
        match c {
            '-' => {
                signs += 1;
                negative = true;
                rest = head;
            }
            ')' if !close => {
                close = true;
                rest = head;
            }
            _ => match currency_suffix_len(rest) {
                Some(n) if !currency => {
                    currency = true;
                    rest = rest.get(..rest.len() - n).unwrap_or_default();
                }
                _ => break,
            },
        }
    }

    if open != close {
        return Err(NumErr::Invalid);
    }
    if open {
        signs += 1;
        negative = true;
    }
    if signs > 1 {
        return Err(NumErr::Invalid);
    }
    Ok((negative, rest))
}

/// Largest magnitude allowed (that of `i64::MIN`); the sign is applied afterwards.
const MAX_MAGNITUDE: u128 = 1u128 << 63;

/// Parse an unsigned decimal number: grouped integer part, optional fraction, optional
/// exponent. Returns (magnitude, scale).
fn parse_unsigned(core: &[char], decimal_comma: bool) -> Result<(u128, u32), NumErr> {
    let dec_sep = if decimal_comma { ',' } else { '.' };
    let is_group_sep = |c: char| {
        c == if decimal_comma { '.' } else { ',' }
            || matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'')
    };

    // Exponent, as Excel writes it: 1.2E+5, 3.4e-2 (no thousands separators then).
    let (mant, exponent) = match core.iter().position(|&c| c == 'e' || c == 'E') {
        Some(i) => {
            let mant = core.get(..i).unwrap_or_default();
            let exp = core.get(i + 1..).unwrap_or_default();
            (mant, Some(parse_exponent(exp)?))
        }
        None => (core, None),
    };

    let mut parts = mant.split(|&c| c == dec_sep);
    let int_part = parts.next().unwrap_or_default();
    let frac_part = parts.next();
    if parts.next().is_some() {
        return Err(NumErr::Invalid);
    }
    let frac_part = frac_part.unwrap_or_default();
    if !frac_part.iter().all(char::is_ascii_digit) {
        return Err(NumErr::Invalid);
    }

    let int_digits: Vec<char> = if int_part.iter().all(char::is_ascii_digit) {
        int_part.to_vec()
    } else {
        if exponent.is_some() {
            return Err(NumErr::Invalid);
        }
        ungroup(int_part, is_group_sep)?
    };
    if int_digits.is_empty() && frac_part.is_empty() {
        return Err(NumErr::Invalid);
    }

    let mut magnitude: u128 = 0;
    for d in int_digits.iter().chain(frac_part) {
        let v = u128::from(d.to_digit(10).ok_or(NumErr::Invalid)?);
        magnitude = magnitude * 10 + v;
        if magnitude > MAX_MAGNITUDE {
            return Err(NumErr::Overflow);
        }
    }
    let scale = i64::try_from(frac_part.len()).map_err(|_| NumErr::TooPrecise)?;

    let scale = match exponent {
        None => scale,
        Some(e) => {
            let shifted = scale - e;
            if shifted < 0 {
                if magnitude != 0 {
                    let factor = u32::try_from(-shifted)
                        .ok()
                        .and_then(|p| 10u128.checked_pow(p))
                        .ok_or(NumErr::Overflow)?;
                    magnitude = magnitude.checked_mul(factor).ok_or(NumErr::Overflow)?;
                    if magnitude > MAX_MAGNITUDE {
                        return Err(NumErr::Overflow);
                    }
                }
                0
            } else {
                shifted
            }
        }
    };
    let scale = u32::try_from(scale).map_err(|_| NumErr::TooPrecise)?;
    if scale > MAX_SCALE {
        return Err(NumErr::TooPrecise);
    }
    Ok((magnitude, scale))
}

/// Exponent digits after `e`/`E`: optional sign, 1+ ASCII digits. Absurdly long exponents are
/// clamped (the caller then reports overflow or too many decimals).
fn parse_exponent(exp: &[char]) -> Result<i64, NumErr> {
    let (negative, digits) = match exp.split_first() {
        Some(('+', rest)) => (false, rest),
        Some(('-', rest)) => (true, rest),
        _ => (false, exp),
    };
    if digits.is_empty() || !digits.iter().all(char::is_ascii_digit) {
        return Err(NumErr::Invalid);
    }
    let mut value: i64 = 0;
    for d in digits {
        value = value * 10 + i64::from(d.to_digit(10).ok_or(NumErr::Invalid)?);
        value = value.min(100_000);
    }
    Ok(if negative { -value } else { value })
}

/// Remove thousands separators from an integer part: one separator kind only, first group 1–3
/// digits, then groups of exactly 3.
fn ungroup(int_part: &[char], is_group_sep: impl Fn(char) -> bool) -> Result<Vec<char>, NumErr> {
    let sep = int_part
        .iter()
        .copied()
        .find(|c| !c.is_ascii_digit())
        .ok_or(NumErr::Invalid)?;
    if !is_group_sep(sep) {
        return Err(NumErr::Invalid);
    }
    let mut digits = Vec::with_capacity(int_part.len());
    for (i, group) in int_part.split(|&c| c == sep).enumerate() {
        let ok_len = if i == 0 {
            (1..=3).contains(&group.len())
        } else {
            group.len() == 3
        };
        if !ok_len || !group.iter().all(char::is_ascii_digit) {
            return Err(NumErr::Invalid);
        }
        digits.extend_from_slice(group);
    }
    Ok(digits)
}

// ---------------------------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------------------------

/// Trimmed id; "17850.0"/"17850.00" -> "17850" (digits followed by '.' and only zeros);
/// leading zeros kept ("00017"); None if empty. Returns a subslice of the input.
pub fn normalize_id(s: &str) -> Option<&str> {
    // No blank to trim when both ends are visible ASCII (blanks are ASCII whitespace or start
    // and end with non-ASCII bytes), and nothing to cut without a '.'.
    let b = s.as_bytes();
    if b.first().is_some_and(u8::is_ascii_graphic)
        && b.last().is_some_and(u8::is_ascii_graphic)
        && memchr::memchr(b'.', b).is_none()
    {
        return Some(s);
    }
    let t = trim_value(s);
    if t.is_empty() {
        return None;
    }
    if let Some((int, frac)) = t.split_once('.')
        && !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && !frac.is_empty()
        && frac.bytes().all(|b| b == b'0')
    {
        return Some(int);
    }
    Some(t)
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/// Why the built-in date forms rejected a value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DateErr {
    /// Not a recognised shape.
    Unrecognized,
    /// Recognised shape, but no such day (2023-02-29, month 13).
    BadCalendar,
    /// Day or month first: `05/01/2024`. Carries a suggested `--date-format`.
    Ambiguous(String),
    /// A bare 4–5 digit number while Excel serials are off.
    ExcelLike,
}

/// Parse a date as written (time of day and time zone ignored). Ok(None) = empty/missing.
pub fn parse_date(s: &str, fmt: &DateFormat) -> Result<Option<NaiveDate>, ValueError> {
    // Clean exports: `YYYY-MM-DD` exactly (a --date-format is tried first, so not then).
    if fmt.format.is_none()
        && let Some(d) = iso_date(s.as_bytes()).or_else(|| short_date(s))
    {
        return Ok(Some(d));
    }
    let t = trim_value(s);
    if t.is_empty() {
        return Ok(None);
    }
    let norm: String = t.chars().map(fold_date_char).collect();

    if let Some(f) = fmt.format.as_deref()
        && let Some(d) = parse_with_user_format(&norm, f)
    {
        return Ok(Some(d));
    }
    if fmt.excel_serial
        && let Some(r) = parse_excel_serial(&norm)
    {
        return r.map(Some);
    }
    match parse_builtin_date(&norm) {
        Ok(d) => Ok(Some(d)),
        Err(DateErr::BadCalendar) => Err(ValueError::new("date", HINT_BAD_CALENDAR)),
        Err(e) => {
            if let Some(f) = fmt.format.as_deref() {
                return Err(ValueError::new(
                    "date",
                    format!("a date in --date-format {f}, or {HINT_DATE}"),
                ));
            }
            Err(match e {
                DateErr::Ambiguous(suggest) => ValueError::new(
                    "date",
                    format!(
                        "a year-first date such as 2024-01-05; the day/month order is ambiguous, declare it with --date-format {suggest}"
                    ),
                ),
                DateErr::ExcelLike if !fmt.excel_serial => ValueError::new("date", HINT_EXCEL),
                _ => ValueError::new("date", HINT_DATE),
            })
        }
    }
}

/// `YYYY-MM-DD` with a plausible year and a real calendar day; None for anything else (the
/// full parser then accepts it or says why not).
fn iso_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let y = i32::try_from(num(0..4)?).ok()?;
    let d = NaiveDate::from_ymd_opt(y, num(5..7)?, num(8..10)?)?;
    plausible_year(d).then_some(d)
}

/// `2024/1/5` and `2024年1月5日` (month and day of one or two digits), as Chinese ERPs and
/// Excel write dates; None for anything else (the full parser then decides).
fn short_date(s: &str) -> Option<NaiveDate> {
    let (y, rest) = match s.split_once('/') {
        Some(p) => p,
        None => s.strip_suffix('日')?.split_once('年')?,
    };
    let (m, d) = match rest.split_once('/') {
        Some(p) => p,
        None => rest.split_once('月')?,
    };
    let num = |x: &str, lens: std::ops::RangeInclusive<usize>| -> Option<u32> {
        if !lens.contains(&x.len()) || !x.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        x.parse().ok()
    };
    let d = NaiveDate::from_ymd_opt(num(y, 4..=4)? as i32, num(m, 1..=2)?, num(d, 1..=2)?)?;
    plausible_year(d).then_some(d)
}

/// Fold full-width ASCII forms (digits, `／`, `－`, `：`, letters) and odd spaces to ASCII.
fn fold_date_char(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{a0}' | '\u{202f}' => ' ',
        '\u{2212}' => '-',
        _ => c,
    }
}

/// Years accepted for dates written as text.
fn plausible_year(d: NaiveDate) -> bool {
    (1000..=9999).contains(&d.year())
}

/// Try the user's `--date-format`: as a date, as a date-time, then on the date part alone (with
/// the format's own date part too).
fn parse_with_user_format(s: &str, f: &str) -> Option<NaiveDate> {
    let value_date = s.split([' ', 'T']).next().unwrap_or(s);
    let format_date = f.split([' ', 'T']).next().unwrap_or(f);
    NaiveDate::parse_from_str(s, f)
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(s, f).ok().map(|dt| dt.date()))
        .or_else(|| NaiveDate::parse_from_str(value_date, f).ok())
        .or_else(|| NaiveDate::parse_from_str(value_date, format_date).ok())
        .filter(|&d| plausible_year(d))
}

/// Excel serial (only called with `--excel-dates`): `45296`, `45296.5` (fraction = time,
/// ignored). None = not a plain number (or an 8-digit compact date), try other forms.
fn parse_excel_serial(s: &str) -> Option<Result<NaiveDate, ValueError>> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty()
        || !all_digits(int)
        || !all_digits(frac)
        || (s.contains('.') && frac.is_empty())
    {
        return None;
    }
    if int.len() == 8 && frac.is_empty() {
        return None; // 20240105 is a compact date, far beyond the last serial (2958465).
    }
    let serial: u32 = match int.parse() {
        Ok(n) if (1..=2_958_465).contains(&n) => n,
        _ => return Some(Err(ValueError::new("date", HINT_EXCEL_RANGE))),
    };
    if serial == 60 {
        return Some(Err(ValueError::new("date", HINT_EXCEL_60)));
    }
    // Excel counts 1900-01-01 as day 1 and pretends 1900 was a leap year, so from serial 61 on
    // day 0 is 1899-12-30; before the fictitious 1900-02-29 it is 1899-12-31.
    let epoch = if serial < 60 {
        NaiveDate::from_ymd_opt(1899, 12, 31)
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)
    };
    let date = epoch.and_then(|e| e.checked_add_signed(Duration::days(i64::from(serial))));
    Some(date.ok_or_else(|| ValueError::new("date", HINT_EXCEL_RANGE)))
}

/// The unambiguous built-in forms, each optionally followed by a time of day.
fn parse_builtin_date(s: &str) -> Result<NaiveDate, DateErr> {
    let (date, time) = split_date_time(s);
    if let Some(time) = time
        && !is_loose_time(time)
    {
        return Err(DateErr::Unrecognized);
    }

    // Chinese: 2024年1月5日
    if let Some(rest) = date.strip_suffix('日') {
        let (y, rest) = rest.split_once('年').ok_or(DateErr::Unrecognized)?;
        let (m, d) = rest.split_once('月').ok_or(DateErr::Unrecognized)?;
        return ymd(y, m, d);
    }

    let is_digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if is_digits(date) {
        return match date.len() {
            8 => {
                let (y, md) = date.split_at(4);
                let (m, d) = md.split_at(2);
                let parsed = ymd(y, m, d)?;
                if (1900..=2999).contains(&parsed.year()) {
                    Ok(parsed)
                } else {
                    Err(DateErr::Unrecognized)
                }
            }
            4 | 5 if time.is_none() => Err(DateErr::ExcelLike),
            _ => Err(DateErr::Unrecognized),
        };
    }
    // 45296.5: an Excel serial with a time fraction.
    if time.is_none()
        && let Some((int, frac)) = date.split_once('.')
        && matches!(int.len(), 4 | 5)
        && is_digits(int)
        && is_digits(frac)
    {
        return Err(DateErr::ExcelLike);
    }

    let sep = date
        .chars()
        .find(|c| !c.is_ascii_digit())
        .ok_or(DateErr::Unrecognized)?;
    if !matches!(sep, '-' | '/' | '.') {
        return Err(DateErr::Unrecognized);
    }
    let fields: Vec<&str> = date.split(sep).collect();
    let [a, b, c] = fields.as_slice() else {
        return Err(DateErr::Unrecognized);
    };
    if !(is_digits(a) && is_digits(b) && is_digits(c)) {
        return Err(DateErr::Unrecognized);
    }
    let short = |x: &str| matches!(x.len(), 1 | 2);
    if a.len() == 4 && short(b) && short(c) {
        return ymd(a, b, c);
    }
    if short(a) && short(b) && matches!(c.len(), 2 | 4) {
        let year = if c.len() == 4 { "%Y" } else { "%y" };
        return Err(DateErr::Ambiguous(format!(
            "%d{sep}%m{sep}{year} or %m{sep}%d{sep}{year}"
        )));
    }
    Err(DateErr::Unrecognized)
}

/// Build a date from a 4-digit year and 1–2 digit month and day.
fn ymd(y: &str, m: &str, d: &str) -> Result<NaiveDate, DateErr> {
    let is_digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if y.len() != 4 || !matches!(m.len(), 1 | 2) || !matches!(d.len(), 1 | 2) {
        return Err(DateErr::Unrecognized);
    }
    if !(is_digits(y) && is_digits(m) && is_digits(d)) {
        return Err(DateErr::Unrecognized);
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(DateErr::Unrecognized);
    };
    if !(1000..=9999).contains(&y) {
        return Err(DateErr::Unrecognized);
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or(DateErr::BadCalendar)
}

/// Split `date[ T]time`; for the Chinese form the time starts right after `日`.
fn split_date_time(s: &str) -> (&str, Option<&str>) {
    if let Some(i) = s.find('日') {
        let end = i + '日'.len_utf8();
        let (date, rest) = s.split_at(end);
        let rest = rest.trim_matches(is_blank);
        return (date, (!rest.is_empty()).then_some(rest));
    }
    match s.find([' ', 'T']) {
        Some(i) => {
            let (date, rest) = s.split_at(i);
            let rest = rest.get(1..).unwrap_or_default().trim_matches(is_blank);
            (date, Some(rest))
        }
        None => (s, None),
    }
}

/// Loose check of a time of day: optional AM/PM word, a clock made of digits, `:`, `.`, or
/// `时分秒` (with at least one `:` or `时`), and an optional `Z` / `±hh[:mm]` offset.
fn is_loose_time(t: &str) -> bool {
    const MERIDIEM: [&str; 6] = ["上午", "下午", "AM", "PM", "am", "pm"];
    let strip_meridiem = |x: &str| -> String {
        let x = x.trim_matches(is_blank);
        for m in MERIDIEM {
            if let Some(r) = x.strip_prefix(m) {
                return r.trim_matches(is_blank).to_string();
            }
            if let Some(r) = x.strip_suffix(m) {
                return r.trim_matches(is_blank).to_string();
            }
        }
        x.to_string()
    };

    // Time-zone suffix.
    let mut clock = t.trim_matches(is_blank);
    if let Some(r) = clock.strip_suffix(['Z', 'z']) {
        clock = r;
    } else if let Some(i) = clock.rfind(['+', '-']) {
        let (head, offset) = clock.split_at(i);
        let offset = offset.get(1..).unwrap_or_default();
        let digits: String = offset.chars().filter(|&c| c != ':').collect();
        let ok_offset = matches!(digits.len(), 2 | 4)
            && digits.bytes().all(|b| b.is_ascii_digit())
            && offset.chars().filter(|&c| c == ':').count() <= 1
            && !offset.starts_with(':');
        if !ok_offset {
            return false;
        }
        clock = head;
    }

    let clock = strip_meridiem(clock);
    clock.starts_with(|c: char| c.is_ascii_digit())
        && clock.contains([':', '时'])
        && clock
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | '时' | '分' | '秒'))
}

/// Check a user's --date-format (chrono strftime syntax) early: Err(message) if it has no
/// year/month/day fields or is invalid.
pub fn validate_date_format(f: &str) -> Result<(), String> {
    if f.trim().is_empty() {
        return Err("--date-format is empty; use e.g. %d/%m/%Y".to_string());
    }
    let (mut year, mut month, mut day, mut full) = (false, false, false, false);
    for item in StrftimeItems::new(f) {
        match item {
            Item::Error => {
                return Err(format!(
                    "--date-format '{f}' is not a valid chrono format; use e.g. %d/%m/%Y (%Y year, %m month, %d day)"
                ));
            }
            Item::Numeric(n, _) => match n {
                Numeric::Year | Numeric::YearMod100 => year = true,
                Numeric::Month => month = true,
                Numeric::Day => day = true,
                Numeric::Ordinal => {
                    month = true;
                    day = true;
                }
                Numeric::Timestamp => full = true,
                _ => {}
            },
            Item::Fixed(FmtFixed::ShortMonthName | FmtFixed::LongMonthName) => month = true,
            Item::Fixed(FmtFixed::RFC2822 | FmtFixed::RFC3339) => full = true,
            _ => {}
        }
    }
    if full || (year && month && day) {
        return Ok(());
    }
    let missing: Vec<&str> = [
        (year, "year (%Y)"),
        (month, "month (%m)"),
        (day, "day (%d)"),
    ]
    .iter()
    .filter(|(present, _)| !present)
    .map(|&(_, name)| name)
    .collect();
    Err(format!(
        "--date-format '{f}' has no {}; it needs a year, month and day, e.g. %d/%m/%Y",
        missing.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOT: NumberFormat = NumberFormat {
        decimal_comma: false,
    };
    const COMMA: NumberFormat = NumberFormat {
        decimal_comma: true,
    };

    fn fx(mantissa: i64, scale: u32) -> Fixed {
        Fixed { mantissa, scale }
    }

    fn money(s: &str) -> Fixed {
        match parse_money(s, DOT) {
            Ok(Some(v)) => v,
            other => panic!("{s:?}: expected a value, got {other:?}"),
        }
    }

    fn money_dc(s: &str) -> Fixed {
        match parse_money(s, COMMA) {
            Ok(Some(v)) => v,
            other => panic!("{s:?}: expected a value, got {other:?}"),
        }
    }

    fn money_err(s: &str, fmt: NumberFormat) -> ValueError {
        match parse_money(s, fmt) {
            Err(e) => e,
            other => panic!("{s:?}: expected an error, got {other:?}"),
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        date_with(s, &DateFormat::default())
    }

    fn date_with(s: &str, fmt: &DateFormat) -> NaiveDate {
        match parse_date(s, fmt) {
            Ok(Some(v)) => v,
            other => panic!("{s:?}: expected a date, got {other:?}"),
        }
    }

    fn date_err(s: &str) -> ValueError {
        date_err_with(s, &DateFormat::default())
    }

    fn date_err_with(s: &str, fmt: &DateFormat) -> ValueError {
        match parse_date(s, fmt) {
            Err(e) => {
                assert_eq!(e.what, "date");
                e
            }
            other => panic!("{s:?}: expected an error, got {other:?}"),
        }
    }

    fn user_format(f: &str) -> DateFormat {
        DateFormat {
            format: Some(f.to_string()),
            excel_serial: false,
        }
    }

    fn excel() -> DateFormat {
        DateFormat {
            format: None,
            excel_serial: true,
        }
    }

    // ----- Fixed ------------------------------------------------------------------------------

    /// The fast paths give what the full grammar gives, and leave everything else to it.
    #[test]
    fn fast_paths_agree_with_the_full_grammar() {
        for comma in [false, true] {
            for v in [
                "0",
                "-0",
                "-0.00",
                "1700.40",
                "007.50",
                "123456789012345678",
                "-5",
                "1,5",
                "1.5",
                "12,345.67",
                "1.",
                ".5",
                "-",
                "",
                "1234567890123456789",
                "1e3",
                "+1",
                "1 000",
                "¥1,234.00",
                "(12.50)",
                "12.5-",
            ] {
                let fast = fast_fixed(v.as_bytes(), comma);
                if let Some(f) = fast {
                    // the full grammar without the fast path
                    let t = trim_value(v);
                    let chars: Vec<char> = t.chars().map(fold_number_char).collect();
                    let (neg, core) = strip_decorations(&chars).unwrap();
                    let (mag, scale) = parse_unsigned(core, comma).unwrap();
                    let m = if neg { -(mag as i128) } else { mag as i128 };
                    assert_eq!(
                        (f.mantissa as i128, f.scale),
                        (m, scale),
                        "{v} comma {comma}"
                    );
                }
            }
        }
        // the marked form (Chinese and US exports)
        for v in [
            "￥1,234.50",
            "-￥1,234.50",
            "¥930.00",
            "$1,000,000",
            "1,234",
            "12,345.678",
            "0.5",
            "￥0",
            "￥1,23.00",
            "￥1234,567",
            "1,2345",
            ",123",
            "1,",
            "￥",
            "-",
            "1.2.3",
            "123456789,012,345,678",
            "1,234.",
            "￥-5",
            "-$5",
            "$ 5",
        ] {
            if let Some(f) = fast_fixed(v.as_bytes(), false) {
                let t = trim_value(v);
                let chars: Vec<char> = t.chars().map(fold_number_char).collect();
                let (neg, core) = strip_decorations(&chars).unwrap();
                let (mag, scale) = parse_unsigned(core, false).unwrap();
                let m = if neg { -(mag as i128) } else { mag as i128 };
                assert_eq!((f.mantissa as i128, f.scale), (m, scale), "{v}");
            }
        }
        assert_eq!(
            fast_fixed("-￥1,234.50".as_bytes(), false),
            Some(fx(-123450, 2))
        );
        assert_eq!(
            fast_fixed("$1,000,000".as_bytes(), false),
            Some(fx(1000000, 0))
        );
        assert_eq!(fast_fixed("￥1,23.00".as_bytes(), false), None);
        assert_eq!(fast_fixed("1,2345".as_bytes(), false), None);
        assert_eq!(fast_fixed("1,".as_bytes(), false), None);
        assert_eq!(fast_fixed("1,234.".as_bytes(), false), None);
        assert_eq!(fast_fixed(b"1700.40", false), Some(fx(170040, 2)));
        assert_eq!(fast_fixed(b"1,5", true), Some(fx(15, 1)));
        assert_eq!(fast_fixed(b"1,5", false), None);
        assert_eq!(fast_fixed(b"1234567890123456789", false), None);
        assert_eq!(fast_fixed(b" 12", false), None);
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(iso_date(b"2024-01-05"), d(2024, 1, 5));
        assert_eq!(iso_date(b"2024-02-30"), None);
        assert_eq!(iso_date(b"0999-01-05"), None);
        assert_eq!(iso_date(b"2024-1-5"), None);
        assert_eq!(iso_date(b"2024/01/05"), None);
        assert_eq!(iso_date(b"2024-0a-05"), None);
        // short forms: the same day as the full parser gives, or left to it
        for v in [
            "2024/1/5",
            "2024/01/05",
            "2024年1月5日",
            "2024年12月31日",
            "2024/2/30",
            "2024/13/1",
            "24/1/5",
            "2024/1/5/",
            "2024年1月5",
            "2024年1月5日 10:00",
            "0999/1/5",
            "2024/1/05",
            "2024/001/5",
            "2024/1/ 5",
        ] {
            if let Some(fast) = short_date(v) {
                let norm: String = trim_value(v).chars().map(fold_date_char).collect();
                assert_eq!(parse_builtin_date(&norm).ok(), Some(fast), "{v}");
            }
        }
        assert_eq!(short_date("2024/1/5"), d(2024, 1, 5));
        assert_eq!(short_date("2024年12月31日"), d(2024, 12, 31));
        assert_eq!(short_date("2024/2/30"), None);
        assert_eq!(short_date("2024年1月5日 10:00"), None);
        // through the public functions, fast path or not, same answers
        let plain = DateFormat::default();
        assert_eq!(parse_date("2024-01-05", &plain).unwrap(), d(2024, 1, 5));
        assert!(parse_date("2024-02-30", &plain).is_err());
        let dmy = DateFormat {
            format: Some("%Y-%d-%m".into()),
            excel_serial: false,
        };
        assert_eq!(parse_date("2024-01-05", &dmy).unwrap(), d(2024, 5, 1));
        assert_eq!(normalize_id("C000001"), Some("C000001"));
        assert_eq!(normalize_id(" C1 "), Some("C1"));
        assert_eq!(normalize_id("17850.0"), Some("17850"));
        assert_eq!(normalize_id("\u{3000}C1"), Some("C1"));
    }

    #[test]
    fn rescale_up_and_refused_down() {
        assert_eq!(fx(12345, 2).rescale(2), Some(12345));
        assert_eq!(fx(12345, 2).rescale(4), Some(1234500));
        assert_eq!(fx(-5, 0).rescale(3), Some(-5000));
        assert_eq!(fx(12345, 2).rescale(1), None);
        assert_eq!(fx(i64::MAX, 0).rescale(1), None);
        assert_eq!(fx(1, 0).rescale(19), None); // 10^19 overflows i64
        assert_eq!(fx(1, 0).rescale(18), Some(1_000_000_000_000_000_000));
        assert_eq!(fx(0, 0).rescale(u32::MAX), None);
    }

    #[test]
    fn point_one_plus_point_two_is_exactly_point_three() {
        let a = money("0.1");
        let b = money("0.2");
        let c = money("0.3");
        assert_eq!(a, fx(1, 1));
        let scale = a.scale.max(b.scale);
        let sum = a.rescale(scale).unwrap() + b.rescale(scale).unwrap();
        assert_eq!(sum, c.rescale(scale).unwrap());
        assert_eq!(fx(sum, scale), c);
        // Different written scales still add exactly.
        let e = money("0.20");
        let scale = a.scale.max(e.scale);
        assert_eq!(a.rescale(scale).unwrap() + e.rescale(scale).unwrap(), 30);
        assert_eq!(scale, 2);
    }

    #[test]
    fn checked_mul_is_exact() {
        assert_eq!(
            parse_number("6", DOT)
                .unwrap()
                .unwrap()
                .checked_mul(money("2.55")),
            Some(fx(1530, 2))
        );
        assert_eq!(money("1.5").checked_mul(money("2.25")), Some(fx(3375, 3)));
        assert_eq!(fx(-2, 1).checked_mul(fx(3, 0)), Some(fx(-6, 1)));
        assert_eq!(fx(i64::MAX, 0).checked_mul(fx(2, 0)), None);
        assert_eq!(fx(1, u32::MAX).checked_mul(fx(1, 1)), None);
    }

    #[test]
    fn to_decimal_keeps_trailing_zeros() {
        let v = money("1234.50");
        assert_eq!(v, fx(123450, 2));
        let dec = v.to_decimal();
        assert_eq!(dec.to_string(), "1234.50");
        assert_eq!(dec.scale(), 2);
        assert_eq!(money("¥1,234.00").to_decimal().to_string(), "1234.00");
        assert_eq!(money("-0.05").to_decimal().to_string(), "-0.05");
        assert_eq!(fx(15, 0).to_decimal().to_string(), "15");
    }

    #[test]
    fn to_decimal_rounds_only_beyond_28_places() {
        assert_eq!(fx(1, 28).to_decimal().scale(), 28);
        assert_eq!(
            fx(15, 29).to_decimal(),
            Decimal::try_new(2, 28).unwrap(),
            "half away from zero"
        );
        assert_eq!(fx(-15, 29).to_decimal(), Decimal::try_new(-2, 28).unwrap());
        assert_eq!(fx(14, 29).to_decimal(), Decimal::try_new(1, 28).unwrap());
        assert!(fx(i64::MAX, 60).to_decimal().is_zero());
        assert!(fx(5, u32::MAX).to_decimal().is_zero());
    }

    #[test]
    fn to_f64_is_nearest() {
        assert_eq!(fx(1, 1).to_f64(), 0.1);
        assert_eq!(fx(123450, 2).to_f64(), 1234.5);
        assert_eq!(fx(-3, 0).to_f64(), -3.0);
        assert_eq!(fx(i64::MAX, 0).to_f64(), 9.223372036854776e18);
        assert_eq!(fx(123456789, 30).to_f64(), 1.23456789e-22);
        assert_eq!(
            fx(i64::MAX, 4).to_f64(),
            "922337203685477.5807".parse::<f64>().unwrap()
        );
    }

    // ----- money: accepted ---------------------------------------------------------------------

    #[test]
    fn plain_and_grouped_numbers() {
        assert_eq!(money("1234.56"), fx(123456, 2));
        assert_eq!(money("1,234.56"), fx(123456, 2));
        assert_eq!(money("1,234,567.89"), fx(123456789, 2));
        assert_eq!(money("1,234"), fx(1234, 0));
        assert_eq!(money("999"), fx(999, 0));
        assert_eq!(money("0"), fx(0, 0));
        assert_eq!(money("0.00"), fx(0, 2));
        assert_eq!(money("007"), fx(7, 0));
        assert_eq!(money(".5"), fx(5, 1));
        assert_eq!(money("5."), fx(5, 0));
        assert_eq!(money("1 234 567.5"), fx(12345675, 1));
        assert_eq!(money("1\u{a0}234.5"), fx(12345, 1));
        assert_eq!(money("1\u{202f}234.5"), fx(12345, 1));
        assert_eq!(money("1'234'567.25"), fx(123456725, 2));
        assert_eq!(money("9223372036854775807"), fx(i64::MAX, 0));
        assert_eq!(money("-9223372036854775808"), fx(i64::MIN, 0));
    }

    #[test]
    fn trims_ascii_nbsp_and_fullwidth_spaces() {
        assert_eq!(money("  12.5\t"), fx(125, 1));
        assert_eq!(money("\u{a0}12.5\u{a0}"), fx(125, 1));
        assert_eq!(money("\u{3000}12.5\u{202f}"), fx(125, 1));
        assert_eq!(money("\r\n12.5\r\n"), fx(125, 1));
    }

    #[test]
    fn empty_is_none() {
        assert_eq!(parse_money("", DOT), Ok(None));
        assert_eq!(parse_money("   ", DOT), Ok(None));
        assert_eq!(parse_money("\u{a0}\u{3000}\u{202f}\t", COMMA), Ok(None));
        assert_eq!(parse_number("", DOT), Ok(None));
    }

    #[test]
    fn currency_marks() {
        assert_eq!(money("¥1,234.00"), fx(123400, 2));
        assert_eq!(money("￥1,234.00"), fx(123400, 2));
        assert_eq!(money("$12.5"), fx(125, 1));
        assert_eq!(money("US$12.5"), fx(125, 1));
        assert_eq!(money("us$ 12.5"), fx(125, 1));
        assert_eq!(money("€ 7"), fx(7, 0));
        assert_eq!(money("£7.10"), fx(710, 2));
        assert_eq!(money("RMB 1,000"), fx(1000, 0));
        assert_eq!(money("rmb1000"), fx(1000, 0));
        assert_eq!(money("CNY 5"), fx(5, 0));
        assert_eq!(money("Usd 5"), fx(5, 0));
        assert_eq!(money("EUR5"), fx(5, 0));
        assert_eq!(money("HKD 5"), fx(5, 0));
        assert_eq!(money("GBP 5"), fx(5, 0));
        assert_eq!(money("JPY 500"), fx(500, 0));
        assert_eq!(money("1,000 USD"), fx(1000, 0));
        assert_eq!(money("1000eur"), fx(1000, 0));
        assert_eq!(money("12.5$"), fx(125, 1));
        assert_eq!(money("1,234.00元"), fx(123400, 2));
        assert_eq!(money("1234 元"), fx(1234, 0));
        assert_eq!(money("\u{3000}￥\u{3000}88"), fx(88, 0));
    }

    #[test]
    fn signs() {
        assert_eq!(money("-5"), fx(-5, 0));
        assert_eq!(money("+5"), fx(5, 0));
        assert_eq!(money("\u{2212}5.5"), fx(-55, 1));
        assert_eq!(money("－5.5"), fx(-55, 1));
        assert_eq!(money("- 5"), fx(-5, 0));
        assert_eq!(money("(123.45)"), fx(-12345, 2));
        assert_eq!(money("（123.45）"), fx(-12345, 2));
        assert_eq!(money("( 1,234.00 )"), fx(-123400, 2));
        assert_eq!(money("123.45-"), fx(-12345, 2));
        assert_eq!(money("1,234 -"), fx(-1234, 0));
        assert_eq!(money("-¥1,234.00"), fx(-123400, 2));
        assert_eq!(money("¥-1,234.00"), fx(-123400, 2));
        assert_eq!(money("¥(1,234.00)"), fx(-123400, 2));
        assert_eq!(money("(¥1,234.00)"), fx(-123400, 2));
        assert_eq!(money("(1,234.00)元"), fx(-123400, 2));
        assert_eq!(money("1,234.00-元"), fx(-123400, 2));
        assert_eq!(money("-1,234元"), fx(-1234, 0));
        assert_eq!(money("USD -5"), fx(-5, 0));
        assert_eq!(money("-0"), fx(0, 0));
    }

    #[test]
    fn fullwidth_digits_and_separators() {
        assert_eq!(money("１，２３４．５６"), fx(123456, 2));
        assert_eq!(money("￥１２３"), fx(123, 0));
        assert_eq!(money("（１２．５）"), fx(-125, 1));
        assert_eq!(money_dc("１．２３４，５６"), fx(123456, 2));
    }

    #[test]
    fn scientific_notation() {
        assert_eq!(money("1.2E+5"), fx(120000, 0));
        assert_eq!(money("1.2e5"), fx(120000, 0));
        assert_eq!(money("3.4e-2"), fx(34, 3));
        assert_eq!(money("1.20E+1"), fx(120, 1));
        assert_eq!(money("1.23457E+11"), fx(123457000000, 0));
        assert_eq!(money("-2.5E+03"), fx(-2500, 0));
        assert_eq!(money("5E-1"), fx(5, 1));
        assert_eq!(money("0E+400"), fx(0, 0));
        assert_eq!(money_dc("1,2E+5"), fx(120000, 0));
    }

    #[test]
    fn decimal_comma() {
        assert_eq!(money_dc("1 234,56"), fx(123456, 2));
        assert_eq!(money_dc("1.234,56"), fx(123456, 2));
        assert_eq!(money_dc("1.234.567,89"), fx(123456789, 2));
        assert_eq!(money_dc("-0,5"), fx(-5, 1));
        assert_eq!(money_dc("1234,5"), fx(12345, 1));
        assert_eq!(money_dc("1\u{a0}234,56"), fx(123456, 2));
        assert_eq!(money_dc("1'234,56"), fx(123456, 2));
        assert_eq!(money_dc("€ 1.234,56"), fx(123456, 2));
        assert_eq!(money_dc("(1.234,56)"), fx(-123456, 2));
        assert_eq!(money_dc("1.234"), fx(1234, 0));
        assert_eq!(money_dc(",5"), fx(5, 1));
        assert_eq!(money_dc("12"), fx(12, 0));
    }

    #[test]
    fn number_shares_grammar() {
        let n = |s| parse_number(s, DOT);
        assert_eq!(n("12.5"), Ok(Some(fx(125, 1))));
        assert_eq!(n("1,200"), Ok(Some(fx(1200, 0))));
        assert_eq!(n("¥3"), Ok(Some(fx(3, 0))));
        assert_eq!(n("(2)"), Ok(Some(fx(-2, 0))));
        assert_eq!(n("   "), Ok(None));
        assert_eq!(parse_number("2,5", COMMA), Ok(Some(fx(25, 1))));
        let e = n("12kg").unwrap_err();
        assert_eq!(e.what, "number");
        assert_eq!(e.expected, "e.g. 12.5");
        let e = n("2,5").unwrap_err();
        assert_eq!(
            e.expected,
            "e.g. 12.5; if this file writes 1.234,56 pass --decimal-comma"
        );
        assert_eq!(
            parse_number("1,5x", COMMA).unwrap_err().expected,
            "e.g. 1.234,56"
        );
    }

    // ----- money: rejected ---------------------------------------------------------------------

    #[test]
    fn rejects_bad_grouping_and_junk() {
        for s in [
            "12,3a",
            "1,2345",
            "1,23,456",
            "12a",
            "a12",
            "1.2.3",
            "1..2",
            ".",
            "-",
            "+",
            "()",
            "¥",
            "元",
            "1,234,56.7",
            ",123",
            "123,",
            "1,,234",
            "1 2",
            "1.234,5,6",
            "5%",
            "50 %",
            "NaN",
            "inf",
            "#N/A",
            "0x10",
            "1_000",
            "١٢٣",
            "1,234.5.6",
            "1 234,567.00",
            "1,000 000",
            "1.5e",
            "1e+",
            "1e5.5",
            "1,234e5",
            "e5",
            "12 34",
            "'123",
        ] {
            let e = money_err(s, DOT);
            assert_eq!(e.what, "money", "{s}");
            assert!(e.expected.starts_with("e.g. 1234.56"), "{s}: {e:?}");
        }
        assert_eq!(money_err("12,3a", DOT).expected, "e.g. 1234.56");
        assert_eq!(
            money_err("12,3a", DOT).message("12,3a"),
            "cannot read '12,3a' as money (expected e.g. 1234.56)"
        );
    }

    #[test]
    fn rejects_more_than_one_sign() {
        for s in [
            "--5", "-+5", "+-5", "-5-", "(-5)", "-(5)", "(5)-", "－-5", "((5))", "(5", "5)",
            "¥-5-", "--",
        ] {
            money_err(s, DOT);
        }
    }

    #[test]
    fn rejects_more_than_one_currency() {
        money_err("¥100元", DOT);
        money_err("$100 EUR", DOT);
        money_err("USD USD 1", DOT);
        money_err("元100", DOT);
    }

    #[test]
    fn decimal_comma_values_hint_at_flag() {
        let hint = "e.g. 1234.56; if this file writes 1.234,56 pass --decimal-comma";
        for s in [
            "1234,56",
            "1,23",
            "1,2",
            "1,2345",
            "1.234,56",
            "1.234.567",
            "0,5",
            "1,2E+5",
        ] {
            assert_eq!(money_err(s, DOT).expected, hint, "{s}");
        }
        assert!(
            money_err("1234,56", DOT)
                .message("1234,56")
                .contains("--decimal-comma")
        );
    }

    #[test]
    fn decimal_comma_mode_rejects() {
        for s in ["1,234.56", "1.23", "1.2345,6", "1,2,3", "12,3a", "1.234.56"] {
            let e = money_err(s, COMMA);
            assert_eq!(e.expected, "e.g. 1.234,56", "{s}");
        }
    }

    #[test]
    fn overflow() {
        for s in [
            "99999999999999999999",
            "9223372036854775808",
            "1e400",
            "-1e19",
            "92233720368547758.08",
            "1,000,000,000,000,000,000,000",
        ] {
            assert_eq!(money_err(s, DOT).expected, "a number below 9.2e18", "{s}");
        }
        assert_eq!(money("-9.223372036854775808E18"), fx(i64::MIN, 0));
    }

    #[test]
    fn too_many_decimals() {
        assert_eq!(
            money_err("1e-400", DOT).expected,
            "a number with at most 28 decimal places"
        );
        assert_eq!(money("1e-28"), fx(1, 28));
        assert_eq!(
            money_err("0.00000000000000000000000000001", DOT).expected,
            "a number with at most 28 decimal places"
        );
    }

    #[test]
    fn message_truncates_long_values() {
        let e = ValueError::new("money", "e.g. 1234.56");
        let raw = "一二三四五六七八九十".repeat(5);
        let msg = e.message(&raw);
        let quoted: String = raw.chars().take(40).collect();
        assert_eq!(
            msg,
            format!("cannot read '{quoted}…' as money (expected e.g. 1234.56)")
        );
        let exact = "x".repeat(40);
        assert_eq!(
            e.message(&exact),
            format!("cannot read '{exact}' as money (expected e.g. 1234.56)")
        );
    }

    // ----- ids ---------------------------------------------------------------------------------

    #[test]
    fn ids() {
        assert_eq!(normalize_id("17850.0"), Some("17850"));
        assert_eq!(normalize_id("17850.00"), Some("17850"));
        assert_eq!(normalize_id(" 17850.0 "), Some("17850"));
        assert_eq!(normalize_id("00017"), Some("00017"));
        assert_eq!(normalize_id("00017.0"), Some("00017"));
        assert_eq!(normalize_id(" A12 "), Some("A12"));
        assert_eq!(normalize_id("1.50"), Some("1.50"));
        assert_eq!(normalize_id("1.05"), Some("1.05"));
        assert_eq!(normalize_id("17850."), Some("17850."));
        assert_eq!(normalize_id(".0"), Some(".0"));
        assert_eq!(normalize_id("A1.0"), Some("A1.0"));
        assert_eq!(normalize_id("1.0.0"), Some("1.0.0"));
        assert_eq!(normalize_id("客户\u{3000}"), Some("客户"));
        assert_eq!(normalize_id(""), None);
        assert_eq!(normalize_id(" \u{a0}\u{3000}"), None);
        // A subslice of the input, not a copy.
        let input = String::from(" 42.0 ");
        let out = normalize_id(&input).unwrap();
        assert!(input.as_ptr() <= out.as_ptr());
        assert!(out.as_ptr() as usize + out.len() <= input.as_ptr() as usize + input.len());
    }

    // ----- dates -------------------------------------------------------------------------------

    #[test]
    fn iso_and_slash_and_dot_dates() {
        assert_eq!(date("2024-01-05"), d(2024, 1, 5));
        assert_eq!(date("2024-1-5"), d(2024, 1, 5));
        assert_eq!(date("2024/1/5"), d(2024, 1, 5));
        assert_eq!(date("2024/01/05"), d(2024, 1, 5));
        assert_eq!(date("2024.01.05"), d(2024, 1, 5));
        assert_eq!(date("2024.1.5"), d(2024, 1, 5));
        assert_eq!(date("  2024-12-31 "), d(2024, 12, 31));
        assert_eq!(date("２０２４／１／５"), d(2024, 1, 5));
    }

    #[test]
    fn compact_dates() {
        assert_eq!(date("20240105"), d(2024, 1, 5));
        assert_eq!(date("19000101"), d(1900, 1, 1));
        assert_eq!(date("29991231"), d(2999, 12, 31));
        date_err("18991231");
        date_err("30000101");
        date_err("2024015");
        date_err("202401050");
        assert_eq!(date_err("20240230").expected, HINT_BAD_CALENDAR);
        assert_eq!(date_err("20241305").expected, HINT_BAD_CALENDAR);
    }

    #[test]
    fn chinese_dates() {
        assert_eq!(date("2024年1月5日"), d(2024, 1, 5));
        assert_eq!(date("2024年01月05日"), d(2024, 1, 5));
        assert_eq!(date("2024年1月5日 08:26"), d(2024, 1, 5));
        assert_eq!(date("2024年1月5日8时26分"), d(2024, 1, 5));
        assert_eq!(date("2024年1月5日 8时26分30秒"), d(2024, 1, 5));
        assert_eq!(date("２０２４年１月５日"), d(2024, 1, 5));
        date_err("2024年1月");
        date_err("2024年1月5");
        date_err("24年1月5日");
        date_err("2024年13月5日");
        date_err("2024年1月5日 星期五");
    }

    #[test]
    fn dates_with_time() {
        for s in [
            "2024-01-05 08:26",
            "2024-01-05 08:26:00",
            "2024-01-05 8:26:00.123",
            "2024-01-05T08:26:00",
            "2024-01-05T08:26:00Z",
            "2024-01-05T23:59:59+08:00",
            "2024-01-05T23:59:59-05:00",
            "2024-01-05 23:59:59 +0800",
            "2024-01-05T08:26:00.000000+0800",
            "2024/1/5 8:26",
            "2024/1/5  8:26",
            "2024/1/5 下午 2:26:00",
            "2024/1/5 2:26 PM",
            "2024.01.05 00:00:00",
            "20240105 08:26:00",
        ] {
            assert_eq!(date(s), d(2024, 1, 5), "{s}");
        }
        for s in [
            "2024-01-05T",
            "2024-01-05 x",
            "2024-01-05 08:26 foo",
            "2024-01-05 :26",
            "2024-01-05 08:26+8",
            "2024-01-05 noon",
            "2024-01-05 08-26",
            "2024-01-05 0826",
            "2024-01-05 8",
        ] {
            assert_eq!(date_err(s).expected, HINT_DATE, "{s}");
        }
    }

    #[test]
    fn leap_days_and_invalid_dates() {
        assert_eq!(date("2024-02-29"), d(2024, 2, 29));
        assert_eq!(date_err("2023-02-29").expected, HINT_BAD_CALENDAR);
        assert_eq!(date_err("2024-02-30").expected, HINT_BAD_CALENDAR);
        assert_eq!(date_err("2024-13-01").expected, HINT_BAD_CALENDAR);
        assert_eq!(date_err("2024-00-10").expected, HINT_BAD_CALENDAR);
        assert_eq!(date_err("2024/4/31").expected, HINT_BAD_CALENDAR);
        for s in [
            "0024-01-05",
            "24-1-5x",
            "2024-01",
            "2024-01-05-01",
            "2024-001-05",
            "2024-01/05",
            "20240-1-5",
            "Jan 5, 2024",
            "5 January 2024",
            "yesterday",
            "2024-1-５x",
        ] {
            date_err(s);
        }
    }

    #[test]
    fn day_or_month_first_is_ambiguous() {
        for (s, suggest) in [
            ("05/01/2024", "--date-format %d/%m/%Y or %m/%d/%Y"),
            ("5.1.2024", "--date-format %d.%m.%Y or %m.%d.%Y"),
            ("01-05-2024", "--date-format %d-%m-%Y or %m-%d-%Y"),
            ("5/1/24", "--date-format %d/%m/%y or %m/%d/%y"),
            ("13/01/2024 08:00", "--date-format %d/%m/%Y or %m/%d/%Y"),
        ] {
            let e = date_err(s);
            assert!(e.expected.contains("ambiguous"), "{s}: {e:?}");
            assert!(e.expected.contains(suggest), "{s}: {e:?}");
        }
    }

    #[test]
    fn user_date_format() {
        let dmy = user_format("%d/%m/%Y");
        assert_eq!(date_with("05/01/2024", &dmy), d(2024, 1, 5));
        assert_eq!(date_with("5/1/2024", &dmy), d(2024, 1, 5));
        assert_eq!(date_with("05/01/2024 08:26", &dmy), d(2024, 1, 5));
        assert_eq!(date_with("05/01/2024T08:26:00", &dmy), d(2024, 1, 5));
        // Unambiguous forms still work.
        assert_eq!(date_with("2024-01-05", &dmy), d(2024, 1, 5));
        assert_eq!(date_with("2024年1月5日", &dmy), d(2024, 1, 5));
        let mdy = user_format("%m/%d/%Y");
        assert_eq!(date_with("01/05/2024", &mdy), d(2024, 1, 5));
        assert_eq!(date_with("12/31/2024", &mdy), d(2024, 12, 31));

        let with_time = user_format("%d.%m.%Y %H:%M");
        assert_eq!(date_with("05.01.2024 08:26", &with_time), d(2024, 1, 5));
        assert_eq!(date_with("05.01.2024", &with_time), d(2024, 1, 5));

        let short_year = user_format("%d/%m/%y");
        assert_eq!(date_with("05/01/24", &short_year), d(2024, 1, 5));

        let names = user_format("%d %b %Y");
        assert_eq!(date_with("05 Jan 2024", &names), d(2024, 1, 5));

        // Not matching the format and not unambiguous: the hint names the format.
        let e = date_err_with("31/13/2024", &dmy);
        assert!(e.expected.contains("--date-format %d/%m/%Y"), "{e:?}");
        let e = date_err_with("05-01-2024", &dmy);
        assert!(e.expected.contains("%d/%m/%Y"), "{e:?}");
        // 2-digit year under %Y is refused rather than read as year 24.
        date_err_with("05/01/24", &dmy);
        // Invalid calendar date under the format.
        date_err_with("30/02/2024", &dmy);
    }

    #[test]
    fn excel_serials() {
        let x = excel();
        assert_eq!(date_with("45296", &x), d(2024, 1, 5));
        assert_eq!(date_with("45296.5", &x), d(2024, 1, 5));
        assert_eq!(date_with("45296.999", &x), d(2024, 1, 5));
        assert_eq!(date_with("61", &x), d(1900, 3, 1));
        assert_eq!(date_with("59", &x), d(1900, 2, 28));
        assert_eq!(date_with("1", &x), d(1900, 1, 1));
        assert_eq!(date_with("2958465", &x), d(9999, 12, 31));
        assert_eq!(date_with("25569", &x), d(1970, 1, 1));
        assert!(date_err_with("60", &x).expected.contains("1900-02-29"));
        assert_eq!(date_err_with("0", &x).expected, HINT_EXCEL_RANGE);
        assert_eq!(date_err_with("2958466", &x).expected, HINT_EXCEL_RANGE);
        assert_eq!(date_err_with("99999999", &x).expected, HINT_BAD_CALENDAR);
        assert_eq!(date_err_with("12345678", &x).expected, HINT_BAD_CALENDAR);
        date_err_with("-1", &x);
        date_err_with("45296.", &x);
        // Text dates still work with the flag on; 8 digits stay a compact date.
        assert_eq!(date_with("2024-01-05", &x), d(2024, 1, 5));
        assert_eq!(date_with("20240105", &x), d(2024, 1, 5));
    }

    #[test]
    fn excel_serial_without_flag_hints() {
        for s in ["45296", "45296.5", "1234"] {
            let e = date_err(s);
            assert!(e.expected.contains("Excel serial"), "{s}: {e:?}");
            assert!(e.expected.contains("--excel-dates"), "{s}: {e:?}");
        }
        assert_eq!(date_err("123").expected, HINT_DATE);
        assert_eq!(date_err("123456").expected, HINT_DATE);
    }

    #[test]
    fn date_empty_and_messages() {
        assert_eq!(parse_date("", &DateFormat::default()), Ok(None));
        assert_eq!(parse_date(" \u{3000} ", &excel()), Ok(None));
        let e = date_err("2024-1");
        assert_eq!(
            e.message("2024-1"),
            "cannot read '2024-1' as date (expected e.g. 2024-01-05, 2024/1/5 or 2024年1月5日)"
        );
    }

    #[test]
    fn full_messages() {
        let dflt = DateFormat::default();
        let msg = |s: &str| parse_date(s, &dflt).unwrap_err().message(s);
        assert_eq!(
            msg("05/01/2024"),
            "cannot read '05/01/2024' as date (expected a year-first date such as 2024-01-05; \
             the day/month order is ambiguous, declare it with --date-format %d/%m/%Y or %m/%d/%Y)"
        );
        assert_eq!(
            msg("45296"),
            "cannot read '45296' as date (expected a date; this looks like an Excel serial date, \
             pass --excel-dates to read it)"
        );
        assert_eq!(
            parse_money("1234,56", DOT).unwrap_err().message("1234,56"),
            "cannot read '1234,56' as money (expected e.g. 1234.56; \
             if this file writes 1.234,56 pass --decimal-comma)"
        );
        assert_eq!(
            parse_money("1e400", DOT).unwrap_err().message("1e400"),
            "cannot read '1e400' as money (expected a number below 9.2e18)"
        );
        assert_eq!(
            parse_money("1,234.56", COMMA)
                .unwrap_err()
                .message("1,234.56"),
            "cannot read '1,234.56' as money (expected e.g. 1.234,56)"
        );
    }

    #[test]
    fn validate_formats() {
        for f in [
            "%d/%m/%Y",
            "%m/%d/%Y",
            "%Y-%m-%d",
            "%d.%m.%y",
            "%d %b %Y",
            "%B %d, %Y",
            "%F",
            "%D",
            "%d/%m/%Y %H:%M",
            "%Y%j",
            "%Y年%m月%d日",
        ] {
            assert_eq!(validate_date_format(f), Ok(()), "{f}");
        }
        for f in [
            "",
            "  ",
            "%m/%Y",
            "%d/%m",
            "%H:%M",
            "hello",
            "%Y-%m-%Q",
            "%d/%m/%Y%",
        ] {
            let e = validate_date_format(f).unwrap_err();
            assert!(e.contains("--date-format"), "{f}: {e}");
        }
        assert!(validate_date_format("%m/%Y").unwrap_err().contains("day"));
        assert!(
            validate_date_format("%Y-%m-%Q")
                .unwrap_err()
                .contains("not a valid")
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        let samples = [
            "",
            "（",
            "）",
            "(",
            ")",
            "¥",
            "元",
            "US$",
            "e",
            "E+",
            "-e-",
            "\u{a0}",
            "日",
            "年月日",
            "2024年",
            "年1月5日",
            "T",
            " T ",
            "2024-01-05T+",
            "+08:00",
            "🙂",
            "1🙂",
            "１２３🙂",
            "\u{202f}-\u{202f}",
            "ｅ５",
            "１Ｅ５",
        ];
        let long = "9".repeat(500);
        let long_e = format!("1e{}", "9".repeat(500));
        for s in samples.into_iter().chain([long.as_str(), long_e.as_str()]) {
            let _ = parse_money(s, DOT);
            let _ = parse_money(s, COMMA);
            let _ = parse_number(s, DOT);
            let _ = parse_date(s, &DateFormat::default());
            let _ = parse_date(s, &excel());
            let _ = parse_date(s, &user_format("%d/%m/%Y %H:%M"));
            let _ = normalize_id(s);
            let _ = validate_date_format(s);
        }
    }
}
