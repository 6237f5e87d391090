//! Wire types of the sync protocol v1 (`docs/sync-protocol.md`). Their JSON is a contract others test against:
//! the golden tests at the bottom freeze it. Do not rename or retype a field; add only.

use serde::{Deserialize, Serialize};

use crate::merge::Stamped;
use crate::validate::{self, Lang, Problem};
use crate::Role;

/// `POST /api/v1/login` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    pub device_id: String,
}

/// The logged-in user as the login response describes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub grids: Vec<String>,
    /// The display names of `grids`, in the same order. Additive to the v1 contract so a device
    /// can show "my grids" right after login, before its first sync brings the grid records.
    #[serde(default)]
    pub grid_names: Vec<String>,
}

/// `POST /api/v1/login` 200 response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    pub token: String,
    pub user: UserInfo,
    pub server_time_ms: i64,
    /// Added (issue 16): the server's vaccination policy, which the device's mobilisation list
    /// follows. Absent from older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vaccination: Option<crate::vaccination::Policy>,
}

/// Every error body: `{"error": "<code>", "message": "<human text>"}`, plus the extras some codes
/// carry (`server_time_ms` for `clock_skew`, `details` for `invalid`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_time_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<ErrorDetail>>,
}

/// One refused change of a push, by its index in the batch, with the human message and, for a
/// validation problem, its `code`: the [`Problem`] behind the message, so the app can word it in
/// the reader's language ([`ErrorDetail::text`]). `code` is additive: without one the JSON is
/// `{"index", "message"}` as it always was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub index: usize,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ProblemCode>,
}

/// A [`Problem`] as it came on the wire, read into a [`Problem`] only where it is worded
/// ([`ProblemCode::problem`]). A device reads every refusal of a push but words them only on the
/// page that lists them: the `Problem` reader (a tagged, flattened enum) was 12 KB of the
/// compressed code a phone loads at start, and it stays with that page now. Kept as it came, a
/// code only a newer server sends also survives being stored and read back.
///
/// Its JSON text byte for byte, so that what is sent, stored and sent again keeps its keys'
/// order (the wire format is frozen, `detail_code_json_is_frozen`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProblemCode(Box<serde_json::value::RawValue>);

impl ProblemCode {
    /// The problem, if this is one (a kind only a newer version knows reads as
    /// [`validate::ProblemKind::Other`]); `None` for what is not a problem at all.
    pub fn problem(&self) -> Option<Problem> {
        serde_json::from_str(self.0.get()).ok()
    }
}

impl PartialEq for ProblemCode {
    fn eq(&self, other: &ProblemCode) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Eq for ProblemCode {}

impl From<&Problem> for ProblemCode {
    fn from(problem: &Problem) -> ProblemCode {
        // A Problem is strings, integers and lists of strings: it always serializes.
        ProblemCode(
            serde_json::value::to_raw_value(problem)
                .unwrap_or_else(|_| serde_json::value::RawValue::NULL.to_owned()),
        )
    }
}

impl ErrorDetail {
    /// A detail with only a message, for a refusal that is not a validation problem.
    pub fn new(index: usize, message: impl Into<String>) -> ErrorDetail {
        ErrorDetail {
            index,
            message: message.into(),
            code: None,
        }
    }

    /// The detail of the change at `index` refused for `problem`: today's message, and the code.
    pub fn from_problem(index: usize, problem: &Problem) -> ErrorDetail {
        ErrorDetail {
            index,
            message: problem.message(),
            code: Some(ProblemCode::from(problem)),
        }
    }

    /// The detail in `lang`, worded from its code; the server's message when there is no code
    /// or only a newer version knows it.
    pub fn text(&self, lang: Lang) -> String {
        self.code
            .as_ref()
            .and_then(ProblemCode::problem)
            .and_then(|p| validate::render(&p, lang))
            .unwrap_or_else(|| self.message.clone())
    }
}

/// `GET /api/v1/health` 200 response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub server_time_ms: i64,
}

