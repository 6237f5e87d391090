//! Risk tiers (red / yellow / green) and when a resident is next due a visit: one pure function
//! the app (today's list, highest risk first) and the server (ledger, map, daily report) share.
//!
//! # The rule
//!
//! Every rule that applies is a [`Reason`]; the tier is that of the most severe reason, green if
//! none applies.
//!
//! **Red** (severe illness is likely, or already showing):
//! - a severe warning sign at the latest visit: SpO2 below 93 % (the flag or the reading),
//!   breathing difficulty, confusion, persistent high fever — red at once, whatever else;
//! - aged 80 or over;
//! - aged 65 or over with at least one underlying condition (any `cond_*`, or `tag_chronic`);
//! - aged 65 or over and unvaccinated: `vacc_doses` is 0, or vaccination is contraindicated;
//! - immunosuppressed, cancer, or a severe mental disorder, at any age.
//!
//! **Yellow**: aged 65 or over; any underlying condition; pregnant; a child under 3 (the flag, or
//! a birth date less than 3 years ago); disabled; living alone.
//!
//! **Green**: everyone else. The social key groups (minor, orphan, unsupported or left-behind
//! child) do not raise the medical tier by themselves; their own programmes visit them.
//!
//! Choices: age is in completed years on `today`, so a person is 65 on their 65th birthday. An
//! unknown birth date or an unknown dose count (`vacc_doses` absent) raises nothing: missing data
//! must not flood the red list and overload workers; the ledger shows what is missing instead.
//! Warning signs count from the latest *contact* (a visit whose method is not `not_home`).
//!
//! # Due dates
//!
//! Red is visited every 2 days, yellow every 7, green every 30 if aged 65 or over. A green
//! resident under 65 has no routine visit; only a follow-up date the worker set makes them due.
//! A follow-up date earlier than the interval's date wins. Never visited means due today.
//!
//! # Offline channels (线下渠道)
//!
//! Orphans, de-facto unsupported children, rural left-behind children, disabled people and
//! anyone who cannot use a smartphone keep an offline channel open ([`OfflineGroup`]): whatever
//! their tier, they are visited **in person** every 14 days ([`Intervals::in_person`]). Only an
//! `in_person` visit meets it (a call does not); never visited in person means due today. The
//! earlier of this date and the tier's is the due date.

use serde::{Deserialize, Serialize};

use crate::date::{age_on, Date};
use crate::entities::visit::{IN_PERSON, LOW_SPO2};
use crate::record::{Fields, Resident, Visit};

/// The order is severity: sorting ascending puts red first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Red,
    Yellow,
    Green,
}

impl Tier {
    /// The wire word, as serde writes it ("red", "yellow", "green").
    pub fn key(self) -> &'static str {
        match self {
            Tier::Red => "red",
            Tier::Yellow => "yellow",
            Tier::Green => "green",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Tier::Red => "红色（高风险）",
            Tier::Yellow => "黄色（中风险）",
            Tier::Green => "绿色（低风险）",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Tier::Red => "red (high risk)",
            Tier::Yellow => "yellow (medium risk)",
            Tier::Green => "green (low risk)",
        }
    }
}

/// One rule that applied. Declared most severe first, so sorting reasons lists red ones first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    WarnLowSpo2,
    WarnBreathing,
    WarnConfusion,
    WarnHighFever,
    Aged80,
    Aged65WithCondition,
    Aged65Unvaccinated,
    Immunosuppressed,
    Cancer,
    SevereMental,
    Aged65,
    Hypertension,
    Diabetes,
    Heart,
    Lung,
    Kidney,
    Chronic,
    Pregnant,
    ChildUnder3,
    Disabled,
    LivingAlone,
}

impl Reason {
    pub fn tier(self) -> Tier {
        use Reason::*;
        match self {
            WarnLowSpo2 | WarnBreathing | WarnConfusion | WarnHighFever | Aged80
            | Aged65WithCondition | Aged65Unvaccinated | Immunosuppressed | Cancer
            | SevereMental => Tier::Red,
            Aged65 | Hypertension | Diabetes | Heart | Lung | Kidney | Chronic | Pregnant
            | ChildUnder3 | Disabled | LivingAlone => Tier::Yellow,
        }
    }

