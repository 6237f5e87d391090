//! Tests of `access`: the table ties back to the schema's rights and says what the design says.

use super::*;
use crate::entities::spot_check;
use crate::record::Values;
use crate::risk::{assess, RiskInput, Tier};
use crate::schema::entities;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn pages_of(role: Role) -> BTreeSet<Page> {
    Page::ALL
        .into_iter()
        .filter(|p| p.opens_for(role))
        .collect()
}

#[test]
fn each_role_opens_the_pages_of_its_work() {
    use Page::*;
    assert_eq!(
        pages_of(Role::Volunteer),
        BTreeSet::from([Me, Sync, Guides, Services, Facility, Deliveries])
    );
    // The level above: its queue of escalated needs and reports, the directory, the guides.
    assert_eq!(
        pages_of(Role::StreetOffice),
        BTreeSet::from([Me, Sync, Guides, Upward, Services, Facility])
    );
    let worker = pages_of(Role::GridWorker);
    for p in [Packs, Overview, Users, Import, SpotChecks, Upward] {
        assert!(!worker.contains(&p), "grid worker opens {p:?}");
    }
    assert_eq!(worker.len(), Page::ALL.len() - 6);
    let supervisor = pages_of(Role::Supervisor);
    // A supervisor does not write visits, answers no escalation (the level above does), and
    // accounts are the admin's.
    assert_eq!(
        Page::ALL
            .into_iter()
            .filter(|p| !supervisor.contains(p))
            .collect::<Vec<_>>(),
        vec![Visit, Upward, Users]
    );
    assert_eq!(pages_of(Role::Admin).len(), Page::ALL.len());
}

#[test]
fn every_role_may_open_its_home_and_its_card() {
    for role in Role::ALL {
        assert!(Page::home(role).opens_for(role), "{role:?}");
        assert!(Page::Me.opens_for(role) && Page::Sync.opens_for(role));
    }
}

#[test]
fn writing_actions_follow_the_schemas_write_rights() {
    let writes = |role: Role, entity: &str| schema::entity(entity).unwrap().can_write_any(role);
    for role in Role::ALL {
        let may = |a: Action| a.allowed_for(role);
        // The households page's 新增住户 only for who writes households, and so on.
        let writes_field = |e: &str, f: &str| schema::can_write(role, e, f);
        assert_eq!(
            may(Action::AddHousehold),
            writes_field(household::NAME, household::field::ADDRESS)
        );
        assert_eq!(may(Action::EditResident), writes(role, resident::NAME));
        assert_eq!(may(Action::RecordVisit), writes(role, visit::NAME));
        assert_eq!(may(Action::RecordEducation), writes(role, education::NAME));
        assert_eq!(may(Action::EditFacility), writes(role, facility::NAME));
        assert_eq!(
            may(Action::RecordMobilisation),
            writes(role, mobilisation::NAME)
        );
        assert_eq!(
            may(Action::RaiseNeed),
            writes_field(need::NAME, need::field::KIND)
        );
        assert_eq!(
            may(Action::AnswerEscalation),
            writes_field(need::NAME, need::field::UPWARD_STATUS)
        );
        assert_eq!(
            may(Action::CreatePackBatch),
            writes(role, pack_plan_item::NAME)
        );
        assert_eq!(
            may(Action::MarkDelivery),
            schema::can_write(role, pack_delivery::NAME, pack_delivery::field::STATUS)
        );
        // Every action's written field is one the role may write.
        for a in Action::ALL {
            for n in a.needs() {
                if let (true, Needs::Write(e, f)) = (may(a), n) {
                    assert!(schema::can_write(role, e, f), "{role:?} {a:?} {e}.{f}");
                }
            }
        }
    }
    assert!(!Action::RecordStockMove.allowed_for(Role::Volunteer));
    assert!(!Action::RecordStockMove.allowed_for(Role::GridWorker));
    assert!(Action::RecordStockMove.allowed_for(Role::Supervisor));
}

#[test]
fn every_need_names_a_real_entity_and_field() {
    let needs = Page::ALL
        .iter()
        .flat_map(|p| p.needs())
        .chain(Action::ALL.iter().flat_map(|a| a.needs()));
    for n in needs {
        match *n {
            Needs::ReadAll(e) | Needs::ReceiveAll(e) => assert!(schema::entity(e).is_some(), "{e}"),
            Needs::Write(e, f) => assert!(schema::field(e, f).is_some(), "{e}.{f}"),
            _ => {}
        }
    }
    for (e, f) in RISK_INPUTS {
        assert!(schema::field(e, f).is_some(), "{e}.{f}");
    }
}

