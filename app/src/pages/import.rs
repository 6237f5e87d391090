//! Roster import (导入名单): an admin or supervisor uploads the CSV or XLSX they already keep,
//! maps its columns, sees every row's fate and problems, and confirms; the server writes the
//! rows and the next sync brings them to this device and to the grid workers' phones.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use model::entities::{household, resident};
use model::wire::{ImportAction, ImportRequest, ImportResponse};

use crate::api::{self, ApiError};
use crate::data::use_data;
use crate::i18n::{t, t_string, use_i18n, Locale};
use crate::session::use_session;
use crate::sync::{use_sync, SyncError, SyncStatus};

/// Standard base64 with padding, as the server decodes it: a few lines instead of a crate in a
/// bundle with a size budget.
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq)]
struct Upload {
    name: String,
    content: String,
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let sync = use_sync();
    let data = use_data();
    let upload = RwSignal::new(None::<Upload>);
    // `None` until the server has suggested one, so the first preview asks it to.
    let mapping = RwSignal::new(None::<BTreeMap<String, String>>);
    let grid = RwSignal::new(String::new());
    let report = RwSignal::new(None::<ImportResponse>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let send = move |commit: bool| {
        let Some(file) = upload.get_untracked() else {
            return;
        };
        let Some(token) = session.get().map(|s| s.token) else {
            return;
        };
        let req = ImportRequest {
            file_name: file.name,
            content_base64: file.content,
            mapping: mapping.get_untracked(),
            grid_id: Some(grid.get_untracked()).filter(|g| !g.is_empty()),
            commit,
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::import_roster(&token, &req).await;
            busy.set(false);
            match result {
                Ok(r) => {
                    mapping.set(Some(r.mapping.clone()));
                    if r.committed {
                        // The server wrote the rows; bring them to this device now.
                        sync.sync_now();
                    }
                    report.set(Some(r));
                }
                Err(e) => {
                    if !commit {
                        report.set(None);
                    }
                    error.set(Some(match e {
                        ApiError::Unreachable => t_string!(i18n, import_needs_network).to_string(),
                        ApiError::Status { body: Some(b), .. } => b.message,
                        ApiError::Status { .. } => t_string!(i18n, err_server).to_string(),
                    }));
                }
            }
        });
    };

    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let name = file.name();
        busy.set(true);
        spawn_local(async move {
            let read = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await;
            busy.set(false);
            match read {
                Ok(buf) => {
                    let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                    upload.set(Some(Upload {
                        name,
                        content: base64(&bytes),
                    }));
                    // A new file has other columns: let the server suggest afresh.
                    mapping.set(None);
                    report.set(None);
                    send(false);
                }
                Err(_) => error.set(Some(t_string!(i18n, import_read_failed).to_string())),
            }
        });
    };

    let offline = move || {
        matches!(
            sync.status.get(),
            SyncStatus::Offline | SyncStatus::Error(SyncError::Offline)
        )
    };
    let grids = move || -> Vec<(String, String)> {
        let loaded = data
            .dataset()
            .map(|d| d.grids_by_name())
            .unwrap_or_default();
        if !loaded.is_empty() {
            return loaded;
        }
        // Before the first sync brings the grid records, the login's names will do.
        crate::components::record_form::my_grids()
    };

    let mapping_view = move || {
        report.get().filter(|r| !r.committed).map(|r| {
            let headers = r.headers.clone();
            let chosen = r.mapping.clone();
            let select = move |f: model::wire::ImportField| {
                let key = f.key.clone();
                let current = chosen.get(&key).cloned().unwrap_or_default();
                let (zh, en) = (f.zh.clone(), f.en.clone());
                let label = move || match i18n.get_locale() {
                    Locale::zh => zh.clone(),
                    Locale::en => en.clone(),
                };
                let options = headers
                    .iter()
                    .map(|h| {
                        let selected = *h == current;
                        view! { <option value=h.clone() selected=selected>{h.clone()}</option> }
                    })
                    .collect_view();
                let id = format!("import-map-{}", f.key);
                view! {
                    <div class="field">
                        <label for=id.clone()>{label}</label>
                        <select id=id.clone() data-testid=id
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                mapping.update(|m| {
                                    let m = m.get_or_insert_with(BTreeMap::new);
                                    if v.is_empty() {
                                        m.remove(&key);
                                    } else {
                                        m.insert(key.clone(), v);
                                    }
                                });
                                send(false);
                            }>
                            <option value="" selected=current.is_empty()>{t!(i18n, import_not_mapped)}</option>
                            {options}
                        </select>
                    </div>
                }
            };
            // Forty selects would bury the few that matter on a phone: the usual columns and
            // whatever the file maps come first, the rest fold away.
            // `id_card` and `grid` are the import's own columns (the whole number, a grid by name).
            const USUAL: &[&str] = &[
                resident::field::NAME,
                resident::field::GENDER,
                resident::field::BIRTH_DATE,
                "id_card",
                resident::field::PHONE,
                "grid",
                household::field::ADDRESS,
            ];
            let (first, rest): (Vec<_>, Vec<_>) = r
                .fields
                .into_iter()
                .partition(|f| USUAL.contains(&f.key.as_str()) || r.mapping.contains_key(&f.key));
            let first = first.into_iter().map(select.clone()).collect_view();
            let rest = rest.into_iter().map(select).collect_view();
            let selects = view! {
                <div class="import-mapping">{first}</div>
                <details class="import-more" data-testid="import-more-fields">
                    <summary>{t!(i18n, import_more_fields)}</summary>
                    <div class="import-mapping">{rest}</div>
                </details>
            };
            view! {
                <fieldset data-testid="import-mapping">
                    <legend>{t!(i18n, import_mapping)}</legend>
                    <p class="muted">{t!(i18n, import_mapping_hint)}</p>
                    {selects}
                </fieldset>
            }
        })
    };

    let action_label = move |a: ImportAction| match a {
        ImportAction::Create => t_string!(i18n, import_action_create),
        ImportAction::Merge => t_string!(i18n, import_action_merge),
        ImportAction::Refuse => t_string!(i18n, import_action_refuse),
    };
    let rows_view = move || {
        report.get().map(|r| {
            let rows = r
                .rows
                .into_iter()
                .map(|row| {
                    let action = row.action;
                    let code = match action {
                        ImportAction::Create => "create",
                        ImportAction::Merge => "merge",
                        ImportAction::Refuse => "refuse",
                    };
                    let class = (action == ImportAction::Refuse).then_some("import-refused");
                    view! {
                        <tr class=class data-testid="import-row" data-action=code data-row=row.row>
                            <td>{row.row}</td>
                            <td data-testid="import-row-name">{row.name}</td>
                            <td data-testid="import-row-action">{move || action_label(action)}</td>
                            <td data-testid="import-row-problems">
                                <ul class="import-problems">
                                    {row.problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                                </ul>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            let committed = r.committed;
            view! {
                {if committed {
                    view! { <p class="notice" role="status" data-testid="import-done">{t!(i18n, import_done)}</p> }.into_any()
                } else {
                    view! { <p class="muted" data-testid="import-preview-hint">{t!(i18n, import_preview_hint)}</p> }.into_any()
                }}
                <ul class="summary import-counts" data-testid="import-counts">
                    <li>{t!(i18n, import_action_create)}": "<strong data-testid="import-created">{r.created}</strong></li>
                    <li>{t!(i18n, import_action_merge)}": "<strong data-testid="import-merged">{r.merged}</strong></li>
                    <li>{t!(i18n, import_action_refuse)}": "<strong data-testid="import-refused">{r.refused}</strong></li>
                </ul>
                <div class="table-scroll" tabindex="0" role="region" aria-label=move || t_string!(i18n, import_rows_label)>
                    <table class="ledger" data-testid="import-rows">
                        <thead>
                            <tr>
                                <th>{t!(i18n, import_col_row)}</th>
                                <th>{t!(i18n, import_col_name)}</th>
                                <th>{t!(i18n, import_col_action)}</th>
                                <th>{t!(i18n, import_col_problems)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                {(!committed && r.created + r.merged > 0).then(|| view! {
                    <button class="primary sticky-save" data-testid="import-commit"
                        disabled=move || busy.get() on:click=move |_| send(true)>
                        {move || if busy.get() { t_string!(i18n, import_committing) } else { t_string!(i18n, import_commit) }}
                    </button>
                })}
            }
        })
    };

    view! {
        <Show when=move || session.is_logged_in() fallback=|| view! { <Redirect path="/login" /> }>
            <section class="card" data-testid="import-page">
                <h1>{t!(i18n, import_title)}</h1>
                    <p class="muted">{t!(i18n, import_intro)}</p>
                    {move || offline().then(|| view! { <p class="error" role="alert" data-testid="import-offline">{t!(i18n, import_needs_network)}</p> })}
                    <div class="field">
                        <label for="import-file">{t!(i18n, import_file)}</label>
                        <input id="import-file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            data-testid="import-file" on:change=on_file />
                    </div>
                    <div class="field">
                        <label for="import-grid">{t!(i18n, import_default_grid)}</label>
                        <select id="import-grid" data-testid="import-grid"
                            on:change=move |ev| {
                                grid.set(event_target_value(&ev));
                                send(false);
                            }>
                            <option value="">{t!(i18n, import_no_default_grid)}</option>
                            {move || grids().into_iter().map(|(id, name)| {
                                let selected = grid.get_untracked() == id;
                                view! { <option value=id selected=selected>{name}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    {move || busy.get().then(|| view! { <p class="muted" role="status" data-testid="import-busy">{t!(i18n, import_working)}</p> })}
                    {move || error.get().map(|m| view! { <p class="field-error" role="alert" data-testid="import-error">{m}</p> })}
                    {mapping_view}
                    {rows_view}
            </section>
        </Show>
    }
}
