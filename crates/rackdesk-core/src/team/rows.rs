//! A journal row's way into the team database and back, value for value, so the team side
//! recomputes exactly the hash the computer chained.

use crate::journal::{ChainRow, ChainValue, CONTENT_COLUMNS};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use tokio_postgres::types::ToSql;

/// The content columns stored as integers; the others are text.
const INTEGER_COLUMNS: [&str; 2] = ["intent_id", "sandbox"];

fn is_integer(column: &str) -> bool {
    INTEGER_COLUMNS.contains(&column)
}

/// The INSERT of a batch: `$1` the machine id, then one array per column (`unnest`).
pub(crate) fn insert_sql() -> String {
    let mut casts = vec!["$2::bigint[]".to_string()];
    for (i, c) in CONTENT_COLUMNS.iter().enumerate() {
        casts.push(format!("${}::{}[]", i + 3, if is_integer(c) { "bigint" } else { "text" }));
    }
    let n = CONTENT_COLUMNS.len() + 3;
    casts.push(format!("${n}::text[]"));
    casts.push(format!("${}::text[]", n + 1));
    casts.push(format!("${}::text[]", n + 2));
    casts.push(format!("${}::timestamptz[]", n + 3));
    format!(
        "INSERT INTO rackdesk.entries (machine_id, seq, {}, odd_values, prev_hash, hash, at_time) SELECT $1, u.* FROM unnest({}) AS u",
        CONTENT_COLUMNS.join(", "),
        casts.join(", ")
    )
}

enum Column {
    Text(Vec<Option<String>>),
    Integer(Vec<Option<i64>>),
}

/// The parameters of [`insert_sql`] for `rows`.
pub(crate) struct Batch {
    machine_id: String,
    seqs: Vec<i64>,
    columns: Vec<Column>,
    odd: Vec<Option<String>>,
    prev: Vec<String>,
    hash: Vec<String>,
    at_time: Vec<Option<DateTime<Utc>>>,
}

impl Batch {
    pub(crate) fn new(machine_id: &str, rows: &[ChainRow]) -> Batch {
        let mut columns: Vec<Column> = CONTENT_COLUMNS
            .iter()
            .map(|c| if is_integer(c) { Column::Integer(Vec::with_capacity(rows.len())) } else { Column::Text(Vec::with_capacity(rows.len())) })
            .collect();
        let mut odd = Vec::with_capacity(rows.len());
        for r in rows {
            let mut odd_here = Map::new();
            for (i, col) in columns.iter_mut().enumerate() {
                let v = r.values.get(i).unwrap_or(&ChainValue::Null);
                match (col, v) {
                    (Column::Text(c), ChainValue::Text(t)) => c.push(Some(t.clone())),
                    (Column::Integer(c), ChainValue::Integer(n)) => c.push(Some(*n)),
                    (Column::Text(c), ChainValue::Null) => c.push(None),
                    (Column::Integer(c), ChainValue::Null) => c.push(None),
                    (col, other) => {
                        match col {
                            Column::Text(c) => c.push(None),
                            Column::Integer(c) => c.push(None),
                        }
                        odd_here.insert(CONTENT_COLUMNS[i].to_owned(), odd_value(other));
                    }
                }
            }
            odd.push((!odd_here.is_empty()).then(|| Value::Object(odd_here).to_string()));
        }
        Batch {
            machine_id: machine_id.to_owned(),
            seqs: rows.iter().map(|r| r.seq).collect(),
            columns,
            odd,
            prev: rows.iter().map(|r| r.prev_hash.clone()).collect(),
            hash: rows.iter().map(|r| r.hash.clone()).collect(),
            at_time: rows
                .iter()
                .map(|r| r.value("at").text().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc)))
                .collect(),
        }
    }

    pub(crate) fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        let mut p: Vec<&(dyn ToSql + Sync)> = vec![&self.machine_id, &self.seqs];
        for c in &self.columns {
            match c {
                Column::Text(v) => p.push(v),
                Column::Integer(v) => p.push(v),
            }
        }
        p.push(&self.odd);
        p.push(&self.prev);
        p.push(&self.hash);
        p.push(&self.at_time);
        p
    }
}

