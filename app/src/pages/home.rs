//! The home page: who is logged in, their role and grids, and logout.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use model::Role;

use crate::i18n::{t, t_string, use_i18n};
use crate::session::use_session;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let role_label = move |role: Role| match role {
        Role::Admin => t_string!(i18n, role_admin),
        Role::Supervisor => t_string!(i18n, role_supervisor),
        Role::GridWorker => t_string!(i18n, role_grid_worker),
        Role::Volunteer => t_string!(i18n, role_volunteer),
    };
    view! {
        <Show when=move || session.is_logged_in() fallback=|| view! { <Redirect path="/login" /> }>
            {move || session.get().map(|s| {
                let grids = s.user.grid_names.clone();
                let role = s.user.role;
                view! {
                    <section class="card" data-testid="home">
                        <p class="muted">{t!(i18n, logged_in_as)}</p>
                        <h1 data-testid="user-name">{s.user.name.clone()}</h1>
                        <p>
                            <span class="muted">{t!(i18n, role)}": "</span>
                            <strong data-testid="user-role">{move || role_label(role)}</strong>
                        </p>
                        <h2>{t!(i18n, my_grids)}</h2>
                        {if grids.is_empty() {
                            view! { <p class="muted" data-testid="no-grids">{t!(i18n, no_grids)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="grid-list" data-testid="grid-list">
                                    {grids.into_iter().map(|g| view! { <li>{g}</li> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        <button class="secondary" data-testid="logout" on:click=move |_| session.log_out()>
                            {t!(i18n, logout)}
                        </button>
                    </section>
                }
            })}
        </Show>
    }
}
