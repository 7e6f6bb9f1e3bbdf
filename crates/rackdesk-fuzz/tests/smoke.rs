//! What CI runs: every target for a few thousand inputs with a fixed seed, no panics.

use rackdesk_fuzz::{fuzz, silence_panics, Config, TARGETS};

#[test]
fn every_target_survives_a_short_run() {
    silence_panics();
    let cfg = Config { runs: 3_000, seed: 20_240_615, crash_dir: None };
    let mut failures = vec![];
    for t in TARGETS {
        let r = fuzz(t, &cfg);
        assert_eq!(r.runs, 3_000, "{}", t.name);
        for c in &r.crashes {
            failures.push(format!("{}: {} (input {:?})", t.name, c.message, String::from_utf8_lossy(&c.input)));
        }
    }
    // Back to the default hook, so that this test's own failure is printed.
    drop(std::panic::take_hook());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn targets_have_distinct_names_and_each_has_a_harness() {
    let mut names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), TARGETS.len());
    for name in ["csv", "decode", "names", "signature", "paging", "marker"] {
        assert!(rackdesk_fuzz::find(name).is_some(), "{name}");
    }
}
