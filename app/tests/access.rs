//! The access table the app is built with (`app/build.rs`) against the model's rules it was
//! worked out from: a page, an action or the risk tier is shown to exactly the roles the server
//! allows.

use app::access;
use model::access::{can_assess, Action, Page};
use model::Role;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn every_page_opens_for_the_roles_the_model_says() {
    for page in Page::ALL {
        for role in Role::ALL {
            assert_eq!(
                access::opens(page, role),
                page.opens_for(role),
                "{page:?} {role:?}"
            );
        }
    }
    assert!(access::opens(Page::Today, Role::GridWorker));
    assert!(!access::opens(Page::Users, Role::GridWorker));
}

#[wasm_bindgen_test]
fn every_action_is_allowed_to_the_roles_the_model_says() {
    for action in Action::ALL {
        for role in Role::ALL {
            assert_eq!(
                access::allows(action, role),
                action.allowed_for(role),
                "{action:?} {role:?}"
            );
        }
    }
    assert!(access::allows(Action::RecordVisit, Role::GridWorker));
    assert!(!access::allows(Action::ManageUsers, Role::Volunteer));
}

#[wasm_bindgen_test]
fn the_risk_tier_is_shown_to_the_roles_that_read_its_inputs() {
    for role in Role::ALL {
        assert_eq!(access::assesses(role), can_assess(role), "{role:?}");
    }
    assert!(!access::assesses(Role::Volunteer));
}
