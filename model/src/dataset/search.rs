//! Finding residents and households: what a search scans, built once per load so a keystroke
//! only compares strings; the query as it is compared; and the natural order of addresses that
//! puts building 2 before building 10. Names and addresses are found by their characters and by
//! pinyin, in full or by initials ([`crate::pinyin`]).

use super::{Dataset, Resident, Row};
use crate::entities::household;
use crate::pinyin;

/// What a search for a record looks in: its texts, lowercased, and their pinyin, joined by a
/// separator no query holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchText(String);

impl SearchText {
    /// Built from texts matched as typed (phone numbers, room numbers), names and addresses,
    /// which are matched by pinyin as well.
    pub fn new<'a>(
        plain: impl IntoIterator<Item = &'a str>,
        names: impl IntoIterator<Item = &'a str>,
        places: impl IntoIterator<Item = &'a str>,
    ) -> SearchText {
        let mut text = String::new();
        let mut add = |s: &str| {
            if !s.is_empty() {
                text.push(SEPARATOR);
                text.extend(s.chars().map(|c| c.to_ascii_lowercase()));
            }
        };
        for p in plain {
            add(p);
        }
        for n in names {
            add(n);
            for way in pinyin::spell_name(n) {
                add(&way.full);
                add(&way.initials);
            }
        }
        for p in places {
            add(p);
            let way = pinyin::spell(p);
            add(&way.full);
            add(&way.initials);
        }
        SearchText(text)
    }

    /// Whether the query is found in one of the texts.
    pub fn finds(&self, query: &Query) -> bool {
        query.0.is_empty() || self.0.contains(query.0.as_str())
    }
}

const SEPARATOR: char = '\u{1f}';

/// A search box's text as it is compared: trimmed and lowercased; pinyin typed with spaces
/// ("wang gui lan") run together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(String);

impl Query {
    pub fn new(typed: &str) -> Query {
        let t = typed.trim();
        let latin = t
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c.is_whitespace());
        Query(
            t.chars()
                .filter(|c| !(latin && c.is_whitespace()) && *c != SEPARATOR)
                .map(|c| c.to_ascii_lowercase())
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One household as the search sees it.
#[derive(Debug)]
pub struct HouseholdEntry {
    pub id: String,
    pub address: String,
    /// The address fields, the head's and the members' names and phones.
    pub search: SearchText,
}

/// Every household in walking order (by address, naturally), with what a search may match.
pub(super) fn household_index<R: Row>(d: &Dataset<R>) -> Vec<HouseholdEntry> {
    let mut index: Vec<HouseholdEntry> = d
        .households
        .values()
        .map(|h| {
            let members = || d.members_of(h.id()).map(|m| m.view());
            let phones = h
                .text(household::field::PHONE)
                .into_iter()
                .chain(members().filter_map(|m| m.phone()));
            let names = h
                .text(household::field::HEAD_NAME)
                .into_iter()
                .chain(members().filter_map(|m| m.name()));
            let places = household::ADDRESS_FIELDS.iter().filter_map(|f| h.text(f));
            HouseholdEntry {
                id: h.id().to_owned(),
                address: household::address_line(h),
                search: SearchText::new(phones, names, places),
            }
        })
        .collect();
    index.sort_by_cached_key(|e| natural_key(&e.address));
    index
}

/// "幸福里小区 2 号楼" before "幸福里小区 10 号楼": numbers compare as numbers.
pub fn natural_key(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let (mut text, mut digits) = (String::new(), String::new());
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                out.push((std::mem::take(&mut text), digits.parse().unwrap_or(0)));
                digits.clear();
            }
            text.push(c);
        }
    }
    out.push((text, digits.parse().unwrap_or(0)));
    out
}

/// What a search finds a resident by: name, phone and the household's address.
pub(super) fn resident_search<R: Row>(r: &R, address: &str) -> SearchText {
    let v = crate::record::Resident(r);
    SearchText::new(v.phone(), v.name(), [address])
}

impl<R: Row> Resident<R> {
    /// Whether a search for `query` finds this resident: by name (or its pinyin), phone or
    /// address.
    pub fn matches(&self, query: &Query) -> bool {
        self.search.finds(query)
    }
}

impl<R: Row> Dataset<R> {
    /// The residents a search for `query` finds, by name.
    pub fn find_residents(&self, query: &str) -> Vec<&Resident<R>> {
        let query = Query::new(query);
        let order = self.name_order.get_or_init(|| {
            let mut order: Vec<usize> = (0..self.residents.len()).collect();
            // Stable: residents of the same name keep the order they were read in.
            order.sort_by(|&a, &b| self.residents[a].name().cmp(self.residents[b].name()));
            order
        });
        order
            .iter()
            .map(|&i| &self.residents[i])
            .filter(|r| r.matches(&query))
            .collect()
    }

