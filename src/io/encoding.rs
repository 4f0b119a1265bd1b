//! Text encodings of delimited input: detection (BOM, UTF-8, UTF-16, GBK/GB18030) and streaming
//! transcoding to UTF-8.
//!
//! Chinese exports are often GBK. GB18030 is a superset of GBK (and of GB2312), so "GBK" is
//! always decoded as GB18030.

use std::fmt;
use std::io::{self, Read};
use std::str::FromStr;

use encoding_rs::DecoderResult;

use crate::error::{Error, Result};

/// A text encoding crm-cli can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    /// GBK, GB2312, CP936 and GB18030, all decoded as GB18030 (the superset).
    Gb18030,
}

/// The names accepted by [`Encoding::from_str`], for error messages and help texts.
pub const ACCEPTED_NAMES: &str =
    "utf-8, utf-16le, utf-16be, utf-16 (= utf-16le), gbk, gb2312, gb18030, cp936";

impl FromStr for Encoding {
    type Err = Error;

    /// Case-insensitive; `-` and `_` are optional (`utf8`, `UTF_16LE`, `GB-18030` are accepted).
    fn from_str(s: &str) -> Result<Self> {
        let norm: String = s
            .trim()
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match norm.as_str() {
            "utf8" => Ok(Encoding::Utf8),
            "utf16le" | "utf16" => Ok(Encoding::Utf16Le),
            "utf16be" => Ok(Encoding::Utf16Be),
            "gbk" | "gb2312" | "gb18030" | "cp936" => Ok(Encoding::Gb18030),
            _ => Err(Error::Usage(format!(
                "unknown encoding '{s}'; accepted: {ACCEPTED_NAMES}"
            ))),
        }
    }
}

impl Encoding {
    /// Name for messages: "UTF-8", "UTF-16LE", "UTF-16BE", "GBK/GB18030".
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Gb18030 => "GBK/GB18030",
        }
    }

    fn rs(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Utf8 => encoding_rs::UTF_8,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
            Encoding::Gb18030 => encoding_rs::GB18030,
        }
    }

    fn from_rs(e: &'static encoding_rs::Encoding) -> Option<Self> {
        [
            Encoding::Utf8,
            Encoding::Utf16Le,
            Encoding::Utf16Be,
            Encoding::Gb18030,
        ]
        .into_iter()
        .find(|ours| ours.rs() == e)
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The encoding of a file, and whether it starts with a byte order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    pub encoding: Encoding,
    pub bom: bool,
}

