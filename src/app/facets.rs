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
                {move || {
                    let f = facet.get();
                    let max = f.values.first().map(|(_, c)| *c).unwrap_or(1).max(1);
                    f.values.into_iter().map(|(value, count)| {
                        let label = if value.is_empty() { "(none)".to_string() } else { super::format::shown(&value) };
                        let pct = f64::from(count) / f64::from(max) * 100.0;
                        let v = value.clone();
                        let title = format!("{}\nClick: only these · Alt-click: exclude", super::format::tip(&value));
                        view! {
                            <li>
                                <button
                                    class="ts-facet__value"
                                    data-testid="facet-value"
                                    data-value=value.clone()
                                    data-count=count.to_string()
                                    title=title
                                    on:click=move |ev: leptos::ev::MouseEvent| {
                                        let exclude = ev.alt_key() || ev.ctrl_key() || ev.meta_key();
                                        state.add_term(name, &v, exclude);
                                    }
                                >
                                    <span class="ts-facet__bar" style:width=format!("{pct:.1}%")></span>
                                    <span class="ts-facet__label">{label}</span>
                                    <span class="ts-facet__count">{group_digits(u64::from(count))}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()
                }}
            </ul>
        </div>
    }
}
