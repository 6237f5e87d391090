//! `resident`: one person, the subject of the high-risk ledger (重症高风险人员信息台账). Flags
//! are one boolean field each so concurrent edits of different flags both survive; being 65+ is
//! derived from `birth_date`, never stored.

use super::{NAME_LEN, NOTES_LEN, SHORT_LEN};
use crate::schema::roles::{ADMIN_WORKER, ALL, STAFF};
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "resident";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        GRID_ID = "grid_id",
        HOUSEHOLD_ID = "household_id",
        NAME = "name",
        GENDER = "gender",
        BIRTH_DATE = "birth_date",
        ID_CARD_LAST4 = "id_card_last4",
        PHONE = "phone",
        RELATION_TO_HEAD = "relation_to_head",
        GUARDIAN_NAME = "guardian_name",
        GUARDIAN_PHONE = "guardian_phone",
        EMERGENCY_CONTACT = "emergency_contact",
        EMERGENCY_PHONE = "emergency_phone",
        TAG_LIVING_ALONE = "tag_living_alone",
        TAG_MINOR = "tag_minor",
        TAG_CHILD_UNDER3 = "tag_child_under3",
        TAG_PREGNANT = "tag_pregnant",
        TAG_DISABLED = "tag_disabled",
        TAG_CHRONIC = "tag_chronic",
        TAG_SEVERE_MENTAL = "tag_severe_mental",
        TAG_ORPHAN = "tag_orphan",
        TAG_UNSUPPORTED_CHILD = "tag_unsupported_child",
        TAG_LEFT_BEHIND_CHILD = "tag_left_behind_child",
        TAG_NO_SMARTPHONE = "tag_no_smartphone",
        COND_HYPERTENSION = "cond_hypertension",
        COND_DIABETES = "cond_diabetes",
        COND_HEART = "cond_heart",
        COND_LUNG = "cond_lung",
        COND_KIDNEY = "cond_kidney",
        COND_CANCER = "cond_cancer",
        COND_IMMUNOSUPPRESSED = "cond_immunosuppressed",
        VACC_DOSES = "vacc_doses",
        VACC_LAST_DATE = "vacc_last_date",
        VACC_CONTRAINDICATION = "vacc_contraindication",
        PACK_RECEIVED_DATE = "pack_received_date",
        NOTES = "notes",
        STATUS = "status",
        STATUS_REASON = "status_reason",
        STATUS_DATE = "status_date",
    }
}

pub const GENDERS: &[&str] = &["male", "female", "unknown"];

/// Why a resident is no longer looked after here (Added, issue 15). Unset means they live here;
/// any member takes them off Today, the ledger and pack recipients (`crate::lifecycle`) while
/// their record and visits stay. Clearing it restores them.
pub const MOVED_AWAY: &str = "moved_away";
pub const DECEASED: &str = "deceased";
pub const LEFT_GRID: &str = "left_grid";
pub const STATUSES: &[&str] = &[MOVED_AWAY, DECEASED, LEFT_GRID];

/// The key-group flags (重点人群), one boolean field each.
pub const TAGS: &[&str] = &[
    field::TAG_LIVING_ALONE,
    field::TAG_MINOR,
    field::TAG_CHILD_UNDER3,
    field::TAG_PREGNANT,
    field::TAG_DISABLED,
    field::TAG_CHRONIC,
    field::TAG_SEVERE_MENTAL,
    field::TAG_ORPHAN,
    field::TAG_UNSUPPORTED_CHILD,
    field::TAG_LEFT_BEHIND_CHILD,
    field::TAG_NO_SMARTPHONE,
];

/// The underlying conditions that raise the risk of severe illness, one boolean field each.
pub const CONDITIONS: &[&str] = &[
    field::COND_HYPERTENSION,
    field::COND_DIABETES,
    field::COND_HEART,
    field::COND_LUNG,
    field::COND_KIDNEY,
    field::COND_CANCER,
    field::COND_IMMUNOSUPPRESSED,
];

/// The fields a volunteer may read: whom to hand the pack to and how to call them.
pub const VOLUNTEER_FIELDS: &[&str] = &[
    field::GRID_ID,
    field::HOUSEHOLD_ID,
    field::NAME,
    field::PHONE,
    field::DELETED,
];

const W: &[crate::Role] = ADMIN_WORKER;

