//! The user-facing help: snapshots of `crm-cli --help` and `crm-cli tier --help`
//! (tests/snapshots/), and how help, version and a missing command behave.

mod common;

use std::path::Path;

use common::*;

/// Help text on stdout, nothing on stderr, exit 0.
fn help(args: &[&str]) -> String {
    let out = ok(args);
    assert_eq!(out.stderr, "", "{args:?}");
    assert!(!out.stdout.is_empty(), "{args:?}");
    out.stdout
}

#[test]
fn top_level_help() {
    insta::assert_snapshot!("crm_cli_help", help(&["--help"]));
}

#[test]
fn tier_help() {
    insta::assert_snapshot!("tier_help", help(&["tier", "--help"]));
}

#[test]
fn every_way_of_asking_for_help_exits_0() {
    let long = help(&["tier", "--help"]);
    assert_eq!(help(&["help", "tier"]), long);
    let short = help(&["tier", "-h"]);
    assert!(short.len() < long.len(), "-h is the summary");
    assert!(short.contains("Usage: crm-cli tier [OPTIONS] <FILE>..."));
    assert!(help(&["-h"]).contains("Usage: crm-cli <COMMAND>"));
    assert!(help(&["inspect", "--help"]).contains("Usage: crm-cli inspect [OPTIONS] <FILE>"));
    assert_eq!(help(&["--version"]), "crm-cli 0.1.0\n");
}

#[test]
fn no_command_prints_the_usage_on_stderr_and_exits_2() {
    let out = fails(&[], 2);
    assert!(
        out.stderr.contains("Usage: crm-cli <COMMAND>"),
        "{}",
        out.stderr
    );
}

#[test]
fn help_is_wrapped_at_100_columns_whatever_the_terminal_says() {
    let default = help(&["tier", "--help"]);
    for columns in ["200", "100"] {
        let out = crm()
            .args(["tier", "--help"])
            .env("COLUMNS", columns)
            .output()
            .expect("runs");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            default,
            "COLUMNS={columns}"
        );
    }
    for line in default.lines() {
        assert!(line.chars().count() <= 100, "too wide: {line}");
    }
}

#[test]
fn documents_named_in_the_help_exist() {
    for text in [help(&["--help"]), help(&["tier", "--help"])] {
        for word in text.split_whitespace() {
            let word = word.trim_end_matches(['.', ',', ')', ';']);
            if word.starts_with("docs/") {
                assert!(
                    Path::new(ROOT).join(word).is_file(),
                    "{word} is named in the help"
                );
            }
        }
    }
}

#[test]
fn command_summaries_wrap_only_at_the_width() {
    let text = help(&["--help"]);
    let block: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    // A line followed by a continuation line of the same entry must be (nearly) full.
    for pair in block.windows(2) {
        let continued = pair[1].starts_with("           ");
        if continued {
            assert!(
                pair[0].chars().count() > 80,
                "premature line break after: {:?}",
                pair[0]
            );
        }
    }
}
