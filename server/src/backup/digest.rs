//! The fingerprint of a database's field rows: sha256 over each row's entity, id, field, value,
//! stamp, seq and grid, in seq order. Two databases with the same digest hold the same rows in
//! the same order, so a copy is checked without comparing the two row by row.

use sha2::{Digest, Sha256};

use crate::storage::FieldRow;

#[derive(Clone, Default)]
pub struct RowDigest(Sha256);

impl RowDigest {
    pub fn add(&mut self, row: &FieldRow) {
        let c = &row.change;
        // Each text with its length first, so no two different rows feed the same bytes.
        for text in [&c.entity, &c.id, &c.field, &c.value.to_string(), &c.hlc] {
            self.text(text);
        }
        self.0.update(row.seq.to_le_bytes());
        match &row.grid_id {
            None => self.0.update([0]),
            Some(g) => {
                self.0.update([1]);
                self.text(g);
            }
        }
    }

    fn text(&mut self, s: &str) {
        self.0.update((s.len() as u64).to_le_bytes());
        self.0.update(s.as_bytes());
    }

    /// The digest in hex.
    pub fn finish(self) -> String {
        hex::encode(self.0.finalize())
    }
}

#[cfg(test)]
mod tests {
    use model::wire::Change;
    use serde_json::json;

    use super::*;

    fn row(field: &str, value: serde_json::Value, grid: Option<&str>) -> FieldRow {
        FieldRow {
            change: Change {
                entity: "resident".into(),
                id: "r1".into(),
                field: field.into(),
                value,
                hlc: "1764331200000-0000-dev".into(),
            },
            grid_id: grid.map(str::to_owned),
            seq: 1,
        }
    }

    fn digest(rows: &[&FieldRow]) -> String {
        let mut d = RowDigest::default();
        rows.iter().for_each(|r| d.add(r));
        d.finish()
    }

    #[test]
    fn any_difference_in_a_row_changes_the_digest() {
        let base = row("name", json!("王芳"), Some("g1"));
        let mut moved = base.clone();
        moved.seq = 2;
        let variants = [
            row("name", json!("王芳 "), Some("g1")),
            row("names", json!("王芳"), Some("g1")),
            row("name", json!("王芳"), None),
            row("name", json!("王芳"), Some("")),
            moved,
        ];
        for v in &variants {
            assert_ne!(digest(&[&base]), digest(&[v]), "{v:?}");
        }
        assert_eq!(digest(&[&base]), digest(&[&base]));
        let other = row("age", json!(80), None);
        assert_ne!(
            digest(&[&base, &other]),
            digest(&[&other, &base]),
            "order counts"
        );
    }
}