    pub fn zh(self) -> &'static str {
        use Reason::*;
        match self {
            WarnLowSpo2 => "血氧饱和度低于 93%",
            WarnBreathing => "呼吸困难",
            WarnConfusion => "意识障碍",
            WarnHighFever => "持续高热",
            Aged80 => "80 岁及以上",
            Aged65WithCondition => "65 岁及以上且有基础疾病",
            Aged65Unvaccinated => "65 岁及以上且未接种疫苗",
            Immunosuppressed => "免疫功能低下",
            Cancer => "恶性肿瘤",
            SevereMental => "严重精神障碍",
            Aged65 => "65 岁及以上",
            Hypertension => "高血压",
            Diabetes => "糖尿病",
            Heart => "心脏病",
            Lung => "慢性肺病",
            Kidney => "慢性肾病",
            Chronic => "慢性病",
            Pregnant => "孕产妇",
            ChildUnder3 => "3 岁以下婴幼儿",
            Disabled => "残疾人",
            LivingAlone => "独居",
        }
    }

    pub fn en(self) -> &'static str {
        use Reason::*;
        match self {
            WarnLowSpo2 => "SpO2 below 93 %",
            WarnBreathing => "breathing difficulty",
            WarnConfusion => "confusion",
            WarnHighFever => "persistent high fever",
            Aged80 => "aged 80 or over",
            Aged65WithCondition => "aged 65 or over with an underlying condition",
            Aged65Unvaccinated => "aged 65 or over and not vaccinated",
            Immunosuppressed => "immunosuppressed",
            Cancer => "cancer",
            SevereMental => "severe mental disorder",
            Aged65 => "aged 65 or over",
            Hypertension => "hypertension",
            Diabetes => "diabetes",
            Heart => "heart disease",
            Lung => "chronic lung disease",
            Kidney => "chronic kidney disease",
            Chronic => "chronic disease",
            Pregnant => "pregnant",
            ChildUnder3 => "child under 3",
            Disabled => "disabled",
            LivingAlone => "living alone",
        }
    }
}

/// A group for whom the notices keep an offline channel open, each a resident's flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfflineGroup {
    Orphan,
    UnsupportedChild,
    LeftBehindChild,
    Disabled,
    NoSmartphone,
}

impl OfflineGroup {
    pub const ALL: [OfflineGroup; 5] = [
        OfflineGroup::Orphan,
        OfflineGroup::UnsupportedChild,
        OfflineGroup::LeftBehindChild,
        OfflineGroup::Disabled,
        OfflineGroup::NoSmartphone,
    ];

    /// The resident's flag that puts them in the group.
    pub fn field(self) -> &'static str {
        use crate::entities::resident::field;
        match self {
            OfflineGroup::Orphan => field::TAG_ORPHAN,
            OfflineGroup::UnsupportedChild => field::TAG_UNSUPPORTED_CHILD,
            OfflineGroup::LeftBehindChild => field::TAG_LEFT_BEHIND_CHILD,
            OfflineGroup::Disabled => field::TAG_DISABLED,
            OfflineGroup::NoSmartphone => field::TAG_NO_SMARTPHONE,
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            OfflineGroup::Orphan => "孤儿",
            OfflineGroup::UnsupportedChild => "事实无人抚养儿童",
            OfflineGroup::LeftBehindChild => "农村留守儿童",
            OfflineGroup::Disabled => "残疾人",
            OfflineGroup::NoSmartphone => "不会使用智能手机",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            OfflineGroup::Orphan => "orphan",
            OfflineGroup::UnsupportedChild => "de-facto unsupported child",
            OfflineGroup::LeftBehindChild => "rural left-behind child",
            OfflineGroup::Disabled => "disabled",
            OfflineGroup::NoSmartphone => "cannot use a smartphone",
        }
    }
}

