//! One module per widget shared between pages.

pub mod app_header;
pub mod lang_switch;
