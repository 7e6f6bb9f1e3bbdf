//! Verifying the journal: recomputing the hash chain and naming each edited, deleted or
//! moved row.

use super::*;

/// The result of [`Journal::verify`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    /// How many rows (intents and outcomes) were checked.
    pub rows: u64,
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One thing wrong with the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// The row (entry number) concerned.
    pub row: i64,
    pub kind: ProblemKind,
    /// A plain sentence naming the entry.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    Edited,
    Deleted,
    Reordered,
}

impl Journal {
    /// Recomputes the hash chain over every row and reports each edited, deleted or moved row.
    pub fn verify(&self) -> Result<VerifyReport, JournalError> {
        let mut conn = self.lock();
        // One read transaction: a consistent snapshot even while others append.
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        let head: Option<Head> = tx
            .query_row("SELECT seq, hash FROM chain_head WHERE one = 1", [], |r| {
                Ok(Head { seq: r.get(0)?, hash: text_at(r, 1)? })
            })
            .optional()
            .map_err(|e| self.err(e))?;
        let sql = format!("SELECT seq, prev_hash, hash, {} FROM journal ORDER BY seq", CONTENT_COLUMNS.join(", "));
        let mut stmt = tx.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut links = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            links.push(Link::read(row).map_err(|e| self.err(e))?);
        }
        drop(rows);
        drop(stmt);
        tx.finish().map_err(|e| self.err(e))?;
        drop(conn);
        Ok(VerifyReport { rows: links.len() as u64, problems: analyse(&links, head.as_ref(), Tail::Marker) })
    }
}

// ---------------------------------------------------------------------------------------------
// Verifying
// ---------------------------------------------------------------------------------------------

/// One row as `verify` sees it.
pub(crate) struct Link {
    seq: i64,
    prev: Option<[u8; 32]>,
    hash: Option<[u8; 32]>,
    /// The stored hash matches the recomputed one.
    intact: bool,
    /// e.g. "mailbox.set on jane@example.com at 2026-01-02 10:00 UTC", or "result of entry 7".
    about: String,
}

