//! Which inputs to read: files, glob patterns, `-` for standard input, `.gz`; and their format.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result};

/// How an input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// CSV, TSV and other delimited text.
    Delimited,
    Parquet,
    Xlsx,
}

/// One input, resolved from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The path as given (or as a glob matched it), or `<stdin>`.
    pub display: String,
    /// None for standard input.
    pub path: Option<PathBuf>,
    pub format: InputFormat,
    /// The name ends in `.gz`. (Gzip data is also recognised by content when opened.)
    pub gzip: bool,
}

/// Display name of standard input.
pub const STDIN_DISPLAY: &str = "<stdin>";

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Buffer size for reading files.
const BUF_SIZE: usize = 64 * 1024;

/// Expand the user's arguments, in order.
///
/// - `-` is standard input (at most once, else [`Error::Usage`]).
/// - An argument with `*`, `?` or `[` is a glob pattern: its matches, sorted by path. Hidden
///   files (name starting with `.`) match only a literal leading dot, as in the shell, and
///   directories are skipped. No match is an [`Error::Input`] `no file matches '<pattern>'`.
///   When the pattern is invalid or matches nothing but a file of that exact name exists
///   (e.g. `report[1].csv`), that file is taken.
/// - A plain path must exist (`<path>: no such file`) and must not be a directory.
/// - The same file named twice (also through different paths or patterns) is kept once, at its
///   first position.
///
/// The format comes from the extension, case-insensitive, after removing a trailing `.gz`
/// (which sets `gzip`): `.parquet`/`.pq` → Parquet, `.xlsx`/`.xlsm` → Xlsx, `.xls` → error,
/// anything else → Delimited. Standard input is Delimited; whether it is gzip is decided by
/// [`open`].
///
/// No arguments give an empty list: the caller decides what that means.
pub fn resolve_inputs(args: &[String]) -> Result<Vec<Input>> {
    let mut inputs = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut stdin_seen = false;
    for arg in args {
        if arg == "-" {
            if stdin_seen {
                return Err(Error::Usage(
                    "standard input ('-') can be given only once".to_string(),
                ));
            }
            stdin_seen = true;
            inputs.push(Input {
                display: STDIN_DISPLAY.to_string(),
                path: None,
                format: InputFormat::Delimited,
                gzip: false,
            });
            continue;
        }
        for path in expand(arg)? {
            let key = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !seen.insert(key) {
                continue;
            }
            let display = path.to_string_lossy().into_owned();
            let (format, gzip) = format_of(&display, &path)?;
            inputs.push(Input {
                display,
                path: Some(path),
                format,
                gzip,
            });
        }
    }
    Ok(inputs)
}

fn is_pattern(arg: &str) -> bool {
    arg.contains(['*', '?', '['])
}

/// The files one argument names.
fn expand(arg: &str) -> Result<Vec<PathBuf>> {
    if !is_pattern(arg) {
        return Ok(vec![plain_file(arg)?]);
    }
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    };
    let literal_exists = || Path::new(arg).is_file();
    let paths = match glob::glob_with(arg, options) {
        Ok(paths) => paths,
        Err(e) => {
            if literal_exists() {
                return Ok(vec![PathBuf::from(arg)]);
            }
            return Err(Error::Usage(format!("invalid file pattern '{arg}': {e}")));
        }
    };
    let mut files = Vec::new();
    for entry in paths {
        let path = match entry {
            Ok(path) => path,
            Err(e) => {
                let shown = e.path().to_string_lossy().into_owned();
                return Err(Error::io(shown, io::Error::from(e)));
            }
        };
        // `is_file` follows symlinks; dangling links and directories are skipped.
        if path.is_file() {
            files.push(path);
        }
    }
    if files.is_empty() {
        if literal_exists() {
            return Ok(vec![PathBuf::from(arg)]);
        }
        return Err(Error::Input(format!("no file matches '{arg}'")));
    }
    files.sort();
    Ok(files)
}

/// A path named without wildcards: it must be an existing file.
fn plain_file(arg: &str) -> Result<PathBuf> {
    let path = PathBuf::from(arg);
    match fs::metadata(&path) {
        Ok(meta) if meta.is_dir() => Err(Error::Input(format!(
            "{arg} is a directory; name the files in it (e.g. '{}')",
            path.join("*.csv").to_string_lossy()
        ))),
        Ok(_) => Ok(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            Err(Error::Input(format!("{arg}: no such file")))
        }
        Err(e) => Err(Error::io(arg, e)),
    }
}