const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Detect from the first bytes of a file (`prefix` is up to 64 KiB; `at_eof` says whether it is
/// the whole file).
///
/// In order:
/// 1. a BOM decides (UTF-8, UTF-16LE, UTF-16BE);
/// 2. UTF-16 without BOM: NUL bytes at odd positions only (LE) or even positions only (BE), and
///    the prefix decodes as that UTF-16. This comes before the UTF-8 test because ASCII text in
///    UTF-16 is also valid UTF-8 (NUL is a valid UTF-8 character);
/// 3. valid UTF-8 (a truncated last character is allowed when `!at_eof`);
/// 4. GB18030 with no malformed sequence (a truncated last character is allowed when `!at_eof`);
/// 5. otherwise an [`Error::Input`] naming `file` and the offset of the first bad byte (the
///    furthest offset that UTF-8 or GBK reached, whichever is larger).
pub fn detect(prefix: &[u8], at_eof: bool, file: &str) -> Result<Detected> {
    if prefix.starts_with(&UTF8_BOM) {
        return Ok(Detected {
            encoding: Encoding::Utf8,
            bom: true,
        });
    }
    if prefix.starts_with(&[0xFF, 0xFE]) {
        return Ok(Detected {
            encoding: Encoding::Utf16Le,
            bom: true,
        });
    }
    if prefix.starts_with(&[0xFE, 0xFF]) {
        return Ok(Detected {
            encoding: Encoding::Utf16Be,
            bom: true,
        });
    }
    let no_bom = |encoding| {
        Ok(Detected {
            encoding,
            bom: false,
        })
    };

    if let Some(utf16) = looks_like_utf16(prefix)
        && first_malformed(utf16, prefix, at_eof).is_none()
    {
        return no_bom(utf16);
    }

    let utf8_bad = match std::str::from_utf8(prefix) {
        Ok(_) => return no_bom(Encoding::Utf8),
        // Input cut in the middle of a character, and the file goes on.
        Err(e) if e.error_len().is_none() && !at_eof => return no_bom(Encoding::Utf8),
        Err(e) => e.valid_up_to(),
    };

    let gbk_bad = match first_malformed(Encoding::Gb18030, prefix, at_eof) {
        None => return no_bom(Encoding::Gb18030),
        Some(offset) => offset,
    };

    Err(Error::Input(format!(
        "{file} is neither UTF-8, UTF-16 nor GBK (first bad byte at offset {}); \
         pass --encoding to declare it",
        utf8_bad.max(gbk_bad)
    )))
}

/// UTF-16 without BOM: which byte of each pair holds the NULs of ASCII characters.
///
/// Text files in UTF-8 or GBK have no NUL bytes; UTF-16 text with ASCII in it (delimiters,
/// digits, newlines) has one in every ASCII code unit. A CJK character may have a NUL low byte
/// (e.g. U+4E00), so the other position may have a few.
fn looks_like_utf16(prefix: &[u8]) -> Option<Encoding> {
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, b) in prefix.iter().enumerate() {
        if *b == 0 {
            if i % 2 == 0 {
                even += 1;
            } else {
                odd += 1;
            }
        }
    }
    // At least a fifth of the code units are ASCII, and the other position has few NULs.
    let units = prefix.len() / 2;
    let plausible =
        |major: usize, minor: usize| major > 0 && major * 5 >= units && minor * 4 <= major;
    if plausible(odd, even) {
        Some(Encoding::Utf16Le)
    } else if plausible(even, odd) {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

/// Offset of the first malformed byte of `bytes` in `encoding` (no BOM handling), or None.
/// With `last == false`, an incomplete sequence at the end is not an error.
fn first_malformed(encoding: Encoding, bytes: &[u8], last: bool) -> Option<usize> {
    let mut decoder = encoding.rs().new_decoder_without_bom_handling();
    let mut scratch = [0u8; 8192];
    let mut pos = 0usize;
    loop {
        let (result, read, _written) =
            decoder.decode_to_utf8_without_replacement(&bytes[pos..], &mut scratch, last);
        pos += read;
        match result {
            DecoderResult::InputEmpty => return None,
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(bad, after) => {
                return Some(pos.saturating_sub(bad as usize + after as usize));
            }
        }
    }
}

/// Wrap a byte reader so that it yields UTF-8 without BOM.
///
/// - `Utf8`: bytes pass through unchanged except a leading BOM, which is dropped (UTF-8
///   validity is checked later by the CSV layer).
/// - `Utf16Le`, `Utf16Be`, `Gb18030`: streaming transcoding with encoding_rs, correct across
///   chunk boundaries. A BOM at the start is honoured and dropped (a UTF-8 or UTF-16 BOM
///   overrides the declared encoding, as in browsers; a GB18030 BOM is dropped too). A malformed
///   sequence is an [`io::Error`] of kind [`io::ErrorKind::InvalidData`] with the message
///   `not valid <NAME> at byte offset N` (N counts bytes of the wrapped reader); the text
///   before it is delivered first, and every read after it fails the same way.
pub fn decoding_reader(inner: Box<dyn Read + Send>, encoding: Encoding) -> Box<dyn Read + Send> {
    match encoding {
        Encoding::Utf8 => Box::new(SkipUtf8Bom {
            inner,
            head: [0; 3],
            head_len: 0,
            head_pos: 0,
            checked: false,
        }),
        _ => Box::new(Transcoder {
            inner,
            decoder: encoding.rs().new_decoder(),
            declared: encoding,
            input: vec![0; IN_BUF].into_boxed_slice(),
            in_start: 0,
            in_end: 0,
            output: vec![0; OUT_BUF].into_boxed_slice(),
            out_start: 0,
            out_end: 0,
            consumed: 0,
            eof: false,
            finished: false,
            at_start: true,
            failed_at: None,
        }),
    }
}

/// Reads through, dropping a leading UTF-8 BOM.
struct SkipUtf8Bom {
    inner: Box<dyn Read + Send>,
    head: [u8; 3],
    head_len: usize,
    head_pos: usize,
    checked: bool,
}

impl Read for SkipUtf8Bom {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if !self.checked {
            // Read until the head is a full BOM, or cannot be one.
            while self.head_len < 3 && self.head[..self.head_len] == UTF8_BOM[..self.head_len] {
                match self.inner.read(&mut self.head[self.head_len..]) {
                    Ok(0) => break,
                    Ok(n) => self.head_len += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            self.checked = true;
            if self.head == UTF8_BOM && self.head_len == 3 {
                self.head_pos = 3;
            }
        }
        if self.head_pos < self.head_len {
            let n = buf.len().min(self.head_len - self.head_pos);
            buf[..n].copy_from_slice(&self.head[self.head_pos..self.head_pos + n]);
            self.head_pos += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

const IN_BUF: usize = 16 * 1024;
/// Each input byte gives at most 2 bytes of UTF-8 (UTF-16: 2 → ≤3; GB18030: 2 → ≤3, 4 → ≤4).
const OUT_BUF: usize = 2 * IN_BUF;

/// Streaming transcoder to UTF-8.
struct Transcoder {
    inner: Box<dyn Read + Send>,
    decoder: encoding_rs::Decoder,
    declared: Encoding,
    input: Box<[u8]>,
    in_start: usize,
    in_end: usize,
    output: Box<[u8]>,
    out_start: usize,
    out_end: usize,
    /// Bytes of `inner` given to the decoder so far.
    consumed: u64,
    /// `inner` returned 0.
    eof: bool,
    /// The decoder has been flushed at end of input.
    finished: bool,
    /// No text has been produced yet (a leading U+FEFF is dropped).
    at_start: bool,
    /// Offset of the first malformed byte, once found.
    failed_at: Option<u64>,
}

impl Transcoder {
    fn malformed_error(&self, offset: u64) -> io::Error {
        // BOM sniffing may have switched the decoder to the encoding of the BOM.
        let name = Encoding::from_rs(self.decoder.encoding())
            .unwrap_or(self.declared)
            .name();
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not valid {name} at byte offset {offset}"),
        )
    }

    /// Decode the next piece into `output`; needs `output` empty.
    fn fill_output(&mut self) -> io::Result<()> {
        if self.in_start == self.in_end && !self.eof {
            self.in_start = 0;
            self.in_end = 0;
            loop {
                match self.inner.read(&mut self.input) {
                    Ok(0) => {
                        self.eof = true;
                        break;
                    }
                    Ok(n) => {
                        self.in_end = n;
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
        let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
            &self.input[self.in_start..self.in_end],
            &mut self.output,
            self.eof,
        );
        self.in_start += read;
        self.consumed += read as u64;
        self.out_start = 0;
        self.out_end = written;
        match result {
            DecoderResult::InputEmpty => {
                if self.eof {
                    self.finished = true;
                }
            }
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(bad, after) => {
                self.failed_at = Some(
                    self.consumed
                        .saturating_sub(u64::from(bad) + u64::from(after)),
                );
            }
        }
        if self.at_start && self.out_end > 0 {
            self.at_start = false;
            if self.output[..self.out_end].starts_with(&UTF8_BOM) {
                self.out_start = UTF8_BOM.len();
            }
        }
        Ok(())
    }
}

impl Read for Transcoder {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if let Some(offset) = self.failed_at {
                return Err(self.malformed_error(offset));
            }
            if self.finished {
                return Ok(0);
            }
            self.fill_output()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "客户编号,金额\n";

    fn gbk(s: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(s);
        assert!(!unmappable);
        bytes.into_owned()
    }

    fn utf16(s: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if le { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
        }
        for unit in s.encode_utf16() {
            out.extend_from_slice(&if le {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    }

    /// A reader that returns at most `step` bytes per read.
    struct Trickle {
        data: Vec<u8>,
        pos: usize,
        step: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.step).min(self.data.len() - self.pos);
            buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    fn decode_with_step(bytes: &[u8], encoding: Encoding, step: usize) -> io::Result<String> {
        let inner = Box::new(Trickle {
            data: bytes.to_vec(),
            pos: 0,
            step,
        });
        let mut reader = decoding_reader(inner, encoding);
        let mut out = Vec::new();
        // Read in small pieces too, to exercise the output side.
        let mut buf = [0u8; 5];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        String::from_utf8(out).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    fn decode_all(bytes: &[u8], encoding: Encoding) -> io::Result<String> {
        let mut reader = decoding_reader(Box::new(io::Cursor::new(bytes.to_vec())), encoding);
        let mut s = String::new();
        reader.read_to_string(&mut s)?;
        Ok(s)
    }

    fn detected(encoding: Encoding, bom: bool) -> Detected {
        Detected { encoding, bom }
    }

    #[test]
    fn parse_names() {
        for (s, e) in [
            ("utf-8", Encoding::Utf8),
            ("UTF8", Encoding::Utf8),
            ("utf-16le", Encoding::Utf16Le),
            ("UTF-16", Encoding::Utf16Le),
            ("utf-16BE", Encoding::Utf16Be),
            ("gbk", Encoding::Gb18030),
            ("GB2312", Encoding::Gb18030),
            ("gb18030", Encoding::Gb18030),
            ("CP936", Encoding::Gb18030),
        ] {
            assert_eq!(s.parse::<Encoding>().ok(), Some(e), "{s}");
        }
        let err = "latin1".parse::<Encoding>().err().map(|e| e.to_string());
        let err = err.unwrap_or_default();
        assert!(err.contains("'latin1'"), "{err}");
        assert!(
            err.contains("utf-8") && err.contains("gbk") && err.contains("cp936"),
            "{err}"
        );
        assert!(matches!("x".parse::<Encoding>(), Err(Error::Usage(_))));
    }

    #[test]
    fn names() {
        assert_eq!(Encoding::Utf8.name(), "UTF-8");
        assert_eq!(Encoding::Utf16Le.name(), "UTF-16LE");
        assert_eq!(Encoding::Utf16Be.name(), "UTF-16BE");
        assert_eq!(Encoding::Gb18030.name(), "GBK/GB18030");
        assert_eq!(Encoding::Gb18030.to_string(), "GBK/GB18030");
    }

    #[test]
    fn detect_gbk() {
        let bytes = gbk(TEXT);
        assert!(std::str::from_utf8(&bytes).is_err());
        assert_eq!(
            detect(&bytes, true, "f").ok(),
            Some(detected(Encoding::Gb18030, false))
        );
        assert_eq!(
            decode_all(&bytes, Encoding::Gb18030).ok().as_deref(),
            Some(TEXT)
        );
    }

    #[test]
    fn detect_gbk_truncated_prefix() {
        let bytes = gbk(TEXT);
        // Cut in the middle of 客 (2 bytes): fine unless the file ends there.
        let cut = &bytes[..1];
        assert_eq!(
            detect(cut, false, "f").ok(),
            Some(detected(Encoding::Gb18030, false))
        );
        assert!(detect(cut, true, "f").is_err());
        // GB18030 four-byte sequence cut after 2 bytes (U+00A5 is 81 30 84 36 in GB18030).
        let (four, _, _) = encoding_rs::GB18030.encode("¥x");
        assert_eq!(four.len(), 5);
        let mut prefix = b"a,b\n".to_vec();
        prefix.extend_from_slice(&four[..2]);
        assert_eq!(
            detect(&prefix, false, "f").ok(),
            Some(detected(Encoding::Gb18030, false))
        );
    }

    #[test]
    fn detect_utf8() {
        assert_eq!(
            detect(TEXT.as_bytes(), true, "f").ok(),
            Some(detected(Encoding::Utf8, false))
        );
        assert_eq!(
            detect(b"", true, "f").ok(),
            Some(detected(Encoding::Utf8, false))
        );
        assert_eq!(
            detect(b"a,b\n1,2\n", true, "f").ok(),
            Some(detected(Encoding::Utf8, false))
        );
        let mut bom = UTF8_BOM.to_vec();
        bom.extend_from_slice(TEXT.as_bytes());
        assert_eq!(
            detect(&bom, true, "f").ok(),
            Some(detected(Encoding::Utf8, true))
        );
        // Truncated last character: 客 is 3 bytes in UTF-8.
        let cut = &TEXT.as_bytes()[..2];
        assert_eq!(
            detect(cut, false, "f").ok(),
            Some(detected(Encoding::Utf8, false))
        );
    }

    #[test]
    fn detect_utf16() {
        for le in [true, false] {
            let expect = if le {
                Encoding::Utf16Le
            } else {
                Encoding::Utf16Be
            };
            for bom in [true, false] {
                let bytes = utf16(TEXT, le, bom);
                assert_eq!(
                    detect(&bytes, true, "f").ok(),
                    Some(detected(expect, bom)),
                    "{le} {bom}"
                );
                assert_eq!(
                    decode_all(&bytes, expect).ok().as_deref(),
                    Some(TEXT),
                    "{le} {bom}"
                );
                // ASCII-only UTF-16 is valid UTF-8 too; it must still be found to be UTF-16.
                let ascii = utf16("id,amount\n1,2\n", le, bom);
                assert_eq!(detect(&ascii, true, "f").ok(), Some(detected(expect, bom)));
                // Prefix ending in the middle of a code unit.
                let cut = &ascii[..ascii.len() - 1];
                assert_eq!(detect(cut, false, "f").ok(), Some(detected(expect, bom)));
            }
        }
        // A CJK character with a NUL low byte (一 = U+4E00) among ASCII.
        let bytes = utf16("月份,一月\n2026,1\n", true, false);
        assert_eq!(
            detect(&bytes, true, "f").ok(),
            Some(detected(Encoding::Utf16Le, false))
        );
    }

    #[test]
    fn detect_garbage() {
        let garbage = [0xFF, 0xFF, 0x80, 0x81, 0xFF, 0x41, 0xFE];
        let err = detect(&garbage, true, "exports/x.csv")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "exports/x.csv is neither UTF-8, UTF-16 nor GBK (first bad byte at offset 0); \
                 pass --encoding to declare it"
            )
        );
        assert!(matches!(detect(&garbage, false, "f"), Err(Error::Input(_))));
        // Binary data with NULs everywhere is not UTF-16.
        let binary: Vec<u8> = [0x89, b'P', 0, 0, 0, 0x0D, 0xFF, 0xD8, 0, 0x80].repeat(10);
        assert!(matches!(detect(&binary, false, "f"), Err(Error::Input(_))));
        // A few NULs at odd positions among Latin-1-ish bytes are not UTF-16 either.
        let mut sparse = vec![0xFFu8; 100];
        sparse[11] = 0;
        assert!(matches!(detect(&sparse, false, "f"), Err(Error::Input(_))));
        // GBK text, then a bad byte: the offset points at the bad byte.
        let mut bytes = gbk(TEXT);
        let bad_at = bytes.len();
        bytes.extend_from_slice(&[0xFF, b'x']);
        let err = detect(&bytes, true, "f")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains(&format!("offset {bad_at})")), "{err}");
    }

    #[test]
    fn utf8_bom_stripped() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(TEXT.as_bytes());
        assert_eq!(
            decode_all(&bytes, Encoding::Utf8).ok().as_deref(),
            Some(TEXT)
        );
        for step in 1..5 {
            assert_eq!(
                decode_with_step(&bytes, Encoding::Utf8, step)
                    .ok()
                    .as_deref(),
                Some(TEXT)
            );
        }
        // No BOM, and short inputs that start like a BOM.
        assert_eq!(
            decode_all(TEXT.as_bytes(), Encoding::Utf8).ok().as_deref(),
            Some(TEXT)
        );
        let mut r = decoding_reader(Box::new(io::Cursor::new(vec![0xEF, 0xBB])), Encoding::Utf8);
        let mut out = Vec::new();
        assert!(r.read_to_end(&mut out).is_ok());
        assert_eq!(out, vec![0xEF, 0xBB]);
        assert_eq!(decode_all(b"", Encoding::Utf8).ok().as_deref(), Some(""));
        // Only a leading BOM is dropped.
        let twice = "a\u{FEFF}b";
        assert_eq!(
            decode_all(twice.as_bytes(), Encoding::Utf8).ok().as_deref(),
            Some(twice)
        );
    }

    #[test]
    fn utf8_passes_invalid_bytes_through() {
        let bytes = vec![b'a', 0xFF, b'b'];
        let mut r = decoding_reader(Box::new(io::Cursor::new(bytes.clone())), Encoding::Utf8);
        let mut out = Vec::new();
        assert!(r.read_to_end(&mut out).is_ok());
        assert_eq!(out, bytes);
    }

    #[test]
    fn chunk_boundaries_one_byte_at_a_time() {
        let long = TEXT.repeat(3000) + "¥€𝄞";
        let cases: Vec<(Vec<u8>, Encoding)> = vec![
            (gbk(TEXT), Encoding::Gb18030),
            (
                encoding_rs::GB18030.encode(&long).0.into_owned(),
                Encoding::Gb18030,
            ),
            (TEXT.as_bytes().to_vec(), Encoding::Utf8),
            (long.as_bytes().to_vec(), Encoding::Utf8),
            (utf16(TEXT, true, true), Encoding::Utf16Le),
            (utf16(&long, true, false), Encoding::Utf16Le),
            (utf16(TEXT, false, true), Encoding::Utf16Be),
            (utf16(&long, false, true), Encoding::Utf16Be),
        ];
        for (bytes, enc) in cases {
            let expect = if bytes.len() < 100 {
                TEXT
            } else {
                long.as_str()
            };
            for step in [1, 2, 3, 7, IN_BUF + 1] {
                let got = decode_with_step(&bytes, enc, step);
                assert_eq!(got.ok().as_deref(), Some(expect), "{enc} step {step}");
            }
        }
    }

    #[test]
    fn utf16_surrogate_pair_split() {
        let s = "a,𝄞\n";
        for le in [true, false] {
            let enc = if le {
                Encoding::Utf16Le
            } else {
                Encoding::Utf16Be
            };
            let bytes = utf16(s, le, false);
            assert_eq!(decode_with_step(&bytes, enc, 1).ok().as_deref(), Some(s));
        }
    }

    #[test]
    fn gbk_malformed_later_is_invalid_data() {
        let mut bytes = gbk(&TEXT.repeat(10_000));
        let bad_at = bytes.len();
        bytes.extend_from_slice(&[0xFF, 0xFF]);
        bytes.extend_from_slice(&gbk(TEXT));
        // The prefix looks fine.
        assert_eq!(
            detect(&bytes[..64 * 1024], false, "f").ok(),
            Some(detected(Encoding::Gb18030, false))
        );
        for step in [1, 4096, usize::MAX] {
            let inner = Box::new(Trickle {
                data: bytes.clone(),
                pos: 0,
                step,
            });
            let mut reader = decoding_reader(inner, Encoding::Gb18030);
            let mut out = Vec::new();
            let err = reader.read_to_end(&mut out).err();
            let err = err.map(|e| (e.kind(), e.to_string()));
            assert_eq!(
                err,
                Some((
                    io::ErrorKind::InvalidData,
                    format!("not valid GBK/GB18030 at byte offset {bad_at}")
                )),
                "step {step}"
            );
            // Everything before the bad byte was delivered.
            assert_eq!(out, TEXT.repeat(10_000).into_bytes());
            // And the reader keeps failing.
            let mut buf = [0u8; 16];
            assert!(reader.read(&mut buf).is_err());
        }
    }

    #[test]
    fn truncated_at_eof_is_invalid_data() {
        let bytes = gbk(TEXT);
        let cut = &bytes[..bytes.len() - 2]; // ends with the first byte of 额
        let err = decode_all(cut, Encoding::Gb18030).err();
        assert_eq!(
            err.as_ref().map(|e| e.kind()),
            Some(io::ErrorKind::InvalidData)
        );
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            msg,
            format!("not valid GBK/GB18030 at byte offset {}", cut.len() - 1)
        );
        // Odd number of bytes in UTF-16.
        let bytes = utf16("ab", true, false);
        let err = decode_all(&bytes[..3], Encoding::Utf16Le)
            .err()
            .map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("not valid UTF-16LE at byte offset 2"));
    }

    #[test]
    fn bom_overrides_declared_encoding() {
        let bytes = utf16(TEXT, false, true);
        assert_eq!(
            decode_all(&bytes, Encoding::Utf16Le).ok().as_deref(),
            Some(TEXT)
        );
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(TEXT.as_bytes());
        assert_eq!(
            decode_all(&bytes, Encoding::Gb18030).ok().as_deref(),
            Some(TEXT)
        );
    }

    #[test]
    fn gb18030_bom_dropped() {
        let mut bytes = vec![0x84, 0x31, 0x95, 0x33];
        bytes.extend_from_slice(&gbk(TEXT));
        assert_eq!(
            decode_all(&bytes, Encoding::Gb18030).ok().as_deref(),
            Some(TEXT)
        );
    }

    #[test]
    fn read_errors_pass_through() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        for enc in [Encoding::Utf8, Encoding::Gb18030] {
            let mut r = decoding_reader(Box::new(Failing), enc);
            let mut out = Vec::new();
            let err = r.read_to_end(&mut out).err().map(|e| e.to_string());
            assert_eq!(err.as_deref(), Some("disk on fire"));
        }
    }
}