pub(super) fn unhex(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in b.chunks(2).enumerate() {
        out[i] = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
}

impl Link {
    /// A row checked elsewhere (the team journal): its number, the hashes as stored (hex),
    /// whether its content matches its hash, and what it is about, in words.
    pub(crate) fn new(seq: i64, prev_hash: &str, hash: &str, intact: bool, about: String) -> Link {
        Link { seq, prev: unhex(prev_hash), hash: unhex(hash), intact, about }
    }

    pub(crate) fn seq(&self) -> i64 {
        self.seq
    }

    pub(crate) fn is_intact(&self) -> bool {
        self.intact
    }

    /// Whether the stored hash is `hex`.
    pub(crate) fn hash_is(&self, hex: &str) -> bool {
        self.hash.is_some() && self.hash == unhex(hex)
    }

    /// Reads `seq, prev_hash, hash, <content columns>`.
    fn read(row: &Row<'_>) -> rusqlite::Result<Link> {
        let seq: i64 = row.get(0)?;
        let prev = text_at(row, 1)?;
        let hash = text_at(row, 2)?;
        let content: Vec<ValueRef<'_>> =
            (0..CONTENT_COLUMNS.len()).map(|i| row.get_ref(3 + i)).collect::<rusqlite::Result<_>>()?;
        let intact = row.get_ref(1)?.as_str().is_ok()
            && row.get_ref(2)?.as_str().is_ok()
            && chain_hash(prev.as_bytes(), &content) == hash;
        let col = |name: &str| -> rusqlite::Result<String> {
            let i = CONTENT_COLUMNS.iter().position(|c| *c == name).expect("known column");
            text_at(row, 3 + i)
        };
        let at = col("at")?;
        let when = DateTime::parse_from_rfc3339(&at)
            .map(|t| t.with_timezone(&Utc).format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or(at);
        let about = if col("kind")? == "outcome" {
            format!("the result of entry {}, written {when}", col("intent_id")?)
        } else {
            format!("{} on {}, {when}", col("action")?, col("target")?)
        };
        Ok(Link { seq, prev: unhex(&prev), hash: unhex(&hash), intact, about })
    }

    fn name(&self) -> String {
        format!("Entry {} ({})", self.seq, self.about)
    }
}

/// How many deleted rows of one gap are named one by one before the rest are summed up.
pub(crate) const MAX_NAMED_GAP: i64 = 20;

pub(crate) fn deleted(problems: &mut Vec<Problem>, from: i64, to: i64, context: &str) {
    for row in from..=to.min(from + MAX_NAMED_GAP - 1) {
        problems.push(Problem { row, kind: ProblemKind::Deleted, message: format!("Entry {row} was deleted {context}.") });
    }
    if to >= from + MAX_NAMED_GAP {
        let first = from + MAX_NAMED_GAP;
        problems.push(Problem {
            row: first,
            kind: ProblemKind::Deleted,
            message: format!("Entries {first} to {to} were deleted as well ({} more).", to - first + 1),
        });
    }
}

/// What the last link is checked against.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tail {
    /// The journal's own end marker: rows past it were added outside Rackdesk, rows missing
    /// before it were deleted.
    Marker,
    /// A point the chain is known to have reached (the team database's record of what it
    /// held): rows missing before it were deleted, rows past it are simply newer.
    ReachedAtLeast,
}

pub(crate) fn analyse(links: &[Link], head: Option<&Head>, tail: Tail) -> Vec<Problem> {
    let genesis = unhex(GENESIS_HASH);
    let by_hash: HashMap<[u8; 32], usize> =
        links.iter().enumerate().filter_map(|(i, l)| l.hash.map(|h| (h, i))).collect();
    let mut problems: Vec<Problem> = Vec::new();
    let mut reported: HashSet<(i64, ProblemKind)> = HashSet::new();
    let mut push = |problems: &mut Vec<Problem>, p: Problem| {
        if reported.insert((p.row, p.kind)) {
            problems.push(p);
        }
    };

    for (i, link) in links.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| &links[j]);
        let expected_seq = before.map_or(1, |b| b.seq + 1);
        let expected_prev = before.map_or(genesis, |b| b.hash);
        let gap = link.seq > expected_seq;
        let linked = link.prev.is_some() && link.prev == expected_prev;
        let gap_context = match before {
            Some(b) => format!("(the journal goes from entry {} to entry {})", b.seq, link.seq),
            None => format!("(the journal now starts at entry {})", link.seq),
        };

        if !link.intact {
            push(
                &mut problems,
                Problem {
                    row: link.seq,
                    kind: ProblemKind::Edited,
                    message: format!(
                        "{} was changed after it was written: its content no longer matches its fingerprint.",
                        link.name()
                    ),
                },
            );
            if gap {
                deleted(&mut problems, expected_seq, link.seq - 1, &gap_context);
            }
            continue;
        }
        if linked {
            if gap {
                push(
                    &mut problems,
                    Problem {
                        row: link.seq,
                        kind: ProblemKind::Reordered,
                        message: format!(
                            "{} was renumbered: it was written right after entry {}, but entries {} to {} are \
                             missing in between.",
                            link.name(),
                            before.map_or(0, |b| b.seq),
                            expected_seq,
                            link.seq - 1
                        ),
                    },
                );
            }
            continue;
        }
        // The link to the previous row is broken, and this row itself is intact.
        let written_after = link.prev.and_then(|p| {
            if Some(p) == genesis {
                Some(None)
            } else {
                by_hash.get(&p).map(|&j| Some(&links[j]))
            }
        });
        match written_after {
            Some(original) => {
                let was = match original {
                    Some(o) => format!("right after what is now entry {}", o.seq),
                    None => "as the very first entry".to_string(),
                };
                let now = match before {
                    Some(b) => format!("now follows entry {}", b.seq),
                    None => "now comes first".to_string(),
                };
                push(
                    &mut problems,
                    Problem {
                        row: link.seq,
                        kind: ProblemKind::Reordered,
                        message: format!("{} is out of order: it was written {was}, but {now}.", link.name()),
                    },
                );
                if gap {
                    deleted(&mut problems, expected_seq, link.seq - 1, &gap_context);
                }
            }
            None if gap => deleted(&mut problems, expected_seq, link.seq - 1, &gap_context),
            None => match before {
                // The previous row looks intact but its hash is not the one this row was
                // chained to: it was rewritten with a recomputed hash (or a row after it was
                // deleted and the rest renumbered).
                Some(b) if b.intact => push(
                    &mut problems,
                    Problem {
                        row: b.seq,
                        kind: ProblemKind::Edited,
                        message: format!(
                            "{} was rewritten and its fingerprint recomputed, so entry {} no longer links to it \
                             (or an entry after it was deleted and the rest renumbered).",
                            b.name(),
                            link.seq
                        ),
                    },
                ),
                Some(_) => {} // already reported as edited
                None => push(
                    &mut problems,
                    Problem {
                        row: link.seq,
                        kind: ProblemKind::Edited,
                        message: format!(
                            "{} was rewritten: it no longer links to the start of the journal (or the entries \
                             before it were deleted and the rest renumbered).",
                            link.name()
                        ),
                    },
                ),
            },
        }
    }

    // The end: rows removed from the tail leave no successor to notice; the marker does.
    let last = links.last();
    if tail == Tail::ReachedAtLeast {
        match (head, last) {
            (Some(h), Some(l)) if h.seq < l.seq => {
                problems.sort_by_key(|p| p.row);
                return problems;
            }
            (None, _) => {
                problems.sort_by_key(|p| p.row);
                return problems;
            }
            _ => {}
        }
    }
    match (head, last) {
        (Some(h), Some(l)) if h.seq > l.seq => deleted(
            &mut problems,
            l.seq + 1,
            h.seq,
            &format!("from the end of the journal (the last entry written was {}; the journal now ends at {})", h.seq, l.seq),
        ),
        (Some(h), None) if h.seq > 0 => deleted(
            &mut problems,
            1,
            h.seq,
            &format!("(the journal is empty, but {} entries were written)", h.seq),
        ),
        (Some(h), Some(l)) if h.seq == l.seq => {
            if l.intact && unhex(&h.hash) != l.hash {
                push(
                    &mut problems,
                    Problem {
                        row: l.seq,
                        kind: ProblemKind::Edited,
                        message: format!(
                            "{} was rewritten and its fingerprint recomputed: it no longer matches the fingerprint \
                             recorded for the last entry.",
                            l.name()
                        ),
                    },
                );
            }
        }
        (Some(h), Some(l)) => push(
            &mut problems,
            Problem {
                row: h.seq + 1,
                kind: ProblemKind::Edited,
                message: format!(
                    "Entries {} to {} were added to the journal outside Rackdesk (the last entry Rackdesk wrote is {}).",
                    h.seq + 1,
                    l.seq,
                    h.seq
                ),
            },
        ),
        (None, Some(l)) => push(
            &mut problems,
            Problem {
                row: l.seq,
                kind: ProblemKind::Deleted,
                message: format!(
                    "The journal's end marker was removed, so entries after entry {} may have been deleted.",
                    l.seq
                ),
            },
        ),
        (_, None) => {}
    }
    problems.sort_by_key(|p| p.row);
    problems
}