/// Format and gzip flag from the file name.
fn format_of(display: &str, path: &Path) -> Result<(InputFormat, bool)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let (name, gzip) = match name.strip_suffix(".gz") {
        Some(rest) => (rest, true),
        None => (name.as_str(), false),
    };
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    let format = match ext.as_str() {
        "parquet" | "pq" => InputFormat::Parquet,
        "xlsx" | "xlsm" => InputFormat::Xlsx,
        "xls" => {
            return Err(Error::Input(format!(
                "{display}: old .xls files are not supported; save as .xlsx or .csv"
            )));
        }
        _ => InputFormat::Delimited,
    };
    Ok((format, gzip))
}

/// Open an input for reading as bytes: the file (buffered) or standard input, gzip-decoded when
/// `input.gzip` or when the data starts with the gzip magic bytes `1f 8b` (also for standard
/// input). Concatenated gzip members are read as one stream. A file named `.gz` that is not
/// gzip data is an error. Errors are [`Error::io`]`(display, e)`; read errors later (including
/// corrupt gzip data) are plain `io::Error`s for the caller to wrap.
pub fn open(input: &Input) -> Result<Box<dyn Read + Send>> {
    let inner: Box<dyn Read + Send> = match &input.path {
        Some(path) => {
            let file = File::open(path).map_err(|e| Error::io(&input.display, e))?;
            Box::new(BufReader::with_capacity(BUF_SIZE, file))
        }
        None => Box::new(BufReader::with_capacity(BUF_SIZE, io::stdin())),
    };
    maybe_gunzip(inner, input.gzip).map_err(|e| Error::io(&input.display, e))
}