/// What the rule looks at: a resident's fields plus their latest contact visit. Build it with
/// [`RiskInput::from_fields`] and [`RiskInput::set_latest_visit`] from merged records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskInput {
    pub birth_date: Option<Date>,
    pub living_alone: bool,
    pub minor: bool,
    pub child_under3: bool,
    pub pregnant: bool,
    pub disabled: bool,
    pub chronic: bool,
    pub severe_mental: bool,
    pub orphan: bool,
    pub unsupported_child: bool,
    pub left_behind_child: bool,
    pub no_smartphone: bool,
    pub hypertension: bool,
    pub diabetes: bool,
    pub heart: bool,
    pub lung: bool,
    pub kidney: bool,
    pub cancer: bool,
    pub immunosuppressed: bool,
    /// `None` when not recorded, which is not the same as 0.
    pub vacc_doses: Option<i64>,
    pub vacc_contraindication: bool,
    pub warn_low_spo2: bool,
    pub warn_breathing: bool,
    pub warn_confusion: bool,
    pub warn_high_fever: bool,
    pub latest_spo2: Option<i64>,
    /// The day of the latest contact visit.
    pub last_visit: Option<Date>,
    /// The follow-up date set at the latest contact visit.
    pub follow_up: Option<Date>,
    /// The day of the latest `in_person` visit: what an offline channel's interval counts from.
    pub last_in_person: Option<Date>,
}

impl RiskInput {
    /// From a resident's merged fields (a snapshot row or a device's stamped record). Missing,
    /// `null` or mistyped values read as "not set".
    pub fn from_fields<R: Fields + ?Sized>(resident: &R) -> RiskInput {
        let r = Resident(resident);
        RiskInput {
            birth_date: r.birth_date(),
            living_alone: r.tag_living_alone(),
            minor: r.tag_minor(),
            child_under3: r.tag_child_under3(),
            pregnant: r.tag_pregnant(),
            disabled: r.tag_disabled(),
            chronic: r.tag_chronic(),
            severe_mental: r.tag_severe_mental(),
            orphan: r.tag_orphan(),
            unsupported_child: r.tag_unsupported_child(),
            left_behind_child: r.tag_left_behind_child(),
            no_smartphone: r.tag_no_smartphone(),
            hypertension: r.cond_hypertension(),
            diabetes: r.cond_diabetes(),
            heart: r.cond_heart(),
            lung: r.cond_lung(),
            kidney: r.cond_kidney(),
            cancer: r.cond_cancer(),
            immunosuppressed: r.cond_immunosuppressed(),
            vacc_doses: r.vacc_doses(),
            vacc_contraindication: r.vacc_contraindication(),
            ..RiskInput::default()
        }
    }

    /// Takes the warning signs, day and follow-up of the latest contact visit (pick it with
    /// [`latest_contact`]). `utc_offset_minutes` turns `visited_at` into a local day
    /// ([`crate::date::CHINA_UTC_OFFSET_MINUTES`]).
    pub fn set_latest_visit<R: Fields + ?Sized>(&mut self, visit: &R, utc_offset_minutes: i32) {
        let v = Visit(visit);
        self.warn_low_spo2 = v.warn_low_spo2();
        self.warn_breathing = v.warn_breathing();
        self.warn_confusion = v.warn_confusion();
        self.warn_high_fever = v.warn_high_fever();
        self.latest_spo2 = v.spo2();
        self.last_visit = v
            .visited_at()
            .map(|ms| Date::from_unix_ms_offset(ms, utc_offset_minutes));
        self.follow_up = v.next_follow_up();
    }

    /// Reads what the rule needs of a resident's visits (any order, deleted ones included: they
    /// are skipped): the latest contact's signs, day and follow-up, and the latest in-person day.
    pub fn set_visits<'a, R: Fields + ?Sized + 'a>(
        &mut self,
        visits: impl IntoIterator<Item = &'a R> + Clone,
        utc_offset_minutes: i32,
    ) {
        if let Some(latest) = latest_contact(visits.clone()) {
            self.set_latest_visit(latest, utc_offset_minutes);
        }
        self.last_in_person = visits
            .into_iter()
            .map(Visit)
            .filter(|v| !v.is_deleted() && v.method() == Some(IN_PERSON))
            .filter_map(|v| v.visited_at())
            .max()
            .map(|ms| Date::from_unix_ms_offset(ms, utc_offset_minutes));
    }

