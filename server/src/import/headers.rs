//! The fields a column can be mapped to, the header spellings that suggest each, and the
//! mapping guessed from a file's headers.

use std::collections::BTreeMap;

use model::entities::{household, resident};
use model::wire::ImportField;
use model::FieldDef;

/// The import key of a grid column: no field of its own, it picks the record's grid.
pub const GRID: &str = "grid";
/// The import key of an identity card column (see [`Dest::IdCard`]).
pub const ID_CARD: &str = "id_card";

/// Where a mappable import field goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dest {
    Resident(&'static str),
    Household(&'static str),
    /// A grid, by name or id.
    Grid,
    /// An identity card number: only its last four, and the birth date and sex it encodes, are
    /// kept; the number itself is never stored.
    IdCard,
}

impl Dest {
    /// The schema's definition of the field a resident or household column fills.
    pub fn def(self) -> Option<&'static FieldDef> {
        model::schema::field(self.entity()?, self.field()?)
    }

    /// The entity of the field a column fills.
    pub fn entity(self) -> Option<&'static str> {
        match self {
            Dest::Resident(_) => Some(resident::NAME),
            Dest::Household(_) => Some(household::NAME),
            Dest::Grid | Dest::IdCard => None,
        }
    }

    fn field(self) -> Option<&'static str> {
        match self {
            Dest::Resident(f) | Dest::Household(f) => Some(f),
            Dest::Grid | Dest::IdCard => None,
        }
    }
}

/// One field a column can be mapped to, with the header spellings that suggest it.
pub struct Target {
    pub key: &'static str,
    pub dest: Dest,
    aliases: &'static [&'static str],
}

