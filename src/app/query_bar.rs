//! The query box. A query applies on Enter and after a short pause in typing; while the
//! pause runs the app reports itself busy, so nobody reads a stale count. A query with a
//! syntax error is explained under the box, pointing at the place, and the previous
//! results stay.

use std::time::Duration;

use leptos::prelude::*;

use super::keyboard::QUERY_ID;
use super::state::expect_state;

/// The pause after the last keystroke before a typed query applies.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// The query input, its error and a short help.
#[component]
pub fn QueryBar() -> impl IntoView {
    let state = expect_state();
    let timer = StoredValue::new_local(None::<leptos::leptos_dom::helpers::TimeoutHandle>);
    let cancel = move || {
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        timer.set_value(None);
    };
    let on_input = move |ev| {
        let text = event_target_value(&ev);
        state.query_text.set(text);
        cancel();
        state.query_pending.set(true);
        let handle = set_timeout_with_handle(
            move || {
                timer.set_value(None);
                state.query.set(state.query_text.get_untracked());
                state.query_pending.set(false);
            },
            DEBOUNCE,
        );
        timer.set_value(handle.ok());
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" {
            ev.prevent_default();
            cancel();
            state.apply_query(state.query_text.get_untracked());
        }
    };
    let error = Memo::new(move |_| state.with_data(|d| d.query_error.clone()));
    let help_open = RwSignal::new(false);

    view! {
        <div class="ts-query" class:ts-query--error=move || error.with(Option::is_some)>
            <div class="ts-query__box">
                <span class="ts-query__icon" aria-hidden="true">"⌕"</span>
                <input
                    id=QUERY_ID
                    class="ts-query__input"
                    data-testid="filter-input"
                    type="search"
                    autocomplete="off"
                    spellcheck="false"
                    aria-label="Query"
                    placeholder="Filter: eventName:Delete* -errorCode:AccessDenied userIdentity.type:Root   (press / )"
                    prop:value=move || state.query_text.get()
                    on:input=on_input
                    on:keydown=on_key
                />
                <button
                    class="ts-icon-button ts-query__help-toggle"
                    title="Query syntax"
                    aria-expanded=move || help_open.get().to_string()
                    on:click=move |_| help_open.update(|o| *o = !*o)
                >"?"</button>
            </div>
            {move || error.get().map(|e| {
                let q = state.query.get_untracked();
                let chars: Vec<char> = q.chars().collect();
                let at = e.position.min(chars.len());
                let before: String = chars[..at].iter().collect();
                let mark: String = chars.get(at).map(|c| c.to_string()).unwrap_or_else(|| " ".into());
                let after: String = chars.get(at + 1..).map(|s| s.iter().collect()).unwrap_or_default();
                view! {
                    <div class="ts-query__error" role="alert" data-testid="query-error">
                        <span class="ts-query__error-text">
                            {format!("Query not applied: {} (at character {}). Showing the previous results.", e.message, e.position + 1)}
                        </span>
                        <code class="ts-query__error-query">
                            {before}<mark class="ts-query__error-mark">{mark}</mark>{after}
                        </code>
                    </div>
                }
            })}
            <Show when=move || help_open.get()>
                <div class="ts-query__help" role="note">
                    <dl>
                        <dt><code>"eventName:PutMetricAlarm"</code></dt><dd>"a field, by its CloudTrail JSON path; exact and case-sensitive"</dd>
                        <dt><code>"requestParameters.alarmName:\"CloudTrail Test Alarm\""</code></dt><dd>"quotes for values with spaces"</dd>
                        <dt><code>"eventName:Delete*"</code></dt><dd>"* is a wildcard"</dd>
                        <dt><code>"-errorCode:AccessDenied"</code></dt><dd>"- excludes"</dd>
                        <dt><code>"eventName:StopLogging OR eventName:DeleteTrail"</code></dt><dd>"either; terms separated by spaces must all match"</dd>
                        <dt><code>"johndoe"</code></dt><dd>"a bare word matches anywhere in the event, any case"</dd>
                    </dl>
                    <p>"Keys: / query · j k or ↑ ↓ move · Enter details · Esc close. Alt-click a facet value to exclude it."</p>
                </div>
            </Show>
        </div>
    }
}
