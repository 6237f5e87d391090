//! The app's side of `model::access`: the role of whoever is logged in, whether it may take an
//! action, the guard that keeps a page from a role that may not use it (sending it to its home
//! with a word of why), and that word.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_location, use_params_map};
use model::access::{Action, Page};
use model::Role;

use crate::i18n::{t, use_i18n};
use crate::session::use_session;

/// The role logged in on this device, `None` when nobody is.
pub fn use_role() -> Signal<Option<Role>> {
    let session = use_session();
    Signal::derive(move || session.get().map(|s| s.user.role))
}

/// Whether the role logged in may take `action`, read once: a page is built for one session
/// (logging out leaves every page).
pub fn may(action: Action) -> bool {
    use_role()
        .get_untracked()
        .is_some_and(|r| crate::access::allows(action, r))
}

/// Whether the role logged in receives every input of the risk tier and the due date: where it
/// does not, neither is shown, since they would be computed from a gap.
pub fn may_assess() -> bool {
    use_role()
        .get_untracked()
        .is_some_and(crate::access::assesses)
}

/// The home a role was sent to from a page it may not open, and whether it has arrived there:
/// the notice shows on that home and goes with the next step elsewhere.
#[derive(Clone, Copy)]
pub struct Refusal(RwSignal<Option<(&'static str, bool)>>);

pub fn provide_refusal() {
    provide_context(Refusal(RwSignal::new(None)));
}

/// The page behind the route, when the role logged in may open it; otherwise the role's home,
/// with the notice of why (and the login page when nobody is logged in).
#[component]
pub fn Allowed(
    page: Page,
    /// For a page of one record: what its `new` (id `new`) asks of the role besides the page.
    #[prop(optional)]
    new: Option<Action>,
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    let role = Memo::new(move |_| session.get().map(|s| s.user.role));
    let refusal = expect_context::<Refusal>();
    let params = use_params_map();
    let creating = move || params.read().get("id").as_deref() == Some("new");
    let allowed = move |r: Role| {
        crate::access::opens(page, r)
            && (new.is_none_or(|a| crate::access::allows(a, r)) || !creating())
    };
    move || match role.get() {
        None => view! { <Redirect path="/login" /> }.into_any(),
        Some(r) if allowed(r) => children().into_any(),
        Some(r) => {
            let home = Page::home(r).path();
            refusal.0.set(Some((home, false)));
            view! { <Redirect path=home /> }.into_any()
        }
    }
}

/// "Your role cannot open that page", above the home the role was sent to.
#[component]
pub fn RefusalNotice() -> impl IntoView {
    let i18n = use_i18n();
    let refusal = expect_context::<Refusal>();
    let location = use_location();
    Effect::new(move |_| {
        let path = location.pathname.get();
        match refusal.0.get_untracked() {
            Some((home, false)) if home == path => refusal.0.set(Some((home, true))),
            Some((home, true)) if home != path => refusal.0.set(None),
            _ => {}
        }
    });
    move || {
        let (home, _) = refusal.0.get()?;
        (location.pathname.get() == home).then(|| {
            view! { <p class="notice" role="alert" data-testid="refused-notice">{t!(i18n, page_refused)}</p> }
        })
    }
}
