//! User administration (用户管理) for admins: the list of users, a form to create one, and per
//! user a new role and grids, a new password, disable and enable. It talks to the server
//! directly (users are not synced records), so it needs the network and says so when offline.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::wire::{CreateUserRequest, UpdateUserRequest, UserAccount};
use model::Role;

use crate::api::{self, in_language, ApiError};
use crate::components::confirm_button::ConfirmButton;
use crate::data::use_data;
use crate::i18n::{t, t_string, use_i18n, Locale};
use crate::session::use_session;

fn browser_online() -> bool {
    web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true)
}

type I18n = leptos_i18n::I18nContext<Locale>;

/// What the person reads when the server said no or could not be reached.
fn explain(e: &ApiError, i18n: I18n) -> String {
    let locale = i18n.get_locale_untracked();
    match e {
        ApiError::Unreachable => t_string!(i18n, users_err_unreachable).to_string(),
        ApiError::Status { status: 401, .. } => t_string!(i18n, users_err_logged_out).to_string(),
        ApiError::Status { status: 403, .. } => t_string!(i18n, users_admin_only).to_string(),
        ApiError::Status {
            status: 422,
            body: Some(b),
        } => {
            let reasons: Vec<String> = match &b.details {
                Some(d) if !d.is_empty() => {
                    d.iter().map(|d| in_language(&d.message, locale)).collect()
                }
                _ => vec![in_language(&b.message, locale)],
            };
            reasons.join(if locale == Locale::zh { "；" } else { "; " })
        }
        _ => t_string!(i18n, users_err_server).to_string(),
    }
}

/// A message under the form or list: `ok` for done, otherwise an error.
#[derive(Clone, Debug, PartialEq)]
struct Notice {
    ok: bool,
    text: String,
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let (online, set_online) = signal(browser_online());
    let on = window_event_listener(leptos::ev::online, move |_| set_online.set(true));
    let off = window_event_listener(leptos::ev::offline, move |_| set_online.set(false));
    on_cleanup(move || {
        on.remove();
        off.remove();
    });
    let is_admin = move || session.get().is_some_and(|s| s.user.role == Role::Admin);
    view! {
        <section data-testid="users-page">
            <h1>{t!(i18n, users_title)}</h1>
            {move || if !is_admin() {
                view! { <p class="notice" data-testid="users-admin-only">{t!(i18n, users_admin_only)}</p> }.into_any()
            } else if !online.get() {
                view! { <p class="notice" role="status" data-testid="users-offline">{t!(i18n, users_offline)}</p> }.into_any()
            } else {
                view! { <UsersAdmin /> }.into_any()
            }}
        </section>
    }
}

/// The grids on this device as (id, name), by name: an admin syncs every grid record.
fn use_grids() -> Signal<Vec<(String, String)>> {
    let data = use_data();
    Signal::derive(move || {
        data.dataset()
            .map(|d| d.grids_by_name())
            .unwrap_or_default()
    })
}

/// Tracks the locale, so a label redraws when the person switches language.
fn role_label(role: Role, i18n: I18n) -> String {
    match role {
        Role::Admin => t_string!(i18n, role_admin).to_string(),
        Role::Supervisor => t_string!(i18n, role_supervisor).to_string(),
        Role::GridWorker => t_string!(i18n, role_grid_worker).to_string(),
        Role::BuildingLeader => t_string!(i18n, role_building_leader).to_string(),
        Role::StreetOffice => t_string!(i18n, role_street_office).to_string(),
        Role::Volunteer => t_string!(i18n, role_volunteer).to_string(),
    }
}

/// A select of the roles, bound to `role`.
#[component]
fn RoleSelect(role: RwSignal<Role>, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <select data-testid=testid
            prop:value=move || role.get().as_str()
            on:change=move |ev| {
                if let Some(r) = Role::parse(&event_target_value(&ev)) {
                    role.set(r);
                }
            }>
            {Role::ALL.into_iter().map(|r| view! {
                <option value=r.as_str() selected=move || role.get() == r>{move || role_label(r, i18n)}</option>
            }).collect_view()}
        </select>
    }
}

/// Checkboxes of the grids on this device, bound to `chosen`; none for a volunteer.
#[component]
fn GridChoice(
    grids: Signal<Vec<(String, String)>>,
    chosen: RwSignal<BTreeSet<String>>,
    role: RwSignal<Role>,
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        if role.get() == Role::Volunteer {
            return view! { <p class="muted">{t!(i18n, users_volunteer_no_grids)}</p> }.into_any();
        }
        let list = grids.get();
        if list.is_empty() {
            return view! { <p class="muted">{t!(i18n, users_no_grids_synced)}</p> }.into_any();
        }
        view! {
            <fieldset class="checks" data-testid=testid>
                <legend>{t!(i18n, users_grids)}</legend>
                {list.into_iter().map(|(id, name)| {
                    let key = id.clone();
                    let toggle = id.clone();
                    view! {
                        <label class="check">
                            <input type="checkbox" data-testid=format!("{testid}-option") data-name=name.clone()
                                prop:checked=move || chosen.with(|c| c.contains(&key))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        if on { c.insert(toggle.clone()); } else { c.remove(&toggle); }
                                    });
                                } />
                            {name}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
        }
        .into_any()
    }
}

