//! Compare: two to five events side by side, every leaf path of their JSON on one row,
//! the rows whose values differ highlighted. Events join the comparison with the
//! detail pane's "Compare" toggle or a Ctrl/Cmd-click on a table row.

use leptos::prelude::*;
use trailscope_core::investigate::COMPARE_MAX;

use trailscope_core::engine::Row;
use trailscope_core::investigate::CompareRow;

use super::format::format_time;
use super::state::expect_state;
use crate::worker::protocol::{Reply, Request};

/// The events chosen for comparison (engine indices, in the order chosen) and whether
/// the comparison is open.
#[derive(Clone, Copy)]
pub struct CompareSet {
    /// Chosen events.
    pub ids: RwSignal<Vec<u32>>,
    /// The side-by-side view is open.
    pub open: RwSignal<bool>,
}

/// Provides the comparison set; call once in the app's root.
pub fn install() {
    provide_context(CompareSet {
        ids: RwSignal::new(Vec::new()),
        open: RwSignal::new(false),
    });
}

fn set() -> CompareSet {
    expect_context::<CompareSet>()
}

/// Adds or removes an event (the oldest choice gives way beyond [`COMPARE_MAX`]).
pub fn toggle(index: u32) {
    set().ids.update(|ids| {
        if let Some(k) = ids.iter().position(|&i| i == index) {
            ids.remove(k);
        } else {
            ids.push(index);
            if ids.len() > COMPARE_MAX {
                ids.remove(0);
            }
        }
    });
}

/// The detail pane's toggle for one event.
#[component]
pub fn CompareToggle(
    /// Engine index of the event shown.
    index: u32,
) -> impl IntoView {
    let cs = set();
    let chosen = move || cs.ids.with(|ids| ids.contains(&index));
    view! {
        <button class="ts-button ts-button--small ts-compare-toggle" data-testid="compare-toggle"
            class:ts-compare-toggle--on=chosen
            aria-pressed=move || chosen().to_string()
            title="Add this event to the comparison (or Ctrl/Cmd-click table rows)"
            on:click=move |_| toggle(index)>
            {move || if chosen() { "✓ Comparing" } else { "+ Compare" }}
        </button>
    }
}

/// The tray in the view bar: how many are chosen, open, clear.
#[component]
pub fn CompareTray() -> impl IntoView {
    let cs = set();
    let n = move || cs.ids.with(Vec::len);
    view! {
        <Show when=move || { n() > 0 }>
            <div class="ts-compare-tray" data-testid="compare-tray" data-count=move || n().to_string()>
                <button class="ts-button ts-button--small ts-button--primary" data-testid="compare-open"
                    disabled=move || n() < 2
                    title="Two to five events side by side"
                    on:click=move |_| cs.open.set(true)>
                    {move || format!("Compare {} events", n())}
                </button>
                <button class="ts-button ts-button--small" data-testid="compare-clear"
                    on:click=move |_| { cs.ids.set(Vec::new()); cs.open.set(false); }>"Clear"</button>
            </div>
        </Show>
        <Show when=move || { cs.open.get() && n() >= 2 }>
            <CompareView/>
        </Show>
    }
}

/// The side-by-side view.
#[component]
fn CompareView() -> impl IntoView {
    let state = expect_state();
    let cs = set();
    let only_diff = RwSignal::new(false);
    // (the events' columns, the leaf rows), asked of the worker when the choice changes.
    let answer = RwSignal::new((Vec::<Row>::new(), Vec::<CompareRow>::new()));
    Effect::new(move |_| {
        let ids = cs.ids.get();
        state.engine.version();
        wasm_bindgen_futures::spawn_local(async move {
            let request = Request::Compare { ids: ids.clone() };
            if let Ok(Reply::Compare { rows, diff }) = state.engine.call(request).await {
                if cs.ids.with_untracked(|now| *now == ids) {
                    answer.set((rows, diff));
                }
            }
        });
    });
    let rows = Memo::new(move |_| answer.with(|a| a.1.clone()));
    let heads = move || {
        answer
            .get()
            .0
            .into_iter()
            .map(|r| {
                let i = r.index;
                let when = r.time_ms.map(|ms| format_time(ms, 0)).unwrap_or_default();
                view! {
                    <th class="ts-compare__event" scope="col">
                        <button class="ts-compare__event-name" title="Show in the detail pane"
                            on:click=move |_| { state.selected.set(Some(i)); state.detail_open.set(true); cs.open.set(false); }>
                            {r.event_name.clone()}
                        </button>
                        <span class="ts-compare__event-time">{when}</span>
                        <button class="ts-icon-button" title="Remove from the comparison" aria-label="Remove" on:click=move |_| toggle(i)>"✕"</button>
                    </th>
                }
            })
            .collect_view()
    };
    let differing = move || rows.with(|r| r.iter().filter(|r| r.differs).count());
    view! {
        <div class="ts-compare__backdrop" on:click=move |_| cs.open.set(false)></div>
        <div class="ts-compare" data-testid="compare-view" role="dialog" aria-label="Compare events">
            <header class="ts-compare__head">
                <h2 class="ts-compare__title">"Compare"</h2>
                <span class="ts-compare__note">{move || format!("{} of {} fields differ", differing(), rows.with(Vec::len))}</span>
                <label class="ts-compare__only">
                    <input type="checkbox" data-testid="compare-only-diff" prop:checked=move || only_diff.get()
                        on:change=move |ev| only_diff.set(event_target_checked(&ev))/>
                    "Only differences"
                </label>
                <span class="ts-viewbar__spacer"></span>
                <button class="ts-icon-button" data-testid="compare-close" title="Close" aria-label="Close" on:click=move |_| cs.open.set(false)>"✕"</button>
            </header>
            <div class="ts-compare__body">
                <table class="ts-compare__table">
                    <thead><tr><th class="ts-compare__path" scope="col">"Field"</th>{heads}</tr></thead>
                    <tbody>
                        {move || {
                            let only = only_diff.get();
                            rows.get().into_iter().filter(|r| !only || r.differs).map(|r| view! {
                                <tr class="ts-compare__row" class:ts-compare__row--differs=r.differs
                                    data-testid="compare-row" data-path=r.path.clone() data-differs=r.differs.to_string()>
                                    <th class="ts-compare__path" scope="row" title=r.path.clone()>{r.path.clone()}</th>
                                    {r.values.into_iter().map(|v| match v {
                                        Some(v) => view! { <td class="ts-compare__cell">{v}</td> }.into_any(),
                                        None => view! { <td class="ts-compare__cell ts-compare__cell--absent">"absent"</td> }.into_any(),
                                    }).collect_view()}
                                </tr>
                            }).collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        </div>
    }
}
