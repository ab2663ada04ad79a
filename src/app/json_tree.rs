//! The detail pane's JSON tree: collapsible, coloured by type, every value as text.
//!
//! Leaves get what a reader needs next to the raw value: the date of an epoch number or
//! ISO time, the parts of an ARN, the decoded content of a JSON string, and a button that
//! adds `path:value` to the query. Arrays of objects are shown as a nested table.

use leptos::prelude::*;

use super::format::{self, epoch_ms, parse_arn, parse_iso, truncate};
use super::json::Node;
use super::state::AppState;

/// Longest string shown before "show all".
const LONG: usize = 400;
/// Levels open from the start.
const OPEN_DEPTH: usize = 3;

/// Where a node sits: its dotted query path (array indices dropped, as the query
/// language matches any element), or `None` inside decoded JSON strings, which the query
/// cannot reach.
#[derive(Clone)]
struct Place {
    path: Option<String>,
    depth: usize,
}

impl Place {
    fn child(&self, key: Option<&str>) -> Place {
        let path = match (&self.path, key) {
            (Some(p), Some(k)) if p.is_empty() => Some(k.to_string()),
            (Some(p), Some(k)) => Some(format!("{p}.{k}")),
            (p, None) => p.clone(),
            (None, _) => None,
        };
        Place {
            path,
            depth: self.depth + 1,
        }
    }
}

/// The tree of a whole event.
pub fn event_tree(state: AppState, root: Node) -> AnyView {
    let place = Place {
        path: Some(String::new()),
        depth: 0,
    };
    match root {
        Node::Object(members) => view! {
            <ul class="ts-json ts-json__members">
                {members.into_iter().map(|(k, v)| { let p = place.child(Some(&k)); member(state, Some(k), v, p) }).collect_view()}
            </ul>
        }
        .into_any(),
        other => view! { <ul class="ts-json ts-json__members">{member(state, None, other, place)}</ul> }.into_any(),
    }
}

fn key_view(key: &Option<String>) -> AnyView {
    match key {
        // Keys are log data too: a 200 KB key shows its start, the tooltip a little more.
        Some(k) => view! { <span class="ts-json__key" title=super::format::tip(k)>{super::format::shown(k)}</span><span class="ts-json__colon">": "</span> }.into_any(),
        None => ().into_any(),
    }
}

fn member(state: AppState, key: Option<String>, node: Node, place: Place) -> AnyView {
    match node {
        Node::Object(members) => {
            let n = members.len();
            view! {
                <li class="ts-json__item">
                    <details class="ts-json__node" open={place.depth < OPEN_DEPTH}>
                        <summary class="ts-json__summary">
                            {key_view(&key)}
                            <span class="ts-json__brace">{format!("{{…}} {n} {}", if n == 1 { "key" } else { "keys" })}</span>
                        </summary>
                        <ul class="ts-json__members">
                            {members.into_iter().map(|(k, v)| { let p = place.child(Some(&k)); member(state, Some(k), v, p) }).collect_view()}
                        </ul>
                    </details>
                </li>
            }
            .into_any()
        }
        Node::Array(items) => {
            let n = items.len();
            let table_cols = super::json::object_columns(&items);
            let body = match table_cols {
                Some(cols) => object_table(items, cols),
                None => view! {
                    <ol class="ts-json__members ts-json__members--array" start="0">
                        {items.into_iter().map(|v| { let p = place.child(None); member(state, None, v, p) }).collect_view()}
                    </ol>
                }
                .into_any(),
            };
            view! {
                <li class="ts-json__item">
                    <details class="ts-json__node" open={place.depth < OPEN_DEPTH + 1}>
                        <summary class="ts-json__summary">
                            {key_view(&key)}
                            <span class="ts-json__brace">{format!("[…] {n} {}", if n == 1 { "item" } else { "items" })}</span>
                        </summary>
                        {body}
                    </details>
                </li>
            }
            .into_any()
        }
        leaf => leaf_view(state, key, leaf, place),
    }
}

