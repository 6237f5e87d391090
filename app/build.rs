//! Which role may open each page, take each action and see the risk tier, worked out from
//! `model::access` when the app is built and written as bits (`access_table.rs`, read by
//! `src/access.rs`). The rules stay in the model, which the server asks too; what the phone
//! downloads is 50 bytes of answers instead of the schema the answers are read from (every
//! entity's fields, labels and rules, about 6 KB of the start's gzip).

use std::fmt::Write as _;

use model::access::{can_assess, Action, Page};
use model::Role;

fn main() {
    // A change of the model rebuilds this script (a build dependency), which runs it again.
    println!("cargo::rerun-if-changed=build.rs");
    let roles = |allowed: &dyn Fn(Role) -> bool| -> u8 {
        Role::ALL
            .iter()
            .enumerate()
            .filter(|(_, r)| allowed(**r))
            .fold(0, |bits, (i, _)| bits | 1 << i)
    };
    assert!(Role::ALL.len() <= 8, "a role's bit must fit a u8");
    let mut out = String::from("// Written by app/build.rs from model::access: do not edit.\n");
    let pages: Vec<u8> = Page::ALL
        .iter()
        .map(|p| roles(&|r| p.opens_for(r)))
        .collect();
    let actions: Vec<u8> = Action::ALL
        .iter()
        .map(|a| roles(&|r| a.allowed_for(r)))
        .collect();
    let _ = writeln!(
        out,
        "/// Bit `i` of entry `j`: `Role::ALL[i]` may open `Page::ALL[j]`.\n\
         pub const PAGES: [u8; {}] = {pages:?};",
        pages.len()
    );
    let _ = writeln!(
        out,
        "/// Bit `i` of entry `j`: `Role::ALL[i]` may take `Action::ALL[j]`.\n\
         pub const ACTIONS: [u8; {}] = {actions:?};",
        actions.len()
    );
    let _ = writeln!(
        out,
        "/// Bit `i`: `Role::ALL[i]` reads every input of the risk tier and due date.\n\
         pub const ASSESS: u8 = {};",
        roles(&can_assess)
    );
    let dir = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(dir.join("access_table.rs"), out).expect("writing access_table.rs");
}
