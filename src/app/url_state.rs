//! Shareable views: the query (time range included, as its `after:`/`before:` terms),
//! the grouping, the chosen columns, the selected event's id and the theme live in the
//! URL fragment, never any event data. Opening such a URL restores the view, and the
//! selection as soon as files holding that event are loaded. A change of query,
//! grouping, columns or theme is a new history entry (back and forward move between
//! views); moving the selection replaces the current entry.
//!
//! Fragment: `#q=<query>&g=<group-by>&cols=<column ids>&sel=<eventID>&theme=<dark|light>`,
//! each value URI-encoded, empty parts left out.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::state::{AppState, Column, Theme};
use crate::worker::protocol::{Reply, Request};

/// A view as the fragment holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewState {
    /// The applied query.
    pub query: String,
    /// The `group-by` value.
    pub group_by: String,
    /// Visible base columns; `None` for the default set.
    pub columns: Option<Vec<Column>>,
    /// The selected event's `eventID`.
    pub selected: Option<String>,
    /// The chosen theme.
    pub theme: Option<Theme>,
}

impl ViewState {
    /// The part that makes a new history entry when it changes (all but the selection).
    fn major(&self) -> (String, String, Option<Vec<Column>>, Option<Theme>) {
        (
            self.query.clone(),
            self.group_by.clone(),
            self.columns.clone(),
            self.theme,
        )
    }

    /// The fragment text without `#` ("" for the empty view).
    pub fn to_fragment(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
        if !self.query.is_empty() {
            parts.push(format!("q={}", enc(&self.query)));
        }
        if !self.group_by.is_empty() {
            parts.push(format!("g={}", enc(&self.group_by)));
        }
        if let Some(cols) = &self.columns {
            let ids: Vec<&str> = cols.iter().map(|c| c.id()).collect();
            parts.push(format!("cols={}", enc(&ids.join(","))));
        }
        if let Some(sel) = &self.selected {
            parts.push(format!("sel={}", enc(sel)));
        }
        match self.theme {
            Some(Theme::Dark) => parts.push("theme=dark".into()),
            Some(Theme::Light) => parts.push("theme=light".into()),
            None => {}
        }
        parts.join("&")
    }

    /// Reads a fragment (with or without `#`); unknown parts are ignored.
    pub fn from_fragment(fragment: &str) -> ViewState {
        let mut v = ViewState::default();
        for part in fragment.trim_start_matches('#').split('&') {
            let Some((key, raw)) = part.split_once('=') else {
                continue;
            };
            let Some(value) = js_sys::decode_uri_component(raw)
                .ok()
                .and_then(|s| s.as_string())
            else {
                continue;
            };
            match key {
                "q" => v.query = value,
                "g" => v.group_by = value,
                "cols" => {
                    let cols: Vec<Column> = value
                        .split(',')
                        .filter_map(|id| Column::ALL.iter().copied().find(|c| c.id() == id))
                        .collect();
                    v.columns = Some(cols);
                }
                "sel" if !value.is_empty() => v.selected = Some(value),
                "theme" => {
                    v.theme = match value.as_str() {
                        "dark" => Some(Theme::Dark),
                        "light" => Some(Theme::Light),
                        _ => None,
                    }
                }
                _ => {}
            }
        }
        v
    }
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The view the state shows now; `pending` is a selection not yet found among the
/// loaded events.
fn snapshot(state: AppState, pending: RwSignal<Option<String>>) -> ViewState {
    let columns = state.columns.get();
    let selected = match state.selected.get() {
        Some(i) if state.detail_open.get() => state.detail.with(|d| {
            d.as_ref()
                .filter(|(at, _)| *at == i)
                .map(|(_, d)| d.row.event_id.clone())
                .filter(|id| !id.is_empty())
        }),
        Some(_) => None,
        None => pending.get(),
    };
    ViewState {
        query: state.query.get(),
        group_by: state.group_by.get(),
        columns: (columns != Column::DEFAULT).then_some(columns),
        selected,
        theme: state.theme.get(),
    }
}

/// Puts a view on screen.
fn apply(state: AppState, view: &ViewState, pending: RwSignal<Option<String>>) {
    if state.query.get_untracked() != view.query || state.query_text.get_untracked() != view.query {
        state.apply_query(view.query.clone());
    }
    if state.group_by.get_untracked() != view.group_by {
        state.group_filter.set(None);
        state.group_by.set(view.group_by.clone());
    }
    let cols = view
        .columns
        .clone()
        .unwrap_or_else(|| Column::DEFAULT.to_vec());
    if state.columns.get_untracked() != cols {
        state.columns.set(cols);
    }
    if view.theme.is_some() && state.theme.get_untracked() != view.theme {
        state.theme.set(view.theme);
    }
    match &view.selected {
        // Found by the worker; until then it waits as pending (and is looked for again
        // after every load).
        Some(id) => {
            pending.set(Some(id.clone()));
            find_pending(state, pending);
        }
        None => {
            pending.set(None);
            state.detail_open.set(false);
        }
    }
}

/// Asks the worker for the pending selection's event and selects it when found.
fn find_pending(state: AppState, pending: RwSignal<Option<String>>) {
    let Some(id) = pending.get_untracked() else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let request = Request::FindEvent {
            event_id: id.clone(),
        };
        if let Ok(Reply::Found(Some((index, pos)))) = state.engine.call(request).await {
            if pending.get_untracked().as_deref() == Some(id.as_str()) {
                pending.set(None);
                state.selected.set(Some(index));
                state.detail_open.set(true);
                if let Some(pos) = pos {
                    state.reveal.set(Some(pos));
                }
            }
        }
    });
}

/// Restores the view of the page's URL and keeps the URL in step with the view.
pub fn install(state: AppState) {
    let pending = RwSignal::new(None::<String>);
    let initial = ViewState::from_fragment(&current_hash());
    if initial != ViewState::default() {
        apply(state, &initial, pending);
    }

    // A selection from the URL is found once files holding it are loaded.
    Effect::new(move |_| {
        state.engine.version();
        if pending.with(Option::is_some) {
            find_pending(state, pending);
        }
    });

    let last_major = StoredValue::new(initial.major());
    Effect::new(move |first: Option<()>| {
        let view = snapshot(state, pending);
        let fragment = view.to_fragment();
        let Some(window) = web_sys::window() else {
            return;
        };
        if current_hash().trim_start_matches('#') == fragment {
            last_major.set_value(view.major());
            return;
        }
        let location = window.location();
        let url = if fragment.is_empty() {
            format!(
                "{}{}",
                location.pathname().unwrap_or_default(),
                location.search().unwrap_or_default()
            )
        } else {
            format!("#{fragment}")
        };
        let Ok(history) = window.history() else {
            return;
        };
        let major = view.major();
        let new_entry = first.is_some() && last_major.with_value(|m| *m != major);
        last_major.set_value(major);
        let _ = if new_entry {
            history.push_state_with_url(&JsValue::NULL, "", Some(&url))
        } else {
            history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
        };
    });

    let _ = window_event_listener(leptos::ev::popstate, move |_| {
        let view = ViewState::from_fragment(&current_hash());
        last_major.set_value(view.major());
        apply(state, &view, pending);
    });
}
