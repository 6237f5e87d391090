//! One module per page.

pub mod deliveries;
pub mod home;
pub mod household;
pub mod households;
pub mod import;
pub mod landing;
pub mod ledger;
pub mod login;
pub mod need;
pub mod needs;
pub mod not_found;
pub mod overview;
pub mod packs;
pub mod resident;
pub mod residents;
pub mod services;
pub mod supplies;
pub mod sync_status;
pub mod today;
pub mod users;
pub mod visit;
pub mod visit_edit;