/// One field value of one record: the unit of sync. `value` is plain JSON by the field's type
/// and `null` clears the field; it is always present on the wire (a missing `value` is
/// malformed, not a clear).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub entity: String,
    pub id: String,
    pub field: String,
    pub value: serde_json::Value,
    pub hlc: String,
}

impl Change {
    pub fn new(
        entity: impl Into<String>,
        id: impl Into<String>,
        field: impl Into<String>,
        value: serde_json::Value,
        hlc: &crate::hlc::Hlc,
    ) -> Change {
        Change {
            entity: entity.into(),
            id: id.into(),
            field: field.into(),
            value,
            hlc: hlc.to_string(),
        }
    }
}

/// `POST /api/v1/sync/push` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub device_id: String,
    pub changes: Vec<Change>,
}

/// `POST /api/v1/sync/push` 200 response; `applied` counts the changes that won.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub accepted: usize,
    pub applied: usize,
    pub server_time_ms: i64,
}

/// `GET /api/v1/sync/pull` query string; both keys are optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// `GET /api/v1/sync/pull` 200 response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub changes: Vec<Change>,
    pub cursor: String,
    pub has_more: bool,
    pub server_time_ms: i64,
    /// Records the device may no longer read (moved to another grid, a delivery taken from this
    /// volunteer or deleted): it removes them after applying `changes`. Added to v1; absent when
    /// empty, so the frozen shape of a page without it is unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<RecordKey>,
}

/// `GET /api/v1/sync/records` answer: the same page as a pull from the same cursor, its changes
/// grouped by record, each field's value with its stamp. A device with nothing stored asks for
/// these until `has_more` is false and then pulls as usual from the last `cursor`: about half
/// the bytes of `changes`, and each record written as it comes, without reading it first.
/// `F` is how a record's fields are held: the model's map on the server, the raw JSON text on a
/// phone that stores it as it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordsPage<F = std::collections::BTreeMap<String, Stamped>> {
    pub records: Vec<PulledRecord<F>>,
    pub cursor: String,
    pub has_more: bool,
    pub server_time_ms: i64,
    /// As in a pull page; absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<RecordKey>,
    /// The greatest stamp of the page's values, for the device's clock to observe without
    /// reading every stamp; absent when the page has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_hlc: Option<String>,
}

/// One record of a [`RecordsPage`]: the fields of it that the page carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PulledRecord<F = std::collections::BTreeMap<String, Stamped>> {
    pub entity: String,
    pub id: String,
    pub fields: F,
}

impl RecordsPage {
    /// Groups a pull page's changes by record, in the order each record first appears.
    ///
    /// Every change is moved into its record, not copied: a records page is 5,000 field values,
    /// and copying each one's strings and value was most of the grouping's time on the server.
    pub fn group(page: PullResponse) -> RecordsPage {
        use std::collections::hash_map::Entry;
        let mut at: std::collections::HashMap<(String, String), usize> =
            std::collections::HashMap::new();
        let mut records: Vec<PulledRecord> = Vec::new();
        for c in page.changes {
            let Change {
                entity,
                id,
                field,
                value,
                hlc,
            } = c;
            // A record's fields mostly follow one another (they were written together).
            let i = match records.last() {
                Some(last) if last.entity == entity && last.id == id => records.len() - 1,
                _ => match at.entry((entity, id)) {
                    Entry::Occupied(e) => *e.get(),
                    Entry::Vacant(e) => {
                        let (entity, id) = e.key().clone();
                        records.push(PulledRecord {
                            entity,
                            id,
                            fields: Default::default(),
                        });
                        *e.insert(records.len() - 1)
                    }
                },
            };
            // A page holds a field once (a pull sends each field's current value); were it
            // there twice, the later stamp is the one a device would keep.
            crate::merge::apply_owned(&mut records[i].fields, field, Stamped { value, hlc });
        }
        // The greatest stamp of the page is a kept one: a value that lost to another of its
        // field had a smaller stamp, or an equal one.
        let max_hlc = records
            .iter()
            .flat_map(|r| r.fields.values())
            .map(|s| s.hlc.as_str())
            .max()
            .map(str::to_owned);
        RecordsPage {
            records,
            cursor: page.cursor,
            has_more: page.has_more,
            server_time_ms: page.server_time_ms,
            dropped: page.dropped,
            max_hlc,
        }
    }
}

