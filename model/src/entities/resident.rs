//! `resident`: one person, the subject of the high-risk ledger (重症高风险人员信息台账). Flags
//! are one boolean field each so concurrent edits of different flags both survive; being 65+ is
//! derived from `birth_date`, never stored.

use super::{NAME_LEN, NOTES_LEN, SHORT_LEN};
use crate::schema::roles::{ADMIN_WORKER, ALL, STAFF};
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

pub const GENDERS: &[&str] = &["male", "female", "unknown"];

/// The key-group flags (重点人群), one boolean field each.
pub const TAGS: &[&str] = &[
    "tag_living_alone",
    "tag_minor",
    "tag_child_under3",
    "tag_pregnant",
    "tag_disabled",
    "tag_chronic",
    "tag_severe_mental",
    "tag_orphan",
    "tag_unsupported_child",
    "tag_left_behind_child",
];

/// The underlying conditions that raise the risk of severe illness, one boolean field each.
pub const CONDITIONS: &[&str] = &[
    "cond_hypertension",
    "cond_diabetes",
    "cond_heart",
    "cond_lung",
    "cond_kidney",
    "cond_cancer",
    "cond_immunosuppressed",
];

/// The fields a volunteer may read: whom to hand the pack to and how to call them.
pub const VOLUNTEER_FIELDS: &[&str] = &["grid_id", "household_id", "name", "phone", "_deleted"];

const W: &[crate::Role] = ADMIN_WORKER;

const fn flag(name: &'static str, zh: &'static str, en: &'static str) -> FieldDef {
    FieldDef::new(name, zh, en, Boolean, STAFF, W)
}

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new("grid_id", "所属网格", "grid", Reference("grid"), ALL, W),
    FieldDef::new(
        "household_id",
        "所属住户",
        "household",
        Reference("household"),
        ALL,
        W,
    ),
    FieldDef::text("name", "姓名", "name", NAME_LEN, ALL, W),
    FieldDef::new("gender", "性别", "gender", Enum(GENDERS), STAFF, W),
    FieldDef::new("birth_date", "出生日期", "birth date", Date, STAFF, W),
    // Only the last four: enough to tell two 王芳 apart without holding identity numbers.
    FieldDef::new(
        "id_card_last4",
        "身份证后四位",
        "ID card last 4",
        Text,
        STAFF,
        W,
    )
    .with_check(Check::IdCardLast4),
    FieldDef::new("phone", "联系电话", "phone", Text, ALL, W).with_check(Check::Phone),
    FieldDef::text(
        "relation_to_head",
        "与户主关系",
        "relation to head",
        SHORT_LEN,
        STAFF,
        W,
    ),
    FieldDef::text("guardian_name", "监护人", "guardian", NAME_LEN, STAFF, W),
    FieldDef::new(
        "guardian_phone",
        "监护人电话",
        "guardian phone",
        Text,
        STAFF,
        W,
    )
    .with_check(Check::Phone),
    FieldDef::text(
        "emergency_contact",
        "紧急联系人",
        "emergency contact",
        NAME_LEN,
        STAFF,
        W,
    ),
    FieldDef::new(
        "emergency_phone",
        "紧急联系人电话",
        "emergency phone",
        Text,
        STAFF,
        W,
    )
    .with_check(Check::Phone),
    flag("tag_living_alone", "独居", "living alone"),
    flag("tag_minor", "未成年人", "minor"),
    flag("tag_child_under3", "3 岁以下婴幼儿", "child under 3"),
    flag("tag_pregnant", "孕产妇", "pregnant"),
    flag("tag_disabled", "残疾人", "disabled"),
    flag("tag_chronic", "慢性病患者", "chronic disease"),
    flag(
        "tag_severe_mental",
        "严重精神障碍（特殊困难）",
        "severe mental disorder",
    ),
    flag("tag_orphan", "孤儿", "orphan"),
    flag(
        "tag_unsupported_child",
        "事实无人抚养儿童",
        "de-facto unsupported child",
    ),
    flag(
        "tag_left_behind_child",
        "农村留守儿童",
        "rural left-behind child",
    ),
    flag("cond_hypertension", "高血压", "hypertension"),
    flag("cond_diabetes", "糖尿病", "diabetes"),
    flag("cond_heart", "心脏病", "heart disease"),
    flag(
        "cond_lung",
        "慢性肺病（慢阻肺、哮喘）",
        "lung disease (COPD, asthma)",
    ),
    flag("cond_kidney", "慢性肾病", "kidney disease"),
    flag("cond_cancer", "恶性肿瘤", "cancer"),
    flag("cond_immunosuppressed", "免疫功能低下", "immunosuppressed"),
    FieldDef::new(
        "vacc_doses",
        "新冠疫苗接种剂次",
        "COVID vaccine doses",
        Integer,
        STAFF,
        W,
    )
    .with_check(Check::Range { min: 0, max: 10 }),
    FieldDef::new(
        "vacc_last_date",
        "末次接种日期",
        "last dose date",
        Date,
        STAFF,
        W,
    ),
    flag(
        "vacc_contraindication",
        "接种禁忌",
        "vaccination contraindicated",
    ),
    FieldDef::new(
        "pack_received_date",
        "健康包领取日期",
        "health pack received",
        Date,
        STAFF,
        W,
    ),
    FieldDef::text("notes", "备注", "notes", NOTES_LEN, STAFF, W),
    FieldDef::deleted(ALL, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: "resident",
    zh: "居民",
    en: "resident",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id to the user's grids. Volunteers receive only residents with a delivery assigned to them, and of those only name, phone, grid_id, household_id and _deleted.",
};
