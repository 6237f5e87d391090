//! The high-risk ledger (重症高风险人员台账): every red and yellow resident with tier, why, last
//! visit, next due, vaccination and open needs, filtered by tier, key group, lateness and grid,
//! and the same rows as the table reported upward. Filtered by the offline channel (需线下渠道),
//! it lists everyone in those groups whatever their tier.

use super::{Dataset, Resident, Row};
use crate::entities::resident::{self, field};
use crate::export::{Cell, Table};
use crate::labels;
use crate::risk::Tier;

/// A key group to filter the ledger by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Aged65,
    /// In any group kept an offline channel (`crate::risk::OfflineGroup`), of any tier.
    OfflineChannel,
    /// A resident's `tag_*` or `cond_*` flag.
    Flag(&'static str),
}

impl Group {
    /// Every group, 65+ and the offline channel first, then the tags and the conditions in the
    /// table's order.
    pub fn all() -> impl Iterator<Item = Group> {
        [Group::Aged65, Group::OfflineChannel].into_iter().chain(
            resident::TAGS
                .iter()
                .chain(resident::CONDITIONS)
                .map(|f| Group::Flag(f)),
        )
    }

    /// A stable name, for a picker's value.
    pub fn key(self) -> &'static str {
        match self {
            Group::Aged65 => "aged_65",
            Group::OfflineChannel => "offline_channel",
            Group::Flag(f) => f,
        }
    }

    pub fn parse(key: &str) -> Option<Group> {
        Group::all().find(|g| g.key() == key)
    }

    fn holds<R: Row>(self, r: &Resident<R>) -> bool {
        match self {
            Group::Aged65 => r.assessment.aged_65(),
            Group::OfflineChannel => r.needs_offline_channel(),
            Group::Flag(f) => r.record.flag(f),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Red or yellow only; `None` for both.
    pub tier: Option<Tier>,
    pub group: Option<Group>,
    /// Only those whose visit is late (due before today).
    pub overdue_only: bool,
    /// Grid ids to include; empty for all.
    pub grids: Vec<String>,
    /// Part of a name or phone number, as the residents' search reads it; empty for all.
    pub query: String,
}

/// The sheet's name, and the start of the file's.
pub const TITLE: &str = "重症高风险人员台账";

const HEADERS: [&str; 14] = [
    "姓名",
    "性别",
    "年龄",
    "风险等级",
    "原因",
    "网格",
    "地址",
    "联系电话",
    "上次走访",
    "下次走访",
    "疫苗剂次",
    "末次接种",
    "接种禁忌",
    "未办结需求",
];

impl<R: Row> Dataset<R> {
    /// The red and yellow residents `f` lets through, red first, then by name; with the offline
    /// channel's group, its green residents too, after them.
    pub fn ledger_rows(&self, f: &Filter) -> Vec<&Resident<R>> {
        let query = super::Query::new(&f.query);
        let mut rows: Vec<&Resident<R>> = self
            .active()
            .filter(|r| {
                matches!(r.tier(), Tier::Red | Tier::Yellow)
                    || f.group == Some(Group::OfflineChannel)
            })
            .filter(|r| f.tier.is_none_or(|t| r.tier() == t))
            .filter(|r| f.group.is_none_or(|g| g.holds(r)))
            .filter(|r| !f.overdue_only || r.overdue_days(self.today).is_some_and(|d| d > 0))
            .filter(|r| {
                f.grids.is_empty()
                    || r.view()
                        .grid_id()
                        .is_some_and(|g| f.grids.iter().any(|x| x == g))
            })
            .filter(|r| r.matches(&query))
            .collect();
        rows.sort_by(|a, b| (a.tier(), a.name()).cmp(&(b.tier(), b.name())));
        rows
    }

    /// The ledger as a table, in Chinese whatever the screen's language: it goes upward.
    pub fn ledger_table(&self, rows: &[&Resident<R>]) -> Table {
        let text = |s: Option<&str>| s.map(|s| Cell::Text(s.to_owned())).unwrap_or(Cell::Empty);
        let date =
            |d: Option<crate::Date>| d.map(|d| Cell::Text(d.to_string())).unwrap_or(Cell::Empty);
        let rows = rows
            .iter()
            .map(|r| {
                let v = r.view();
                vec![
                    Cell::Text(r.name().to_owned()),
                    text(
                        v.gender()
                            .map(|g| labels::member(resident::NAME, field::GENDER, g).0),
                    ),
                    r.assessment
                        .age
                        .map(|a| Cell::Number(f64::from(a)))
                        .unwrap_or(Cell::Empty),
                    Cell::Text(r.tier().zh().to_owned()),
                    Cell::Text(r.reasons_zh()),
                    text(
                        v.grid_id()
                            .and_then(|g| self.grids.get(g))
                            .map(String::as_str),
                    ),
                    Cell::Text(self.address_of_resident(r)),
                    text(v.phone()),
                    date(r.last_contact),
                    date(r.due),
                    r.record
                        .number(field::VACC_DOSES)
                        .map(Cell::Number)
                        .unwrap_or(Cell::Empty),
                    // As typed: a malformed date is still worth reporting.
                    text(r.record.text(field::VACC_LAST_DATE)),
                    Cell::Text(
                        if v.vacc_contraindication() {
                            "是"
                        } else {
                            "否"
                        }
                        .into(),
                    ),
                    Cell::Number(self.open_needs_of(r.id()).count() as f64),
                ]
            })
            .collect();
        Table {
            sheet: TITLE.into(),
            headers: HEADERS.iter().map(|h| h.to_string()).collect(),
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use crate::entities::{household, need};
    use serde_json::json;

    /// Red (80+, in g2, a day late), yellow (living alone, diabetic, never visited, due
    /// today) and green.
    fn fixture() -> Fixture {
        let mut f = Fixture::new();
        f.household(
            "h1",
            &[
                (household::field::BUILDING, json!("3 号楼")),
                (household::field::ROOM, json!("201")),
            ],
        );
        f.grid("g2", "幸福里");
        f.resident(
            "red",
            &[
                (field::NAME, json!("王桂兰")),
                (field::GRID_ID, json!("g2")),
                (field::HOUSEHOLD_ID, json!("h1")),
                (field::BIRTH_DATE, json!("1940-05-01")),
                (field::GENDER, json!("female")),
                (field::PHONE, json!("13800001111")),
                (field::VACC_DOSES, json!(3)),
                (field::VACC_LAST_DATE, json!("2023-01-05")),
            ],
        );
        f.visit("red", 3, &[]);
        f.need("n1", "red", &[(need::field::STATUS, json!(need::OPEN))]);
        f.resident(
            "yellow",
            &[
                (field::TAG_LIVING_ALONE, json!(true)),
                (field::COND_DIABETES, json!(true)),
                (field::VACC_CONTRAINDICATION, json!(true)),
            ],
        );
        f.resident("green", &[]);
        f
    }

    #[test]
    fn filters_by_tier_group_lateness_and_grid() {
        let d = fixture().build();
        let rows = |f: Filter| ids(d.ledger_rows(&f), |r| r.id());
        assert_eq!(rows(Filter::default()), ["red", "yellow"]);
        assert_eq!(
            rows(Filter {
                tier: Some(Tier::Yellow),
                ..Filter::default()
            }),
            ["yellow"]
        );
        let group = |key: &str| Filter {
            group: Group::parse(key),
            ..Filter::default()
        };
        assert_eq!(rows(group("aged_65")), ["red"]);
        assert_eq!(rows(group(field::COND_DIABETES)), ["yellow"]);
        assert_eq!(rows(group(field::TAG_LIVING_ALONE)), ["yellow"]);
        assert_eq!(
            rows(Filter {
                overdue_only: true,
                ..Filter::default()
            }),
            ["red"],
            "due today is not late"
        );
        assert_eq!(
            rows(Filter {
                grids: vec!["g2".into()],
                ..Filter::default()
            }),
            ["red"]
        );
        let search = |query: &str| Filter {
            query: query.into(),
            ..Filter::default()
        };
        assert_eq!(rows(search("桂兰")), ["red"]);
        assert_eq!(
            rows(search(" 1380000 ")),
            ["red"],
            "by phone, spaces trimmed"
        );
        assert!(rows(search("李")).is_empty());
        assert_eq!(Group::parse("nonsense"), None);
        assert_eq!(
            Group::all().count(),
            2 + resident::TAGS.len() + resident::CONDITIONS.len()
        );
    }

    #[test]
    fn the_offline_channel_lists_its_groups_of_any_tier_with_whom_to_reach() {
        let mut f = fixture();
        f.resident(
            "orphan",
            &[
                (field::NAME, json!("小明")),
                (field::BIRTH_DATE, json!("2016-01-01")),
                (field::TAG_ORPHAN, json!(true)),
                (field::EMERGENCY_CONTACT, json!("村委会 李主任")),
                (field::EMERGENCY_PHONE, json!("13900002222")),
            ],
        );
        f.resident(
            "no_phone",
            &[
                (field::TAG_NO_SMARTPHONE, json!(true)),
                (field::TAG_LIVING_ALONE, json!(true)),
                (field::GUARDIAN_NAME, json!("张女士")),
                (field::EMERGENCY_CONTACT, json!("王先生")),
            ],
        );
        let d = f.build();
        let rows = |f: Filter| ids(d.ledger_rows(&f), |r| r.id());
        assert_eq!(
            rows(Filter::default()),
            ["red", "no_phone", "yellow"],
            "green stays off"
        );
        let offline = Filter {
            group: Group::parse("offline_channel"),
            ..Filter::default()
        };
        assert_eq!(rows(offline), ["no_phone", "orphan"], "yellow, then green");
        let orphan = d.resident("orphan").unwrap();
        assert_eq!(
            orphan.carer(),
            Some((Some("村委会 李主任"), Some("13900002222")))
        );
        assert_eq!(
            d.resident("no_phone").unwrap().carer(),
            Some((Some("张女士"), None)),
            "the guardian before the emergency contact"
        );
        assert_eq!(d.resident("green").unwrap().carer(), None);
        // Never visited at the door: on Today.
        assert!(d.due_list().iter().any(|r| r.id() == "orphan"));
    }

    #[test]
    fn the_table_says_it_all_in_chinese() {
        let f = fixture();
        let d = f.build();
        let table = d.ledger_table(&d.ledger_rows(&Filter::default()));
        assert_eq!(table.sheet, TITLE);
        assert_eq!(table.headers.len(), table.rows[0].len());
        let t = |s: &str| Cell::Text(s.into());
        let red = &table.rows[0];
        assert_eq!(red[0], t("王桂兰"));
        assert_eq!(red[1], t("女"));
        assert_eq!(red[2], Cell::Number(83.0));
        assert_eq!(red[3], t(Tier::Red.zh()));
        assert_eq!(red[4], t("80 岁及以上"));
        assert_eq!(red[5], t("幸福里"));
        assert_eq!(red[6], t("3 号楼 201"));
        assert_eq!(red[7], t("13800001111"));
        assert_eq!(red[8], t(&f.day(3).to_string()));
        assert_eq!(red[9], t(&f.day(1).to_string()));
        assert_eq!(red[10], Cell::Number(3.0));
        assert_eq!(red[11], t("2023-01-05"));
        assert_eq!(red[12], t("否"));
        assert_eq!(red[13], Cell::Number(1.0));
        let yellow = &table.rows[1];
        assert_eq!(yellow[4], t("糖尿病、独居"));
        assert_eq!(yellow[8], Cell::Empty, "never visited");
        assert_eq!(yellow[10], Cell::Empty, "doses unknown");
        assert_eq!(yellow[12], t("是"));
        assert_eq!(yellow[13], Cell::Number(0.0));
    }
}
