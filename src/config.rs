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
    /// field → header.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub tier: TierConfig,
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
    toml::from_str(text).map_err(|e| Error::Input(format!("{display}: {e}")))
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
    fn unknown_keys_are_errors_naming_the_file() {
        let e = parse("[tier]\npyramidd = \"1\"\n", "my.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("my.toml:"), "{e}");
        assert!(e.contains("pyramidd"), "{e}");
    }
}
