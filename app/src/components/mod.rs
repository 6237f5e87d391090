//! One module per widget shared between pages.

pub mod access;
pub mod app_header;
pub mod confirm_button;
pub mod delivery_sheet;
pub mod door_card;
pub mod education_panel;
pub mod field_input;
pub mod gatherings_soon;
pub mod grid_map;
pub mod hotlines;
pub mod lang_switch;
pub mod lifecycle_panel;
pub mod load_error;
pub mod mobilise_form;
pub mod offline_channel;
pub mod record_form;
pub mod reminder_settings;
pub mod report_log;
pub mod responsibility;
pub mod responsible_panel;
pub mod search_list;
pub mod show_more;
pub mod sync_badge;
pub mod tier_chip;
pub mod visit_history;
