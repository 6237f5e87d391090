//! Knock's shared model: the single source of truth for roles, wire types, the schema, the HLC,
//! the per-field merge, validation and risk tiers, used by both the app and the server so they
//! can never disagree. Pure and synchronous: it builds for wasm32 and native alike.

pub mod access;
pub mod account;
pub mod dashboard;
pub mod dataset;
pub mod date;
pub mod dedupe;
pub mod entities;
pub mod export;
pub mod fnv;
pub mod history;
pub mod hlc;
pub mod labels;
pub mod lifecycle;
pub mod merge;
pub mod pinyin;
pub mod record;
pub mod responsibility;
pub mod risk;
pub mod role;
pub mod schema;
pub mod stock;
pub mod vaccination;
pub mod validate;
pub mod wire;

pub use date::{age_on, Date};
pub use hlc::{is_valid_device_id, Clock, Hlc, HlcError};
pub use merge::{apply, fold, merge, wins, Stamped, State};
pub use record::{Fields, Values};
pub use risk::{assess, next_due, Assessment, Reason, RiskInput, Tier};
pub use role::Role;
pub use schema::{entities, entity, schema_response, Check, EntityDef, FieldDef, FieldType};
pub use validate::validate_change;
pub use wire::Change;
