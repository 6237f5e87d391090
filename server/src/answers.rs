//! The dashboards last counted, kept so that asking again for what nothing has changed costs a
//! look-up instead of a count over every record of the grids (85–125 ms for a supervisor's two
//! grids on a 2-core machine, BENCHMARKS.md): a supervisor's app asks again after its first
//! sync, and the supervisors of one street office look at the same grids all morning.
//!
//! An answer is reused only for the same grids and date, counted from the same records (the
//! snapshot's seq, which any write on any server moves on) and the same users (names, roles,
//! grids, disabled), and for at most [`REUSE`]: a need that turns overdue, or a worker's open
//! items, depend on the time, and the answer says when it was counted (`server_time_ms`).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use model::dashboard::Dashboard;
use model::date::Date;

use crate::storage::UserRecord;

/// How long an answer counted from records nobody has changed since is served again.
pub const REUSE: Duration = Duration::from_secs(30);
/// Answers kept at most: one per scope and date asked for lately.
const KEPT: usize = 16;

/// What an answer was counted from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub grids: Vec<String>,
    pub date: Date,
    /// The seq of the snapshot counted ([`crate::snapshot::Snapshot`]).
    pub seq: i64,
    /// [`users_fingerprint`] of the users when counted.
    pub users: u64,
}

/// What of the users a dashboard shows or counts by, as one number.
pub fn users_fingerprint(users: &[UserRecord]) -> u64 {
    let mut h = DefaultHasher::new();
    for u in users {
        (&u.id, &u.name, u.role.as_str(), &u.grids, u.disabled).hash(&mut h);
    }
    h.finish()
}

pub struct Answers {
    reuse: Duration,
    kept: Mutex<Vec<(Counted, Instant, Dashboard)>>,
}

impl Default for Answers {
    fn default() -> Self {
        Answers::new(REUSE)
    }
}

impl Answers {
    /// Answers served again for at most `reuse`.
    pub fn new(reuse: Duration) -> Answers {
        Answers {
            reuse,
            kept: Mutex::new(Vec::new()),
        }
    }

    /// The answer counted from `counted`, if it was counted less than the reuse time ago.
    pub fn get(&self, counted: &Counted) -> Option<Dashboard> {
        let kept = self.kept.lock().expect("answers poisoned");
        kept.iter()
            .find(|(c, at, _)| c == counted && at.elapsed() < self.reuse)
            .map(|(_, _, d)| d.clone())
    }

    /// Keeps `answer`, in place of any other answer of the same grids and date.
    pub fn put(&self, counted: Counted, answer: &Dashboard) {
        let mut kept = self.kept.lock().expect("answers poisoned");
        kept.retain(|(c, at, _)| {
            !(c.grids == counted.grids && c.date == counted.date) && at.elapsed() < self.reuse
        });
        kept.insert(0, (counted, Instant::now(), answer.clone()));
        kept.truncate(KEPT);
    }
}