#[component]
fn UsersAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let grids = use_grids();
    let reload = RwSignal::new(0u32);
    let notice = RwSignal::new(None::<Notice>);
    let token = move || session.token_untracked();
    let users = LocalResource::new(move || {
        reload.track();
        let token = token();
        async move { api::list_users(&token).await }
    });

    let list = move || {
        match users.get() {
        None => view! { <p class="muted">{t!(i18n, users_loading)}</p> }.into_any(),
        Some(Err(e)) => view! {
            <p class="field-error" role="alert" data-testid="users-error">{explain(&e, i18n)}</p>
        }
        .into_any(),
        Some(Ok(list)) => view! {
            <ul class="rows" data-testid="users-list">
                {list.into_iter().map(|u| view! { <UserRow user=u grids=grids reload=reload notice=notice /> }).collect_view()}
            </ul>
        }
        .into_any(),
    }
    };

    view! {
        {move || notice.get().map(|n| view! {
            <p class=if n.ok { "notice" } else { "field-error" } role="status"
                data-testid="users-message" data-kind=if n.ok { "ok" } else { "error" }>{n.text}</p>
        })}
        {list}
        <CreateUser grids=grids reload=reload notice=notice />
    }
}

#[component]
fn CreateUser(
    grids: Signal<Vec<(String, String)>>,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let username = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::GridWorker);
    let chosen = RwSignal::new(BTreeSet::<String>::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let fail = move |text: String| notice.set(Some(Notice { ok: false, text }));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let u = username.get_untracked().trim().to_owned();
        let r = role.get_untracked();
        let g: Vec<String> = match r {
            Role::Volunteer => Vec::new(),
            _ => chosen.get_untracked().into_iter().collect(),
        };
        if !model::account::username_ok(&u) {
            return fail(t_string!(i18n, users_err_username).to_string());
        }
        if !model::account::password_ok(&password.get_untracked()) {
            return fail(t_string!(i18n, users_err_password).to_string());
        }
        if model::account::needs_grids(r) && g.is_empty() {
            return fail(t_string!(i18n, users_err_grids).to_string());
        }
        let req = CreateUserRequest {
            username: u,
            name: name.get_untracked().trim().to_owned(),
            role: r,
            grids: g,
            password: password.get_untracked(),
        };
        let token = session.token_untracked();
        busy.set(true);
        spawn_local(async move {
            match api::create_user(&token, &req).await {
                Ok(_) => {
                    username.set(String::new());
                    name.set(String::new());
                    password.set(String::new());
                    chosen.set(BTreeSet::new());
                    notice.set(Some(Notice {
                        ok: true,
                        text: t_string!(i18n, users_created).to_string(),
                    }));
                    reload.update(|n| *n += 1);
                }
                Err(e) => fail(explain(&e, i18n)),
            }
            busy.set(false);
        });
    };

    view! {
        <form class="card" on:submit=submit data-testid="create-user-form">
            <h2>{t!(i18n, users_create_title)}</h2>
            <label>{t!(i18n, users_username)}
                <input data-testid="new-username" autocomplete="off" autocapitalize="none"
                    prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev)) />
            </label>
            <label>{t!(i18n, users_name)}
                <input data-testid="new-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <label>{t!(i18n, users_role)}
                <RoleSelect role=role testid="new-role" />
            </label>
            <GridChoice grids=grids chosen=chosen role=role testid="new-grid" />
            <label>{t!(i18n, users_password)}
                <input type="password" data-testid="new-password" autocomplete="new-password"
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
            </label>
            <button type="submit" class="primary" data-testid="create-user" prop:disabled=move || busy.get()>
                {t!(i18n, users_create)}
            </button>
        </form>
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Closed,
    Edit,
    Password,
}

