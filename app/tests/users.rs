//! The user administration page's own rules, and the end of a session whose token the server
//! refused, in real Chromium.

use app::api::in_language;
use app::i18n::Locale;
use app::session::{self, Session};
use leptos::prelude::*;
use model::account::{password_ok, username_ok};
use model::wire::UserInfo;
use model::Role;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn a_bilingual_reason_is_shown_in_one_language() {
    let r = "用户名已被使用 (user name is taken)";
    assert_eq!(in_language(r, Locale::zh), "用户名已被使用");
    assert_eq!(in_language(r, Locale::en), "user name is taken");
    assert_eq!(in_language("plain", Locale::en), "plain");
}

#[wasm_bindgen_test]
fn the_form_checks_the_servers_rules() {
    assert!(username_ok("sun.li-2"));
    assert!(!username_ok("Sun Li"));
    assert!(!username_ok(""));
    assert!(!username_ok(&"x".repeat(33)));
    assert!(password_ok("12345678"));
    assert!(password_ok("八个汉字的密码啊"));
    assert!(!password_ok("1234567"));
}

#[wasm_bindgen_test]
fn an_expired_session_is_forgotten_and_says_so_until_the_next_login() {
    let owner = Owner::new();
    owner.with(|| {
        session::provide_session();
        let s = session::use_session();
        let sample = Session {
            token: "cd".repeat(32),
            user: UserInfo {
                id: "u9".into(),
                name: "孙丽".into(),
                role: Role::GridWorker,
                grids: vec!["g3".into()],
                grid_names: vec![],
            },
            device_id: session::device_id(),
            vaccination: Default::default(),
        };
        s.log_in(sample.clone());
        assert!(!s.expired.get_untracked());
        s.expire();
        assert!(s.expired.get_untracked());
        assert!(!s.is_logged_in());
        assert_eq!(session::load(), None, "the refused token is not kept");
        s.log_in(sample);
        assert!(!s.expired.get_untracked());
        session::clear();
    });
}

#[wasm_bindgen_test]
fn a_full_width_bilingual_reason_is_shown_in_one_language_too() {
    let r = "血氧饱和度须在 50 到 100 之间（spo2: between 50 and 100）";
    assert_eq!(in_language(r, Locale::zh), "血氧饱和度须在 50 到 100 之间");
    assert_eq!(in_language(r, Locale::en), "spo2: between 50 and 100");
}
