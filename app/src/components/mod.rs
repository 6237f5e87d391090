//! One module per widget shared between pages.

pub mod app_header;
pub mod door_card;
pub mod field_input;
pub mod grid_map;
pub mod lang_switch;
pub mod load_error;
pub mod record_form;
pub mod search_list;
pub mod sync_badge;
pub mod tier_chip;
