//! Chinese and English names of every enum member of the schema, for screens and exports alike
//! (an export for the level above must say 独居, not `tag_living_alone`).

/// The (Chinese, English) label of an enum member of `entity.field`, or the member itself when
/// it has none (a member added by a newer version of the schema).
pub fn member(entity: &str, field: &str, member: &str) -> (&'static str, &'static str) {
    match (entity, field, member) {
        (_, "gender", "male") => ("男", "male"),
        (_, "gender", "female") => ("女", "female"),
        (_, "gender", "unknown") => ("未知", "unknown"),
        ("visit", "method", "in_person") => ("入户", "in person"),
        ("visit", "method", "phone") => ("电话", "phone"),
        ("visit", "method", "video") => ("视频", "video"),
        ("visit", "method", "wechat") => ("微信", "WeChat"),
        ("visit", "method", "not_home") => ("未遇到", "not at home"),
        ("visit", "health_status", "normal") => ("无异常", "well"),
        ("visit", "health_status", "asymptomatic") => ("无症状感染", "asymptomatic"),
        ("visit", "health_status", "mild") => ("轻型", "mild"),
        ("visit", "health_status", "moderate") => ("中型", "moderate"),
        ("visit", "health_status", "severe") => ("重型", "severe"),
        ("visit", "health_status", "critical") => ("危重型", "critical"),
        ("visit", "health_status", "recovered") => ("已康复", "recovered"),
        ("visit", "health_status", "hospitalized") => ("已住院", "in hospital"),
        ("visit", "antigen", "negative") => ("阴性", "negative"),
        ("visit", "antigen", "positive") => ("阳性", "positive"),
        ("visit", "antigen", "not_tested") => ("未检测", "not tested"),
        ("need", "kind", "medicine") => ("药品", "medicine"),
        ("need", "kind", "antigen_kits") => ("抗原试剂", "antigen kits"),
        ("need", "kind", "referral") => ("转诊就医", "referral to hospital"),
        ("need", "kind", "emergency") => ("紧急救助", "emergency"),
        ("need", "kind", "daily_living") => ("生活保障", "daily living"),
        ("need", "kind", "psychological") => ("心理疏导", "psychological support"),
        ("need", "urgency", "normal") => ("一般", "normal"),
        ("need", "urgency", "urgent") => ("紧急", "urgent"),
        ("need", "urgency", "emergency") => ("危急", "emergency"),
        ("need", "status", "open") => ("待处理", "open"),
        ("need", "status", "in_progress") => ("处理中", "in progress"),
        ("need", "status", "resolved") => ("已解决", "resolved"),
        ("need", "status", "cancelled") => ("已取消", "cancelled"),
        ("pack_delivery", "status", "pending") => ("待配送", "pending"),
        ("pack_delivery", "status", "delivered") => ("已送达", "delivered"),
        ("pack_delivery", "status", "not_home") => ("不在家", "not at home"),
        ("pack_delivery", "status", "refused") => ("拒收", "refused"),
        ("supply_item", "kind", "medicine") => ("药品", "medicine"),
        ("supply_item", "kind", "antigen_kit") => ("抗原试剂", "antigen kit"),
        ("supply_item", "kind", "mask") => ("口罩", "mask"),
        ("supply_item", "kind", "oximeter") => ("血氧仪", "oximeter"),
        ("supply_item", "kind", "protective_gear") => ("防护用品", "protective gear"),
        ("supply_item", "kind", "other") => ("其他", "other"),
        ("stock_move", "kind", "received") => ("入库", "received"),
        ("stock_move", "kind", "packed") => ("打包", "packed"),
        ("stock_move", "kind", "delivered") => ("发放", "delivered"),
        ("stock_move", "kind", "adjusted") => ("盘点调整", "adjusted"),
        ("stock_move", "kind", "expired") => ("过期报废", "expired"),
        ("facility", "kind", "vaccination_point") => ("疫苗接种点", "vaccination point"),
        ("facility", "kind", "green_channel") => ("就医绿色通道", "green channel"),
        ("facility", "kind", "mobile_vaccination") => ("流动接种车", "mobile vaccination"),
        ("facility", "kind", "test_point") => ("检测点", "test point"),
        ("facility", "kind", "pharmacy") => ("药店", "pharmacy"),
        ("facility", "kind", "health_station") => ("社区卫生服务站", "community health station"),
        ("facility", "kind", "hospital") => ("医院", "hospital"),
        (_, "role", "admin") => ("管理员", "admin"),
        (_, "role", "supervisor") => ("督导员", "supervisor"),
        (_, "role", "grid_worker") => ("网格员", "grid worker"),
        (_, "role", "volunteer") => ("志愿者", "volunteer"),
        _ => unlabelled(member),
    }
}

/// Leaks nothing: members without a label are shown as they are, from the static schema.
fn unlabelled(member: &str) -> (&'static str, &'static str) {
    crate::schema::entities()
        .iter()
        .flat_map(|e| e.fields.iter())
        .find_map(|f| match f.ty {
            crate::schema::FieldType::Enum(members) => {
                members.iter().find(|m| **m == member).copied()
            }
            _ => None,
        })
        .map(|m| (m, m))
        .unwrap_or(("?", "?"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{entities, FieldType};

    #[test]
    fn every_enum_member_of_the_schema_has_a_chinese_label() {
        for e in entities() {
            for f in e.fields {
                if let FieldType::Enum(members) = f.ty {
                    for m in members {
                        let (zh, en) = member(e.name, f.name, m);
                        assert_ne!(zh, *m, "{}.{}: {m} has no Chinese label", e.name, f.name);
                        assert!(!en.is_empty());
                    }
                }
            }
        }
    }
}
