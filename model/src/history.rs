//! Who changed what (issue 17): the rule that flags a contested field, who may read a record's
//! history and the contested fields, and the wire shape of both answers
//! (`docs/api.md#history`). The server keeps every accepted change, losers included; last writer
//! wins still decides what a field holds, this only makes an overwrite visible.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::hlc::Hlc;
use crate::Role;

/// Two values of one field set by different devices at most this far apart (by their stamps)
/// contest each other: close enough that the second writer most likely had not yet received the
/// first value (phones sync when they have signal, often an hour or more apart), so one of them
/// overwrote the other unseen.
pub const CONTEST_WINDOW_MS: u64 = 60 * 60 * 1000;

/// Days the server keeps history and flagged contests by default (`KNOCK_HISTORY_DAYS`): a
/// year, long enough to answer for any record of the ledger's last campaign.
pub const DEFAULT_RETENTION_DAYS: u32 = 365;

/// Whether a stamp's device is the server's own: `server` (the demo), `server-import` (a roster
/// import) or `server-<8 hex>` (a process's own writes: profiles, a settled contest). Nobody set
/// such a value on a phone, so nobody's edit was lost to it or over it.
pub fn is_server_device(device: &str) -> bool {
    device == "server" || device.starts_with("server-")
}

/// Whether two stamps come from different devices, neither the server's, within
/// [`CONTEST_WINDOW_MS`] of each other: the values they carry contest each other if they differ.
/// Malformed stamps are no rivals. (The server reads a stored value only for rivals.)
pub fn rivals(a_hlc: &str, b_hlc: &str) -> bool {
    let (Ok(a), Ok(b)) = (Hlc::parse(a_hlc), Hlc::parse(b_hlc)) else {
        return false;
    };
    a.device != b.device
        && !is_server_device(&a.device)
        && !is_server_device(&b.device)
        && a.ms.abs_diff(b.ms) <= CONTEST_WINDOW_MS
}

/// Whether `b` (a value arriving) contests `a` (the value the field held): [`rivals`] that set
/// different values.
pub fn contested(a_hlc: &str, a_value: &Value, b_hlc: &str, b_value: &Value) -> bool {
    a_value != b_value && rivals(a_hlc, b_hlc)
}

/// Staff read a record's history: admins, supervisors and grid workers. Volunteers, building
/// leaders and the street office work on what a record holds now, not on who wrote it.
pub fn may_read_history(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Supervisor | Role::GridWorker)
}

/// Contested fields are flagged to those who correct them: supervisors and admins.
pub fn may_see_contests(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Supervisor)
}

/// `GET /api/v1/history/{entity}/{id}` 200 response: the record's accepted changes the caller may
/// read, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryResponse {
    pub entity: String,
    pub id: String,
    pub entries: Vec<HistoryEntry>,
    /// How many days the server keeps history: older changes are gone.
    pub retention_days: u32,
}

/// One accepted change: the value, its stamp, who sent it from which device, when the server
/// received it, and whether it is what the field holds now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub field: String,
    pub value: Value,
    pub hlc: String,
    pub user_id: String,
    /// The user's display name; `None` when the user is no longer known.
    pub user_name: Option<String>,
    pub device_id: String,
    pub received_ms: i64,
    /// This change's value is the field's winning value now.
    pub current: bool,
}

/// `GET /api/v1/history/contested` 200 response: open contests of the caller's grids, newest
/// first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestedResponse {
    pub contested: Vec<Contested>,
}

/// A field two devices set to different values close together. Open while the field still holds
/// one of the two; any later write (a correction) settles it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contested {
    pub entity: String,
    pub id: String,
    pub field: String,
    pub grid_id: Option<String>,
    /// When the server noticed (received the second value).
    pub flagged_ms: i64,
    /// The stamp the field holds now: one of the two sides'.
    pub current_hlc: String,
    /// The value the field held, then the value that arrived.
    pub sides: Vec<ContestSide>,
}

/// One of the two values of a contest, with who set it as far as the history still knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestSide {
    pub value: Value,
    pub hlc: String,
    pub device_id: String,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub received_ms: Option<i64>,
}

/// `POST /api/v1/history/contested/settle` body: keep the side of an open contest stamped `hlc`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettleRequest {
    pub entity: String,
    pub id: String,
    pub field: String,
    pub hlc: String,
}

/// `POST /api/v1/history/contested/settle` 200 response: the value written, stamped anew by the
/// server, which every device of the record receives at its next pull.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettleResponse {
    pub change: crate::wire::Change,
}

