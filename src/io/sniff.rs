//! Delimiter detection for CSV-like files.

/// Candidates, in the order that breaks ties.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How many complete records are looked at.
const MAX_RECORDS: usize = 50;

/// The sample size callers use; a shorter sample is taken to be the whole file.
const SAMPLE_LIMIT: usize = 64 * 1024;

/// Pick the delimiter among `,` `;` tab `|` from a UTF-8 sample (the first ≤ 64 KiB of the
/// file, which may end mid-line).
///
/// Quote-aware as in RFC 4180 (and as the `csv` crate reads): a field that starts with `"` is
/// quoted until the closing `"` (`""` inside is a quote), and delimiters and newlines inside it
/// don't count, so a record may span lines. Each candidate is tried as the delimiter in turn
/// (a quote only opens a field right after that delimiter), over the first ≤ 50 complete,
/// non-blank records (the header included). A record at the very end of the sample without a
/// newline counts when the sample is shorter than 64 KiB (it is then the whole file) or when
/// there is no other record, unless it ends inside quotes.
///
/// The winner is the candidate whose count is the same nonzero number in the most records;
/// ties go to the larger count, then to `,` `;` tab `|` in that order. No candidate at all → `,`.
pub fn sniff_delimiter(sample: &[u8]) -> u8 {
    let mut best: Option<(usize, usize, u8)> = None; // (records agreeing, count, delimiter)
    for d in CANDIDATES {
        let counts = record_counts(sample, d);
        if let Some((agree, count)) = mode(&counts)
            && best.is_none_or(|(a, c, _)| (agree, count) > (a, c))
        {
            best = Some((agree, count, d));
        }
    }
    best.map_or(b',', |(_, _, d)| d)
}

/// The most frequent nonzero count, as (records having it, count); larger count on ties.
fn mode(counts: &[usize]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for &c in counts {
        if c == 0 {
            continue;
        }
        let agree = counts.iter().filter(|&&x| x == c).count();
        if best.is_none_or(|b| (agree, c) > b) {
            best = Some((agree, c));
        }
    }
    best
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field.
    FieldStart,
    /// In an unquoted field.
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// Just after a `"` in a quoted field: the closing quote, or the first of `""`.
    QuoteInQuoted,
}

/// Number of (unquoted) `delim` in each of the first complete non-blank records of `sample`.
fn record_counts(sample: &[u8], delim: u8) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut state = State::FieldStart;
    let mut count = 0usize;
    let mut blank = true; // the current record has no byte yet
    let mut i = 0usize;
    while i < sample.len() && counts.len() < MAX_RECORDS {
        let b = sample[i];
        i += 1;
        let newline = b == b'\n' || b == b'\r';
        match state {
            State::Quoted => {
                if b == b'"' {
                    state = State::QuoteInQuoted;
                }
                continue;
            }
            State::QuoteInQuoted if b == b'"' => {
                state = State::Quoted;
                continue;
            }
            _ => {}
        }
        if newline {
            if b == b'\r' && sample.get(i) == Some(&b'\n') {
                i += 1;
            }
            if !blank {
                counts.push(count);
            }
            count = 0;
            blank = true;
            state = State::FieldStart;
            continue;
        }
        blank = false;
        if b == delim {
            count += 1;
            state = State::FieldStart;
        } else if b == b'"' && state == State::FieldStart {
            state = State::Quoted;
        } else {
            // Text in an unquoted field, or after the closing quote (read leniently).
            state = State::Unquoted;
        }
    }
    let tail_complete = state != State::Quoted
        && !blank
        && counts.len() < MAX_RECORDS
        && (sample.len() < SAMPLE_LIMIT || counts.is_empty());
    if tail_complete {
        counts.push(count);
    }
    counts
}

/// Human name of a delimiter: "comma", "semicolon", "tab", "pipe", else the character in
/// quotes (`'x'`), or its hex code (`0x1f`) when it is not printable ASCII.
pub fn delimiter_name(d: u8) -> &'static str {
    match d {
        b',' => "comma",
        b';' => "semicolon",
        b'\t' => "tab",
        b'|' => "pipe",
        _ => {
            let (bytes, len) = &NAMES[usize::from(d)];
            std::str::from_utf8(&bytes[..*len]).unwrap_or("?")
        }
    }
}

/// `'x'` for printable ASCII, `0xNN` for other bytes.
static NAMES: [([u8; 4], usize); 256] = names();

