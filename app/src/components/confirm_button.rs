//! A button for an action that is hard to take back (closing a need, disabling a user,
//! dismissing a refused edit, creating a pack batch): the first tap only asks, in words that
//! say what will happen, and the action runs on the second, so a mis-tap in the sun costs
//! nothing. The way back is worded "返回", never "取消", so it cannot be mistaken for an action
//! that is itself called cancel.

use leptos::prelude::*;

use crate::i18n::{t, use_i18n};

#[component]
pub fn ConfirmButton(
    /// The button's words, naming what it does.
    #[prop(into)]
    label: ViewFn,
    /// What will happen, asked before it does.
    #[prop(into)]
    question: ViewFn,
    /// The confirming button's words: the action again, so the second tap is a choice.
    #[prop(into)]
    confirm: ViewFn,
    /// Runs on the second tap.
    #[prop(into)]
    on_confirm: Callback<()>,
    /// `{testid}` on the button, `{testid}-confirm` on the question, `{testid}-yes` and
    /// `{testid}-no` on its two answers.
    testid: &'static str,
    /// The button's class (`secondary` unless told).
    #[prop(optional)]
    class: Option<&'static str>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (asking, set_asking) = signal(false);
    let class = class.unwrap_or("secondary");
    view! {
        <button type="button" class=class data-testid=testid aria-expanded=move || asking.get().to_string()
            prop:disabled=move || disabled.get() on:click=move |_| set_asking.set(true)>
            {label.run()}
        </button>
        <Show when=move || asking.get()>
            <div class="confirm" role="alertdialog" data-testid=format!("{testid}-confirm")>
                <p>{question.run()}</p>
                <button type="button" class="primary" data-testid=format!("{testid}-yes")
                    prop:disabled=move || disabled.get()
                    on:click=move |_| {
                        set_asking.set(false);
                        on_confirm.run(());
                    }>
                    {confirm.run()}
                </button>
                <button type="button" class="secondary" data-testid=format!("{testid}-no")
                    on:click=move |_| set_asking.set(false)>
                    {t!(i18n, confirm_back)}
                </button>
            </div>
        </Show>
    }
}