#[test]
fn a_page_of_whole_records_opens_only_for_who_reads_every_field() {
    for role in Role::ALL {
        let reads_all = |e: &str| {
            schema::entity(e)
                .unwrap()
                .fields
                .iter()
                .all(|f| f.can_read(role))
        };
        assert_eq!(Page::Resident.opens_for(role), reads_all(resident::NAME));
        // The board counts every need of the grids: not for the level above, sent a few.
        assert_eq!(
            Page::Needs.opens_for(role),
            reads_all(need::NAME) && receives_all(role, need::NAME)
        );
        // A page with a tier opens only for who reads every input of it.
        for p in Page::ALL {
            if p.needs().contains(&Needs::Assess) && p.opens_for(role) {
                for (e, f) in RISK_INPUTS {
                    assert!(schema::can_read(role, e, f), "{role:?} {p:?} {e}.{f}");
                }
            }
        }
    }
    // The volunteer's copy of a resident lacks the health fields: no tier from it.
    assert!(!can_assess(Role::Volunteer));
    assert!(can_assess(Role::GridWorker) && can_assess(Role::Supervisor));
}

#[test]
fn the_risk_tier_reads_no_resident_field_but_its_inputs() {
    // Every resident field that is not an input, set as alarmingly as its type allows, leaves a
    // young healthy person green; so a role that reads the inputs has all the tier needs.
    let inputs: BTreeSet<&str> = RISK_INPUTS
        .iter()
        .filter(|(e, _)| *e == resident::NAME)
        .map(|(_, f)| *f)
        .collect();
    let mut values: Values = schema::entity(resident::NAME)
        .unwrap()
        .fields
        .iter()
        .filter(|f| !inputs.contains(f.name) && f.name != schema::DELETED)
        .map(|f| {
            let v = match f.ty {
                crate::FieldType::Boolean => json!(true),
                crate::FieldType::Integer | crate::FieldType::Decimal => json!(0),
                crate::FieldType::Date => json!("1930-01-01"),
                _ => json!("x"),
            };
            (f.name.to_owned(), v)
        })
        .collect();
    values.insert(
        resident::field::BIRTH_DATE.to_owned(),
        Value::from("1990-01-01"),
    );
    values.insert(resident::field::VACC_DOSES.to_owned(), Value::from(3));
    let today = crate::Date::parse("2025-11-28").unwrap();
    let a = assess(&RiskInput::from_fields(&values), today);
    assert_eq!(a.tier, Tier::Green, "{:?}", a.reasons);
}

#[test]
fn volunteers_receive_whole_only_the_shared_lists() {
    for e in entities() {
        assert_eq!(
            receives_all(Role::Volunteer, e.name),
            VOLUNTEER_RECEIVES_ALL.contains(&e.name),
            "{}",
            e.name
        );
        // What a volunteer receives whole is no grid's and holds no health data.
        if receives_all(Role::Volunteer, e.name) {
            assert!(!e.grid_scoped);
        }
        for role in [Role::Admin, Role::Supervisor, Role::GridWorker] {
            // A grid worker never receives the checks of their visits (issue 17).
            let kept_from = role == Role::GridWorker
                && [
                    spot_check::NAME,
                    crate::entities::report::NAME,
                    crate::entities::support_request::NAME,
                ]
                .contains(&e.name);
            assert_eq!(
                receives_all(role, e.name),
                !kept_from,
                "{role:?} {}",
                e.name
            );
        }
    }
    assert!(!Page::Supplies.opens_for(Role::Volunteer));
}

#[test]
fn endpoints_match_the_documented_table() {
    use Role::*;
    assert_eq!(
        Endpoint::Dashboard.roles(),
        &[Admin, Supervisor, GridWorker]
    );
    assert_eq!(Endpoint::Users.roles(), &[Admin]);
    assert_eq!(Endpoint::RosterImport.roles(), &[Admin, Supervisor]);
}

#[test]
fn a_building_leader_opens_the_grid_workers_pages_and_hands_no_door_on() {
    // Their share is narrower (the server's), their pages and actions are a grid worker's.
    assert_eq!(pages_of(Role::BuildingLeader), pages_of(Role::GridWorker));
    assert_eq!(Page::home(Role::BuildingLeader), Page::Today);
    for a in Action::ALL {
        let expected = a != Action::AssignResponsible && a.allowed_for(Role::GridWorker);
        assert_eq!(a.allowed_for(Role::BuildingLeader), expected, "{a:?}");
    }
    assert!(Action::AssignResponsible.allowed_for(Role::Supervisor));
    assert!(!Endpoint::Dashboard.allows(Role::BuildingLeader));
}