const fn names() -> [([u8; 4], usize); 256] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut table = [([0u8; 4], 0usize); 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = if b >= 0x20 && b < 0x7f {
            ([b'\'', b, b'\'', 0], 3)
        } else {
            (
                [b'0', b'x', HEX[(b >> 4) as usize], HEX[(b & 0xf) as usize]],
                4,
            )
        };
        i += 1;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma() {
        assert_eq!(sniff_delimiter(b"id,name,amount\n1,a,2.5\n2,b,3\n"), b',');
    }

    #[test]
    fn semicolon_with_decimal_commas() {
        assert_eq!(sniff_delimiter(b"a;b\nx;1,5\ny;2,25"), b';');
        assert_eq!(sniff_delimiter(b"a;b\nx;1,5\ny;2,25\n"), b';');
        assert_eq!(
            sniff_delimiter("客户;金额;重量\nA;1,5;2,0\nB;2,25;3,1\n".as_bytes()),
            b';'
        );
    }

    #[test]
    fn tab() {
        assert_eq!(
            sniff_delimiter(b"id\tname\tnote\n1\tx\ta,b\n2\ty\tc;d\n"),
            b'\t'
        );
    }

    #[test]
    fn pipe() {
        assert_eq!(sniff_delimiter(b"id|name\r\n1|x\r\n2|y\r\n"), b'|');
    }

    #[test]
    fn quoted_fields_with_semicolons_and_newlines() {
        let s = b"id,note,amount\n\
                  1,\"a;b;c\",5\n\
                  2,\"line one;\nline two; with \"\"quotes\"\";\",6\n\
                  3,\"x;y\",7\n";
        assert_eq!(sniff_delimiter(s), b',');
        // The same with CRLF.
        let crlf: Vec<u8> = String::from_utf8_lossy(s)
            .replace('\n', "\r\n")
            .into_bytes();
        assert_eq!(sniff_delimiter(&crlf), b',');
    }

    #[test]
    fn quoted_commas_in_semicolon_file() {
        let s = b"name;city\n\"Doe, John\";\"Paris, FR\"\n\"Roe, Jane\";\"Lyon, FR\"\n";
        assert_eq!(sniff_delimiter(s), b';');
    }

    #[test]
    fn header_only() {
        assert_eq!(sniff_delimiter(b"a;b;c"), b';');
        assert_eq!(sniff_delimiter(b"a;b;c\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb"), b'\t');
        assert_eq!(sniff_delimiter("客户编号|金额".as_bytes()), b'|');
    }

    #[test]
    fn empty_and_single_column() {
        assert_eq!(sniff_delimiter(b""), b',');
        assert_eq!(sniff_delimiter(b"\n\n"), b',');
        assert_eq!(sniff_delimiter(b"amount\n1\n2\n"), b',');
    }

    #[test]
    fn larger_count_breaks_ties() {
        // ';' and '|' both agree in 2 records; '|' has the larger count.
        assert_eq!(sniff_delimiter(b"a;b|c|d\ne;f|g|h\n"), b'|');
        // Same agreement and count: ',' before ';'.
        assert_eq!(sniff_delimiter(b"a,b;c\n"), b',');
        assert_eq!(sniff_delimiter(b"a\tb|c\n"), b'\t');
    }

    #[test]
    fn truncated_sample() {
        // A 64 KiB sample that ends mid-line and mid-quote.
        let mut s = b"a;b;c\n".to_vec();
        while s.len() < SAMPLE_LIMIT - 20 {
            s.extend_from_slice(b"1,5;2,5;x\n");
        }
        s.extend_from_slice(b"1;\"2,3,4,5,6,7,8,9,10,11,12");
        s.truncate(SAMPLE_LIMIT);
        assert_eq!(sniff_delimiter(&s), b';');
    }

    #[test]
    fn only_first_50_records() {
        let mut s = b"a,b\n".to_vec();
        for _ in 0..49 {
            s.extend_from_slice(b"1,2\n");
        }
        for _ in 0..200 {
            s.extend_from_slice(b"1;2;3;4\n");
        }
        assert_eq!(sniff_delimiter(&s), b',');
    }

    #[test]
    fn stray_quote_inside_field() {
        // A quote that does not start a field is a literal (12" pipe).
        let s = b"item,size,qty\npipe,12\" long,3\nvalve,2\",4\n";
        assert_eq!(sniff_delimiter(s), b',');
    }

    #[test]
    fn names() {
        assert_eq!(delimiter_name(b','), "comma");
        assert_eq!(delimiter_name(b';'), "semicolon");
        assert_eq!(delimiter_name(b'\t'), "tab");
        assert_eq!(delimiter_name(b'|'), "pipe");
        assert_eq!(delimiter_name(b':'), "':'");
        assert_eq!(delimiter_name(b' '), "' '");
        assert_eq!(delimiter_name(0x1f), "0x1f");
        assert_eq!(delimiter_name(0xff), "0xff");
    }
}