    /// The ids of the households a search for `query` finds, in walking order.
    pub fn find_households(&self, query: &str) -> Vec<&str> {
        let query = Query::new(query);
        self.household_index
            .iter()
            .filter(|e| e.search.finds(&query))
            .map(|e| e.id.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use crate::entities::resident;
    use serde_json::json;

    #[test]
    fn numbers_in_addresses_sort_as_numbers() {
        let mut a = vec![
            "幸福里 10 号楼",
            "幸福里 2 号楼",
            "幸福里 2 号楼 3 单元",
            "和平村",
        ];
        a.sort_by_key(|s| natural_key(s));
        assert_eq!(
            a,
            [
                "和平村",
                "幸福里 2 号楼",
                "幸福里 2 号楼 3 单元",
                "幸福里 10 号楼"
            ]
        );
        assert!(natural_key("9") < natural_key("10"));
        assert!(natural_key("") < natural_key("1"));
    }

    #[test]
    fn households_are_found_by_address_head_phone_or_member_in_walking_order() {
        let mut f = Fixture::new();
        let room = |r: &str| {
            vec![
                (household::field::BUILDING, json!("12 号楼")),
                (household::field::ROOM, json!(r)),
            ]
        };
        f.household("h10", &room("1001"));
        f.household("h9", &room("901"));
        f.household(
            "h2",
            &[
                (household::field::HEAD_NAME, json!("李建国")),
                (household::field::ADDRESS, json!("和平村")),
            ],
        );
        f.resident(
            "r1",
            &[
                (resident::field::HOUSEHOLD_ID, json!("h9")),
                (resident::field::PHONE, json!("13800001111")),
            ],
        );
        let d = f.build();
        assert_eq!(d.find_households(""), ["h9", "h10", "h2"]);
        assert_eq!(d.find_households("12 号楼"), ["h9", "h10"]);
        assert_eq!(d.find_households("李建国"), ["h2"]);
        assert_eq!(d.find_households("0000111"), ["h9"], "a member's phone");
        assert_eq!(d.find_households("r1"), ["h9"], "a member's name");
        assert!(d.find_households("幸福里").is_empty());
    }

    #[test]
    fn residents_are_found_by_name_or_phone_sorted_by_name() {
        let mut f = Fixture::new();
        f.resident("b", &[(resident::field::PHONE, json!("13900002222"))]);
        f.resident("a", &[]);
        f.resident("c", &[(resident::field::NAME, json!("王芳"))]);
        let d = f.build();
        let found = |q: &str| ids(d.find_residents(q), |r| r.id());
        assert_eq!(found(""), ["a", "b", "c"]);
        assert_eq!(found("2222"), ["b"]);
        assert_eq!(found("王"), ["c"]);
    }

    #[test]
    fn residents_are_found_by_pinyin_of_their_name_and_address() {
        let mut f = Fixture::new();
        f.household(
            "h1",
            &[
                (household::field::ADDRESS, json!("幸福里小区")),
                (household::field::BUILDING, json!("3 号楼")),
            ],
        );
        f.resident(
            "wang",
            &[
                (resident::field::NAME, json!("王桂兰")),
                (resident::field::HOUSEHOLD_ID, json!("h1")),
            ],
        );
        f.resident("zeng", &[(resident::field::NAME, json!("曾国强"))]);
        f.resident("li", &[(resident::field::NAME, json!("李明"))]);
        let d = f.build();
        let found = |q: &str| ids(d.find_residents(q), |r| r.id());
        for typed in [
            "wgl",
            "wangguilan",
            "WangGuilan",
            " wang gui lan ",
            "guil",
            "桂兰",
        ] {
            assert_eq!(found(typed), ["wang"], "{typed:?}");
        }
        assert_eq!(found("xfl"), ["wang"], "the address by initials");
        assert_eq!(found("xingfuli"), ["wang"], "the address in full");
        assert_eq!(found("zgq"), ["zeng"], "曾 as a family name reads zeng");
        assert_eq!(
            found("cgq"),
            ["zeng"],
            "and as people type it without knowing"
        );
        assert!(
            found("wangming").is_empty(),
            "syllables of two people do not join"
        );
        assert_eq!(d.find_households("xfl"), ["h1"]);
        assert_eq!(d.find_households("wgl"), ["h1"], "a member's name");
    }
}
