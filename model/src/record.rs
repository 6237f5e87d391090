//! Reading records: the one [`Fields`] trait for "a record's current fields" and the typed views
//! (`Resident`, `Visit`, `Need`, …) that every rule, page and export reads through.
//!
//! A record travels as field name → value; the app's store keeps each value with its stamp, the
//! server's snapshot without. Both implement [`Fields`], so one view serves both, and a view's
//! accessor names its field through the entity's constant: a misspelt field does not compile.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::date::Date;
use crate::merge::Stamped;
use crate::schema::DELETED;

/// A new record's id: a UUID of version 7 (RFC 9562), whose first 48 bits are the moment it was
/// made, in ms, and the rest random. Ids made one after the other sort one after the other, so a
/// device's new records go to the end of every index keyed by their id (the server's `fields`
/// and `history`, the phone's store) rather than each to a leaf of its own somewhere in the
/// middle: fewer pages touched and split per push (BENCHMARKS.md, issue 13). The id tells when
/// the record was made, which the stamps of its fields tell already to whoever may read it.
/// Servers accept any id (docs/data-rules.md), so records made before keep theirs.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// One record's plain values by field name: what a merged record, a snapshot row and an import
/// row are.
pub type Values = BTreeMap<String, Value>;

/// A record's current fields. `value` hides `null` (a cleared field reads as unset), and the
/// typed getters read a mistyped value as unset too, so a broken client cannot crash a reader.
pub trait Fields {
    /// The value of `field`, `None` when absent or `null`.
    fn value(&self, field: &str) -> Option<&Value>;

    fn text(&self, field: &str) -> Option<&str> {
        self.value(field).and_then(Value::as_str)
    }

    /// A boolean field: unset reads as false.
    fn flag(&self, field: &str) -> bool {
        self.value(field).and_then(Value::as_bool).unwrap_or(false)
    }

    fn int(&self, field: &str) -> Option<i64> {
        self.value(field).and_then(Value::as_i64)
    }

    fn number(&self, field: &str) -> Option<f64> {
        self.value(field).and_then(Value::as_f64)
    }

    fn date(&self, field: &str) -> Option<Date> {
        self.text(field).and_then(Date::parse)
    }

    fn is_deleted(&self) -> bool {
        self.flag(DELETED)
    }
}

impl Fields for Values {
    fn value(&self, field: &str) -> Option<&Value> {
        self.get(field).filter(|v| !v.is_null())
    }
}

impl Fields for BTreeMap<String, Stamped> {
    fn value(&self, field: &str) -> Option<&Value> {
        self.get(field).map(|s| &s.value).filter(|v| !v.is_null())
    }
}

impl<T: Fields + ?Sized> Fields for &T {
    fn value(&self, field: &str) -> Option<&Value> {
        (**self).value(field)
    }
}

/// How a view's accessor turns a field's value into its Rust type.
pub trait FromField<'a>: Sized {
    fn from_field(value: Option<&'a Value>) -> Self;
}

impl<'a> FromField<'a> for Option<&'a str> {
    fn from_field(value: Option<&'a Value>) -> Self {
        value.and_then(Value::as_str)
    }
}

impl<'a> FromField<'a> for bool {
    fn from_field(value: Option<&'a Value>) -> Self {
        value.and_then(Value::as_bool).unwrap_or(false)
    }
}

impl<'a> FromField<'a> for Option<i64> {
    fn from_field(value: Option<&'a Value>) -> Self {
        value.and_then(Value::as_i64)
    }
}

impl<'a> FromField<'a> for Option<f64> {
    fn from_field(value: Option<&'a Value>) -> Self {
        value.and_then(Value::as_f64)
    }
}

impl<'a> FromField<'a> for Option<Date> {
    fn from_field(value: Option<&'a Value>) -> Self {
        value.and_then(Value::as_str).and_then(Date::parse)
    }
}

/// A typed view of one entity's record: a `Copy` wrapper around anything with [`Fields`], with
/// one accessor per field of the table, typed by the field's type.
macro_rules! view {
    ($view:ident<$lt:lifetime> = $module:ident { $($acc:ident: $ty:ty = $konst:ident,)* }) => {
        #[doc = concat!("A `", stringify!($module), "` record, read through its field constants.")]
        #[derive(Debug)]
        pub struct $view<$lt, R: Fields + ?Sized = Values>(pub &$lt R);

        impl<$lt, R: Fields + ?Sized> Clone for $view<$lt, R> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<$lt, R: Fields + ?Sized> Copy for $view<$lt, R> {}

        impl<$lt, R: Fields + ?Sized> $view<$lt, R> {
            /// The entity's name on the wire.
            pub const ENTITY: &'static str = crate::entities::$module::NAME;

            $(
                pub fn $acc(&self) -> $ty {
                    FromField::from_field(self.0.value(crate::entities::$module::field::$konst))
                }
            )*

            pub fn is_deleted(&self) -> bool {
                self.0.is_deleted()
            }

            /// The record underneath, for what the view does not name.
            pub fn fields(&self) -> &$lt R {
                self.0
            }
        }
    };
}