fn object_table(items: Vec<Node>, cols: Vec<String>) -> AnyView {
    view! {
        <div class="ts-json__table-wrap">
            <table class="ts-json__table" data-testid="json-table">
                <thead><tr>{cols.iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {items.into_iter().map(|item| view! {
                        <tr>{cols.iter().map(|c| {
                            let text = match item.get(c) {
                                None => String::new(),
                                Some(Node::String(s)) => s.clone(),
                                Some(n @ (Node::Object(_) | Node::Array(_))) => n.to_json(),
                                Some(n) => n.leaf_text().unwrap_or_else(|| "null".into()),
                            };
                            let (shown, _) = truncate(&text, 200);
                            view! { <td title=super::format::tip(&text)>{shown}</td> }
                        }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

fn leaf_view(state: AppState, key: Option<String>, node: Node, place: Place) -> AnyView {
    let (class, text) = match &node {
        Node::Null => ("null", "null".to_string()),
        Node::Bool(b) => ("bool", b.to_string()),
        Node::Number(t, _) => ("number", t.clone()),
        Node::String(s) => ("string", s.clone()),
        Node::Array(_) | Node::Object(_) => ("null", String::new()),
    };
    let expanded = RwSignal::new(false);
    let long = text.chars().count() > LONG;
    let shown = {
        let text = text.clone();
        move || {
            if long && !expanded.get() {
                truncate(&text, LONG).0
            } else {
                text.clone()
            }
        }
    };
    let quoted = class == "string";

    // What to add next to the value.
    let mut notes: Vec<AnyView> = Vec::new();
    match &node {
        Node::Number(_, v) => {
            if let Some(ms) = epoch_ms(*v, key.as_deref()) {
                notes.push(date_note(state, ms));
            }
        }
        Node::String(s) => {
            if let Some(ms) = parse_iso(s) {
                if state.local_time.get_untracked() {
                    notes.push(date_note(state, ms));
                }
            }
            if let Some(arn) = parse_arn(s) {
                let part = |label: &'static str, value: String| {
                    view! {
                        <span class="ts-arn__part">
                            <span class="ts-arn__label">{label}</span>
                            <span class="ts-arn__value">{if value.is_empty() { "—".to_string() } else { value }}</span>
                        </span>
                    }
                };
                notes.push(
                    view! {
                        <span class="ts-arn" data-testid="arn-parts">
                            {part("partition", arn.partition)}
                            {part("service", arn.service)}
                            {part("region", arn.region)}
                            {part("account", arn.account)}
                            {part("resource", arn.resource)}
                        </span>
                    }
                    .into_any(),
                );
            }
        }
        _ => {}
    }
    let decoded = node.embedded_json();

    let filter = match (&place.path, node.leaf_text()) {
        (Some(path), Some(value)) if !path.is_empty() => {
            let path = path.clone();
            Some(view! {
                <button class="ts-json__filter" data-testid="filter-value" data-path=path.clone()
                    title=format!("Filter by {}", format::query_term(&path, &truncate(&value, 80).0, false))
                    on:click=move |ev: leptos::ev::MouseEvent| {
                        let exclude = ev.alt_key() || ev.ctrl_key() || ev.meta_key();
                        state.add_term(&path, &value, exclude);
                    }
                >"⊕ filter"</button>
            })
        }
        _ => None,
    };

    view! {
        <li class="ts-json__item ts-json__leaf">
            <div class="ts-json__line">
                {key_view(&key)}
                <span class=format!("ts-json__value ts-json__value--{class}")>
                    {quoted.then_some("\"")}{shown}{quoted.then_some("\"")}
                </span>
                {long.then(|| view! {
                    <button class="ts-json__more" on:click=move |_| expanded.update(|e| *e = !*e)>
                        {move || if expanded.get() { "show less".to_string() } else { format!("show all ({} chars)", text.chars().count()) }}
                    </button>
                })}
                {filter}
            </div>
            {(!notes.is_empty()).then(|| view! { <div class="ts-json__notes">{notes}</div> })}
            {decoded.map(|inner| {
                let p = Place { path: None, depth: place.depth };
                view! {
                    <div class="ts-json__decoded" data-testid="decoded-json">
                        <span class="ts-json__decoded-label">"decoded JSON"</span>
                        <ul class="ts-json__members">{match inner {
                            Node::Object(members) => members.into_iter().map(|(k, v)| { let c = p.child(Some(&k)); member(state, Some(k), v, c) }).collect_view().into_any(),
                            other => member(state, None, other, p.clone()),
                        }}</ul>
                    </div>
                }
            })}
        </li>
    }
    .into_any()
}

fn date_note(state: AppState, ms: i64) -> AnyView {
    let text = move || format::format_time_zoned(ms, state.offset_at(ms));
    view! { <span class="ts-json__date" data-testid="date-note">{"≙ "}{text}</span> }.into_any()
}
