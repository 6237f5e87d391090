//! Where the app opens (`/`): each role's first task, so nobody starts a morning on a card that
//! only says who they are. Grid workers knock on doors (Today), volunteers deliver packs,
//! supervisors and admins look across grids (the overview). The user card lives at `/me`.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use model::Role;

use crate::session::use_session;

/// The page a role starts on, after login and whenever the app opens at `/`
/// (`model::access::Page::home`, a page every role may open).
pub fn home_path(role: Role) -> &'static str {
    model::access::Page::home(role).path()
}

/// Sends whoever opens `/` to their role's first task, or to log in.
#[component]
pub fn Landing() -> impl IntoView {
    let session = use_session();
    move || {
        let path = session.get().map_or("/login", |s| home_path(s.user.role));
        view! { <Redirect path=path /> }
    }
}
