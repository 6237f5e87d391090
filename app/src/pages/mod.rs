//! One module per page.

pub mod home;
pub mod login;
pub mod resident;
pub mod residents;
pub mod sync_status;