fn odd_value(v: &ChainValue) -> Value {
    match v {
        ChainValue::Null => json!({"t": "null"}),
        ChainValue::Integer(n) => json!({"t": "integer", "v": n}),
        ChainValue::Real(f) => json!({"t": "real", "v": f.to_bits().to_string()}),
        ChainValue::Text(t) => json!({"t": "text", "v": t}),
        ChainValue::Blob(b) => json!({"t": "blob", "v": b.iter().map(|x| format!("{x:02x}")).collect::<String>()}),
    }
}

fn from_odd(v: &Value) -> Option<ChainValue> {
    let s = |v: &Value| v.get("v").and_then(Value::as_str).map(str::to_owned);
    Some(match v.get("t")?.as_str()? {
        "null" => ChainValue::Null,
        "integer" => ChainValue::Integer(v.get("v")?.as_i64()?),
        "real" => ChainValue::Real(f64::from_bits(s(v)?.parse().ok()?)),
        "text" => ChainValue::Text(s(v)?),
        "blob" => {
            let h = s(v)?;
            ChainValue::Blob((0..h.len() / 2).map(|i| u8::from_str_radix(h.get(2 * i..2 * i + 2)?, 16).ok()).collect::<Option<Vec<u8>>>()?)
        }
        _ => return None,
    })
}

/// The columns [`from_row`] reads, from `rackdesk.entries` (optionally prefixed `alias.`).
pub(crate) fn select_columns(alias: &str) -> String {
    let p = |c: &str| if alias.is_empty() { c.to_owned() } else { format!("{alias}.{c}") };
    let mut cols = vec![p("seq"), p("prev_hash"), p("hash")];
    cols.extend(CONTENT_COLUMNS.iter().map(|c| p(c)));
    cols.push(p("odd_values"));
    cols.join(", ")
}

/// A row read with [`select_columns`], starting at column `at`, back into the computer's form.
pub(crate) fn from_row(row: &tokio_postgres::Row, at: usize) -> Result<ChainRow, tokio_postgres::Error> {
    let mut values = Vec::with_capacity(CONTENT_COLUMNS.len());
    for (i, c) in CONTENT_COLUMNS.iter().enumerate() {
        let idx = at + 3 + i;
        values.push(if is_integer(c) {
            row.try_get::<_, Option<i64>>(idx)?.map_or(ChainValue::Null, ChainValue::Integer)
        } else {
            row.try_get::<_, Option<String>>(idx)?.map_or(ChainValue::Null, ChainValue::Text)
        });
    }
    let odd: Option<String> = row.try_get(at + 3 + CONTENT_COLUMNS.len())?;
    if let Some(Value::Object(map)) = odd.as_deref().and_then(|o| serde_json::from_str(o).ok()) {
        for (k, v) in map {
            if let (Some(i), Some(val)) = (CONTENT_COLUMNS.iter().position(|c| *c == k), from_odd(&v)) {
                values[i] = val;
            }
        }
    }
    Ok(ChainRow { seq: row.try_get(at)?, prev_hash: row.try_get(at + 1)?, hash: row.try_get(at + 2)?, values })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_values_come_back_exactly() {
        for v in [ChainValue::Real(1.5), ChainValue::Blob(vec![0, 255, 7]), ChainValue::Integer(-3), ChainValue::Text("x".into()), ChainValue::Null] {
            assert_eq!(from_odd(&odd_value(&v)), Some(v));
        }
    }

    #[test]
    fn the_insert_names_every_column_once() {
        let sql = insert_sql();
        assert!(sql.contains("$26::timestamptz[]"), "{sql}");
        assert_eq!(sql.matches("::").count(), 25);
        let rows = vec![ChainRow {
            seq: 1,
            values: (0..CONTENT_COLUMNS.len()).map(|i| if i == 1 { ChainValue::Text("odd".into()) } else { ChainValue::Null }).collect(),
            prev_hash: "p".into(),
            hash: "h".into(),
        }];
        let b = Batch::new("m", &rows);
        assert_eq!(b.params().len(), 26);
        assert!(b.odd[0].as_deref().unwrap().contains("intent_id"));
    }
}
