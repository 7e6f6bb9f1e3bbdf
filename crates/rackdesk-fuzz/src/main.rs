//! `rackdesk-fuzz [--runs N] [--seed S] [--replay FILE] [--list] [TARGET...]`
//!
//! Fuzzes each target (all by default) with N inputs (1,000,000 by default) and prints runs,
//! panics, time and runs per second. Inputs that panic are saved under
//! `crates/rackdesk-fuzz/crashes/`. Exits with 1 when anything panicked, 2 on a usage error.

use rackdesk_fuzz::{default_crash_dir, find, fuzz, run_one, silence_panics, Config, Target, TARGETS};
use std::process::ExitCode;

const USAGE: &str = "usage: rackdesk-fuzz [--runs N] [--seed S] [--replay FILE] [--list] [TARGET...]";

fn main() -> ExitCode {
    let mut cfg = Config { runs: 1_000_000, seed: 0x5eed, crash_dir: Some(default_crash_dir()) };
    let mut names: Vec<String> = vec![];
    let mut replay: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |what: &str| args.next().ok_or_else(|| format!("{a} needs {what}"));
        let r = match a.as_str() {
            "--runs" => value("a number").and_then(|v| v.replace('_', "").parse().map_err(|_| format!("--runs {v}: not a number"))).map(|n| cfg.runs = n),
            "--seed" => value("a number").and_then(|v| v.parse().map_err(|_| format!("--seed {v}: not a number"))).map(|n| cfg.seed = n),
            "--replay" => value("a file").map(|f| replay = Some(f)),
            "--list" => {
                for t in TARGETS {
                    println!("{:<10} {}", t.name, t.about);
                }
                return ExitCode::SUCCESS;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other if other.starts_with('-') => Err(format!("unknown option {other}")),
            other => {
                names.push(other.to_owned());
                Ok(())
            }
        };
        if let Err(e) = r {
            eprintln!("{e}\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let mut chosen: Vec<&Target> = vec![];
    for n in &names {
        match find(n) {
            Some(t) => chosen.push(t),
            None => {
                let all: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
                eprintln!("no target \"{n}\"; the targets are: {}", all.join(", "));
                return ExitCode::from(2);
            }
        }
    }
    if chosen.is_empty() {
        chosen = TARGETS.iter().collect();
    }
    silence_panics();

    if let Some(file) = replay {
        let input = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{file}: {e}");
                return ExitCode::from(2);
            }
        };
        let mut failed = false;
        for t in chosen {
            match run_one(t, &input) {
                Ok(_) => println!("{}: no panic", t.name),
                Err(m) => {
                    println!("{}: PANIC: {m}", t.name);
                    failed = true;
                }
            }
        }
        return if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS };
    }

    println!("seed {}, {} inputs per target", cfg.seed, cfg.runs);
    println!("{:<10} {:>10} {:>7} {:>9} {:>11} {:>7}", "target", "runs", "panics", "time", "runs/s", "corpus");
    let mut any = false;
    for t in chosen {
        let r = fuzz(t, &cfg);
        println!(
            "{:<10} {:>10} {:>7} {:>8.1}s {:>11.0} {:>7}",
            r.target,
            r.runs,
            r.panics,
            r.elapsed.as_secs_f64(),
            r.per_second(),
            r.corpus
        );
        for c in &r.crashes {
            println!("    panic: {}", c.message);
            match &c.saved {
                Some(p) => println!("    input saved to {}", p.display()),
                None => println!("    input (not saved): {:?}", String::from_utf8_lossy(&c.input)),
            }
        }
        any |= r.panics > 0;
    }
    if any {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
