//! The records the bench writes: new residents (what pushes carry) and the morning's grids.

use model::wire::Change;
use serde_json::json;

/// Fields each new resident gets; a push batch is a whole number of residents.
pub const RESIDENT_FIELDS: usize = 10;

/// A change's key: what a later write of the same field replaces.
pub fn key(c: &Change) -> (String, String, String) {
    (c.entity.clone(), c.id.clone(), c.field.clone())
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `count` grids named 晨测网格 1…, as an admin pushes them: their ids and the changes.
pub fn new_grids(count: usize, device: &str, t0: i64) -> (Vec<String>, Vec<Change>) {
    use model::entities::grid::{self, field as f};
    let ids: Vec<String> = (0..count).map(|_| model::record::new_id()).collect();
    let mut changes = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        let fields = [
            (f::NAME, json!(format!("晨测网格 {}", n + 1))),
            (f::COMMUNITY, json!("晨测社区")),
            (f::STREET, json!("东城街道")),
        ];
        for (counter, (field, value)) in fields.into_iter().enumerate() {
            changes.push(Change {
                entity: grid::NAME.into(),
                id: id.clone(),
                field: field.into(),
                value,
                hlc: format!("{t0:013}-{counter:04x}-{device}"),
            });
        }
    }
    (ids, changes)
}

/// `count` new residents of 10 fields each, spread over `grids`, stamped by `device` at a
/// millisecond of their own (`t0 + nth`) so no two batches of one device share a stamp.
pub fn new_residents(
    count: usize,
    grids: &[String],
    device: &str,
    t0: i64,
    nth: usize,
) -> Vec<Change> {
    let ms = t0 + nth as i64;
    let mut out = Vec::with_capacity(count * RESIDENT_FIELDS);
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"];
    let given = [
        "桂兰", "秀英", "建国", "淑珍", "志强", "玉梅", "德华", "国平",
    ];
    use model::entities::resident::{self, field as f};
    for r in 0..count {
        let id = model::record::new_id();
        let k = nth * count + r;
        let fields = [
            (f::GRID_ID, json!(grids[k % grids.len()])),
            (
                f::NAME,
                json!(format!("{}{}", surnames[k % 8], given[(k / 8) % 8])),
            ),
            (
                f::GENDER,
                json!(if k.is_multiple_of(2) {
                    "female"
                } else {
                    "male"
                }),
            ),
            (
                f::BIRTH_DATE,
                json!(format!(
                    "19{:02}-{:02}-{:02}",
                    30 + k % 60,
                    1 + k % 12,
                    1 + k % 28
                )),
            ),
            (f::PHONE, json!(format!("138{:08}", k % 100_000_000))),
            (f::ID_CARD_LAST4, json!(format!("{:04}", k % 10_000))),
            (f::RELATION_TO_HEAD, json!("户主")),
            (f::COND_HYPERTENSION, json!(k.is_multiple_of(3))),
            (f::COND_DIABETES, json!(k.is_multiple_of(5))),
            (f::VACC_DOSES, json!(k % 4)),
        ];
        debug_assert_eq!(fields.len(), RESIDENT_FIELDS);
        for (counter, (field, value)) in fields.into_iter().enumerate() {
            out.push(Change {
                entity: resident::NAME.into(),
                id: id.clone(),
                field: field.into(),
                value,
                hlc: format!("{ms:013}-{counter:04x}-{device}"),
            });
        }
    }
    out
}
