//! `visit`: one knock on the door (or call), created once and only corrected afterwards. The
//! latest visit's warning signs drive the risk tier (see `crate::risk`).

use super::NOTES_LEN;
use crate::schema::roles::{ADMIN_WORKER, STAFF};
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "visit";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        GRID_ID = "grid_id",
        RESIDENT_ID = "resident_id",
        HOUSEHOLD_ID = "household_id",
        VISITED_AT = "visited_at",
        METHOD = "method",
        HEALTH_STATUS = "health_status",
        TEMPERATURE = "temperature",
        SPO2 = "spo2",
        ANTIGEN = "antigen",
        SYMPTOM_FEVER = "symptom_fever",
        SYMPTOM_COUGH = "symptom_cough",
        SYMPTOM_SORE_THROAT = "symptom_sore_throat",
        SYMPTOM_FATIGUE = "symptom_fatigue",
        SYMPTOM_MUSCLE_PAIN = "symptom_muscle_pain",
        SYMPTOM_HEADACHE = "symptom_headache",
        SYMPTOM_RUNNY_NOSE = "symptom_runny_nose",
        SYMPTOM_TASTE_SMELL_LOSS = "symptom_taste_smell_loss",
        SYMPTOM_DIARRHEA = "symptom_diarrhea",
        SYMPTOM_CHEST_TIGHTNESS = "symptom_chest_tightness",
        WARN_LOW_SPO2 = "warn_low_spo2",
        WARN_BREATHING = "warn_breathing",
        WARN_CONFUSION = "warn_confusion",
        WARN_HIGH_FEVER = "warn_high_fever",
        NOTES = "notes",
        NEXT_FOLLOW_UP = "next_follow_up",
        WORKER_ID = "worker_id",
    }
}

/// A visit at the door: what an offline channel's interval asks for (`crate::risk`).
pub const IN_PERSON: &str = "in_person";

pub const METHODS: &[&str] = &[IN_PERSON, "phone", "video", "wechat", "not_home"];
/// Clinical classification of the resident at the visit (诊疗方案 types, plus the non-cases).
pub const HEALTH_STATUSES: &[&str] = &[
    "normal",
    "asymptomatic",
    "mild",
    "moderate",
    "severe",
    "critical",
    "recovered",
    "hospitalized",
];
pub const ANTIGEN_RESULTS: &[&str] = &["negative", "positive", "not_tested"];

pub const SYMPTOMS: &[&str] = &[
    field::SYMPTOM_FEVER,
    field::SYMPTOM_COUGH,
    field::SYMPTOM_SORE_THROAT,
    field::SYMPTOM_FATIGUE,
    field::SYMPTOM_MUSCLE_PAIN,
    field::SYMPTOM_HEADACHE,
    field::SYMPTOM_RUNNY_NOSE,
    field::SYMPTOM_TASTE_SMELL_LOSS,
    field::SYMPTOM_DIARRHEA,
    field::SYMPTOM_CHEST_TIGHTNESS,
];

/// Severe warning signs: any of them at the latest visit makes the resident red at once.
pub const WARNINGS: &[&str] = &[
    field::WARN_LOW_SPO2,
    field::WARN_BREATHING,
    field::WARN_CONFUSION,
    field::WARN_HIGH_FEVER,
];

/// The SpO2 below which a reading is itself a severe warning sign (`docs/design.md#key-groups-and-risk-tiers`: "below 93 %").
pub const LOW_SPO2: i64 = 93;

const R: &[crate::Role] = STAFF;
const W: &[crate::Role] = ADMIN_WORKER;

const fn flag(name: &'static str, zh: &'static str, en: &'static str) -> FieldDef {
    FieldDef::new(name, zh, en, Boolean, R, W)
}

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new(field::GRID_ID, "所属网格", "grid", Reference("grid"), R, W),
    FieldDef::new(
        field::RESIDENT_ID,
        "居民",
        "resident",
        Reference("resident"),
        R,
        W,
    ),
    FieldDef::new(
        field::HOUSEHOLD_ID,
        "住户",
        "household",
        Reference("household"),
        R,
        W,
    ),
    FieldDef::new(field::VISITED_AT, "走访时间", "visited at", Timestamp, R, W),
    FieldDef::new(field::METHOD, "走访方式", "method", Enum(METHODS), R, W),
    FieldDef::new(
        field::HEALTH_STATUS,
        "健康状况",
        "health status",
        Enum(HEALTH_STATUSES),
        R,
        W,
    ),
    FieldDef::new(field::TEMPERATURE, "体温", "temperature", Decimal, R, W)
        .with_check(Check::Range { min: 30, max: 45 }),
    FieldDef::new(field::SPO2, "血氧饱和度", "SpO2", Integer, R, W)
        .with_check(Check::Range { min: 50, max: 100 }),
    FieldDef::new(
        field::ANTIGEN,
        "抗原检测",
        "antigen test",
        Enum(ANTIGEN_RESULTS),
        R,
        W,
    ),
    flag(field::SYMPTOM_FEVER, "发热", "fever"),
    flag(field::SYMPTOM_COUGH, "咳嗽", "cough"),
    flag(field::SYMPTOM_SORE_THROAT, "咽痛", "sore throat"),
    flag(field::SYMPTOM_FATIGUE, "乏力", "fatigue"),
    flag(field::SYMPTOM_MUSCLE_PAIN, "肌肉酸痛", "muscle pain"),
    flag(field::SYMPTOM_HEADACHE, "头痛", "headache"),
    flag(field::SYMPTOM_RUNNY_NOSE, "鼻塞流涕", "runny nose"),
    flag(
        field::SYMPTOM_TASTE_SMELL_LOSS,
        "嗅觉味觉减退",
        "loss of taste or smell",
    ),
    flag(field::SYMPTOM_DIARRHEA, "腹泻", "diarrhoea"),
    flag(field::SYMPTOM_CHEST_TIGHTNESS, "胸闷", "chest tightness"),
    flag(
        field::WARN_LOW_SPO2,
        "血氧饱和度低于 93%",
        "SpO2 below 93 %",
    ),
    flag(field::WARN_BREATHING, "呼吸困难", "breathing difficulty"),
    flag(field::WARN_CONFUSION, "意识障碍", "confusion"),
    flag(field::WARN_HIGH_FEVER, "持续高热", "persistent high fever"),
    FieldDef::text(field::NOTES, "备注", "notes", NOTES_LEN, R, W),
    FieldDef::new(
        field::NEXT_FOLLOW_UP,
        "下次随访日期",
        "next follow-up",
        Date,
        R,
        W,
    ),
    FieldDef::new(
        field::WORKER_ID,
        "走访人",
        "visited by",
        Reference("user_profile"),
        R,
        W,
    ),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "走访",
    en: "visit",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id to the user's grids; grid_id, resident_id and household_id are set when the visit is created.",
};