#[component]
fn UserRow(
    user: UserAccount,
    grids: Signal<Vec<(String, String)>>,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let mode = RwSignal::new(Mode::Closed);
    let role = RwSignal::new(user.role);
    let chosen = RwSignal::new(user.grids.iter().cloned().collect::<BTreeSet<String>>());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let id = StoredValue::new(user.id.clone());
    let disabled = user.disabled;
    let grid_ids = user.grids.clone();
    let grid_names = move || {
        let known = grids.get();
        let names: Vec<String> = grid_ids
            .iter()
            .map(|g| {
                known
                    .iter()
                    .find(|(id, _)| id == g)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| g.clone())
            })
            .collect();
        names.join("、")
    };

    // Sends one change of this user; on success says `done` and reloads the list.
    let send = move |req: UpdateUserRequest, done: String| {
        let token = session.token_untracked();
        busy.set(true);
        spawn_local(async move {
            match api::update_user(&token, &id.get_value(), &req).await {
                Ok(_) => {
                    mode.set(Mode::Closed);
                    password.set(String::new());
                    notice.set(Some(Notice {
                        ok: true,
                        text: done,
                    }));
                    reload.update(|n| *n += 1);
                }
                Err(e) => notice.set(Some(Notice {
                    ok: false,
                    text: explain(&e, i18n),
                })),
            }
            busy.set(false);
        });
    };
    let fail = move |text: String| notice.set(Some(Notice { ok: false, text }));
    let save_edit = move |_| {
        let r = role.get_untracked();
        let g: Vec<String> = match r {
            Role::Volunteer => Vec::new(),
            _ => chosen.get_untracked().into_iter().collect(),
        };
        if model::account::needs_grids(r) && g.is_empty() {
            return fail(t_string!(i18n, users_err_grids).to_string());
        }
        send(
            UpdateUserRequest {
                role: Some(r),
                grids: Some(g),
                ..Default::default()
            },
            t_string!(i18n, users_saved).to_string(),
        );
    };
    let save_password = move |_| {
        let p = password.get_untracked();
        if !model::account::password_ok(&p) {
            return fail(t_string!(i18n, users_err_password).to_string());
        }
        send(
            UpdateUserRequest {
                password: Some(p),
                ..Default::default()
            },
            t_string!(i18n, users_password_reset).to_string(),
        );
    };
    let toggle = move |()| {
        let done = if disabled {
            t_string!(i18n, users_enabled_done).to_string()
        } else {
            t_string!(i18n, users_disabled_done).to_string()
        };
        send(
            UpdateUserRequest {
                disabled: Some(!disabled),
                ..Default::default()
            },
            done,
        );
    };
    let user_role = user.role;
    let display_name = user.name.clone();

    view! {
        <li class="row" data-testid="user-row" data-username=user.username.clone() data-disabled=disabled.to_string()>
            <span class="row-main">
                <strong data-testid="user-username">{user.username.clone()}</strong>
                " · "{user.name.clone()}
                {disabled.then(|| view! { " "<span class="badge late" data-testid="user-disabled">{t!(i18n, users_disabled)}</span> })}
            </span>
            <span class="row-sub">
                <span data-testid="user-role">{move || role_label(user_role, i18n)}</span>
                " · "<span data-testid="user-grids">{grid_names}</span>
            </span>
            <span class="actions">
                <button type="button" class="secondary" data-testid="user-edit"
                    on:click=move |_| mode.update(|m| *m = if *m == Mode::Edit { Mode::Closed } else { Mode::Edit })>
                    {t!(i18n, users_edit)}
                </button>
                <button type="button" class="secondary" data-testid="user-password"
                    on:click=move |_| mode.update(|m| *m = if *m == Mode::Password { Mode::Closed } else { Mode::Password })>
                    {t!(i18n, users_reset_password)}
                </button>
                {if disabled {
                    view! {
                        <button type="button" class="secondary" data-testid="user-toggle" prop:disabled=move || busy.get() on:click=move |_| toggle(())>
                            {t!(i18n, users_enable)}
                        </button>
                    }.into_any()
                } else {
                    // Disabling logs the person out on every device at once: asked first.
                    let name = display_name.clone();
                    view! {
                        <ConfirmButton testid="user-toggle" disabled=Signal::from(busy)
                            label=move || t!(i18n, users_disable)
                            question=move || t!(i18n, users_disable_question, name = name.clone())
                            confirm=move || t!(i18n, users_disable)
                            on_confirm=toggle />
                    }.into_any()
                }}
            </span>
            {move || (mode.get() == Mode::Edit).then(|| view! {
                <div class="card" data-testid="user-edit-form">
                    <label>{t!(i18n, users_role)}
                        <RoleSelect role=role testid="edit-role" />
                    </label>
                    <GridChoice grids=grids chosen=chosen role=role testid="edit-grid" />
                    <button type="button" class="primary" data-testid="edit-save" prop:disabled=move || busy.get() on:click=save_edit>
                        {t!(i18n, users_save)}
                    </button>
                    <button type="button" class="secondary" on:click=move |_| mode.set(Mode::Closed)>{t!(i18n, users_cancel)}</button>
                </div>
            })}
            {move || (mode.get() == Mode::Password).then(|| view! {
                <div class="card" data-testid="user-password-form">
                    <label>{t!(i18n, users_new_password)}
                        <input type="password" data-testid="password-input" autocomplete="new-password"
                            prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                    </label>
                    <button type="button" class="primary" data-testid="password-save" prop:disabled=move || busy.get() on:click=save_password>
                        {t!(i18n, users_save)}
                    </button>
                    <button type="button" class="secondary" on:click=move |_| mode.set(Mode::Closed)>{t!(i18n, users_cancel)}</button>
                </div>
            })}
        </li>
    }
}
