//! Grouping: the `group-by` select and the collapsible group list. Clicking a group narrows
//! the table to it (a second click, or Esc, widens it again).

use std::collections::HashSet;

use leptos::prelude::*;
use trailscope_core::engine::Group;

use super::format::group_digits;
use super::state::{expect_state, group_keys, GroupFilter};

/// (option value, label). Single keys are `Field::name()`s; two levels join with `>`.
pub const OPTIONS: &[(&str, &str)] = &[
    ("", "No grouping"),
    ("service", "Service"),
    ("eventSource", "Event source"),
    ("eventName", "Event name"),
    ("principal", "Principal"),
    ("awsRegion", "Region"),
    ("errorCode", "Error code"),
    ("recipientAccountId", "Account"),
    ("sourceIPAddress", "Source IP"),
    ("service>eventName", "Service › event name"),
    ("principal>eventName", "Principal › event name"),
    ("recipientAccountId>awsRegion", "Account › region"),
    ("errorCode>principal", "Error code › principal"),
];

/// Groups rendered at most per level (the rest are summarised).
const MAX_GROUPS: usize = 300;

/// The `group-by` select.
#[component]
pub fn GroupBySelect() -> impl IntoView {
    let state = expect_state();
    view! {
        <label class="ts-groupby">
            <span class="ts-groupby__label">"Group by"</span>
            <select
                class="ts-select"
                data-testid="group-by"
                prop:value=move || state.group_by.get()
                on:change=move |ev| {
                    state.group_filter.set(None);
                    state.group_by.set(event_target_value(&ev));
                }
            >
                {OPTIONS.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// The group list above the table, when grouping.
#[component]
pub fn Groups() -> impl IntoView {
    let state = expect_state();
    let collapsed = RwSignal::new(HashSet::<String>::new());
    let groups = Memo::new(move |_| {
        let keys = group_keys(&state.group_by.get());
        if keys.is_empty() {
            return Vec::new();
        }
        state.with_data(|d| d.groups.clone())
    });
    Effect::new(move |_| {
        state.group_by.track();
        collapsed.set(HashSet::new());
    });

    let rows = move || {
        let mut out = Vec::new();
        let groups = groups.get();
        let hidden = groups.len().saturating_sub(MAX_GROUPS);
        for g in groups.into_iter().take(MAX_GROUPS) {
            let path = vec![g.key.clone()];
            let open = !collapsed.with(|c| c.contains(&path.join("\u{1f}")));
            let children = g.children.clone();
            out.push(group_row(g, path.clone(), 0, open, collapsed));
            if open {
                let more = children.len().saturating_sub(MAX_GROUPS);
                for c in children.into_iter().take(MAX_GROUPS) {
                    let mut p = path.clone();
                    p.push(c.key.clone());
                    out.push(group_row(c, p, 1, false, collapsed));
                }
                if more > 0 {
                    out.push(view! { <li class="ts-groups__more ts-groups__more--nested">{format!("… {more} more")}</li> }.into_any());
                }
            }
        }
        if hidden > 0 {
            out.push(view! { <li class="ts-groups__more">{format!("… {hidden} more groups; narrow the query to see them")}</li> }.into_any());
        }
        out
    };

    view! {
        <Show when=move || !state.group_by.get().is_empty()>
            <div class="ts-groups" aria-label="Groups">
                <div class="ts-groups__head">
                    <span>{move || format!("{} groups", group_digits(groups.with(Vec::len) as u64))}</span>
                    {move || state.group_filter.get().map(|g| view! {
                        <button class="ts-chip" title="Show all groups again (Esc)" on:click=move |_| state.group_filter.set(None)>
                            {format!("Showing {} ✕", g.path.iter().map(|k| if k.is_empty() { "(none)" } else { k.as_str() }).collect::<Vec<_>>().join(" › "))}
                        </button>
                    })}
                </div>
                <ul class="ts-groups__list">{rows}</ul>
            </div>
        </Show>
    }
}

fn group_row(
    g: Group,
    path: Vec<String>,
    level: usize,
    open: bool,
    collapsed: RwSignal<HashSet<String>>,
) -> AnyView {
    let state = expect_state();
    let has_children = !g.children.is_empty();
    let id = path.join("\u{1f}");
    let label = if g.key.is_empty() {
        "(none)".to_string()
    } else {
        super::format::shown(&g.key)
    };
    let filter_path = path.clone();
    let selected_path = path.clone();
    let is_selected = move || {
        state
            .group_filter
            .with(|f| f.as_ref().is_some_and(|f| f.path == selected_path))
    };
    let total = state.engine.data.with_untracked(|d| d.matched).max(1);
    let pct = f64::from(g.count) / total as f64 * 100.0;
    let title = format!("{}: show only these events", super::format::tip(&g.key));
    view! {
        <li
            class=format!("ts-group ts-group--level{level}")
            class:ts-group--selected=is_selected
            data-testid="group-row"
            data-key=g.key.clone()
            data-count=g.count.to_string()
            data-level=level.to_string()
        >
            {if has_children {
                let id = id.clone();
                view! {
                    <button class="ts-group__toggle" aria-expanded=open.to_string()
                        title=if open { "Collapse" } else { "Expand" }
                        on:click=move |_| collapsed.update(|c| { if !c.remove(&id) { c.insert(id.clone()); } })
                    >{if open { "▾" } else { "▸" }}</button>
                }.into_any()
            } else {
                view! { <span class="ts-group__toggle ts-group__toggle--leaf"></span> }.into_any()
            }}
            <button class="ts-group__main" title=title
                on:click=move |_| {
                    let gb = state.group_by.get_untracked();
                    let next = GroupFilter { group_by: gb, path: filter_path.clone() };
                    if state.group_filter.get_untracked().as_ref() == Some(&next) {
                        state.group_filter.set(None);
                    } else {
                        state.group_filter.set(Some(next));
                    }
                }
            >
                <span class="ts-group__bar" style:width=format!("{pct:.1}%")></span>
                <span class="ts-group__key">{label}</span>
                <span class="ts-group__count">{group_digits(u64::from(g.count))}</span>
            </button>
        </li>
    }
    .into_any()
}
