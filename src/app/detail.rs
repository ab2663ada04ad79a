//! The detail pane: the selected event in full, as a JSON tree built only for that one
//! event, with a summary line, a copy button and a raw view.

use leptos::prelude::*;

use super::format::format_time_zoned;
use super::json::Node;
use super::json_tree::event_tree;
use super::state::expect_state;

/// The pane; empty when nothing is selected or it is closed.
#[component]
pub fn DetailPane() -> impl IntoView {
    let state = expect_state();
    let raw_view = RwSignal::new(false);
    let copied = RwSignal::new(None::<&'static str>);
    let shown = Memo::new(move |_| {
        if state.detail_open.get() {
            state.selected.get()
        } else {
            None
        }
    });

    move || {
        let index = shown.get()?;
        let detail = state.detail.with(|d| {
            d.as_ref()
                .filter(|(i, _)| *i == index)
                .map(|(_, d)| d.clone())
        })?;
        let row = detail.row.clone();
        let raw = detail.raw.clone();
        let lineage = detail.lineage.clone();
        let parsed = Node::parse(&raw).ok();
        let pretty = parsed
            .as_ref()
            .map(Node::to_pretty)
            .unwrap_or_else(|| raw.clone());
        let to_copy = pretty.clone();
        let copy = move |_| {
            let text = to_copy.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let ok = match web_sys::window() {
                    Some(w) => wasm_bindgen_futures::JsFuture::from(
                        w.navigator().clipboard().write_text(&text),
                    )
                    .await
                    .is_ok(),
                    None => false,
                };
                copied.set(Some(if ok {
                    "Copied"
                } else {
                    "Copy blocked by the browser"
                }));
                set_timeout(
                    move || copied.set(None),
                    std::time::Duration::from_millis(1800),
                );
            });
        };
        let when = row
            .time_ms
            .map(|ms| format_time_zoned(ms, state.offset_at(ms)))
            .unwrap_or_default();
        let failed = row.failed;
        let error = super::format::shown(&row.error_code);
        Some(view! {
            <aside class="ts-detail" data-testid="event-detail" data-event-id=row.event_id.clone() aria-label="Event detail">
                <header class="ts-detail__head">
                    <div class="ts-detail__title">
                        <h2 class="ts-detail__name">{super::format::shown(&row.event_name)}</h2>
                        <span class="ts-detail__service">{super::format::shown(&row.service)}</span>
                    </div>
                    <super::compare::CompareToggle index=index/>
                    <button class="ts-icon-button" data-testid="detail-close" title="Close (Esc)" aria-label="Close" on:click=move |_| state.detail_open.set(false)>"✕"</button>
                </header>
                <dl class="ts-detail__facts">
                    <dt>"Time"</dt><dd>{when}</dd>
                    <dt>"Principal"</dt><dd>{super::format::shown(&row.principal)}</dd>
                    <dt>"Source IP"</dt><dd>{super::format::shown(&row.source_ip)}</dd>
                    <dt>"Region"</dt><dd>{super::format::shown(&row.region)}</dd>
                    <dt>"Outcome"</dt>
                    <dd class:ts-detail__failed=failed>{if failed { format!("✖ failed {error}") } else { "✔ succeeded".to_string() }}</dd>
                </dl>
                <super::lineage::Lineage lineage=lineage/>
                <div class="ts-detail__toolbar">
                    <div class="ts-segmented" role="group" aria-label="View">
                        <button class="ts-segmented__option" class:ts-segmented__option--active=move || !raw_view.get() on:click=move |_| raw_view.set(false)>"Tree"</button>
                        <button class="ts-segmented__option" class:ts-segmented__option--active=move || raw_view.get() on:click=move |_| raw_view.set(true)>"Raw"</button>
                    </div>
                    <span class="ts-table__spacer"></span>
                    <span class="ts-detail__copied" role="status">{move || copied.get()}</span>
                    <button class="ts-button ts-button--small" data-testid="copy-event" on:click=copy>"Copy JSON"</button>
                </div>
                <div class="ts-detail__body">
                    {move || if raw_view.get() || parsed.is_none() {
                        view! { <pre class="ts-detail__raw">{pretty.clone()}</pre> }.into_any()
                    } else {
                        parsed.clone().map(|n| event_tree(state, n)).unwrap_or_else(|| ().into_any())
                    }}
                </div>
            </aside>
        })
    }
}