view! { Grid<'a> = grid {
    name: Option<&'a str> = NAME,
    community: Option<&'a str> = COMMUNITY,
    street: Option<&'a str> = STREET,
    area: Option<&'a str> = AREA,
    lat: Option<f64> = LAT,
    lng: Option<f64> = LNG,
    boundary: Option<&'a str> = BOUNDARY,
    notes: Option<&'a str> = NOTES,
}}

view! { Household<'a> = household {
    grid_id: Option<&'a str> = GRID_ID,
    address: Option<&'a str> = ADDRESS,
    building: Option<&'a str> = BUILDING,
    unit: Option<&'a str> = UNIT,
    room: Option<&'a str> = ROOM,
    village: Option<&'a str> = VILLAGE,
    village_group: Option<&'a str> = VILLAGE_GROUP,
    head_name: Option<&'a str> = HEAD_NAME,
    phone: Option<&'a str> = PHONE,
    notes: Option<&'a str> = NOTES,
    lat: Option<f64> = LAT,
    lng: Option<f64> = LNG,
    status: Option<&'a str> = STATUS,
    status_reason: Option<&'a str> = STATUS_REASON,
    status_date: Option<Date> = STATUS_DATE,
    responsible_id: Option<&'a str> = RESPONSIBLE_ID,
}}

view! { Resident<'a> = resident {
    grid_id: Option<&'a str> = GRID_ID,
    household_id: Option<&'a str> = HOUSEHOLD_ID,
    name: Option<&'a str> = NAME,
    gender: Option<&'a str> = GENDER,
    birth_date: Option<Date> = BIRTH_DATE,
    id_card_last4: Option<&'a str> = ID_CARD_LAST4,
    phone: Option<&'a str> = PHONE,
    relation_to_head: Option<&'a str> = RELATION_TO_HEAD,
    guardian_name: Option<&'a str> = GUARDIAN_NAME,
    guardian_phone: Option<&'a str> = GUARDIAN_PHONE,
    emergency_contact: Option<&'a str> = EMERGENCY_CONTACT,
    emergency_phone: Option<&'a str> = EMERGENCY_PHONE,
    tag_living_alone: bool = TAG_LIVING_ALONE,
    tag_minor: bool = TAG_MINOR,
    tag_child_under3: bool = TAG_CHILD_UNDER3,
    tag_pregnant: bool = TAG_PREGNANT,
    tag_disabled: bool = TAG_DISABLED,
    tag_chronic: bool = TAG_CHRONIC,
    tag_severe_mental: bool = TAG_SEVERE_MENTAL,
    tag_orphan: bool = TAG_ORPHAN,
    tag_unsupported_child: bool = TAG_UNSUPPORTED_CHILD,
    tag_left_behind_child: bool = TAG_LEFT_BEHIND_CHILD,
    tag_no_smartphone: bool = TAG_NO_SMARTPHONE,
    cond_hypertension: bool = COND_HYPERTENSION,
    cond_diabetes: bool = COND_DIABETES,
    cond_heart: bool = COND_HEART,
    cond_lung: bool = COND_LUNG,
    cond_kidney: bool = COND_KIDNEY,
    cond_cancer: bool = COND_CANCER,
    cond_immunosuppressed: bool = COND_IMMUNOSUPPRESSED,
    vacc_doses: Option<i64> = VACC_DOSES,
    vacc_last_date: Option<Date> = VACC_LAST_DATE,
    vacc_contraindication: bool = VACC_CONTRAINDICATION,
    pack_received_date: Option<Date> = PACK_RECEIVED_DATE,
    notes: Option<&'a str> = NOTES,
    status: Option<&'a str> = STATUS,
    status_reason: Option<&'a str> = STATUS_REASON,
    status_date: Option<Date> = STATUS_DATE,
}}

