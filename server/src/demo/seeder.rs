//! What every part of the demo writes with: the generator, the server's clock, the time the demo
//! is told as "now", and the changes made so far, in order.

use model::date::{Date, CHINA_UTC_OFFSET_MINUTES};
use model::hlc::Clock;
use model::wire::Change;
use serde_json::Value;

use super::rng::Rng;

/// A day in milliseconds, the unit of the demo's "days ago".
pub(super) const DAY_MS: i64 = 86_400_000;

pub(super) struct Seeder {
    pub rng: Rng,
    clock: Clock,
    pub now_ms: i64,
    pub today: Date,
    changes: Vec<Change>,
}

impl Seeder {
    pub fn new(now_ms: i64) -> anyhow::Result<Seeder> {
        Ok(Seeder {
            rng: Rng::demo(),
            clock: Clock::new("server").map_err(|e| anyhow::anyhow!("server clock: {e:?}"))?,
            now_ms,
            today: Date::from_unix_ms_offset(now_ms, CHINA_UTC_OFFSET_MINUTES),
            changes: Vec::new(),
        })
    }

    /// Writes `fields` of one record, each stamped by the server's clock in turn.
    pub fn record(&mut self, entity: &str, id: &str, fields: Vec<(&str, Value)>) {
        for (field, value) in fields {
            let hlc = self.clock.now(self.now_ms as u64).to_string();
            self.changes.push(Change {
                entity: entity.into(),
                id: id.into(),
                field: field.into(),
                value,
                hlc,
            });
        }
    }

    pub fn into_changes(self) -> Vec<Change> {
        self.changes
    }
}
