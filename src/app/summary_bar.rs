//! The numbers of what is in view: events (of all loaded), time range, accounts,
//! regions, services, principals, failed calls.

use leptos::prelude::*;

use super::format::{format_time, group_digits, zone_label};
use super::state::expect_state;

/// The summary bar, with `event-count` and `match-count`.
#[component]
pub fn SummaryBar() -> impl IntoView {
    let state = expect_state();
    let total = Memo::new(move |_| state.with_data(|d| d.total));
    let matched = Memo::new(move |_| state.with_data(|d| d.matched));
    let summary = Memo::new(move |_| state.with_data(|d| d.summary.clone()));
    let range = move || {
        let s = summary.get();
        match (s.first_ms, s.last_ms) {
            (Some(a), Some(b)) => {
                let off = state.offset_at(b);
                format!(
                    "{} → {} {}",
                    format_time(a, off),
                    format_time(b, off),
                    zone_label(off)
                )
            }
            _ => "—".to_string(),
        }
    };
    let stat = |label: &'static str, value: Signal<String>, extra: &'static str| {
        view! {
            <div class=format!("ts-summary__item {extra}")>
                <span class="ts-summary__value">{move || value.get()}</span>
                <span class="ts-summary__label">{label}</span>
            </div>
        }
    };
    let n = |f: fn(&trailscope_core::engine::Summary) -> u32| {
        Signal::derive(move || group_digits(u64::from(f(&summary.get()))))
    };

    view! {
        <div class="ts-summary" role="status" aria-live="polite">
            <div class="ts-summary__item ts-summary__item--main">
                <span class="ts-summary__value">
                    <span data-testid="match-count" data-value=move || matched.get().to_string()>
                        {move || group_digits(matched.get() as u64)}
                    </span>
                    <span class="ts-summary__of">" of "</span>
                    <span data-testid="event-count" data-value=move || total.get().to_string()>
                        {move || group_digits(total.get() as u64)}
                    </span>
                </span>
                <span class="ts-summary__label">"events match"</span>
            </div>
            <div class="ts-summary__item ts-summary__item--range">
                <span class="ts-summary__value">{range}</span>
                <span class="ts-summary__label">"time range in view"</span>
            </div>
            {stat("accounts", n(|s| s.accounts), "")}
            {stat("regions", n(|s| s.regions), "")}
            {stat("services", n(|s| s.services), "")}
            {stat("principals", n(|s| s.principals), "")}
            <div class="ts-summary__item" class:ts-summary__item--alert=move || summary.with(|s| s.failed > 0)>
                <span class="ts-summary__value">{move || group_digits(u64::from(summary.with(|s| s.failed)))}</span>
                <span class="ts-summary__label">"failed calls"</span>
            </div>
        </div>
    }
}
