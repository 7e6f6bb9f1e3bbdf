//! Fuzzing on stable Rust, without coverage instrumentation: each target takes raw bytes,
//! and the runner feeds it realistic seeds, random mutations of them and of inputs that
//! showed new behaviour, and plain random bytes. A panic (including a failed property
//! assertion) is caught per input, counted, and the input saved to a file.
//!
//! Adding a target: write a module with `pub fn run(input: &[u8]) -> u64` (the return value
//! is a small fingerprint of what the input made the code do; inputs with a new one are
//! kept and mutated further) and `pub fn seeds() -> Vec<Vec<u8>>`, then add one line to
//! [`TARGETS`].

pub mod mutate;
pub mod targets;

use rand::rngs::StdRng;
use rand::SeedableRng;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One fuzz target.
#[derive(Clone, Copy)]
pub struct Target {
    pub name: &'static str,
    /// What it exercises, in one line.
    pub about: &'static str,
    /// Runs one input; returns a small fingerprint of what the input made the code do.
    pub run: fn(&[u8]) -> u64,
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Tokens the mutator inserts (column names, JSON keys, special characters, ...).
    pub dictionary: &'static [&'static [u8]],
}

/// Every target, in the order they run.
pub const TARGETS: &[Target] = &[
    targets::csv::TARGET,
    targets::decode::TARGET,
    targets::names::TARGET,
    targets::signature::TARGET,
    targets::paging::TARGET,
    targets::marker::TARGET,
];

pub fn find(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name.eq_ignore_ascii_case(name))
}

/// How a run goes.
#[derive(Debug, Clone)]
pub struct Config {
    pub runs: u64,
    pub seed: u64,
    /// Where inputs that panic are saved; `None` keeps them in memory only.
    pub crash_dir: Option<PathBuf>,
}

/// The folder crashes are saved in: `crates/rackdesk-fuzz/crashes`.
pub fn default_crash_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crashes")
}

/// One input that panicked.
#[derive(Debug, Clone)]
pub struct Crash {
    pub message: String,
    pub input: Vec<u8>,
    /// Where it was saved, if it was.
    pub saved: Option<PathBuf>,
}

/// What a run of one target did.
#[derive(Debug, Clone)]
pub struct Report {
    pub target: &'static str,
    pub runs: u64,
    pub panics: u64,
    pub elapsed: Duration,
    /// Inputs kept because they showed a new fingerprint (seeds included).
    pub corpus: usize,
    /// The first few distinct crashes (by panic message).
    pub crashes: Vec<Crash>,
}

impl Report {
    pub fn per_second(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 {
            self.runs as f64 / s
        } else {
            0.0
        }
    }
}

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Replaces the default panic hook (which would print every caught panic) with one that
/// only remembers the message and where it came from.
pub fn silence_panics() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".into());
        let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        *LAST_PANIC.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("{msg} (at {at})"));
    }));
}

/// Runs one input; `Err(message)` when it panicked.
pub fn run_one(target: &Target, input: &[u8]) -> Result<u64, String> {
    catch_unwind(AssertUnwindSafe(|| (target.run)(input))).map_err(|_| {
        LAST_PANIC.lock().unwrap_or_else(|p| p.into_inner()).take().unwrap_or_else(|| "(panic)".into())
    })
}

fn hash_of(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

fn save(dir: &Path, target: &str, input: &[u8]) -> Option<PathBuf> {
    std::fs::create_dir_all(dir).ok()?;
    let path = dir.join(format!("{target}-{:016x}.bin", hash_of(input)));
    std::fs::write(&path, input).ok()?;
    Some(path)
}

/// Most inputs kept for mutation per target (seeds and inputs with new fingerprints).
const MAX_CORPUS: usize = 8_192;
/// Distinct crashes kept (and saved) per target.
const MAX_CRASHES: usize = 8;

/// Fuzzes one target for `cfg.runs` inputs. The seeds run first, as they are.
pub fn fuzz(target: &Target, cfg: &Config) -> Report {
    let mut report = Report {
        target: target.name,
        runs: 0,
        panics: 0,
        elapsed: Duration::ZERO,
        corpus: 0,
        crashes: vec![],
    };
    // The same seed gives the same inputs for a target, whatever else runs.
    let mut rng = StdRng::seed_from_u64(cfg.seed ^ hash_of(target.name.as_bytes()));
    let mut corpus: Vec<Vec<u8>> = (target.seeds)();
    if corpus.is_empty() {
        corpus.push(Vec::new());
    }
    let seeds = corpus.len();
    let mut seen: HashSet<u64> = HashSet::new();
    let mut messages: HashSet<String> = HashSet::new();
    let start = Instant::now();
    for i in 0..cfg.runs {
        let input = if (i as usize) < seeds {
            corpus[i as usize].clone()
        } else {
            mutate::next_input(&mut rng, &corpus, target.dictionary)
        };
        report.runs += 1;
        match run_one(target, &input) {
            Ok(fingerprint) => {
                if seen.insert(fingerprint) && (i as usize) >= seeds && corpus.len() < MAX_CORPUS {
                    corpus.push(input);
                }
            }
            Err(message) => {
                report.panics += 1;
                if report.crashes.len() < MAX_CRASHES && messages.insert(message.clone()) {
                    let saved = cfg.crash_dir.as_deref().and_then(|d| save(d, target.name, &input));
                    report.crashes.push(Crash { message, input, saved });
                }
            }
        }
    }
    report.elapsed = start.elapsed();
    report.corpus = corpus.len();
    report
}

/// A fingerprint helper for targets: hashes anything hashable.
pub fn fingerprint<T: Hash>(v: T) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}
