//! Facets: the top values of ten fields under the current query, with counts. A click
//! adds `field:value` to the query; Alt-, Ctrl- or Cmd-click adds `-field:value`.

use leptos::prelude::*;
use trailscope_core::engine::Field;

use super::format::group_digits;
use super::state::expect_state;

/// Values shown per facet.
pub const TOP: usize = 8;

/// All facets.
#[component]
pub fn Facets() -> impl IntoView {
    let state = expect_state();
    view! {
        <section class="ts-panel ts-facets" aria-label="Facets" class:ts-panel--empty=move || state.side_empty()>
            <h2 class="ts-panel__title">"Facets" <span class="ts-panel__hint">"click to filter · Alt-click to exclude"</span></h2>
            {Field::FACETS.iter().map(|&field| view! { <FacetBlock field/> }).collect_view()}
        </section>
    }
}

/// One facet.
#[component]
fn FacetBlock(
    /// The field to count.
    field: Field,
) -> impl IntoView {
    let state = expect_state();
    let slot = Field::FACETS.iter().position(|&f| f == field).unwrap_or(0);
    let facet =
        Memo::new(move |_| state.with_side(|d| d.facets.get(slot).cloned().unwrap_or_default()));
    let name = field.name();
    // One entry per value shown, kept from view to view: new counts change the entries'
    // attributes and text, and only a change in how many values show adds or removes one.
    let count = Memo::new(move |_| facet.with(|f| f.values.len()));
    let max = Memo::new(move |_| facet.with(|f| f.values.first().map_or(1, |(_, c)| *c).max(1)));
    let value =
        move |k: usize| facet.with(|f| f.values.get(k).map(|(v, _)| v.clone()).unwrap_or_default());
    let hits = move |k: usize| facet.with(|f| f.values.get(k).map_or(0, |(_, c)| *c));
    let entry = move |k: usize| {
        view! {
            <li>
                <button
                    class="ts-facet__value"
                    data-testid="facet-value"
                    data-value=move || value(k)
                    data-count=move || hits(k).to_string()
                    title=move || format!("{}\nClick: only these · Alt-click: exclude", super::format::tip(&value(k)))
                    on:click=move |ev: leptos::ev::MouseEvent| {
                        let exclude = ev.alt_key() || ev.ctrl_key() || ev.meta_key();
                        let v = facet.with_untracked(|f| f.values.get(k).map(|(v, _)| v.clone()));
                        if let Some(v) = v {
                            state.add_term(name, &v, exclude);
                        }
                    }
                >
                    <span class="ts-facet__bar" style:width=move || format!("{:.1}%", f64::from(hits(k)) / f64::from(max.get()) * 100.0)></span>
                    <span class="ts-facet__label">{move || {
                        let v = value(k);
                        if v.is_empty() { "(none)".to_string() } else { super::format::shown(&v) }
                    }}</span>
                    <span class="ts-facet__count">{move || group_digits(u64::from(hits(k)))}</span>
                </button>
            </li>
        }
    };
    view! {
        <div class="ts-facet" data-testid="facet" data-field=name>
            <h3 class="ts-facet__title">
                {field.label()}
                <span class="ts-facet__distinct">{move || facet.with(|f| match f.distinct {
                    0 => "no values".to_string(),
                    1 => "1 value".to_string(),
                    n => format!("{} values", group_digits(u64::from(n))),
                })}</span>
            </h3>
            <ul class="ts-facet__list">
                <For each=move || 0..count.get() key=|k| *k children=entry/>
            </ul>
        </div>
    }
}