    /// The offline-channel groups the resident is in, in [`OfflineGroup::ALL`]'s order.
    pub fn offline_groups(&self) -> Vec<OfflineGroup> {
        use OfflineGroup::*;
        [
            (self.orphan, Orphan),
            (self.unsupported_child, UnsupportedChild),
            (self.left_behind_child, LeftBehindChild),
            (self.disabled, Disabled),
            (self.no_smartphone, NoSmartphone),
        ]
        .into_iter()
        .filter(|(hit, _)| *hit)
        .map(|(_, g)| g)
        .collect()
    }

    fn has_condition(&self) -> bool {
        self.hypertension
            || self.diabetes
            || self.heart
            || self.lung
            || self.kidney
            || self.cancer
            || self.immunosuppressed
            || self.chronic
    }
}

/// The latest visit that reached the resident: not deleted, not `not_home`, with a `visited_at`.
pub fn latest_contact<'a, R: Fields + ?Sized + 'a>(
    visits: impl IntoIterator<Item = &'a R>,
) -> Option<&'a R> {
    visits
        .into_iter()
        .map(Visit)
        .filter(|v| !v.is_deleted() && v.method() != Some("not_home"))
        .filter_map(|v| Some((v.visited_at()?, v.fields())))
        .max_by_key(|(at, _)| *at)
        .map(|(_, v)| v)
}

/// The outcome: the tier, every reason that applied (most severe first), the age used, and the
/// offline-channel groups the resident is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub tier: Tier,
    pub reasons: Vec<Reason>,
    pub age: Option<u32>,
    pub offline: Vec<OfflineGroup>,
}

impl Assessment {
    pub fn aged_65(&self) -> bool {
        self.age.is_some_and(|a| a >= 65)
    }
}

/// The rule of the module documentation.
pub fn assess(input: &RiskInput, today: Date) -> Assessment {
    use Reason::*;
    let age = input.birth_date.map(|b| age_on(b, today));
    let aged = |years: u32| age.is_some_and(|a| a >= years);
    let spo2_low = input.latest_spo2.is_some_and(|s| s < LOW_SPO2);
    let unvaccinated = input.vacc_doses == Some(0) || input.vacc_contraindication;
    // A birth date in the future is a typo, not a baby.
    let under3 = input.child_under3
        || (input.birth_date.is_some_and(|b| b <= today) && age.is_some_and(|a| a < 3));

    let rules = [
        (input.warn_low_spo2 || spo2_low, WarnLowSpo2),
        (input.warn_breathing, WarnBreathing),
        (input.warn_confusion, WarnConfusion),
        (input.warn_high_fever, WarnHighFever),
        (aged(80), Aged80),
        (aged(65) && input.has_condition(), Aged65WithCondition),
        (aged(65) && unvaccinated, Aged65Unvaccinated),
        (input.immunosuppressed, Immunosuppressed),
        (input.cancer, Cancer),
        (input.severe_mental, SevereMental),
        // 80+ already says it; "65+" alongside would only repeat it.
        (aged(65) && !aged(80), Aged65),
        (input.hypertension, Hypertension),
        (input.diabetes, Diabetes),
        (input.heart, Heart),
        (input.lung, Lung),
        (input.kidney, Kidney),
        (input.chronic, Chronic),
        (input.pregnant, Pregnant),
        (under3, ChildUnder3),
        (input.disabled, Disabled),
        (input.living_alone, LivingAlone),
    ];
    let reasons: Vec<Reason> = rules
        .into_iter()
        .filter(|(hit, _)| *hit)
        .map(|(_, r)| r)
        .collect();
    let tier = reasons
        .iter()
        .map(|r| r.tier())
        .min()
        .unwrap_or(Tier::Green);
    Assessment {
        tier,
        reasons,
        age,
        offline: input.offline_groups(),
    }
}

/// Days between routine visits per tier; `green_aged_65` applies only to the 65+, `in_person`
/// to the offline-channel groups, whatever their tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intervals {
    pub red: u32,
    pub yellow: u32,
    pub green_aged_65: u32,
    pub in_person: u32,
}

impl Intervals {
    /// The defaults of `docs/design.md#key-groups-and-risk-tiers`.
    pub const DEFAULT: Intervals = Intervals {
        red: 2,
        yellow: 7,
        green_aged_65: 30,
        in_person: 14,
    };