const fn r(key: &'static str, aliases: &'static [&'static str]) -> Target {
    Target {
        key,
        dest: Dest::Resident(key),
        aliases,
    }
}

const fn h(key: &'static str, aliases: &'static [&'static str]) -> Target {
    Target {
        key,
        dest: Dest::Household(key),
        aliases,
    }
}

use household::field as hf;
use resident::field as rf;

// Aliases are compared after `normalize_header`: no spaces, no required-field stars, lowercase.
// A field's own name is an alias where a roster may carry it (a re-imported export, say).
const TARGETS: &[Target] = &[
    r(
        rf::NAME,
        &["姓名", "名字", "居民姓名", "人员姓名", rf::NAME],
    ),
    r(rf::GENDER, &["性别", "sex", rf::GENDER]),
    r(
        rf::BIRTH_DATE,
        &[
            "出生日期",
            "出生年月日",
            "出生年月",
            "生日",
            "birthdate",
            rf::BIRTH_DATE,
            "dateofbirth",
        ],
    ),
    Target {
        key: ID_CARD,
        dest: Dest::IdCard,
        aliases: &[
            "身份证号",
            "身份证号码",
            "身份证",
            "公民身份号码",
            "证件号码",
            "idcard",
            ID_CARD,
        ],
    },
    r(rf::ID_CARD_LAST4, &["身份证后四位", rf::ID_CARD_LAST4]),
    r(
        rf::PHONE,
        &[
            "电话",
            "手机",
            "手机号",
            "手机号码",
            "联系电话",
            "联系方式",
            "电话号码",
            rf::PHONE,
            "mobile",
        ],
    ),
    Target {
        key: GRID,
        dest: Dest::Grid,
        aliases: &["网格", "所属网格", "网格名称", GRID],
    },
    h(
        hf::ADDRESS,
        &[
            "地址",
            "住址",
            "家庭住址",
            "居住地址",
            "现住址",
            "详细地址",
            hf::ADDRESS,
        ],
    ),
    h(
        hf::BUILDING,
        &["楼栋", "楼号", "楼栋号", "栋", hf::BUILDING],
    ),
    h(hf::UNIT, &["单元", "单元号", hf::UNIT]),
    h(hf::ROOM, &["门牌号", "房号", "房间号", "室", hf::ROOM]),
    h(
        hf::VILLAGE,
        &["村/小区", "小区", "村", "小区名称", hf::VILLAGE],
    ),
    h(hf::VILLAGE_GROUP, &["村民小组", "组", hf::VILLAGE_GROUP]),
    h(hf::HEAD_NAME, &["户主", "户主姓名", hf::HEAD_NAME]),
    r(rf::RELATION_TO_HEAD, &["与户主关系", rf::RELATION_TO_HEAD]),
    r(rf::GUARDIAN_NAME, &["监护人", "监护人姓名"]),
    r(rf::GUARDIAN_PHONE, &["监护人电话", "监护人联系电话"]),
    r(rf::EMERGENCY_CONTACT, &["紧急联系人"]),
    r(rf::EMERGENCY_PHONE, &["紧急联系人电话", "紧急联系电话"]),
    r(rf::TAG_LIVING_ALONE, &["独居", "是否独居", "独居老人"]),
    r(rf::TAG_MINOR, &["未成年人"]),
    r(rf::TAG_CHILD_UNDER3, &["3岁以下婴幼儿", "婴幼儿"]),
    r(rf::TAG_PREGNANT, &["孕产妇", "孕妇"]),
    r(rf::TAG_DISABLED, &["残疾人", "残疾"]),
    r(rf::TAG_CHRONIC, &["慢性病", "慢性病患者", "是否慢性病"]),
    r(
        rf::TAG_SEVERE_MENTAL,
        &["严重精神障碍（特殊困难）", "严重精神障碍"],
    ),
    r(rf::TAG_ORPHAN, &["孤儿"]),
    r(rf::TAG_UNSUPPORTED_CHILD, &["事实无人抚养儿童"]),
    r(rf::TAG_LEFT_BEHIND_CHILD, &["农村留守儿童", "留守儿童"]),
    r(
        rf::TAG_NO_SMARTPHONE,
        &["不会使用智能手机", "不会用智能手机", "无智能手机"],
    ),
    r(rf::COND_HYPERTENSION, &["高血压"]),
    r(rf::COND_DIABETES, &["糖尿病"]),
    r(rf::COND_HEART, &["心脏病"]),
    r(
        rf::COND_LUNG,
        &["慢性肺病（慢阻肺、哮喘）", "慢性肺病", "慢阻肺"],
    ),
    r(rf::COND_KIDNEY, &["慢性肾病", "肾病"]),
    r(rf::COND_CANCER, &["恶性肿瘤", "肿瘤"]),
    r(rf::COND_IMMUNOSUPPRESSED, &["免疫功能低下"]),
    r(
        rf::VACC_DOSES,
        &["新冠疫苗接种剂次", "疫苗剂次", "接种剂次", rf::VACC_DOSES],
    ),
    r(rf::VACC_LAST_DATE, &["末次接种日期", rf::VACC_LAST_DATE]),
    r(rf::NOTES, &["备注", rf::NOTES]),
];

/// The target of an import key, as a mapping names it.
pub fn target(key: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.key == key)
}

/// The mappable fields, in the order the mapping screen shows them.
pub fn fields() -> Vec<ImportField> {
    TARGETS
        .iter()
        .map(|t| {
            let (zh, en) = match t.dest {
                Dest::Grid => ("所属网格", "grid"),
                Dest::IdCard => ("身份证号", "ID card number"),
                Dest::Household(hf::ADDRESS) => ("住址", "address"),
                d => d.def().map(|f| (f.zh, f.en)).unwrap_or((t.key, t.key)),
            };
            ImportField {
                key: t.key.into(),
                zh: zh.into(),
                en: en.into(),
            }
        })
        .collect()
}

fn normalize_header(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊' | ':' | '：'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Which column each field is in, guessed from the header names; a column is used once.
pub fn suggest_mapping(headers: &[String]) -> BTreeMap<String, String> {
    let mut used = vec![false; headers.len()];
    let mut out = BTreeMap::new();
    for t in TARGETS {
        let hit = headers
            .iter()
            .enumerate()
            .find(|(i, hd)| !used[*i] && t.aliases.iter().any(|a| normalize_header(hd) == *a));
        if let Some((i, hd)) = hit {
            used[i] = true;
            out.insert(t.key.to_owned(), hd.clone());
        }
    }
    out
}

/// Whether `headers` could be a roster's header row: one of them names the name column.
pub fn has_name_column(headers: &[String]) -> bool {
    suggest_mapping(headers).contains_key(rf::NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_suggest_the_mapping() {
        let headers: Vec<String> = [
            "序号",
            "姓名 *",
            "身份证号",
            "手机",
            "家庭住址",
            "所属网格",
            "慢性病",
        ]
        .map(String::from)
        .to_vec();
        let m = suggest_mapping(&headers);
        assert_eq!(m[rf::NAME], "姓名 *");
        assert_eq!(m[ID_CARD], "身份证号");
        assert_eq!(m[rf::PHONE], "手机");
        assert_eq!(m[hf::ADDRESS], "家庭住址");
        assert_eq!(m[GRID], "所属网格");
        assert_eq!(m[rf::TAG_CHRONIC], "慢性病");
        assert_eq!(m.len(), 6);
        let keys: Vec<String> = fields().into_iter().map(|f| f.key).collect();
        assert!(m.keys().all(|k| keys.contains(k)));
    }

    #[test]
    fn every_field_column_fills_a_field_of_the_schema() {
        for t in TARGETS {
            let known = matches!(t.dest, Dest::Grid | Dest::IdCard) || t.dest.def().is_some();
            assert!(known, "{} is not a field of the schema", t.key);
        }
    }
}
