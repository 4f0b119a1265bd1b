//! `crm.toml`: column mappings and the thresholds of every command, so a team can fix its rules
//! once. Command-line flags win over the file; the file wins over the built-in defaults.
//!
//! ```toml
//! [columns]
//! revenue = "Freight USD"
//!
//! [tier]
//! pyramid = "1,4,15"
//! thresholds = "500000,100000"
//! bins = ["r:30,90,180,365"]
//!
//! [[tier.segments]]
//! name = "Champions"
//! r = "4-5"
//! f = "4-5"
//! m = "4-5"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where it was read from (for messages); empty for the defaults.
    #[serde(skip)]
    pub source: String,
    /// field → header.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub tier: TierConfig,
    #[serde(default)]
    pub churn: ChurnConfig,
    #[serde(default)]
    pub screen: ScreenConfig,
    #[serde(default)]
    pub ratios: RatiosConfig,
}

/// `[screen]`: weights of volume, profitability, safety, future and cooperation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenConfig {
    pub weights: Option<Vec<f64>>,
}

/// `[churn]`: the thresholds of the status rules (see `crm-cli churn --help`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChurnConfig {
    pub new_days: Option<i64>,
    pub churn_ratio: Option<f64>,
    pub risk_ratio: Option<f64>,
    pub max_idle: Option<i64>,
    pub window: Option<i64>,
    pub drop: Option<f64>,
}

/// `[ratios]`: grade thresholds and options of `crm-cli ratios` (see `crm-cli ratios --help`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatiosConfig {
    /// Current ratio thresholds "GOOD,FAIR", e.g. "2,1".
    pub current_grades: Option<String>,
    /// Quick ratio thresholds "GOOD,FAIR", e.g. "1,0.5".
    pub quick_grades: Option<String>,
    /// Days of a period for DSO and DIO.
    pub days: Option<i64>,
    /// "standard" or "conservative".
    pub quick: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierConfig {
    pub pyramid: Option<String>,
    pub thresholds: Option<String>,
    #[serde(default)]
    pub bins: Vec<String>,
    /// Segment rules in order; replaces the default rules when present.
    pub segments: Option<Vec<SegmentConfig>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentConfig {
    pub name: String,
    /// Score range like "4-5" or "3"; default "1-5".
    pub r: Option<String>,
    pub f: Option<String>,
    pub m: Option<String>,
}

/// Load `explicit` (an error if missing) or `./crm.toml` when present.
pub fn load(explicit: Option<&Path>) -> Result<Config> {
    let path: PathBuf = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let p = PathBuf::from("crm.toml");
            if !p.is_file() {
                return Ok(Config::default());
            }
            p
        }
    };
    let display = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&display, e))?;
    parse(&text, &display)
}

pub fn parse(text: &str, display: &str) -> Result<Config> {
    let mut cfg: Config =
        toml::from_str(text).map_err(|e| Error::Input(format!("{display}: {e}")))?;
    cfg.source = display.to_string();
    for field in cfg.columns.keys() {
        if !crate::io::fields::Dataset::ALL
            .iter()
            .any(|d| crate::io::fields::field(*d, field).is_some())
        {
            return Err(Error::Input(format!(
                "{display}: [columns] {field}: no dataset has a field '{field}' (see docs/columns.md)"
            )));
        }
    }
    Ok(cfg)
}