impl Contested {
    /// The side whose value the field holds now.
    pub fn winner(&self) -> Option<&ContestSide> {
        self.sides.iter().find(|s| s.hlc == self.current_hlc)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const A: &str = "1764331200000-0000-phone-a";

    fn at(ms: u64, device: &str) -> String {
        Hlc::new(ms, 0, device).unwrap().to_string()
    }

    #[test]
    fn different_devices_and_values_close_together_contest() {
        let t = 1_764_331_200_000;
        let (a, b) = (at(t, "phone-a"), at(t + 5 * 60_000, "phone-b"));
        assert!(contested(&a, &json!("高"), &b, &json!("低")));
        // Either order: a late arrival with the older stamp was overwritten unseen too.
        assert!(contested(&b, &json!("低"), &a, &json!("高")));
    }

    #[test]
    fn same_device_same_value_or_far_apart_do_not() {
        let t = 1_764_331_200_000;
        let a = at(t, "phone-a");
        assert!(!contested(&a, &json!(1), &at(t + 1, "phone-a"), &json!(2)));
        assert!(!contested(&a, &json!(1), &at(t + 1, "phone-b"), &json!(1)));
        let late = at(t + CONTEST_WINDOW_MS + 1, "phone-b");
        assert!(!contested(&a, &json!(1), &late, &json!(2)));
        let edge = at(t + CONTEST_WINDOW_MS, "phone-b");
        assert!(contested(&a, &json!(1), &edge, &json!(2)));
        assert!(!contested("garbage", &json!(1), &edge, &json!(2)));
        // The demo, an import, a settled contest: the server's own values contest nothing.
        for server in ["server", "server-import", "server-1a2b3c4d"] {
            let ours = at(t + 1, server);
            assert!(!contested(&a, &json!(1), &ours, &json!(2)), "{server}");
            assert!(!contested(&ours, &json!(1), &a, &json!(2)), "{server}");
        }
        assert!(!is_server_device("serverless-phone"));
    }

    #[test]
    fn only_staff_read_history_and_only_supervisors_see_contests() {
        for role in Role::ALL {
            let staff = matches!(role, Role::Admin | Role::Supervisor | Role::GridWorker);
            assert_eq!(may_read_history(role), staff, "{role:?}");
            let corrects = matches!(role, Role::Admin | Role::Supervisor);
            assert_eq!(may_see_contests(role), corrects, "{role:?}");
        }
    }

    // Golden tests: these strings are the protocol. Do not modify them to make a change pass.

    #[test]
    fn history_response_json_is_frozen() {
        let r = HistoryResponse {
            entity: "resident".into(),
            id: "r1".into(),
            entries: vec![HistoryEntry {
                field: "phone".into(),
                value: json!("13800000000"),
                hlc: A.into(),
                user_id: "u1".into(),
                user_name: Some("王芳".into()),
                device_id: "phone-a".into(),
                received_ms: 1764331200123,
                current: true,
            }],
            retention_days: 365,
        };
        let s = serde_json::to_string(&r).unwrap();
        assert_eq!(
            s,
            r#"{"entity":"resident","id":"r1","entries":[{"field":"phone","value":"13800000000","hlc":"1764331200000-0000-phone-a","user_id":"u1","user_name":"王芳","device_id":"phone-a","received_ms":1764331200123,"current":true}],"retention_days":365}"#
        );
        assert_eq!(serde_json::from_str::<HistoryResponse>(&s).unwrap(), r);
    }

    #[test]
    fn contested_response_json_is_frozen() {
        let side = |value: Value, hlc: &str, user: Option<&str>| ContestSide {
            value,
            hlc: hlc.into(),
            device_id: Hlc::device_of(hlc).unwrap().into(),
            user_id: user.map(str::to_owned),
            user_name: user.map(|_| "王芳".to_owned()),
            received_ms: user.map(|_| 1764331200123),
        };
        let b = "1764331260000-0000-phone-b";
        let r = ContestedResponse {
            contested: vec![Contested {
                entity: "resident".into(),
                id: "r1".into(),
                field: "risk_level".into(),
                grid_id: Some("g1".into()),
                flagged_ms: 1764331260100,
                current_hlc: b.into(),
                sides: vec![
                    side(json!("high"), A, Some("u1")),
                    side(json!("low"), b, None),
                ],
            }],
        };
        let s = serde_json::to_string(&r).unwrap();
        assert_eq!(
            s,
            r#"{"contested":[{"entity":"resident","id":"r1","field":"risk_level","grid_id":"g1","flagged_ms":1764331260100,"current_hlc":"1764331260000-0000-phone-b","sides":[{"value":"high","hlc":"1764331200000-0000-phone-a","device_id":"phone-a","user_id":"u1","user_name":"王芳","received_ms":1764331200123},{"value":"low","hlc":"1764331260000-0000-phone-b","device_id":"phone-b","user_id":null,"user_name":null,"received_ms":null}]}]}"#
        );
        assert_eq!(serde_json::from_str::<ContestedResponse>(&s).unwrap(), r);
        assert_eq!(r.contested[0].winner().unwrap().value, json!("low"));
    }

    #[test]
    fn settle_json_is_frozen() {
        let body =
            r#"{"entity":"resident","id":"r1","field":"phone","hlc":"1764331200000-0000-phone-a"}"#;
        let req: SettleRequest = serde_json::from_str(body).unwrap();
        assert_eq!(req.hlc, A);
        assert_eq!(serde_json::to_string(&req).unwrap(), body);
        let r = SettleResponse {
            change: crate::wire::Change {
                entity: "resident".into(),
                id: "r1".into(),
                field: "phone".into(),
                value: json!("13800000000"),
                hlc: "1764331300000-0000-server-1a2b3c4d".into(),
            },
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"change":{"entity":"resident","id":"r1","field":"phone","value":"13800000000","hlc":"1764331300000-0000-server-1a2b3c4d"}}"#
        );
    }
}