/// One record, named by its entity and id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordKey {
    pub entity: String,
    pub id: String,
}

/// `POST /api/v1/import/roster` body: a roster file, how its columns map to Knock's import
/// fields (`None` asks the server to suggest a mapping from the headers), the grid for rows that
/// name none, and whether to write (`commit`) or only preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRequest {
    pub file_name: String,
    pub content_base64: String,
    #[serde(default)]
    pub mapping: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default)]
    pub grid_id: Option<String>,
    #[serde(default)]
    pub commit: bool,
}

/// What an import does with one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportAction {
    Create,
    Merge,
    Refuse,
}

/// One mappable import field, named for the mapping screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportField {
    pub key: String,
    pub zh: String,
    pub en: String,
}

/// One data row of the file: its 1-based sheet row, what happens to it and why not.
/// `resident_id` is the resident a merged row goes into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    pub row: usize,
    pub action: ImportAction,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_id: Option<String>,
    pub problems: Vec<String>,
}

/// `POST /api/v1/import/roster` 200 response: the preview, or with `committed` the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportResponse {
    pub headers: Vec<String>,
    pub mapping: std::collections::BTreeMap<String, String>,
    pub fields: Vec<ImportField>,
    pub rows: Vec<ImportRow>,
    pub created: usize,
    pub merged: usize,
    pub refused: usize,
    pub committed: bool,
}

/// `GET /api/v1/schema` 200 response, built by [`crate::schema::schema_response`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaResponse {
    pub entities: Vec<EntitySchema>,
}

/// One entity of the schema response. `rules` states the record-level rules the server enforces
/// on top of the per-field roles (omitted when there are none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitySchema {
    pub name: String,
    pub zh: String,
    pub en: String,
    pub grid_scoped: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rules: String,
    pub fields: Vec<FieldSchema>,
}

/// One field of the schema response. `type` is one of `text`, `integer`, `decimal`, `boolean`,
/// `date`, `timestamp`, `enum` (with `members`) and `reference` (with `target`, an entity name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSchema {
    pub name: String,
    pub zh: String,
    pub en: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckSchema>,
    pub read: Vec<Role>,
    pub write: Vec<Role>,
}

/// A field's validation rule as the schema response states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CheckSchema {
    Phone,
    Range {
        min: i64,
        max: i64,
    },
    MaxLen {
        max: usize,
    },
    IdCardLast4,
    /// A rule a newer server knows and this client does not; the server still enforces it.
    #[serde(other)]
    Other,
}

/// A user as `GET /api/v1/users` lists them, for admins: never the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAccount {
    pub id: String,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub grids: Vec<String>,
    pub disabled: bool,
}

/// `GET /api/v1/users` 200 response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersResponse {
    pub users: Vec<UserAccount>,
}

/// `POST /api/v1/users` body. An empty `name` means the user name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateUserRequest {
    pub username: String,
    #[serde(default)]
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub grids: Vec<String>,
    pub password: String,
}

/// `PATCH /api/v1/users/{id}` body: only the keys present change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateUserRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

#[cfg(test)]
mod tests {
    //! Golden tests: these strings are the protocol. Do not modify them to make a change pass.
    use super::*;

