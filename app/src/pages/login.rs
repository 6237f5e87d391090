//! The login page: user name and password, with a clear message for each way it can fail.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use model::wire::LoginRequest;

use crate::api::{self, in_language, ApiError};
use crate::i18n::{t, t_string, use_i18n};
use crate::pages::landing::home_path;
use crate::session::{self, use_session, Session};

/// Why a login did not work, in the terms a person can act on.
#[derive(Debug, Clone, PartialEq)]
enum Problem {
    MissingFields,
    WrongCredentials,
    /// With the server's message, which says how long to wait: 15 minutes when locked by failed
    /// attempts, a moment when the server is busy checking other logins.
    TooManyAttempts(Option<String>),
    Unreachable,
    Server,
}

impl From<&ApiError> for Problem {
    fn from(e: &ApiError) -> Problem {
        match (e, e.code()) {
            (ApiError::Unreachable, _) => Problem::Unreachable,
            (_, Some("invalid_credentials")) => Problem::WrongCredentials,
            (ApiError::Status { body, .. }, Some("too_many_attempts")) => {
                Problem::TooManyAttempts(body.as_ref().map(|b| b.message.clone()))
            }
            // A proxy's 502/504 while the server is down reads to the user as unreachable.
            (
                ApiError::Status {
                    status: 502..=504, ..
                },
                _,
            ) => Problem::Unreachable,
            _ => Problem::Server,
        }
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let (username, set_username) = signal(String::new());
    let (password, set_password) = signal(String::new());
    let (problem, set_problem) = signal(None::<Problem>);

    let login = Action::new_local(move |req: &LoginRequest| {
        let req = req.clone();
        async move { api::login(&req).await }
    });
    Effect::new(move || match login.value().get() {
        Some(Ok(resp)) => session.log_in(Session {
            token: resp.token,
            user: resp.user,
            device_id: session::device_id(),
            vaccination: resp.vaccination.unwrap_or_default(),
        }),
        Some(Err(e)) => set_problem.set(Some(Problem::from(&e))),
        None => {}
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (u, p) = (
            username.get_untracked().trim().to_owned(),
            password.get_untracked(),
        );
        if u.is_empty() || p.is_empty() {
            set_problem.set(Some(Problem::MissingFields));
            return;
        }
        set_problem.set(None);
        login.dispatch(LoginRequest {
            username: u,
            password: p,
            device_id: session::device_id(),
        });
    };

    let message = move || {
        problem.get().map(|p| {
            let text = match p {
                Problem::MissingFields => t_string!(i18n, err_missing_fields).to_string(),
                Problem::WrongCredentials => t_string!(i18n, err_invalid_credentials).to_string(),
                Problem::TooManyAttempts(Some(m)) => in_language(&m, i18n.get_locale()),
                Problem::TooManyAttempts(None) => {
                    t_string!(i18n, err_too_many_attempts).to_string()
                }
                Problem::Unreachable => t_string!(i18n, err_unreachable).to_string(),
                Problem::Server => t_string!(i18n, err_server).to_string(),
            };
            view! { <p class="error" role="alert" data-testid="login-error">{text}</p> }
        })
    };

    view! {
        // Straight to the role's first task, not to the user card.
        {move || session.get().map(|s| view! { <Redirect path=home_path(s.user.role) /> })}
        <section class="card login">
            <h1>{t!(i18n, login_title)}</h1>
            <p class="muted">{t!(i18n, tagline)}</p>
            <Show when=move || session.expired.get()>
                <p class="notice" role="status" data-testid="login-expired">{t!(i18n, users_session_expired)}</p>
            </Show>
            <form on:submit=submit novalidate>
                <label for="username">{t!(i18n, username)}</label>
                <input
                    id="username"
                    name="username"
                    data-testid="login-username"
                    autocomplete="username"
                    autocapitalize="none"
                    prop:value=username
                    on:input=move |ev| set_username.set(event_target_value(&ev))
                />
                <label for="password">{t!(i18n, password)}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    data-testid="login-password"
                    autocomplete="current-password"
                    prop:value=password
                    on:input=move |ev| set_password.set(event_target_value(&ev))
                />
                {message}
                <button type="submit" class="primary" data-testid="login-submit" disabled=move || login.pending().get()>
                    {move || if login.pending().get() {
                        t_string!(i18n, logging_in)
                    } else {
                        t_string!(i18n, login_button)
                    }}
                </button>
            </form>
        </section>
    }
}
