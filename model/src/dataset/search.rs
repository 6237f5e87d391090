//! Finding residents and households: the household index a search scans, the residents matched
//! by name or phone, and the natural order of addresses that puts building 2 before building 10.

use super::{Dataset, Resident, Row};
use crate::entities::household;

/// One household as the search sees it.
#[derive(Debug)]
pub struct HouseholdEntry {
    pub id: String,
    pub address: String,
    /// The searched fields and the members' names and phones, joined by a separator no query
    /// contains.
    pub haystack: String,
}

/// What a household search looks in besides the address fields.
const HOUSEHOLD_CONTACT: &[&str] = &[household::field::HEAD_NAME, household::field::PHONE];

/// Every household in walking order (by address, naturally), with what a search may match.
pub(super) fn household_index<R: Row>(d: &Dataset<R>) -> Vec<HouseholdEntry> {
    let mut index: Vec<HouseholdEntry> = d
        .households
        .values()
        .map(|h| {
            let mut haystack: Vec<&str> = household::ADDRESS_FIELDS
                .iter()
                .chain(HOUSEHOLD_CONTACT)
                .filter_map(|f| h.text(f))
                .collect();
            for m in d.members_of(h.id()) {
                haystack.extend(m.view().name());
                haystack.extend(m.view().phone());
            }
            HouseholdEntry {
                id: h.id().to_owned(),
                address: household::address_line(h),
                haystack: haystack.join("\u{1f}"),
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

impl<R: Row> Resident<R> {
    /// Whether a search for `query` finds this resident: name or phone contains it.
    pub fn matches(&self, query: &str) -> bool {
        let r = self.view();
        query.is_empty()
            || r.name().is_some_and(|n| n.contains(query))
            || r.phone().is_some_and(|p| p.contains(query))
    }
}

impl<R: Row> Dataset<R> {
    /// The residents a search for `query` finds, by name.
    pub fn find_residents(&self, query: &str) -> Vec<&Resident<R>> {
        let mut found: Vec<&Resident<R>> =
            self.residents.iter().filter(|r| r.matches(query)).collect();
        found.sort_by(|a, b| a.name().cmp(b.name()));
        found
    }

    /// The households a search for `query` finds, in walking order.
    pub fn find_households(&self, query: &str) -> Vec<&R> {
        self.household_index
            .iter()
            .filter(|e| query.is_empty() || e.haystack.contains(query))
            .filter_map(|e| self.households.get(&e.id))
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
        assert_eq!(ids(d.find_households(""), Rec::id), ["h9", "h10", "h2"]);
        assert_eq!(ids(d.find_households("12 号楼"), Rec::id), ["h9", "h10"]);
        assert_eq!(ids(d.find_households("李建国"), Rec::id), ["h2"]);
        assert_eq!(
            ids(d.find_households("0000111"), Rec::id),
            ["h9"],
            "a member's phone"
        );
        assert_eq!(
            ids(d.find_households("r1"), Rec::id),
            ["h9"],
            "a member's name"
        );
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
}