    /// An assessed resident's two due dates: the tier's (and follow-up's) by
    /// [`Intervals::next_due`], and the offline channel's visit at the door.
    pub fn dues(&self, a: &Assessment, input: &RiskInput, today: Date) -> Dues {
        Dues {
            routine: self.next_due(
                a.tier,
                input.last_visit,
                a.aged_65(),
                input.follow_up,
                today,
            ),
            door: (!a.offline.is_empty()).then(|| {
                input
                    .last_in_person
                    .map_or(today, |d| d.add_days(i64::from(self.in_person)))
            }),
        }
    }

    /// See the module documentation, "Due dates". `None`: no visit is due.
    pub fn next_due(
        &self,
        tier: Tier,
        last_visit: Option<Date>,
        aged_65: bool,
        follow_up: Option<Date>,
        today: Date,
    ) -> Option<Date> {
        let interval = match tier {
            Tier::Red => Some(self.red),
            Tier::Yellow => Some(self.yellow),
            Tier::Green if aged_65 => Some(self.green_aged_65),
            Tier::Green => None,
        };
        let routine = interval.map(|days| match last_visit {
            Some(d) => d.add_days(i64::from(days)),
            None => today,
        });
        // A follow-up set before the latest visit was met by it.
        let follow_up = follow_up.filter(|f| last_visit.is_none_or(|v| *f >= v));
        match (routine, follow_up) {
            (Some(r), Some(f)) => Some(r.min(f)),
            (r, f) => r.or(f),
        }
    }
}

impl Default for Intervals {
    fn default() -> Intervals {
        Intervals::DEFAULT
    }
}

/// A resident's due dates, [`Intervals::dues`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dues {
    /// The tier's routine visit or the worker's follow-up; `None` when neither is due.
    pub routine: Option<Date>,
    /// The offline channel's visit in person; `None` for anyone not in its groups.
    pub door: Option<Date>,
}

impl Dues {
    /// The due date: the earlier of the two.
    pub fn due(self) -> Option<Date> {
        match (self.routine, self.door) {
            (Some(r), Some(p)) => Some(r.min(p)),
            (r, p) => r.or(p),
        }
    }

    /// Due by `today` only for the visit at the door: the tier's own visit is not due, and a
    /// call would not meet it.
    pub fn only_at_the_door(self, today: Date) -> bool {
        let by_today = |d: Option<Date>| d.is_some_and(|d| d <= today);
        by_today(self.door) && !by_today(self.routine)
    }
}

/// [`Intervals::next_due`] with the default intervals.
pub fn next_due(
    tier: Tier,
    last_visit: Option<Date>,
    aged_65: bool,
    follow_up: Option<Date>,
    today: Date,
) -> Option<Date> {
    Intervals::DEFAULT.next_due(tier, last_visit, aged_65, follow_up, today)
}

