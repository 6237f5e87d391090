//! The device's session in real Chromium local storage: what keeps a user logged in across a
//! reload and binds their token and stamps to one device.

use app::session::{self, Session};
use model::wire::UserInfo;
use model::Role;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn sample() -> Session {
    Session {
        token: "ab".repeat(32),
        user: UserInfo {
            id: "u1".into(),
            name: "王芳".into(),
            role: Role::GridWorker,
            grids: vec!["g1".into()],
            grid_names: vec!["幸福里第一网格".into()],
        },
        device_id: session::device_id(),
        vaccination: Default::default(),
    }
}

#[wasm_bindgen_test]
fn device_id_is_made_once_and_valid_for_stamps() {
    let a = session::device_id();
    let b = session::device_id();
    assert_eq!(a, b, "the same device keeps its id");
    assert!(model::hlc::is_valid_device_id(&a), "{a}");
}

#[wasm_bindgen_test]
fn a_saved_session_survives_and_clear_forgets_it() {
    session::clear();
    assert_eq!(session::load(), None);
    let s = sample();
    session::save(&s);
    assert_eq!(session::load(), Some(s));
    session::clear();
    assert_eq!(session::load(), None);
}

#[wasm_bindgen_test]
fn a_corrupt_stored_session_reads_as_logged_out() {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .set_item("knock.session", "{not json")
        .unwrap();
    assert_eq!(session::load(), None);
    session::clear();
}

#[wasm_bindgen_test]
fn a_session_stored_before_the_vaccination_policy_loads_with_the_default() {
    let old = serde_json::json!({
        "token": "ab".repeat(32),
        "user": {"id": "u1", "name": "王芳", "role": "grid_worker", "grids": ["g1"], "grid_names": []},
        "device_id": session::device_id(),
    });
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .set_item("knock.session", &old.to_string())
        .unwrap();
    let loaded = session::load().expect("an older session still loads");
    assert_eq!(loaded.vaccination, model::vaccination::Policy::DEFAULT);
    session::clear();
}
