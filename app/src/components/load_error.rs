//! What a screen shows instead of its data when the device's store could not be read: a
//! failed read is not an empty list, and trying again often works (a blocked upgrade, a tab
//! that held the database).

use leptos::prelude::*;

use crate::i18n::{t, use_i18n};

#[component]
pub fn LoadError(
    /// Reads the store again.
    #[prop(into)]
    on_retry: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="confirm" role="alert" data-testid="load-error">
            <p>{t!(i18n, load_failed)}</p>
            <button class="primary" data-testid="retry" on:click=move |_| on_retry.run(())>
                {t!(i18n, retry)}
            </button>
        </div>
    }
}
