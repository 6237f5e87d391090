//! Whether a role may open a page, take an action or see the risk tier: `model::access`'s
//! answers for every role, worked out when the app is built (`app/build.rs`), so the start's
//! download carries a few bits instead of the schema the model reads them from. Every check of
//! the app goes through here; `app/tests/access.rs` holds the table to the model's rules.

use model::access::{Action, Page};
use model::Role;

mod table {
    include!(concat!(env!("OUT_DIR"), "/access_table.rs"));
}

fn bit(role: Role) -> u8 {
    Role::ALL
        .iter()
        .position(|r| *r == role)
        .map_or(0, |i| 1 << i)
}

fn find<T: PartialEq>(all: &[T], one: &T, bits: &[u8]) -> u8 {
    all.iter()
        .position(|x| x == one)
        .and_then(|i| bits.get(i).copied())
        .unwrap_or(0)
}

/// `Page::opens_for`.
pub fn opens(page: Page, role: Role) -> bool {
    find(&Page::ALL, &page, &table::PAGES) & bit(role) != 0
}

/// `Action::allowed_for`.
pub fn allows(action: Action, role: Role) -> bool {
    find(&Action::ALL, &action, &table::ACTIONS) & bit(role) != 0
}

/// `model::access::can_assess`.
pub fn assesses(role: Role) -> bool {
    table::ASSESS & bit(role) != 0
}
