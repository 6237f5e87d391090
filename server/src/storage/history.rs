//! What the history of changes keeps (issue 17, "who changed what"): each record's accepted
//! changes of one batch as one entry, with who sent them, from which device and when, and the
//! fields two devices set close together. Both backends keep an entry's changes as one JSON text,
//! encoded and read back here, so they agree byte for byte.

use serde_json::Value;

use super::{Result, StorageError};

/// One record's accepted changes of one batch: losers included, in batch order.
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    pub entity: String,
    pub id: String,
    pub user_id: String,
    pub device_id: String,
    /// When the server received the batch (unix ms).
    pub at_ms: i64,
    /// Field, value, stamp.
    pub changes: Vec<(String, Value, String)>,
}

/// A field whose value arrived from one device close after another device set it otherwise
/// (`model::history::contested`), as the server noticed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Contest {
    pub entity: String,
    pub id: String,
    pub field: String,
    /// The grid the record was filed under: supervisors see the contests of their grids.
    pub grid_id: Option<String>,
    /// When the second value arrived (unix ms).
    pub at_ms: i64,
    /// The value the field held, and its stamp.
    pub held: (Value, String),
    /// The value that arrived, and its stamp.
    pub arrived: (Value, String),
}

/// A contest as read back, with the stamp its field holds now (none once the field is gone).
#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedContest {
    pub contest: Contest,
    pub current_hlc: Option<String>,
}

/// How much history a database keeps, for a backup or a move: how many entries and contests,
/// and when the first and last entries were received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryExtent {
    pub entries: u64,
    pub contests: u64,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
}

/// A limit that reads everything.
pub const ALL: usize = i64::MAX as usize;

/// The JSON text an entry's changes are kept as: `[["field", value, "stamp"], …]`, a tuple being
/// a JSON array; written straight from the changes, with no copy of their values.
pub(crate) fn encode_changes(changes: &[(String, Value, String)]) -> String {
    // Serialising strings and values into a String cannot fail.
    serde_json::to_string(changes).unwrap_or_default()
}

pub(crate) fn decode_changes(json: &str) -> Result<Vec<(String, Value, String)>> {
    let corrupt = || {
        StorageError::Corrupt(format!(
            "history entry is not a list of changes: {json:.80}"
        ))
    };
    let parsed: Vec<(String, Value, String)> = serde_json::from_str(json).map_err(|_| corrupt())?;
    Ok(parsed)
}

/// A kept value's JSON text read back.
pub(crate) fn decode_value(json: &str) -> Result<Value> {
    serde_json::from_str(json)
        .map_err(|e| StorageError::Corrupt(format!("value of a contest: {e}")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn changes_round_trip_through_their_text() {
        let changes = vec![
            (
                "name".to_owned(),
                json!("王桂兰"),
                "1764331200000-0000-a".to_owned(),
            ),
            (
                "age".to_owned(),
                json!(81),
                "1764331200000-0001-a".to_owned(),
            ),
            (
                "note".to_owned(),
                Value::Null,
                "1764331200000-0002-a".to_owned(),
            ),
        ];
        let text = encode_changes(&changes);
        assert_eq!(
            text,
            r#"[["name","王桂兰","1764331200000-0000-a"],["age",81,"1764331200000-0001-a"],["note",null,"1764331200000-0002-a"]]"#
        );
        assert_eq!(decode_changes(&text).unwrap(), changes);
        assert!(decode_changes("{}").is_err());
    }
}
