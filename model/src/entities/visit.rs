//! `visit`: one knock on the door (or call), created once and only corrected afterwards. The
//! latest visit's warning signs drive the risk tier (see `crate::risk`).

use super::NOTES_LEN;
use crate::schema::roles::{ADMIN_WORKER, STAFF};
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

pub const METHODS: &[&str] = &["in_person", "phone", "video", "wechat", "not_home"];
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
    "symptom_fever",
    "symptom_cough",
    "symptom_sore_throat",
    "symptom_fatigue",
    "symptom_muscle_pain",
    "symptom_headache",
    "symptom_runny_nose",
    "symptom_taste_smell_loss",
    "symptom_diarrhea",
    "symptom_chest_tightness",
];

/// Severe warning signs: any of them at the latest visit makes the resident red at once.
pub const WARNINGS: &[&str] = &[
    "warn_low_spo2",
    "warn_breathing",
    "warn_confusion",
    "warn_high_fever",
];

/// The SpO2 below which a reading is itself a severe warning sign (DESIGN.md: "below 93 %").
pub const LOW_SPO2: i64 = 93;

const R: &[crate::Role] = STAFF;
const W: &[crate::Role] = ADMIN_WORKER;

const fn flag(name: &'static str, zh: &'static str, en: &'static str) -> FieldDef {
    FieldDef::new(name, zh, en, Boolean, R, W)
}

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new("grid_id", "所属网格", "grid", Reference("grid"), R, W),
    FieldDef::new(
        "resident_id",
        "居民",
        "resident",
        Reference("resident"),
        R,
        W,
    ),
    FieldDef::new(
        "household_id",
        "住户",
        "household",
        Reference("household"),
        R,
        W,
    ),
    FieldDef::new("visited_at", "走访时间", "visited at", Timestamp, R, W),
    FieldDef::new("method", "走访方式", "method", Enum(METHODS), R, W),
    FieldDef::new(
        "health_status",
        "健康状况",
        "health status",
        Enum(HEALTH_STATUSES),
        R,
        W,
    ),
    FieldDef::new("temperature", "体温", "temperature", Decimal, R, W)
        .with_check(Check::Range { min: 30, max: 45 }),
    FieldDef::new("spo2", "血氧饱和度", "SpO2", Integer, R, W)
        .with_check(Check::Range { min: 50, max: 100 }),
    FieldDef::new(
        "antigen",
        "抗原检测",
        "antigen test",
        Enum(ANTIGEN_RESULTS),
        R,
        W,
    ),
    flag("symptom_fever", "发热", "fever"),
    flag("symptom_cough", "咳嗽", "cough"),
    flag("symptom_sore_throat", "咽痛", "sore throat"),
    flag("symptom_fatigue", "乏力", "fatigue"),
    flag("symptom_muscle_pain", "肌肉酸痛", "muscle pain"),
    flag("symptom_headache", "头痛", "headache"),
    flag("symptom_runny_nose", "鼻塞流涕", "runny nose"),
    flag(
        "symptom_taste_smell_loss",
        "嗅觉味觉减退",
        "loss of taste or smell",
    ),
    flag("symptom_diarrhea", "腹泻", "diarrhoea"),
    flag("symptom_chest_tightness", "胸闷", "chest tightness"),
    flag("warn_low_spo2", "血氧饱和度低于 93%", "SpO2 below 93 %"),
    flag("warn_breathing", "呼吸困难", "breathing difficulty"),
    flag("warn_confusion", "意识障碍", "confusion"),
    flag("warn_high_fever", "持续高热", "persistent high fever"),
    FieldDef::text("notes", "备注", "notes", NOTES_LEN, R, W),
    FieldDef::new(
        "next_follow_up",
        "下次随访日期",
        "next follow-up",
        Date,
        R,
        W,
    ),
    FieldDef::new(
        "worker_id",
        "走访人",
        "visited by",
        Reference("user_profile"),
        R,
        W,
    ),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: "visit",
    zh: "走访",
    en: "visit",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id to the user's grids; grid_id, resident_id and household_id are set when the visit is created.",
};
