//! One module per resource of the API; handlers are named by verb.

pub mod dashboard;
pub mod health;
pub mod history;
pub mod import;
pub mod login;
pub mod schema;
pub mod sync;
pub mod users;
