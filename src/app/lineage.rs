//! Who is behind a call: the chain from an event made with temporary credentials back
//! through the events that issued each access key to the first identity in the loaded
//! logs, shown in the detail pane; and the session view, everything done under one
//! access key in time order (the query `session:<key>`, sorted oldest first).

use leptos::prelude::*;
use trailscope_core::engine::Field;
use trailscope_core::investigate::{Access, LineageStep};

use super::format::format_time_zoned;
use super::state::{expect_state, AppState};

/// The query that lists a session.
pub fn session_query(key: &str) -> String {
    super::format::query_term("session", key, false)
}

/// Shows everything done under `key`, oldest first.
pub fn open_session(state: AppState, key: &str) {
    state.group_filter.set(None);
    state.sort.set((Field::EventTime, false));
    state.apply_query(session_query(key));
}

/// The lineage section of the detail pane for one event's chain; nothing for an event
/// made without an access key.
#[component]
pub fn Lineage(
    /// The chain behind the event shown.
    lineage: trailscope_core::investigate::Lineage,
) -> impl IntoView {
    let state = expect_state();
    let Some(first) = lineage.steps.first() else {
        return ().into_any();
    };
    // The chain starts at the event shown.
    let index = first.index;
    let key = first.access_key_id.clone();
    if key.is_empty() && lineage.steps.len() < 2 {
        return ().into_any();
    }
    let steps = lineage.steps.clone();
    let origin = steps
        .last()
        .map(|s| s.principal.clone())
        .unwrap_or_default();
    let summary = match (&lineage.missing, steps.len()) {
        (Some(_), _) => {
            "The event that issued these credentials is not in the loaded logs.".to_string()
        }
        (None, 1) => "Made with long-term or unlinked credentials.".to_string(),
        (None, n) => format!(
            "{} step{} back to {}",
            n - 1,
            if n == 2 { "" } else { "s" },
            if origin.is_empty() {
                "the first identity"
            } else {
                origin.as_str()
            }
        ),
    };
    let session_key = key.clone();
    let step_count = steps.len().to_string();
    view! {
        <section class="ts-lineage" data-testid="lineage" data-steps=step_count
            data-missing=lineage.missing.clone().unwrap_or_default() aria-label="Credential lineage">
            <header class="ts-lineage__head">
                <h3 class="ts-lineage__title">"Who is behind this call"</h3>
                {(!key.is_empty()).then(|| view! {
                    <button class="ts-button ts-button--small" data-testid="session-button"
                        title=format!("Everything done with access key {key}, oldest first")
                        on:click=move |_| open_session(state, &session_key)>"Session ▸"</button>
                })}
            </header>
            <p class="ts-lineage__summary" class:ts-lineage__summary--missing=lineage.missing.is_some()>{summary}</p>
            <ol class="ts-lineage__steps">
                {steps.into_iter().enumerate().map(|(n, s)| step_view(state, n, index, s)).collect_view()}
                {lineage.missing.clone().map(|k| view! {
                    <li class="ts-lineage__step ts-lineage__step--missing" data-testid="lineage-missing">
                        <span class="ts-lineage__event">"Issuer not loaded"</span>
                        <span class="ts-lineage__meta">{format!("No AssumeRole, GetSessionToken or similar event in the loaded logs returned {k}.")}</span>
                    </li>
                })}
            </ol>
        </section>
    }
    .into_any()
}

fn step_view(state: AppState, n: usize, current: u32, s: LineageStep) -> impl IntoView {
    let target = s.index;
    let identity = if s.arn.is_empty() {
        s.principal.clone()
    } else {
        s.arn.clone()
    };
    let when = s
        .time_ms
        .map(|ms| format_time_zoned(ms, state.offset_at(ms)))
        .unwrap_or_default();
    let mfa = match s.mfa {
        Some(true) => "MFA yes",
        Some(false) => "MFA no",
        None => "MFA not recorded",
    };
    let access = match s.access {
        Access::Console => "console",
        Access::Programmatic => "programmatic",
    };
    let via = match (&s.issued_key, s.access_key_id.is_empty()) {
        (Some(k), _) => format!("issued {k}"),
        (None, false) => format!("with {}", s.access_key_id),
        (None, true) => String::new(),
    };
    view! {
        <li class="ts-lineage__step" class:ts-lineage__step--current=target == current>
            <button class="ts-lineage__link" data-testid="lineage-step"
                data-index=target.to_string() data-event-name=s.event_name.clone()
                data-mfa=s.mfa.map(|m| m.to_string()).unwrap_or_default() data-access=access
                title="Show this event"
                on:click=move |_| {
                    state.selected.set(Some(target));
                    state.detail_open.set(true);
                }>
                <span class="ts-lineage__n">{(n + 1).to_string()}</span>
                <span class="ts-lineage__event">{s.event_name.clone()}</span>
                <span class="ts-lineage__identity">{identity}</span>
                <span class="ts-lineage__meta">
                    <span>{s.source_ip.clone()}</span>
                    <span class="ts-lineage__tag" class:ts-lineage__tag--warn=s.mfa == Some(false)>{mfa}</span>
                    <span class="ts-lineage__tag">{access}</span>
                    <span>{when}</span>
                </span>
                {(!via.is_empty()).then(|| view! { <span class="ts-lineage__key">{via}</span> })}
            </button>
        </li>
    }
}

/// Says when the table lists one session.
#[component]
pub fn SessionBanner() -> impl IntoView {
    let state = expect_state();
    let key = Memo::new(move |_| {
        let q = state.query.get();
        let rest = q
            .trim()
            .strip_prefix("session:")?
            .trim_matches('"')
            .to_string();
        (!rest.is_empty() && !rest.contains(char::is_whitespace)).then_some(rest)
    });
    move || {
        key.get().map(|k| {
            let n = state.with_data(|d| d.matched);
            view! {
                <div class="ts-session" data-testid="session-view" data-key=k data-count=n.to_string()>
                    <span class="ts-session__label" title="The event that issued this access key and every call made with it">"Session"</span>
                    <code class="ts-session__key">{k.clone()}</code>
                    <span class="ts-session__count">{format!("{n} events, oldest first")}</span>
                </div>
            }
        })
    }
}