const fn flag(name: &'static str, zh: &'static str, en: &'static str) -> FieldDef {
    FieldDef::new(name, zh, en, Boolean, STAFF, W)
}

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new(
        field::GRID_ID,
        "所属网格",
        "grid",
        Reference("grid"),
        ALL,
        W,
    ),
    FieldDef::new(
        field::HOUSEHOLD_ID,
        "所属住户",
        "household",
        Reference("household"),
        ALL,
        W,
    ),
    FieldDef::text(field::NAME, "姓名", "name", NAME_LEN, ALL, W),
    FieldDef::new(field::GENDER, "性别", "gender", Enum(GENDERS), STAFF, W),
    FieldDef::new(field::BIRTH_DATE, "出生日期", "birth date", Date, STAFF, W),
    // Only the last four: enough to tell two 王芳 apart without holding identity numbers.
    FieldDef::new(
        field::ID_CARD_LAST4,
        "身份证后四位",
        "ID card last 4",
        Text,
        STAFF,
        W,
    )
    .with_check(Check::IdCardLast4),
    FieldDef::new(field::PHONE, "联系电话", "phone", Text, ALL, W).with_check(Check::Phone),
    FieldDef::text(
        field::RELATION_TO_HEAD,
        "与户主关系",
        "relation to head",
        SHORT_LEN,
        STAFF,
        W,
    ),
    FieldDef::text(
        field::GUARDIAN_NAME,
        "监护人",
        "guardian",
        NAME_LEN,
        STAFF,
        W,
    ),
    FieldDef::new(
        field::GUARDIAN_PHONE,
        "监护人电话",
        "guardian phone",
        Text,
        STAFF,
        W,
    )
    .with_check(Check::Phone),
    FieldDef::text(
        field::EMERGENCY_CONTACT,
        "紧急联系人",
        "emergency contact",
        NAME_LEN,
        STAFF,
        W,
    ),
    FieldDef::new(
        field::EMERGENCY_PHONE,
        "紧急联系人电话",
        "emergency phone",
        Text,
        STAFF,
        W,
    )
    .with_check(Check::Phone),
    flag(field::TAG_LIVING_ALONE, "独居", "living alone"),
    flag(field::TAG_MINOR, "未成年人", "minor"),
    flag(field::TAG_CHILD_UNDER3, "3 岁以下婴幼儿", "child under 3"),
    flag(field::TAG_PREGNANT, "孕产妇", "pregnant"),
    flag(field::TAG_DISABLED, "残疾人", "disabled"),
    flag(field::TAG_CHRONIC, "慢性病患者", "chronic disease"),
    flag(
        field::TAG_SEVERE_MENTAL,
        "严重精神障碍（特殊困难）",
        "severe mental disorder",
    ),
    flag(field::TAG_ORPHAN, "孤儿", "orphan"),
    flag(
        field::TAG_UNSUPPORTED_CHILD,
        "事实无人抚养儿童",
        "de-facto unsupported child",
    ),
    flag(
        field::TAG_LEFT_BEHIND_CHILD,
        "农村留守儿童",
        "rural left-behind child",
    ),
    // Added (issue 16): with the four above, keeps an offline channel open (`crate::risk`).
    flag(
        field::TAG_NO_SMARTPHONE,
        "不会使用智能手机",
        "cannot use a smartphone",
    ),
    flag(field::COND_HYPERTENSION, "高血压", "hypertension"),
    flag(field::COND_DIABETES, "糖尿病", "diabetes"),
    flag(field::COND_HEART, "心脏病", "heart disease"),
    flag(
        field::COND_LUNG,
        "慢性肺病（慢阻肺、哮喘）",
        "lung disease (COPD, asthma)",
    ),
    flag(field::COND_KIDNEY, "慢性肾病", "kidney disease"),
    flag(field::COND_CANCER, "恶性肿瘤", "cancer"),
    flag(
        field::COND_IMMUNOSUPPRESSED,
        "免疫功能低下",
        "immunosuppressed",
    ),
    FieldDef::new(
        field::VACC_DOSES,
        "新冠疫苗接种剂次",
        "COVID vaccine doses",
        Integer,
        STAFF,
        W,
    )
    .with_check(Check::Range { min: 0, max: 10 }),
    FieldDef::new(
        field::VACC_LAST_DATE,
        "末次接种日期",
        "last dose date",
        Date,
        STAFF,
        W,
    ),
    flag(
        field::VACC_CONTRAINDICATION,
        "接种禁忌",
        "vaccination contraindicated",
    ),
    FieldDef::new(
        field::PACK_RECEIVED_DATE,
        "健康包领取日期",
        "health pack received",
        Date,
        STAFF,
        W,
    ),
    FieldDef::text(field::NOTES, "备注", "notes", NOTES_LEN, STAFF, W),
    FieldDef::new(
        field::STATUS,
        "在册状态",
        "status",
        Enum(STATUSES),
        STAFF,
        W,
    ),
    FieldDef::text(
        field::STATUS_REASON,
        "状态原因",
        "status reason",
        NOTES_LEN,
        STAFF,
        W,
    ),
    FieldDef::new(
        field::STATUS_DATE,
        "状态日期",
        "status date",
        Date,
        STAFF,
        W,
    ),
    FieldDef::deleted(ALL, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "居民",
    en: "resident",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id to the user's grids. Volunteers receive only residents with a delivery assigned to them, and of those only name, phone, grid_id, household_id and _deleted.",
};