/// Gzip-decode `inner` when `named_gz` or when it starts with the gzip magic bytes.
fn maybe_gunzip(
    mut inner: Box<dyn Read + Send>,
    named_gz: bool,
) -> io::Result<Box<dyn Read + Send>> {
    let mut head = [0u8; 2];
    let mut len = 0;
    while len < head.len() {
        match inner.read(&mut head[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let is_gzip = head[..len] == GZIP_MAGIC;
    if named_gz && !is_gzip {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the name ends in .gz but the content is not gzip-compressed",
        ));
    }
    let whole = Cursor::new(head[..len].to_vec()).chain(inner);
    if is_gzip {
        Ok(Box::new(MultiGzDecoder::new(whole)))
    } else {
        Ok(Box::new(whole))
    }
}

/// Size in bytes of the file on disk (compressed size for gzip files), or None for standard
/// input or when it cannot be read; for progress bars.
pub fn size_hint(input: &Input) -> Option<u64> {
    input
        .path
        .as_ref()
        .and_then(|p| fs::metadata(p).ok())
        .map(|m| m.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        let path = dir.join(name);
        fs::write(&path, bytes)?;
        Ok(path)
    }

    fn gz(bytes: &[u8]) -> io::Result<Vec<u8>> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(bytes)?;
        enc.finish()
    }

    fn s(p: &Path) -> String {
        p.to_string_lossy().into_owned()
    }

    fn read_all(input: &Input) -> std::result::Result<Vec<u8>, Box<dyn std::error::Error>> {
        let mut out = Vec::new();
        open(input)?.read_to_end(&mut out)?;
        Ok(out)
    }

    fn displays(inputs: &[Input]) -> Vec<String> {
        inputs.iter().map(|i| i.display.clone()).collect()
    }

    #[test]
    fn glob_sorted() -> TestResult {
        let dir = tempfile::tempdir()?;
        for name in [
            "2026-03.csv",
            "2026-01.csv",
            "2026-02.CSV",
            "2025-12.csv",
            ".2026-hidden.csv",
        ] {
            write(dir.path(), name, b"a,b\n")?;
        }
        fs::create_dir(dir.path().join("2026-dir.csv"))?;
        let pattern = s(&dir.path().join("2026-*.csv"));
        let inputs = resolve_inputs(&[pattern])?;
        let names: Vec<_> = inputs
            .iter()
            .filter_map(|i| {
                i.path
                    .as_ref()?
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
            })
            .collect();
        assert_eq!(names, ["2026-01.csv", "2026-03.csv"]);
        assert!(
            inputs
                .iter()
                .all(|i| i.format == InputFormat::Delimited && !i.gzip)
        );
        assert_eq!(inputs[0].display, s(&dir.path().join("2026-01.csv")));

        let all = resolve_inputs(&[s(&dir.path().join("202?-0[12].*"))])?;
        assert_eq!(
            displays(&all),
            [
                s(&dir.path().join("2026-01.csv")),
                s(&dir.path().join("2026-02.CSV"))
            ]
        );
        Ok(())
    }

    #[test]
    fn glob_no_match() -> TestResult {
        let dir = tempfile::tempdir()?;
        let pattern = s(&dir.path().join("exports/2026-*.csv"));
        let err = resolve_inputs(std::slice::from_ref(&pattern)).err();
        assert!(matches!(err, Some(Error::Input(_))), "{err:?}");
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(msg, format!("no file matches '{pattern}'"));
        Ok(())
    }

    #[test]
    fn literal_file_with_bracket_name() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = write(dir.path(), "report[1].csv", b"a\n")?;
        let inputs = resolve_inputs(&[s(&path)])?;
        assert_eq!(inputs.len(), 1);
        assert_eq!(inputs[0].path.as_deref(), Some(path.as_path()));
        // An invalid pattern naming an existing file too.
        let odd = write(dir.path(), "x[.csv", b"a\n")?;
        let inputs = resolve_inputs(&[s(&odd)])?;
        assert_eq!(inputs[0].path.as_deref(), Some(odd.as_path()));
        // An invalid pattern naming nothing is a usage error.
        let bad = s(&dir.path().join("y[.csv"));
        assert!(matches!(resolve_inputs(&[bad]), Err(Error::Usage(_))));
        Ok(())
    }

    #[test]
    fn missing_file_and_directory() -> TestResult {
        let dir = tempfile::tempdir()?;
        let missing = s(&dir.path().join("nope.csv"));
        let err = resolve_inputs(std::slice::from_ref(&missing)).err();
        assert!(matches!(err, Some(Error::Input(_))));
        assert_eq!(
            err.map(|e| e.to_string()),
            Some(format!("{missing}: no such file"))
        );

        let err = resolve_inputs(&[s(dir.path())]).err();
        assert!(matches!(err, Some(Error::Input(_))));
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("is a directory"), "{msg}");
        Ok(())
    }

    #[test]
    fn formats() -> TestResult {
        let dir = tempfile::tempdir()?;
        let cases = [
            ("a.csv", InputFormat::Delimited, false),
            ("a.TSV", InputFormat::Delimited, false),
            ("a.txt", InputFormat::Delimited, false),
            ("noext", InputFormat::Delimited, false),
            ("a.csv.gz", InputFormat::Delimited, true),
            ("a.CSV.GZ", InputFormat::Delimited, true),
            ("a.gz", InputFormat::Delimited, true),
            ("a.parquet", InputFormat::Parquet, false),
            ("a.PQ", InputFormat::Parquet, false),
            ("a.parquet.gz", InputFormat::Parquet, true),
            ("a.xlsx", InputFormat::Xlsx, false),
            ("a.XLSM", InputFormat::Xlsx, false),
        ];
        for (name, format, gzip) in cases {
            let path = write(dir.path(), name, b"")?;
            let inputs = resolve_inputs(&[s(&path)])?;
            assert_eq!(inputs.len(), 1);
            assert_eq!((inputs[0].format, inputs[0].gzip), (format, gzip), "{name}");
            assert_eq!(inputs[0].display, s(&path));
        }
        Ok(())
    }

    #[test]
    fn xls_rejected() -> TestResult {
        let dir = tempfile::tempdir()?;
        for name in ["old.xls", "OLD.XLS", "old.xls.gz"] {
            let path = write(dir.path(), name, b"")?;
            let err = resolve_inputs(&[s(&path)]).err();
            assert!(matches!(err, Some(Error::Input(_))));
            let msg = err.map(|e| e.to_string()).unwrap_or_default();
            assert!(
                msg.ends_with("old .xls files are not supported; save as .xlsx or .csv"),
                "{msg}"
            );
        }
        Ok(())
    }

    #[test]
    fn duplicates_kept_once() -> TestResult {
        let dir = tempfile::tempdir()?;
        let a = write(dir.path(), "a.csv", b"")?;
        let b = write(dir.path(), "b.csv", b"")?;
        let via_dot = s(&dir.path().join(".").join("a.csv"));
        let args = [s(&b), s(&a), s(&dir.path().join("*.csv")), via_dot, s(&b)];
        let inputs = resolve_inputs(&args)?;
        assert_eq!(displays(&inputs), [s(&b), s(&a)]);
        Ok(())
    }

    #[test]
    fn stdin_once() -> TestResult {
        let inputs = resolve_inputs(&["-".to_string()])?;
        assert_eq!(
            inputs,
            [Input {
                display: "<stdin>".to_string(),
                path: None,
                format: InputFormat::Delimited,
                gzip: false,
            }]
        );
        assert_eq!(size_hint(&inputs[0]), None);
        let err = resolve_inputs(&["-".to_string(), "-".to_string()]).err();
        assert!(matches!(err, Some(Error::Usage(_))));
        assert_eq!(resolve_inputs(&[])?, []);
        Ok(())
    }

    #[test]
    fn stdin_among_files_keeps_order() -> TestResult {
        let dir = tempfile::tempdir()?;
        let a = write(dir.path(), "a.csv", b"")?;
        let inputs = resolve_inputs(&[s(&a), "-".to_string()])?;
        assert_eq!(displays(&inputs), [s(&a), "<stdin>".to_string()]);
        Ok(())
    }

    #[test]
    fn open_plain_and_size() -> TestResult {
        let dir = tempfile::tempdir()?;
        let text = "客户编号,金额\n1,2.5\n".as_bytes();
        let path = write(dir.path(), "a.csv", text)?;
        let inputs = resolve_inputs(&[s(&path)])?;
        assert_eq!(read_all(&inputs[0])?, text);
        assert_eq!(size_hint(&inputs[0]), Some(text.len() as u64));
        // Tiny files (shorter than the magic) are read whole.
        let one = write(dir.path(), "one.csv", b"x")?;
        assert_eq!(read_all(&resolve_inputs(&[s(&one)])?[0])?, b"x");
        let empty = write(dir.path(), "empty.csv", b"")?;
        assert_eq!(read_all(&resolve_inputs(&[s(&empty)])?[0])?, b"");
        Ok(())
    }

    #[test]
    fn open_csv_gz() -> TestResult {
        let dir = tempfile::tempdir()?;
        let text: Vec<u8> = "id,amount\n"
            .bytes()
            .chain("1,2\n".repeat(10_000).bytes())
            .collect();
        let packed = gz(&text)?;
        let path = write(dir.path(), "a.csv.gz", &packed)?;
        let inputs = resolve_inputs(&[s(&path)])?;
        assert!(inputs[0].gzip);
        assert_eq!(read_all(&inputs[0])?, text);
        assert_eq!(size_hint(&inputs[0]), Some(packed.len() as u64));
        Ok(())
    }

    #[test]
    fn gzip_by_magic_without_gz_name() -> TestResult {
        let dir = tempfile::tempdir()?;
        let text = b"a;b\n1;2\n";
        let path = write(dir.path(), "export.csv", &gz(text)?)?;
        let inputs = resolve_inputs(&[s(&path)])?;
        assert!(!inputs[0].gzip);
        assert_eq!(read_all(&inputs[0])?, text);
        Ok(())
    }

    #[test]
    fn concatenated_gzip_members() -> TestResult {
        let dir = tempfile::tempdir()?;
        let mut packed = gz(b"a,b\n")?;
        packed.extend(gz(b"1,2\n")?);
        let path = write(dir.path(), "a.csv.gz", &packed)?;
        assert_eq!(read_all(&resolve_inputs(&[s(&path)])?[0])?, b"a,b\n1,2\n");
        Ok(())
    }

    #[test]
    fn gz_name_without_gzip_data() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = write(dir.path(), "a.csv.gz", b"a,b\n")?;
        let inputs = resolve_inputs(&[s(&path)])?;
        let err = open(&inputs[0]).err();
        assert!(
            matches!(&err, Some(Error::Io { path: p, .. }) if *p == s(&path)),
            "{err:?}"
        );
        Ok(())
    }

    #[test]
    fn corrupt_gzip_is_read_error() -> TestResult {
        let dir = tempfile::tempdir()?;
        let mut packed = gz(&b"a,b\n".repeat(1000))?;
        let mid = packed.len() / 2;
        packed.truncate(mid);
        let path = write(dir.path(), "a.csv.gz", &packed)?;
        let mut reader = open(&resolve_inputs(&[s(&path)])?[0])?;
        let mut out = Vec::new();
        assert!(reader.read_to_end(&mut out).is_err());
        Ok(())
    }

    /// Standard input goes through the same detection; tested on a reader that returns one
    /// byte at a time, as a pipe may.
    #[test]
    fn gzip_magic_on_slow_stream() -> TestResult {
        struct Trickle(Cursor<Vec<u8>>);
        impl Read for Trickle {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(1);
                self.0.read(&mut buf[..n])
            }
        }
        let text = b"x|y\n1|2\n".to_vec();
        for (bytes, named) in [
            (gz(&text)?, false),
            (gz(&text)?, true),
            (text.clone(), false),
        ] {
            let mut r = maybe_gunzip(Box::new(Trickle(Cursor::new(bytes))), named)?;
            let mut out = Vec::new();
            r.read_to_end(&mut out)?;
            assert_eq!(out, text);
        }
        Ok(())
    }

    #[test]
    fn open_missing_after_resolve() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = write(dir.path(), "gone.csv", b"a")?;
        let inputs = resolve_inputs(&[s(&path)])?;
        fs::remove_file(&path)?;
        let err = open(&inputs[0]).err();
        assert!(matches!(&err, Some(Error::Io { path: p, .. }) if *p == s(&path)));
        assert_eq!(size_hint(&inputs[0]), None);
        Ok(())
    }
}