/// A setting from the command line or from crm.toml, so that a bad value is reported where it
/// was written: a flag is a usage error (exit 2), a file entry a bad input (exit 1).
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    pub value: &'a str,
    /// The flag (`--pyramid`) or the file entry (`crm.toml: [tier] pyramid`).
    origin: Origin<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Origin<'a> {
    Flag(&'a str),
    File(&'a str, &'a str),
    Default(&'a str),
}

impl<'a> Setting<'a> {
    /// The flag's value, else the file's, else the default.
    pub fn pick(
        flag: &'a str,
        cli: Option<&'a str>,
        file: Option<&'a str>,
        cfg: &'a Config,
        key: &'a str,
        default: &'a str,
    ) -> Self {
        match (cli, file) {
            (Some(v), _) => Setting {
                value: v,
                origin: Origin::Flag(flag),
            },
            (None, Some(v)) => Setting {
                value: v,
                origin: Origin::File(&cfg.source, key),
            },
            (None, None) => Setting {
                value: default,
                origin: Origin::Default(flag),
            },
        }
    }

    pub fn from_flag(flag: &'a str, value: &'a str) -> Self {
        Setting {
            value,
            origin: Origin::Flag(flag),
        }
    }

    pub fn from_file(cfg: &'a Config, key: &'a str, value: &'a str) -> Self {
        Setting {
            value,
            origin: Origin::File(&cfg.source, key),
        }
    }

    /// The same origin with a part of the value (e.g. the list after `r:` in `--bins r:1,2,3,4`).
    pub fn with_value(self, value: &'a str) -> Self {
        Setting { value, ..self }
    }

    /// Where the value was written, for messages: `--pyramid` or `crm.toml: [tier] pyramid`.
    pub fn origin(&self) -> String {
        match self.origin {
            Origin::Flag(f) | Origin::Default(f) => f.to_string(),
            Origin::File(path, key) => format!("{path}: {key}"),
        }
    }

    /// An error about this value: usage error for a flag, input error for a file entry.
    pub fn error(&self, what: &str) -> Error {
        let msg = format!("{} '{}': {what}", self.origin(), self.value);
        match self.origin {
            Origin::File(..) => Error::Input(msg),
            _ => Error::Usage(msg),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_columns_and_tier() {
        let c = parse(
            "[columns]\nrevenue = \"Freight USD\"\n[tier]\npyramid = \"2,8,20\"\n[[tier.segments]]\nname = \"Top\"\nr = \"5\"\n",
            "crm.toml",
        )
        .unwrap();
        assert_eq!(c.columns["revenue"], "Freight USD");
        assert_eq!(c.tier.pyramid.as_deref(), Some("2,8,20"));
        let segs = c.tier.segments.unwrap();
        assert_eq!(segs[0].name, "Top");
        assert_eq!(segs[0].r.as_deref(), Some("5"));
        assert_eq!(segs[0].f, None);
    }

    #[test]
    fn unknown_column_fields_are_errors() {
        let e = parse("[columns]\nrevenu = \"X\"\n", "crm.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no dataset has a field 'revenu'"), "{e}");
        // a field of any dataset is fine (invoices' amount)
        assert!(parse("[columns]\namount = \"X\"\n", "crm.toml").is_ok());
    }

    #[test]
    fn settings_report_where_they_were_written() {
        let cfg = parse("", "team.toml").unwrap();
        let flag = Setting::pick(
            "--pyramid",
            Some("x"),
            Some("y"),
            &cfg,
            "[tier] pyramid",
            "1,4,15",
        );
        assert_eq!(flag.value, "x");
        assert_eq!(flag.error("bad").exit_code(), 2);
        let file = Setting::pick(
            "--pyramid",
            None,
            Some("y"),
            &cfg,
            "[tier] pyramid",
            "1,4,15",
        );
        assert_eq!(file.value, "y");
        let e = file.error("bad");
        assert_eq!(e.exit_code(), 1);
        assert_eq!(e.to_string(), "team.toml: [tier] pyramid 'y': bad");
        let d = Setting::pick("--pyramid", None, None, &cfg, "[tier] pyramid", "1,4,15");
        assert_eq!(d.value, "1,4,15");
    }

    #[test]
    fn unknown_keys_are_errors_naming_the_file() {
        let e = parse("[tier]\npyramidd = \"1\"\n", "my.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("my.toml:"), "{e}");
        assert!(e.contains("pyramidd"), "{e}");
    }
}
