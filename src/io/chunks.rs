//! Cutting decoded delimited text into chunks of whole records, so that chunks can be parsed on
//! several threads.
//!
//! A chunk ends after a line end that is outside quotes. Whether a line end is inside a quoted
//! field is decided the way the `csv` crate reads (RFC 4180): a quote opens a quoted field only
//! at the start of a field, `""` inside a quoted field is a literal quote, and any other quote
//! is literal text. Line ends are normalised to LF first ([`normalize_line_ends`]), exactly as
//! the single-threaded reader does, so both readers see the same bytes.

use memchr::{memchr, memchr2_iter};

/// Appends `input` to `out` with CRLF and lone CR turned into LF. A CR at the end of `input`
/// is held back in `pending_cr` (it may start a CRLF); pass `pending_cr` to the next call and
/// call [`finish_line_ends`] at the end of input.
pub fn normalize_line_ends(input: &[u8], pending_cr: &mut bool, out: &mut Vec<u8>) {
    let mut rest = input;
    if *pending_cr && !rest.is_empty() {
        *pending_cr = false;
        out.push(b'\n');
        if rest[0] == b'\n' {
            rest = &rest[1..];
        }
    }
    while let Some(i) = memchr(b'\r', rest) {
        out.extend_from_slice(&rest[..i]);
        match rest.get(i + 1) {
            None => {
                *pending_cr = true;
                return;
            }
            // CRLF: the LF that follows is the line end.
            Some(b'\n') => {}
            Some(_) => out.push(b'\n'),
        }
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
}

/// The end of input: a held-back CR is a line end.
pub fn finish_line_ends(pending_cr: &mut bool, out: &mut Vec<u8>) {
    if *pending_cr {
        *pending_cr = false;
        out.push(b'\n');
    }
}

/// Finds record boundaries in a growing buffer that starts at the start of a record.
///
/// Scanning is incremental: bytes appended to the buffer are scanned once, and after the caller
/// removes a prefix of `n` bytes (up to a boundary it was given) it calls [`Splitter::consumed`].
#[derive(Debug, Clone)]
pub struct Splitter {
    delimiter: u8,
    /// Bytes of the buffer scanned so far.
    scanned: usize,
    in_quotes: bool,
    /// Position of the quote that last closed a quoted field (a quote right after it is an
    /// escaped quote and reopens the field).
    closed_at: Option<usize>,
    /// End (exclusive) of the last record found outside quotes.
    last_end: Option<usize>,
}

impl Splitter {
    pub fn new(delimiter: u8) -> Self {
        Splitter {
            delimiter,
            scanned: 0,
            in_quotes: false,
            closed_at: None,
            last_end: None,
        }
    }

    /// Scans `buf[self.scanned..]`; with `first`, stops at the first record end found.
    fn scan(&mut self, buf: &[u8], first: bool) {
        let start = self.scanned;
        for j in memchr2_iter(b'"', b'\n', &buf[start..]) {
            let i = start + j;
            if buf[i] == b'\n' {
                if !self.in_quotes {
                    self.last_end = Some(i + 1);
                    if first {
                        self.scanned = i + 1;
                        return;
                    }
                }
            } else if self.in_quotes {
                self.in_quotes = false;
                self.closed_at = Some(i);
            } else {
                let field_start = i == 0 || buf[i - 1] == self.delimiter || buf[i - 1] == b'\n';
                if field_start || self.closed_at.is_some_and(|c| c + 1 == i) {
                    self.in_quotes = true;
                }
            }
        }
        self.scanned = buf.len();
    }

    /// End (exclusive) of the last whole record in `buf` (its line end included), if any.
    pub fn last_record_end(&mut self, buf: &[u8]) -> Option<usize> {
        self.scan(buf, false);
        self.last_end
    }

    /// End (exclusive) of the first record in `buf` (its line end included), if complete.
    pub fn first_record_end(&mut self, buf: &[u8]) -> Option<usize> {
        self.scan(buf, true);
        self.last_end
    }

    /// The caller removed `buf[..n]`: `n` must be a record end it was given, or a line end
    /// outside quotes before it. Boundaries found beyond `n` are forgotten (the next chunk
    /// then ends at a later one).
    pub fn consumed(&mut self, n: usize) {
        self.scanned = self.scanned.saturating_sub(n);
        self.closed_at = self.closed_at.and_then(|c| c.checked_sub(n));
        self.last_end = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(input: &[u8], pieces: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut cr = false;
        let step = input.len().div_ceil(pieces.max(1)).max(1);
        for part in input.chunks(step) {
            normalize_line_ends(part, &mut cr, &mut out);
        }
        finish_line_ends(&mut cr, &mut out);
        out
    }

    #[test]
    fn line_ends_become_lf_in_any_pieces() {
        for pieces in [1, 2, 3, 100] {
            assert_eq!(norm(b"a,b\r\nc,d\r\n", pieces), b"a,b\nc,d\n");
            assert_eq!(norm(b"a\rb\r", pieces), b"a\nb\n");
            assert_eq!(norm(b"\r\r\n\n", pieces), b"\n\n\n");
            assert_eq!(norm(b"x\n\ny", pieces), b"x\n\ny");
            assert_eq!(norm(b"", pieces), b"");
        }
    }

    /// Every record end the splitter finds, cutting after each as it goes.
    fn records(text: &str, feed: usize) -> Vec<String> {
        let bytes = text.as_bytes();
        let mut s = Splitter::new(b',');
        let mut buf = Vec::new();
        let mut out = Vec::new();
        for part in bytes.chunks(feed) {
            buf.extend_from_slice(part);
            while let Some(end) = s.first_record_end(&buf) {
                out.push(String::from_utf8(buf[..end].to_vec()).unwrap());
                buf.drain(..end);
                s.consumed(end);
            }
        }
        if !buf.is_empty() {
            out.push(String::from_utf8(buf).unwrap());
        }
        out
    }

    /// What the csv crate reads as records (with their byte ranges turned into text).
    fn csv_records(text: &str) -> Vec<String> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut starts: Vec<usize> = Vec::new();
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            starts.push(rec.position().unwrap().byte() as usize);
        }
        starts.push(text.len());
        starts
            .windows(2)
            .map(|w| text[w[0]..w[1]].to_string())
            .collect()
    }

    #[test]
    fn record_ends_agree_with_the_csv_crate() {
        let cases = [
            "a,b\n1,2\n3,4\n",
            "a,b\n\"x\ny\",2\n3,4",
            "a,b\n\"he said \"\"hi\"\"\n\",2\n3,4\n",
            // a quote inside an unquoted field is text, not the start of a quoted field
            "a,b\n5\" pipe,2\n3,\"4\n5\"\n",
            // text after a closing quote continues the field unquoted
            "a,b\n\"x\"y\"z,2\nq,r\n",
            "a,b\n\"\"\"\",\"\"\n1,2\n",
            "\"multi\nline header\",b\n1,2\n",
        ];
        for text in cases {
            for feed in [1, 2, 3, 5, 1000] {
                assert_eq!(
                    records(text, feed),
                    csv_records(text),
                    "{text:?} feed {feed}"
                );
            }
        }
    }

    #[test]
    fn last_record_end_is_outside_quotes() {
        let mut s = Splitter::new(b',');
        let buf = b"a,b\n1,\"x\ny";
        assert_eq!(s.last_record_end(buf), Some(4));
        let mut more = buf.to_vec();
        more.extend_from_slice(b"\",2\n3,");
        assert_eq!(s.last_record_end(&more), Some(14));
        // after removing the records the positions move with the buffer
        s.consumed(14);
        let mut rest = more[14..].to_vec();
        assert_eq!(s.last_record_end(&rest), None);
        rest.extend_from_slice(b"\"4\n5\",6\n7");
        assert_eq!(s.last_record_end(&rest), Some(10));
        let mut s = Splitter::new(b';');
        assert_eq!(s.last_record_end(b"a;\"b\n"), None);
    }
}