view! { Visit<'a> = visit {
    grid_id: Option<&'a str> = GRID_ID,
    resident_id: Option<&'a str> = RESIDENT_ID,
    household_id: Option<&'a str> = HOUSEHOLD_ID,
    visited_at: Option<i64> = VISITED_AT,
    method: Option<&'a str> = METHOD,
    health_status: Option<&'a str> = HEALTH_STATUS,
    temperature: Option<f64> = TEMPERATURE,
    spo2: Option<i64> = SPO2,
    antigen: Option<&'a str> = ANTIGEN,
    symptom_fever: bool = SYMPTOM_FEVER,
    symptom_cough: bool = SYMPTOM_COUGH,
    symptom_sore_throat: bool = SYMPTOM_SORE_THROAT,
    symptom_fatigue: bool = SYMPTOM_FATIGUE,
    symptom_muscle_pain: bool = SYMPTOM_MUSCLE_PAIN,
    symptom_headache: bool = SYMPTOM_HEADACHE,
    symptom_runny_nose: bool = SYMPTOM_RUNNY_NOSE,
    symptom_taste_smell_loss: bool = SYMPTOM_TASTE_SMELL_LOSS,
    symptom_diarrhea: bool = SYMPTOM_DIARRHEA,
    symptom_chest_tightness: bool = SYMPTOM_CHEST_TIGHTNESS,
    warn_low_spo2: bool = WARN_LOW_SPO2,
    warn_breathing: bool = WARN_BREATHING,
    warn_confusion: bool = WARN_CONFUSION,
    warn_high_fever: bool = WARN_HIGH_FEVER,
    notes: Option<&'a str> = NOTES,
    next_follow_up: Option<Date> = NEXT_FOLLOW_UP,
    worker_id: Option<&'a str> = WORKER_ID,
}}

view! { Need<'a> = need {
    grid_id: Option<&'a str> = GRID_ID,
    resident_id: Option<&'a str> = RESIDENT_ID,
    kind: Option<&'a str> = KIND,
    urgency: Option<&'a str> = URGENCY,
    description: Option<&'a str> = DESCRIPTION,
    status: Option<&'a str> = STATUS,
    assignee_id: Option<&'a str> = ASSIGNEE_ID,
    resolution: Option<&'a str> = RESOLUTION,
    created_at: Option<i64> = CREATED_AT,
    resolved_at: Option<i64> = RESOLVED_AT,
    escalated: bool = ESCALATED,
    upward_status: Option<&'a str> = UPWARD_STATUS,
    upward_note: Option<&'a str> = UPWARD_NOTE,
    upward_at: Option<i64> = UPWARD_AT,
}}

view! { SupplyItem<'a> = supply_item {
    name: Option<&'a str> = NAME,
    unit: Option<&'a str> = UNIT,
    kind: Option<&'a str> = KIND,
    low_stock_threshold: Option<i64> = LOW_STOCK_THRESHOLD,
    resupply_days: Option<i64> = RESUPPLY_DAYS,
}}

view! { StockMove<'a> = stock_move {
    item_id: Option<&'a str> = ITEM_ID,
    site: Option<&'a str> = SITE,
    kind: Option<&'a str> = KIND,
    quantity: Option<i64> = QUANTITY,
    at: Option<i64> = AT,
    delivery_id: Option<&'a str> = DELIVERY_ID,
    worker_id: Option<&'a str> = WORKER_ID,
    note: Option<&'a str> = NOTE,
}}

view! { PackDelivery<'a> = pack_delivery {
    grid_id: Option<&'a str> = GRID_ID,
    resident_id: Option<&'a str> = RESIDENT_ID,
    household_id: Option<&'a str> = HOUSEHOLD_ID,
    volunteer_id: Option<&'a str> = VOLUNTEER_ID,
    plan_id: Option<&'a str> = PLAN_ID,
    contents: Option<&'a str> = CONTENTS,
    status: Option<&'a str> = STATUS,
    status_at: Option<i64> = STATUS_AT,
    note: Option<&'a str> = NOTE,
}}

view! { PackPlanItem<'a> = pack_plan_item {
    plan_id: Option<&'a str> = PLAN_ID,
    item_id: Option<&'a str> = ITEM_ID,
    quantity: Option<i64> = QUANTITY,
    site: Option<&'a str> = SITE,
}}

view! { Facility<'a> = facility {
    kind: Option<&'a str> = KIND,
    name: Option<&'a str> = NAME,
    address: Option<&'a str> = ADDRESS,
    phone: Option<&'a str> = PHONE,
    hours: Option<&'a str> = HOURS,
    notes: Option<&'a str> = NOTES,
    lat: Option<f64> = LAT,
    lng: Option<f64> = LNG,
}}

view! { Education<'a> = education {
    grid_id: Option<&'a str> = GRID_ID,
    household_id: Option<&'a str> = HOUSEHOLD_ID,
    resident_id: Option<&'a str> = RESIDENT_ID,
    guide: Option<&'a str> = GUIDE,
    channel: Option<&'a str> = CHANNEL,
    given_at: Option<i64> = GIVEN_AT,
    worker_id: Option<&'a str> = WORKER_ID,
    notes: Option<&'a str> = NOTES,
}}

