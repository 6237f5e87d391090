//! One input for one field of the model's schema, chosen by the field's type: large checkboxes
//! for flags, selects with labelled members for enums, date and number inputs, and the field's
//! validation message right under it.

use leptos::prelude::*;
use model::schema::{Check, FieldDef, FieldType};
use serde_json::Value;

use crate::i18n::{t_string, use_i18n, Locale};

/// The label of a field in the current language.
pub fn field_label(def: &FieldDef, locale: Locale) -> &'static str {
    match locale {
        Locale::zh => def.zh,
        Locale::en => def.en,
    }
}

/// The label of an enum member in the current language.
pub fn member_label(entity: &str, field: &str, member: &str, locale: Locale) -> &'static str {
    let (zh, en) = model::labels::member(entity, field, member);
    match locale {
        Locale::zh => zh,
        Locale::en => en,
    }
}

/// The `<option>`s of an enum field of the schema, each member named in the reader's language:
/// the one list every select of that field offers.
pub fn member_options(entity: &'static str, field: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let members: &'static [&'static str] = match model::schema::field(entity, field).map(|f| f.ty) {
        Some(FieldType::Enum(members)) => members,
        _ => &[],
    };
    members
        .iter()
        .map(move |m| {
            let m = *m;
            view! { <option value=m>{move || member_label(entity, field, m, i18n.get_locale())}</option> }
        })
        .collect_view()
}

/// What an input's text means as a value of the field's type. Text that does not parse stays
/// text, so validation can say what is wrong instead of the input silently dropping it.
pub fn parse_input(ty: FieldType, raw: &str) -> Value {
    let raw = raw.trim();
    if raw.is_empty() {
        return Value::Null;
    }
    match ty {
        FieldType::Integer => raw
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(raw)),
        FieldType::Decimal => raw
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::from(raw)),
        FieldType::Timestamp => {
            let ms = js_sys::Date::new(&raw.into()).get_time();
            if ms.is_nan() {
                Value::from(raw)
            } else {
                Value::from(ms as i64)
            }
        }
        _ => Value::from(raw),
    }
}

/// How a value shows in an input.
pub fn input_text(ty: FieldType, v: &Value) -> String {
    match (ty, v) {
        (_, Value::Null) => String::new(),
        (FieldType::Timestamp, Value::Number(n)) => {
            let d = js_sys::Date::new(&(n.as_f64().unwrap_or(0.0)).into());
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}",
                d.get_full_year(),
                d.get_month() + 1,
                d.get_date(),
                d.get_hours(),
                d.get_minutes()
            )
        }
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

#[component]
pub fn FieldInput(
    entity: &'static str,
    def: &'static FieldDef,
    value: RwSignal<Value>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("f-{}", def.name);
    let label = move || field_label(def, i18n.get_locale());
    let error_view = move || {
        error.get().map(
            |e| view! { <p class="field-error" data-testid=format!("error-{}", def.name)>{e}</p> },
        )
    };
    let testid = format!("field-{}", def.name);
    let input = match def.ty {
        FieldType::Boolean => {
            let for_id = id.clone();
            return view! {
                <label class="check" for=for_id>
                    <input
                        type="checkbox"
                        id=id
                        data-testid=testid
                        prop:checked=move || value.get().as_bool().unwrap_or(false)
                        on:change=move |ev| value.set(Value::Bool(event_target_checked(&ev)))
                    />
                    <span>{label}</span>
                </label>
                {error_view}
            }
            .into_any();
        }
        FieldType::Enum(_) => view! {
            <select
                id=id.clone()
                data-testid=testid
                prop:value=move || value.get().as_str().unwrap_or_default().to_owned()
                on:change=move |ev| value.set(parse_input(def.ty, &event_target_value(&ev)))
            >
                <option value="">{move || t_string!(i18n, choose)}</option>
                {member_options(entity, def.name)}
            </select>
        }
        .into_any(),
        ty => {
            let (kind, mode) = match ty {
                FieldType::Date => ("date", "none"),
                FieldType::Timestamp => ("datetime-local", "none"),
                FieldType::Integer => ("number", "numeric"),
                FieldType::Decimal => ("number", "decimal"),
                _ if def.check == Check::Phone => ("tel", "tel"),
                _ => ("text", "text"),
            };
            let multiline = matches!(def.check, Check::MaxLen(n) if n > 500);
            if multiline {
                view! {
                    <textarea
                        id=id.clone()
                        data-testid=testid
                        rows="3"
                        prop:value=move || input_text(ty, &value.get())
                        on:input=move |ev| value.set(parse_input(ty, &event_target_value(&ev)))
                    ></textarea>
                }
                .into_any()
            } else {
                view! {
                    <input
                        type=kind
                        id=id.clone()
                        data-testid=testid
                        inputmode=mode
                        step=if ty == FieldType::Decimal { "0.1" } else { "1" }
                        prop:value=move || input_text(ty, &value.get())
                        on:input=move |ev| value.set(parse_input(ty, &event_target_value(&ev)))
                    />
                }
                .into_any()
            }
        }
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {input}
            {error_view}
        </div>
    }
    .into_any()
}
