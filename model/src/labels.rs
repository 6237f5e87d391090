//! Chinese and English names of every enum member of the schema, for screens and exports alike
//! (an export for the level above must say 独居, not `tag_living_alone`).

use crate::entities::{
    duty, education, facility, gathering, household, mobilisation, need, pack_delivery, report,
    resident, spot_check, stock_move, supply_item, support_request, user_profile, visit,
};

/// One field's members with their (Chinese, English) labels.
type Labels = &'static [(&'static str, &'static str, &'static str)];

/// The (Chinese, English) label of an enum member of `entity.field`, or the member itself when
/// it has none (a member added by a newer version of the schema).
pub fn member(entity: &str, field: &str, member: &str) -> (&'static str, &'static str) {
    labels_of(entity, field)
        .iter()
        .find(|(m, _, _)| *m == member)
        .map(|(_, zh, en)| (*zh, *en))
        .unwrap_or_else(|| unlabelled(member))
}

/// The labelled members of `entity.field`; gender and role read the same on every entity.
fn labels_of(entity: &str, field: &str) -> Labels {
    match (entity, field) {
        (_, resident::field::GENDER) => GENDER,
        (resident::NAME, resident::field::STATUS) => RESIDENT_STATUS,
        (household::NAME, household::field::STATUS) => HOUSEHOLD_STATUS,
        (visit::NAME, visit::field::METHOD) => VISIT_METHOD,
        (visit::NAME, visit::field::HEALTH_STATUS) => VISIT_HEALTH_STATUS,
        (visit::NAME, visit::field::ANTIGEN) => VISIT_ANTIGEN,
        (need::NAME, need::field::KIND) => NEED_KIND,
        (need::NAME, need::field::URGENCY) => NEED_URGENCY,
        (need::NAME, need::field::STATUS) => NEED_STATUS,
        (need::NAME, need::field::UPWARD_STATUS) => NEED_UPWARD_STATUS,
        (pack_delivery::NAME, pack_delivery::field::STATUS) => PACK_DELIVERY_STATUS,
        (supply_item::NAME, supply_item::field::KIND) => SUPPLY_ITEM_KIND,
        (stock_move::NAME, stock_move::field::KIND) => STOCK_MOVE_KIND,
        (facility::NAME, facility::field::KIND) => FACILITY_KIND,
        (education::NAME, education::field::GUIDE) => EDUCATION_GUIDE,
        (education::NAME, education::field::CHANNEL) => EDUCATION_CHANNEL,
        (mobilisation::NAME, mobilisation::field::OUTCOME) => MOBILISATION_OUTCOME,
        (spot_check::NAME, spot_check::field::RESULT) => SPOT_CHECK_RESULT,
        (gathering::NAME, gathering::field::KIND) => GATHERING_KIND,
        (report::NAME, report::field::KIND) => REPORT_KIND,
        (spot_check::NAME, spot_check::field::METHOD) => SPOT_CHECK_METHOD,
        (_, user_profile::field::ROLE) => ROLE,
        (support_request::NAME, support_request::field::WAY) => SUPPORT_WAY,
        (duty::NAME, duty::field::KIND) => DUTY_KIND,
        (support_request::NAME, support_request::field::STATUS) => SUPPORT_STATUS,
        _ => &[],
    }
}

const EDUCATION_GUIDE: Labels = &[
    ("antigen_self_test", "抗原自测方法", "antigen self-testing"),
    ("medicines_at_home", "居家用药指南", "medicines at home"),
    (
        "warning_signs",
        "需要就医的危险信号",
        "warning signs that need a doctor",
    ),
    (
        "elderly_care",
        "居家照护老年人",
        "caring for an elderly person at home",
    ),
    (
        "pregnancy_children",
        "孕产妇和儿童防护",
        "protecting pregnant women and children",
    ),
];

const EDUCATION_CHANNEL: Labels = &[
    ("in_person", "入户讲解", "in person"),
    ("phone", "电话", "phone"),
    ("wechat_group", "微信群", "WeChat group"),
    ("notice_board", "宣传栏", "notice board"),
    ("loudspeaker", "广播喇叭", "loudspeaker"),
];

const MOBILISATION_OUTCOME: Labels = &[
    ("agreed", "同意接种", "agreed"),
    ("refused", "拒绝接种", "refused"),
    ("vaccinated", "已接种", "vaccinated"),
];

const SPOT_CHECK_RESULT: Labels = &[
    ("confirmed", "属实", "confirmed"),
    ("not_confirmed", "不属实", "not confirmed"),
    ("unreachable", "联系不上", "unreachable"),
];

const SPOT_CHECK_METHOD: Labels = &[
    ("phone", "电话回访", "by phone"),
    ("in_person", "实地暗访", "unannounced at the door"),
];

const GATHERING_KIND: Labels = &[
    ("wedding", "婚礼", "wedding"),
    ("funeral", "丧事", "funeral"),
    ("other", "其他聚集活动", "other gathering"),
];

const REPORT_KIND: Labels = &[
    ("daily", "日报", "daily report"),
    ("weekly", "周报", "weekly report"),
];

