//! Investigation presets: saved queries for the usual first questions (root activity,
//! sign-ins without MFA, CloudTrail tampering...). Each shows how many loaded events it
//! matches before it is clicked; a click puts its query in the box, where it can be
//! edited, and applies the grouping that suits it.

use leptos::prelude::*;
use trailscope_core::Engine;

use super::format::group_digits;
use super::state::expect_state;

/// The presets panel of the sidebar.
#[component]
pub fn Presets() -> impl IntoView {
    let state = expect_state();
    // One query per preset, recomputed only when the loaded events change.
    let counts = Memo::new(move |_| state.with_side(|d| d.presets.clone()));
    view! {
        <section class="ts-panel ts-presets" aria-label="Investigations" class:ts-panel--empty=move || state.side_empty()>
            <h2 class="ts-panel__title">"Investigate" <span class="ts-panel__hint">"saved queries, editable"</span></h2>
            <ul class="ts-presets__list">
                {Engine::presets().iter().enumerate().map(|(k, preset)| {
                    let count = move || counts.with(|c| c.get(k).map_or(0, |(_, n)| *n));
                    let group = preset.group_by.map(|f| f.name()).unwrap_or_default();
                    let title = format!("{}\n{}", preset.name, preset.query);
                    view! {
                        <li>
                            <button
                                class="ts-presets__item"
                                class:ts-presets__item--zero=move || count() == 0
                                data-testid="preset"
                                data-preset-id=preset.id
                                data-count=move || count().to_string()
                                title=title
                                on:click=move |_| {
                                    state.group_filter.set(None);
                                    state.group_by.set(group.to_string());
                                    state.apply_query(preset.query.to_string());
                                }
                            >
                                <span class="ts-presets__name">{preset.name}</span>
                                <span class="ts-presets__count">{move || group_digits(u64::from(count()))}</span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