view! { Mobilisation<'a> = mobilisation {
    grid_id: Option<&'a str> = GRID_ID,
    resident_id: Option<&'a str> = RESIDENT_ID,
    household_id: Option<&'a str> = HOUSEHOLD_ID,
    outcome: Option<&'a str> = OUTCOME,
    reason: Option<&'a str> = REASON,
    vaccinated_on: Option<Date> = VACCINATED_ON,
    at: Option<i64> = AT,
    worker_id: Option<&'a str> = WORKER_ID,
    notes: Option<&'a str> = NOTES,
}}

view! { SpotCheck<'a> = spot_check {
    grid_id: Option<&'a str> = GRID_ID,
    visit_id: Option<&'a str> = VISIT_ID,
    resident_id: Option<&'a str> = RESIDENT_ID,
    worker_id: Option<&'a str> = WORKER_ID,
    method: Option<&'a str> = METHOD,
    result: Option<&'a str> = RESULT,
    said: Option<&'a str> = SAID,
    checked_at: Option<i64> = CHECKED_AT,
    checker_id: Option<&'a str> = CHECKER_ID,
}}

view! { Gathering<'a> = gathering {
    grid_id: Option<&'a str> = GRID_ID,
    kind: Option<&'a str> = KIND,
    date: Option<Date> = DATE,
    place: Option<&'a str> = PLACE,
    organiser: Option<&'a str> = ORGANISER,
    phone: Option<&'a str> = PHONE,
    expected_size: Option<i64> = EXPECTED_SIZE,
    advice: Option<&'a str> = ADVICE,
    outcome: Option<&'a str> = OUTCOME,
    actual_size: Option<i64> = ACTUAL_SIZE,
}}

view! { Report<'a> = report {
    grid_id: Option<&'a str> = GRID_ID,
    kind: Option<&'a str> = KIND,
    date: Option<Date> = DATE,
    grids: Option<&'a str> = GRIDS,
    grid_names: Option<&'a str> = GRID_NAMES,
    sent_at: Option<i64> = SENT_AT,
    sender_id: Option<&'a str> = SENDER_ID,
    figures: Option<&'a str> = FIGURES,
}}

view! { Duty<'a> = duty {
    grid_id: Option<&'a str> = GRID_ID,
    worker_id: Option<&'a str> = WORKER_ID,
    date: Option<Date> = DATE,
    kind: Option<&'a str> = KIND,
    cover_id: Option<&'a str> = COVER_ID,
    note: Option<&'a str> = NOTE,
}}

view! { SupportRequest<'a> = support_request {
    grid_id: Option<&'a str> = GRID_ID,
    worker_id: Option<&'a str> = WORKER_ID,
    asked_at: Option<i64> = ASKED_AT,
    way: Option<&'a str> = WAY,
    note: Option<&'a str> = NOTE,
    status: Option<&'a str> = STATUS,
    handler_id: Option<&'a str> = HANDLER_ID,
    handled_at: Option<i64> = HANDLED_AT,
}}

view! { UserProfile<'a> = user_profile {
    name: Option<&'a str> = NAME,
    role: Option<&'a str> = ROLE,
    phone: Option<&'a str> = PHONE,
    grids: Option<&'a str> = GRIDS,
}}

/// The roster import's rows: values keyed by the schema's own field-name constants.
impl Fields for BTreeMap<&'static str, Value> {
    fn value(&self, field: &str) -> Option<&Value> {
        self.get(field).filter(|v| !v.is_null())
    }
}

impl<R: Fields + ?Sized> Household<'_, R> {
    /// The address as people say it ([`crate::entities::household::address_line`]).
    pub fn address_line(&self) -> String {
        crate::entities::household::address_line(self.0)
    }
}

impl<R: Fields + ?Sized> Need<'_, R> {
    /// Open, in progress, or with no status yet ([`crate::entities::need::is_open`]).
    pub fn is_open(&self) -> bool {
        crate::entities::need::is_open(self.status())
    }

    pub fn is_emergency(&self) -> bool {
        crate::entities::need::is_emergency(self.kind(), self.urgency())
    }

    /// Whether it has waited longer than its urgency allows at `now_ms`.
    pub fn is_overdue(&self, now_ms: i64) -> bool {
        crate::entities::need::is_overdue(self.urgency(), self.created_at(), now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::new_id;
    use crate::validate::is_valid_id;

    #[test]
    fn new_ids_are_valid_distinct_and_sort_in_the_order_they_were_made() {
        let ids: Vec<String> = (0..1_000).map(|_| new_id()).collect();
        assert!(ids.iter().all(|id| is_valid_id(id) && id.len() == 36));
        // Version 7: the time first, so that ids made later sort later, even within one ms.
        assert!(ids.iter().all(|id| id.as_bytes()[14] == b'7'));
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    }
}