    #[test]
    fn login_request_json_is_frozen() {
        let r: LoginRequest =
            serde_json::from_str(r#"{"username":"wang","password":"pw","device_id":"d9f2a1"}"#)
                .unwrap();
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"username":"wang","password":"pw","device_id":"d9f2a1"}"#
        );
    }

    #[test]
    fn login_response_json_is_frozen() {
        let r = LoginResponse {
            token: "t".into(),
            user: UserInfo {
                id: "u1".into(),
                name: "王芳".into(),
                role: Role::GridWorker,
                grids: vec!["g1".into()],
                grid_names: vec!["第一网格".into()],
            },
            server_time_ms: 1764331200000,
            vaccination: None,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"token":"t","user":{"id":"u1","name":"王芳","role":"grid_worker","grids":["g1"],"grid_names":["第一网格"]},"server_time_ms":1764331200000}"#
        );
        let with = LoginResponse {
            vaccination: Some(crate::vaccination::Policy::DEFAULT),
            ..r
        };
        assert_eq!(
            serde_json::to_string(&with).unwrap(),
            r#"{"token":"t","user":{"id":"u1","name":"王芳","role":"grid_worker","grids":["g1"],"grid_names":["第一网格"]},"server_time_ms":1764331200000,"vaccination":{"full_course":3,"booster_days":180}}"#
        );
    }

    #[test]
    fn error_body_json_is_frozen() {
        let e = ErrorBody {
            error: "invalid_credentials".into(),
            message: "m".into(),
            server_time_ms: None,
            details: None,
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"error":"invalid_credentials","message":"m"}"#
        );
        let e = ErrorBody {
            error: "invalid".into(),
            message: "m".into(),
            server_time_ms: None,
            details: Some(vec![ErrorDetail::new(2, "x")]),
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"error":"invalid","message":"m","details":[{"index":2,"message":"x"}]}"#
        );
    }

    #[test]
    fn change_json_is_frozen() {
        let c = Change {
            entity: "resident".into(),
            id: "7f3c".into(),
            field: "phone".into(),
            value: serde_json::json!("13800000000"),
            hlc: "1764331200000-0003-d9f2a1".into(),
        };
        let json = r#"{"entity":"resident","id":"7f3c","field":"phone","value":"13800000000","hlc":"1764331200000-0003-d9f2a1"}"#;
        assert_eq!(serde_json::to_string(&c).unwrap(), json);
        assert_eq!(serde_json::from_str::<Change>(json).unwrap(), c);
    }

    #[test]
    fn null_value_is_written_and_a_missing_value_is_malformed() {
        let c = Change {
            entity: "resident".into(),
            id: "7f3c".into(),
            field: "phone".into(),
            value: serde_json::Value::Null,
            hlc: "1764331200000-0003-d9f2a1".into(),
        };
        let json = r#"{"entity":"resident","id":"7f3c","field":"phone","value":null,"hlc":"1764331200000-0003-d9f2a1"}"#;
        assert_eq!(serde_json::to_string(&c).unwrap(), json);
        assert_eq!(serde_json::from_str::<Change>(json).unwrap(), c);
        let missing = r#"{"entity":"resident","id":"7f3c","field":"phone","hlc":"1764331200000-0003-d9f2a1"}"#;
        assert!(serde_json::from_str::<Change>(missing).is_err());
    }

    #[test]
    fn push_json_is_frozen() {
        let r = PushRequest {
            device_id: "d9f2a1".into(),
            changes: vec![Change {
                entity: "visit".into(),
                id: "v1".into(),
                field: "spo2".into(),
                value: serde_json::json!(95),
                hlc: "1764331200000-000a-d9f2a1".into(),
            }],
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"device_id":"d9f2a1","changes":[{"entity":"visit","id":"v1","field":"spo2","value":95,"hlc":"1764331200000-000a-d9f2a1"}]}"#
        );
        let r = PushResponse {
            accepted: 3,
            applied: 2,
            server_time_ms: 1764331200000,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"accepted":3,"applied":2,"server_time_ms":1764331200000}"#
        );
    }

    #[test]
    fn pull_json_is_frozen() {
        let r = PullResponse {
            changes: vec![Change {
                entity: "household".into(),
                id: "h1".into(),
                field: "_deleted".into(),
                value: serde_json::json!(true),
                hlc: "1764331200000-0000-srv".into(),
            }],
            cursor: "42".into(),
            has_more: false,
            server_time_ms: 1764331200001,
            dropped: vec![],
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"changes":[{"entity":"household","id":"h1","field":"_deleted","value":true,"hlc":"1764331200000-0000-srv"}],"cursor":"42","has_more":false,"server_time_ms":1764331200001}"#
        );
        let gone = PullResponse {
            changes: vec![],
            dropped: vec![RecordKey {
                entity: "resident".into(),
                id: "r1".into(),
            }],
            ..r
        };
        assert_eq!(
            serde_json::to_string(&gone).unwrap(),
            r#"{"changes":[],"cursor":"42","has_more":false,"server_time_ms":1764331200001,"dropped":[{"entity":"resident","id":"r1"}]}"#
        );
        let q: PullQuery = serde_json::from_str(r#"{"cursor":"42","limit":500}"#).unwrap();
        assert_eq!(
            q,
            PullQuery {
                cursor: Some("42".into()),
                limit: Some(500)
            }
        );
        assert_eq!(serde_json::to_string(&PullQuery::default()).unwrap(), "{}");
    }

    #[test]
    fn records_page_json_is_frozen() {
        let change = |id: &str, field: &str, value: serde_json::Value, hlc: &str| Change {
            entity: "resident".into(),
            id: id.into(),
            field: field.into(),
            value,
            hlc: hlc.into(),
        };
        let page = RecordsPage::group(PullResponse {
            changes: vec![
                change(
                    "r1",
                    "name",
                    serde_json::json!("王桂兰"),
                    "1764331200000-0000-a",
                ),
                change(
                    "r2",
                    "name",
                    serde_json::json!("李强"),
                    "1764331200000-0001-a",
                ),
                change(
                    "r1",
                    "phone",
                    serde_json::json!(null),
                    "1764331200009-0000-b",
                ),
            ],
            cursor: "42".into(),
            has_more: true,
            server_time_ms: 1764331200010,
            dropped: vec![],
        });
        assert_eq!(
            serde_json::to_string(&page).unwrap(),
            r#"{"records":[{"entity":"resident","id":"r1","fields":{"name":{"value":"王桂兰","hlc":"1764331200000-0000-a"},"phone":{"value":null,"hlc":"1764331200009-0000-b"}}},{"entity":"resident","id":"r2","fields":{"name":{"value":"李强","hlc":"1764331200000-0001-a"}}}],"cursor":"42","has_more":true,"server_time_ms":1764331200010,"max_hlc":"1764331200009-0000-b"}"#
        );
        let empty = RecordsPage::group(PullResponse {
            changes: vec![],
            cursor: "43".into(),
            has_more: false,
            server_time_ms: 1,
            dropped: vec![RecordKey {
                entity: "need".into(),
                id: "n1".into(),
            }],
        });
        assert_eq!(
            serde_json::to_string(&empty).unwrap(),
            r#"{"records":[],"cursor":"43","has_more":false,"server_time_ms":1,"dropped":[{"entity":"need","id":"n1"}]}"#
        );
        // A phone reads a record's fields as the text it stores, exactly as a record's fields
        // are stored on it (the model's map of stamped values).
        let raw: RecordsPage<Box<serde_json::value::RawValue>> =
            serde_json::from_str(&serde_json::to_string(&page).unwrap()).unwrap();
        let stored: std::collections::BTreeMap<String, Stamped> =
            serde_json::from_str(raw.records[0].fields.get()).unwrap();
        assert_eq!(stored, page.records[0].fields);
    }

    /// Grouping moves each change into its record; the page it makes is the one of applying each
    /// change to its record in turn, records in the order first seen, whatever the interleaving
    /// and however often a field repeats with whatever stamps.
    #[test]
    fn a_records_page_is_each_change_applied_to_its_record_in_turn() {
        let mut n: u64 = 7;
        let mut next = |m: u64| {
            n = n
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (n >> 33) % m
        };
        for _ in 0..200 {
            let changes: Vec<Change> = (0..next(40))
                .map(|_| Change {
                    entity: ["resident", "household"][next(2) as usize].into(),
                    id: format!("r{}", next(5)),
                    field: format!("f{}", next(3)),
                    value: serde_json::json!(next(100)),
                    hlc: format!("17643312000{:02}-0000-a", next(20)),
                })
                .collect();
            let mut expected: Vec<PulledRecord> = Vec::new();
            let mut max_hlc: Option<String> = None;
            for c in &changes {
                if crate::merge::wins(&c.hlc, max_hlc.as_deref()) {
                    max_hlc = Some(c.hlc.clone());
                }
                let i = match expected
                    .iter()
                    .position(|r| r.entity == c.entity && r.id == c.id)
                {
                    Some(i) => i,
                    None => {
                        expected.push(PulledRecord {
                            entity: c.entity.clone(),
                            id: c.id.clone(),
                            fields: Default::default(),
                        });
                        expected.len() - 1
                    }
                };
                crate::merge::apply_to_record(&mut expected[i].fields, c);
            }
            let page = RecordsPage::group(PullResponse {
                changes,
                cursor: "1".into(),
                has_more: false,
                server_time_ms: 1,
                dropped: vec![],
            });
            assert_eq!(page.records, expected);
            assert_eq!(page.max_hlc, max_hlc);
        }
    }

    #[test]
    fn schema_json_is_frozen() {
        let r = SchemaResponse {
            entities: vec![EntitySchema {
                name: "visit".into(),
                zh: "走访".into(),
                en: "visit".into(),
                grid_scoped: true,
                rules: String::new(),
                fields: vec![
                    FieldSchema {
                        name: "spo2".into(),
                        zh: "血氧饱和度".into(),
                        en: "SpO2".into(),
                        ty: "integer".into(),
                        members: None,
                        target: None,
                        check: Some(CheckSchema::Range { min: 50, max: 100 }),
                        read: vec![Role::Admin, Role::Supervisor, Role::GridWorker],
                        write: vec![Role::Admin, Role::GridWorker],
                    },
                    FieldSchema {
                        name: "antigen".into(),
                        zh: "抗原".into(),
                        en: "antigen".into(),
                        ty: "enum".into(),
                        members: Some(vec!["negative".into(), "positive".into()]),
                        target: None,
                        check: None,
                        read: vec![Role::Admin],
                        write: vec![],
                    },
                    FieldSchema {
                        name: "resident_id".into(),
                        zh: "居民".into(),
                        en: "resident".into(),
                        ty: "reference".into(),
                        members: None,
                        target: Some("resident".into()),
                        check: None,
                        read: vec![Role::Volunteer],
                        write: vec![Role::Admin],
                    },
                ],
            }],
        };
        let json = concat!(
            r#"{"entities":[{"name":"visit","zh":"走访","en":"visit","grid_scoped":true,"fields":["#,
            r#"{"name":"spo2","zh":"血氧饱和度","en":"SpO2","type":"integer","check":{"kind":"range","min":50,"max":100},"read":["admin","supervisor","grid_worker"],"write":["admin","grid_worker"]},"#,
            r#"{"name":"antigen","zh":"抗原","en":"antigen","type":"enum","members":["negative","positive"],"read":["admin"],"write":[]},"#,
            r#"{"name":"resident_id","zh":"居民","en":"resident","type":"reference","target":"resident","read":["volunteer"],"write":["admin"]}"#,
            r#"]}]}"#
        );
        assert_eq!(serde_json::to_string(&r).unwrap(), json);
        assert_eq!(serde_json::from_str::<SchemaResponse>(json).unwrap(), r);
        assert_eq!(
            serde_json::to_string(&CheckSchema::MaxLen { max: 50 }).unwrap(),
            r#"{"kind":"max_len","max":50}"#
        );
        assert_eq!(
            serde_json::to_string(&CheckSchema::Phone).unwrap(),
            r#"{"kind":"phone"}"#
        );
        assert_eq!(
            serde_json::to_string(&CheckSchema::IdCardLast4).unwrap(),
            r#"{"kind":"id_card_last4"}"#
        );
        let future: CheckSchema = serde_json::from_str(r#"{"kind":"regex","re":"x"}"#).unwrap();
        assert_eq!(future, CheckSchema::Other);
    }

    #[test]
    fn users_json_is_frozen() {
        let r = UsersResponse {
            users: vec![UserAccount {
                id: "u1".into(),
                username: "wangfang".into(),
                name: "王芳".into(),
                role: Role::GridWorker,
                grids: vec!["g1".into()],
                disabled: false,
            }],
        };
        let json = r#"{"users":[{"id":"u1","username":"wangfang","name":"王芳","role":"grid_worker","grids":["g1"],"disabled":false}]}"#;
        assert_eq!(serde_json::to_string(&r).unwrap(), json);
        assert_eq!(serde_json::from_str::<UsersResponse>(json).unwrap(), r);
    }

    #[test]
    fn create_user_json_is_frozen() {
        let json = r#"{"username":"zhang.wei","name":"张伟","role":"volunteer","grids":[],"password":"secret-123"}"#;
        let r: CreateUserRequest = serde_json::from_str(json).unwrap();
        assert_eq!(r.role, Role::Volunteer);
        assert_eq!(serde_json::to_string(&r).unwrap(), json);
        let short: CreateUserRequest =
            serde_json::from_str(r#"{"username":"admin2","role":"admin","password":"secret-123"}"#)
                .unwrap();
        assert_eq!(short.name, "");
        assert!(short.grids.is_empty());
    }

    #[test]
    fn update_user_json_is_frozen() {
        let r: UpdateUserRequest = serde_json::from_str(r#"{"disabled":true}"#).unwrap();
        assert_eq!(
            r,
            UpdateUserRequest {
                disabled: Some(true),
                ..Default::default()
            }
        );
        assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"disabled":true}"#);
        let all = UpdateUserRequest {
            name: Some("李强".into()),
            role: Some(Role::Supervisor),
            grids: Some(vec!["g1".into(), "g2".into()]),
            password: Some("new-password".into()),
            disabled: Some(false),
        };
        assert_eq!(
            serde_json::to_string(&all).unwrap(),
            r#"{"name":"李强","role":"supervisor","grids":["g1","g2"],"password":"new-password","disabled":false}"#
        );
        assert_eq!(
            serde_json::to_string(&UpdateUserRequest::default()).unwrap(),
            "{}"
        );
    }

    #[test]
    fn import_request_json_is_frozen() {
        let json = r#"{"file_name":"名单.csv","content_base64":"5aeT5ZCN","mapping":{"name":"姓名"},"grid_id":"g1","commit":false}"#;
        let r: ImportRequest = serde_json::from_str(json).unwrap();
        assert_eq!(r.mapping.as_ref().unwrap()["name"], "姓名");
        assert_eq!(serde_json::to_string(&r).unwrap(), json);
        // A first preview sends neither a mapping nor a grid.
        let bare: ImportRequest =
            serde_json::from_str(r#"{"file_name":"a.xlsx","content_base64":""}"#).unwrap();
        assert_eq!(
            (bare.mapping, bare.grid_id, bare.commit),
            (None, None, false)
        );
    }

    #[test]
    fn import_response_json_is_frozen() {
        let r = ImportResponse {
            headers: vec!["姓名".into()],
            mapping: [("name".to_owned(), "姓名".to_owned())].into(),
            fields: vec![ImportField {
                key: "name".into(),
                zh: "姓名".into(),
                en: "name".into(),
            }],
            rows: vec![
                ImportRow {
                    row: 2,
                    action: ImportAction::Merge,
                    name: "王桂兰".into(),
                    resident_id: Some("r1".into()),
                    problems: vec![],
                },
                ImportRow {
                    row: 3,
                    action: ImportAction::Refuse,
                    name: "".into(),
                    resident_id: None,
                    problems: vec!["缺少姓名（name is missing）".into()],
                },
            ],
            created: 0,
            merged: 1,
            refused: 1,
            committed: true,
        };
        let json = r#"{"headers":["姓名"],"mapping":{"name":"姓名"},"fields":[{"key":"name","zh":"姓名","en":"name"}],"rows":[{"row":2,"action":"merge","name":"王桂兰","resident_id":"r1","problems":[]},{"row":3,"action":"refuse","name":"","problems":["缺少姓名（name is missing）"]}],"created":0,"merged":1,"refused":1,"committed":true}"#;
        assert_eq!(serde_json::to_string(&r).unwrap(), json);
        assert_eq!(serde_json::from_str::<ImportResponse>(json).unwrap(), r);
    }

    #[test]
    fn detail_code_json_is_frozen() {
        use crate::validate::{Expected, ProblemKind};
        let problem = Problem {
            entity: "visit".into(),
            field: "spo2".into(),
            kind: ProblemKind::OutOfRange { min: 50, max: 100 },
        };
        let d = ErrorDetail::from_problem(3, &problem);
        assert_eq!(
            d.code.as_ref().and_then(ProblemCode::problem),
            Some(problem.clone())
        );
        let json = r#"{"index":3,"message":"血氧饱和度应在 50 到 100 之间（SpO2 must be between 50 and 100）","code":{"entity":"visit","field":"spo2","kind":"out_of_range","min":50,"max":100}}"#;
        assert_eq!(serde_json::to_string(&d).unwrap(), json);
        assert_eq!(serde_json::from_str::<ErrorDetail>(json).unwrap(), d);
        // Without a code a detail is what it always was.
        assert_eq!(
            serde_json::to_string(&ErrorDetail::new(2, "x")).unwrap(),
            r#"{"index":2,"message":"x"}"#
        );
        let code = |entity: &str, field: &str, kind: ProblemKind| {
            let p = Problem {
                entity: entity.into(),
                field: field.into(),
                kind,
            };
            serde_json::to_string(&p).unwrap()
        };
        let kinds = [
            (
                code("person", "name", ProblemKind::UnknownEntity),
                r#"{"entity":"person","field":"name","kind":"unknown_entity"}"#,
            ),
            (
                code("resident", "name", ProblemKind::BadId { id: "a b".into() }),
                r#"{"entity":"resident","field":"name","kind":"bad_id","id":"a b"}"#,
            ),
            (
                code("resident", "nam", ProblemKind::UnknownField),
                r#"{"entity":"resident","field":"nam","kind":"unknown_field"}"#,
            ),
            (
                code(
                    "resident",
                    "vacc_doses",
                    ProblemKind::WrongType {
                        expected: Expected::Integer,
                    },
                ),
                r#"{"entity":"resident","field":"vacc_doses","kind":"wrong_type","expected":"integer"}"#,
            ),
            (
                code(
                    "visit",
                    "antigen",
                    ProblemKind::NotAMember {
                        members: vec!["negative".into(), "positive".into()],
                    },
                ),
                r#"{"entity":"visit","field":"antigen","kind":"not_a_member","members":["negative","positive"]}"#,
            ),
            (
                code("resident", "phone", ProblemKind::BadMobile),
                r#"{"entity":"resident","field":"phone","kind":"bad_mobile"}"#,
            ),
            (
                code("resident", "phone", ProblemKind::BadPhone),
                r#"{"entity":"resident","field":"phone","kind":"bad_phone"}"#,
            ),
            (
                code("resident", "name", ProblemKind::TooLong { max: 100 }),
                r#"{"entity":"resident","field":"name","kind":"too_long","max":100}"#,
            ),
            (
                code("resident", "id_card_last4", ProblemKind::BadIdCard),
                r#"{"entity":"resident","field":"id_card_last4","kind":"bad_id_card"}"#,
            ),
        ];
        for (got, want) in kinds {
            assert_eq!(got, want);
            assert_eq!(
                serde_json::to_string(&serde_json::from_str::<Problem>(want).unwrap()).unwrap(),
                want
            );
        }
        // A kind or a type only a newer server knows still reads, and shows the server's text.
        let future: ErrorDetail = serde_json::from_str(
            r#"{"index":0,"message":"m","code":{"entity":"visit","field":"spo2","kind":"too_early","at":5}}"#,
        )
        .unwrap();
        let code = future.code.as_ref().unwrap();
        assert_eq!(code.problem().unwrap().kind, ProblemKind::Other);
        // Stored and read back as it came, the newer server's code is kept whole.
        assert_eq!(
            serde_json::to_string(code).unwrap(),
            r#"{"entity":"visit","field":"spo2","kind":"too_early","at":5}"#
        );
        assert_eq!(future.text(Lang::En), "m");
        let newer_type: Problem = serde_json::from_str(
            r#"{"entity":"visit","field":"spo2","kind":"wrong_type","expected":"geo_point"}"#,
        )
        .unwrap();
        assert_eq!(
            newer_type.kind,
            ProblemKind::WrongType {
                expected: Expected::Other
            }
        );
    }
}