/// Assess and compute the due date in one go, with the default intervals.
pub fn assess_with_due(input: &RiskInput, today: Date) -> (Assessment, Option<Date>) {
    let a = assess(input, today);
    let due = Intervals::DEFAULT.dues(&a, input, today).due();
    (a, due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::DELETED;
    use serde_json::{json, Value};
    use std::collections::BTreeMap;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    const TODAY: &str = "2025-11-28";

    #[test]
    fn a_tiers_key_is_its_wire_word() {
        for t in [Tier::Red, Tier::Yellow, Tier::Green] {
            assert_eq!(json!(t.key()), serde_json::to_value(t).unwrap());
        }
    }

    fn born(s: &str) -> RiskInput {
        RiskInput {
            birth_date: Some(d(s)),
            ..RiskInput::default()
        }
    }

    fn tier(i: &RiskInput) -> Tier {
        assess(i, d(TODAY)).tier
    }

    fn reasons(i: &RiskInput) -> Vec<Reason> {
        assess(i, d(TODAY)).reasons
    }

    #[test]
    fn nobody_special_is_green() {
        let a = assess(&born("1990-01-01"), d(TODAY));
        assert_eq!(
            a,
            Assessment {
                tier: Tier::Green,
                reasons: vec![],
                age: Some(35),
                offline: vec![],
            }
        );
        assert_eq!(tier(&RiskInput::default()), Tier::Green);
        let social = RiskInput {
            minor: true,
            orphan: true,
            unsupported_child: true,
            left_behind_child: true,
            ..born("2015-01-01")
        };
        assert_eq!(tier(&social), Tier::Green);
    }

    #[test]
    fn age_65_starts_on_the_birthday() {
        let day_before = born("1960-11-29");
        assert_eq!(assess(&day_before, d(TODAY)).age, Some(64));
        assert_eq!(tier(&day_before), Tier::Green);
        let birthday = born("1960-11-28");
        assert_eq!(reasons(&birthday), vec![Reason::Aged65]);
        assert_eq!(tier(&birthday), Tier::Yellow);
        assert!(assess(&birthday, d(TODAY)).aged_65());
    }

    #[test]
    fn age_80_is_red_on_the_birthday() {
        assert_eq!(tier(&born("1945-11-29")), Tier::Yellow);
        assert_eq!(reasons(&born("1945-11-28")), vec![Reason::Aged80]);
        assert_eq!(tier(&born("1945-11-28")), Tier::Red);
    }

    #[test]
    fn warning_signs_are_red_at_once() {
        for set in [
            |i: &mut RiskInput| i.warn_low_spo2 = true,
            |i: &mut RiskInput| i.warn_breathing = true,
            |i: &mut RiskInput| i.warn_confusion = true,
            |i: &mut RiskInput| i.warn_high_fever = true,
            |i: &mut RiskInput| i.latest_spo2 = Some(92),
        ] {
            let mut i = born("1995-05-05");
            set(&mut i);
            assert_eq!(tier(&i), Tier::Red, "{i:?}");
        }
        let ok = RiskInput {
            latest_spo2: Some(93),
            ..born("1995-05-05")
        };
        assert_eq!(tier(&ok), Tier::Green);
        let both = RiskInput {
            latest_spo2: Some(88),
            warn_low_spo2: true,
            ..Default::default()
        };
        assert_eq!(reasons(&both), vec![Reason::WarnLowSpo2]);
    }

    #[test]
    fn aged_65_with_a_condition_is_red_without_it_yellow() {
        let with = RiskInput {
            diabetes: true,
            ..born("1955-01-01")
        };
        assert_eq!(tier(&with), Tier::Red);
        assert_eq!(
            reasons(&with),
            vec![
                Reason::Aged65WithCondition,
                Reason::Aged65,
                Reason::Diabetes
            ]
        );
        let chronic = RiskInput {
            chronic: true,
            ..born("1955-01-01")
        };
        assert_eq!(tier(&chronic), Tier::Red);
        let young = RiskInput {
            diabetes: true,
            ..born("1975-01-01")
        };
        assert_eq!(tier(&young), Tier::Yellow);
        assert_eq!(reasons(&young), vec![Reason::Diabetes]);
    }

    #[test]
    fn unvaccinated_65_is_red_and_unknown_doses_raise_nothing() {
        let none = RiskInput {
            vacc_doses: Some(0),
            ..born("1955-01-01")
        };
        assert_eq!(
            reasons(&none),
            vec![Reason::Aged65Unvaccinated, Reason::Aged65]
        );
        let contra = RiskInput {
            vacc_doses: Some(3),
            vacc_contraindication: true,
            ..born("1955-01-01")
        };
        assert_eq!(tier(&contra), Tier::Red);
        let vaccinated = RiskInput {
            vacc_doses: Some(3),
            ..born("1955-01-01")
        };
        assert_eq!(tier(&vaccinated), Tier::Yellow);
        let unknown = born("1955-01-01");
        assert_eq!(tier(&unknown), Tier::Yellow);
        let young = RiskInput {
            vacc_doses: Some(0),
            ..born("1990-01-01")
        };
        assert_eq!(tier(&young), Tier::Green);
    }

    #[test]
    fn some_conditions_are_red_at_any_age() {
        for set in [
            |i: &mut RiskInput| i.immunosuppressed = true,
            |i: &mut RiskInput| i.cancer = true,
            |i: &mut RiskInput| i.severe_mental = true,
        ] {
            let mut i = born("2000-01-01");
            set(&mut i);
            assert_eq!(tier(&i), Tier::Red);
            let mut unknown_age = RiskInput::default();
            set(&mut unknown_age);
            assert_eq!(tier(&unknown_age), Tier::Red);
        }
    }

    #[test]
    fn yellow_groups() {
        for set in [
            |i: &mut RiskInput| i.hypertension = true,
            |i: &mut RiskInput| i.heart = true,
            |i: &mut RiskInput| i.lung = true,
            |i: &mut RiskInput| i.kidney = true,
            |i: &mut RiskInput| i.pregnant = true,
            |i: &mut RiskInput| i.child_under3 = true,
            |i: &mut RiskInput| i.disabled = true,
            |i: &mut RiskInput| i.living_alone = true,
        ] {
            let mut i = born("1990-01-01");
            set(&mut i);
            assert_eq!(tier(&i), Tier::Yellow, "{i:?}");
        }
    }

    #[test]
    fn under_3_follows_the_birth_date() {
        assert_eq!(reasons(&born("2022-11-29")), vec![Reason::ChildUnder3]);
        assert_eq!(tier(&born("2022-11-28")), Tier::Green);
        // A birth date in the future is a typo, not a baby.
        assert_eq!(tier(&born("2026-01-01")), Tier::Green);
    }

    #[test]
    fn reasons_are_most_severe_first_with_labels() {
        let i = RiskInput {
            living_alone: true,
            warn_breathing: true,
            ..born("1940-01-01")
        };
        let r = reasons(&i);
        assert_eq!(
            r,
            vec![Reason::WarnBreathing, Reason::Aged80, Reason::LivingAlone]
        );
        assert_eq!(r[0].zh(), "呼吸困难");
        assert_eq!(r[0].en(), "breathing difficulty");
        assert_eq!(serde_json::to_string(&r[1]).unwrap(), "\"aged80\"");
        assert_eq!(serde_json::to_string(&Tier::Yellow).unwrap(), "\"yellow\"");
        let mut tiers = vec![Tier::Green, Tier::Red, Tier::Yellow];
        tiers.sort();
        assert_eq!(tiers, [Tier::Red, Tier::Yellow, Tier::Green]);
    }

    #[test]
    fn due_dates() {
        let today = d(TODAY);
        let last = Some(d("2025-11-20"));
        assert_eq!(
            next_due(Tier::Red, last, false, None, today),
            Some(d("2025-11-22"))
        );
        assert_eq!(
            next_due(Tier::Yellow, last, false, None, today),
            Some(d("2025-11-27"))
        );
        assert_eq!(
            next_due(Tier::Green, last, true, None, today),
            Some(d("2025-12-20"))
        );
        assert_eq!(next_due(Tier::Green, last, false, None, today), None);
        // Never visited: due now, unless there is no routine visit at all.
        assert_eq!(
            next_due(Tier::Yellow, None, false, None, today),
            Some(today)
        );
        assert_eq!(next_due(Tier::Green, None, false, None, today), None);
        // A worker's follow-up date brings a visit forward, or makes a green under-65 due.
        let f = Some(d("2025-11-23"));
        assert_eq!(next_due(Tier::Yellow, last, false, f, today), f);
        assert_eq!(
            next_due(Tier::Red, last, false, f, today),
            Some(d("2025-11-22"))
        );
        assert_eq!(next_due(Tier::Green, last, false, f, today), f);
        assert_eq!(
            next_due(Tier::Green, last, false, Some(d("2025-11-19")), today),
            None
        );
        let custom = Intervals {
            red: 1,
            ..Intervals::DEFAULT
        };
        assert_eq!(
            custom.next_due(Tier::Red, last, false, None, today),
            Some(d("2025-11-21"))
        );
    }

    #[test]
    fn from_merged_fields() {
        let resident: BTreeMap<String, Value> = [
            ("birth_date", json!("1950-03-01")),
            ("cond_heart", json!(true)),
            ("tag_living_alone", json!(false)),
            ("tag_pregnant", Value::Null),
            ("vacc_doses", json!(2)),
            ("name", json!("李大爷")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let mut i = RiskInput::from_fields(&resident);
        assert_eq!(i.birth_date, Some(d("1950-03-01")));
        assert!(i.heart && !i.living_alone && !i.pregnant);
        assert_eq!(i.vacc_doses, Some(2));

        let visit = |at: i64, method: &str, extra: (&str, Value)| -> BTreeMap<String, Value> {
            [("visited_at", json!(at)), ("method", json!(method)), extra]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect()
        };
        // 2025-11-27 20:00 UTC is already the 28th in Beijing.
        let visits = [
            visit(1_764_273_600_000, "in_person", ("spo2", json!(91))),
            visit(1_764_100_000_000, "phone", ("warn_confusion", json!(true))),
            visit(1_764_300_000_000, "not_home", ("notes", json!("敲门无人"))),
            visit(1_764_290_000_000, "wechat", (DELETED, json!(true))),
        ];
        let latest = latest_contact(&visits).unwrap();
        assert_eq!(latest["spo2"], json!(91));
        i.set_latest_visit(latest, crate::date::CHINA_UTC_OFFSET_MINUTES);
        assert_eq!(i.last_visit, Some(d("2025-11-28")));
        assert!(!i.warn_confusion);
        let (a, due) = assess_with_due(&i, d(TODAY));
        assert_eq!(a.tier, Tier::Red);
        assert_eq!(a.reasons[0], Reason::WarnLowSpo2);
        assert_eq!(due, Some(d("2025-11-30")));
        assert_eq!(latest_contact(&visits[2..]), None);
    }

    #[test]
    fn the_offline_channel_is_met_only_at_the_door_every_14_days() {
        let today = d(TODAY);
        let ms = |day: &str| (d(day).days_since_epoch() * 86_400_000) + 4 * 3_600_000;
        let visit = |day: &str, method: &str| -> BTreeMap<String, Value> {
            [("visited_at", json!(ms(day))), ("method", json!(method))]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect()
        };
        let due = |input: &RiskInput, visits: &[BTreeMap<String, Value>]| {
            let mut i = input.clone();
            i.set_visits(visits, crate::date::CHINA_UTC_OFFSET_MINUTES);
            assess_with_due(&i, today)
        };
        // A green orphan of 10: no routine visit, but due at the door.
        let orphan = RiskInput {
            orphan: true,
            ..born("2015-06-01")
        };
        let (a, never) = due(&orphan, &[]);
        assert_eq!(
            (a.tier, a.offline.clone()),
            (Tier::Green, vec![OfflineGroup::Orphan])
        );
        assert_eq!(never, Some(today), "never seen in person: due today");
        // A call yesterday does not meet it; a visit at the door 10 days ago does, for 14 days.
        assert_eq!(due(&orphan, &[visit("2025-11-27", "phone")]).1, Some(today));
        assert_eq!(
            due(
                &orphan,
                &[
                    visit("2025-11-18", "in_person"),
                    visit("2025-11-27", "phone")
                ]
            )
            .1,
            Some(d("2025-12-02"))
        );
        // Not at home is no visit at the door either.
        assert_eq!(
            due(&orphan, &[visit("2025-11-27", "not_home")]).1,
            Some(today)
        );

        // Yellow by disability: the tier's 7 days after the last call come first.
        let disabled = RiskInput {
            disabled: true,
            ..born("1980-01-01")
        };
        assert_eq!(
            due(
                &disabled,
                &[
                    visit("2025-11-10", "in_person"),
                    visit("2025-11-26", "phone")
                ]
            )
            .1,
            Some(d("2025-11-24")),
            "14 days after the door visit is earlier than 7 after the call"
        );
        assert_eq!(
            due(&disabled, &[visit("2025-11-20", "in_person")]).1,
            Some(d("2025-11-27"))
        );

        // Who cannot use a smartphone, and only the five groups.
        let no_phone = RiskInput {
            no_smartphone: true,
            minor: true,
            living_alone: true,
            ..born("1990-01-01")
        };
        assert_eq!(no_phone.offline_groups(), vec![OfflineGroup::NoSmartphone]);
        assert!(born("1990-01-01").offline_groups().is_empty());
        assert_eq!(due(&born("1990-01-01"), &[]).1, None);
        for g in OfflineGroup::ALL {
            assert!(
                crate::entities::resident::TAGS.contains(&g.field()),
                "{g:?}"
            );
        }
    }
}