const GENDER: Labels = &[
    ("male", "男", "male"),
    ("female", "女", "female"),
    ("unknown", "未知", "unknown"),
];

const RESIDENT_STATUS: Labels = &[
    ("moved_away", "已搬离", "moved away"),
    ("deceased", "已去世", "deceased"),
    ("left_grid", "已离开网格", "left the grid"),
];

const HOUSEHOLD_STATUS: Labels = &[
    ("moved_away", "已搬离", "moved away"),
    ("removed", "已撤销", "removed"),
];

const VISIT_METHOD: Labels = &[
    ("in_person", "入户", "in person"),
    ("phone", "电话", "phone"),
    ("video", "视频", "video"),
    ("wechat", "微信", "WeChat"),
    ("not_home", "未遇到", "not at home"),
];

const VISIT_HEALTH_STATUS: Labels = &[
    ("normal", "无异常", "well"),
    ("asymptomatic", "无症状感染", "asymptomatic"),
    ("mild", "轻型", "mild"),
    ("moderate", "中型", "moderate"),
    ("severe", "重型", "severe"),
    ("critical", "危重型", "critical"),
    ("recovered", "已康复", "recovered"),
    ("hospitalized", "已住院", "in hospital"),
];

const VISIT_ANTIGEN: Labels = &[
    ("negative", "阴性", "negative"),
    ("positive", "阳性", "positive"),
    ("not_tested", "未检测", "not tested"),
];

const NEED_KIND: Labels = &[
    ("medicine", "药品", "medicine"),
    ("antigen_kits", "抗原试剂", "antigen kits"),
    ("referral", "转诊就医", "referral to hospital"),
    ("emergency", "紧急救助", "emergency"),
    ("daily_living", "生活保障", "daily living"),
    ("psychological", "心理疏导", "psychological support"),
];

const NEED_URGENCY: Labels = &[
    ("normal", "一般", "normal"),
    ("urgent", "紧急", "urgent"),
    ("emergency", "危急", "emergency"),
];

const DUTY_KIND: Labels = &[
    ("on_duty", "在岗", "on duty"),
    ("rest", "轮休", "rest day"),
    ("make_up", "补休", "make-up day off"),
];

const SUPPORT_WAY: Labels = &[
    ("phone", "电话交流", "by phone"),
    ("in_person", "当面谈谈", "in person"),
    ("counsellor", "请心理咨询师联系", "a counsellor"),
];

const SUPPORT_STATUS: Labels = &[
    ("asked", "已申请", "asked"),
    ("arranged", "已安排", "arranged"),
    ("done", "已完成", "done"),
];

const NEED_UPWARD_STATUS: Labels = &[
    ("received", "街道已受理", "received above"),
    ("in_hand", "街道处理中", "in hand above"),
    ("handled", "街道已办结", "handled above"),
    ("returned", "街道已退回", "returned from above"),
];

const NEED_STATUS: Labels = &[
    ("open", "待处理", "open"),
    ("in_progress", "处理中", "in progress"),
    ("resolved", "已解决", "resolved"),
    ("cancelled", "已取消", "cancelled"),
];

const PACK_DELIVERY_STATUS: Labels = &[
    ("pending", "待配送", "pending"),
    ("delivered", "已送达", "delivered"),
    ("not_home", "不在家", "not at home"),
    ("refused", "拒收", "refused"),
];

const SUPPLY_ITEM_KIND: Labels = &[
    ("medicine", "药品", "medicine"),
    ("antigen_kit", "抗原试剂", "antigen kit"),
    ("mask", "口罩", "mask"),
    ("oximeter", "血氧仪", "oximeter"),
    ("protective_gear", "防护用品", "protective gear"),
    ("other", "其他", "other"),
];

const STOCK_MOVE_KIND: Labels = &[
    ("received", "入库", "received"),
    ("packed", "打包", "packed"),
    ("delivered", "发放", "delivered"),
    ("adjusted", "盘点调整", "adjusted"),
    ("expired", "过期报废", "expired"),
    ("issued", "发放给工作人员", "issued to a worker"),
];

const FACILITY_KIND: Labels = &[
    ("vaccination_point", "疫苗接种点", "vaccination point"),
    ("green_channel", "就医绿色通道", "green channel"),
    ("mobile_vaccination", "流动接种车", "mobile vaccination"),
    ("test_point", "检测点", "test point"),
    ("pharmacy", "药店", "pharmacy"),
    (
        "health_station",
        "社区卫生服务站",
        "community health station",
    ),
    ("hospital", "医院", "hospital"),
    ("elderly_care", "社区养老机构", "elderly-care institution"),
    ("hotline", "服务热线", "hotline"),
];

const ROLE: Labels = &[
    ("admin", "管理员", "admin"),
    ("supervisor", "督导员", "supervisor"),
    ("grid_worker", "网格员", "grid worker"),
    (
        "building_leader",
        "楼门栋长/组长",
        "building or group leader",
    ),
    ("volunteer", "志愿者", "volunteer"),
    ("street_office", "街道（乡镇）", "street office"),
];
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
