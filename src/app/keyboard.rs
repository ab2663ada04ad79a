//! Keyboard use: `/` focuses the query, `j`/`k` or the arrow keys move the selection,
//! `Enter` opens the selected event, `Esc` closes the detail pane, then the group filter,
//! then the selection (in the query box it clears the query).

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::state::AppState;
use crate::worker::protocol::{Reply, Request};

/// The query box's element id.
pub const QUERY_ID: &str = "ts-query";

fn typing_target(e: &ev::KeyboardEvent) -> Option<String> {
    let el = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    let tag = el.tag_name().to_ascii_lowercase();
    matches!(tag.as_str(), "input" | "textarea" | "select").then(|| el.id())
}

thread_local! {
    /// A step is being asked of the worker, and the rows pressed meanwhile.
    static STEPPING: std::cell::Cell<(bool, i64)> = const { std::cell::Cell::new((false, 0)) };
}

/// Moves the selection by `delta` rows in table order and asks the table to show it.
/// Key presses that come while the worker answers are added up and applied after it, so
/// fast typing lands where the keys say.
pub fn move_selection(state: AppState, delta: i64) {
    let (busy, queued) = STEPPING.get();
    if busy {
        STEPPING.set((true, queued + delta));
        return;
    }
    STEPPING.set((true, 0));
    wasm_bindgen_futures::spawn_local(async move {
        let mut delta = delta;
        loop {
            let from = state.selected.get_untracked();
            let request = Request::Step { from, delta };
            if let Ok(Reply::Step(Some((index, pos)))) = state.engine.call(request).await {
                state.selected.set(Some(index));
                state.reveal.set(Some(pos));
            }
            let (_, queued) = STEPPING.get();
            if queued == 0 {
                break;
            }
            STEPPING.set((true, 0));
            delta = queued;
        }
        STEPPING.set((false, 0));
    });
}

/// Listens on the window.
pub fn install(state: AppState) {
    let _ = window_event_listener(ev::keydown, move |e: ev::KeyboardEvent| {
        if e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        let key = e.key();
        if let Some(id) = typing_target(&e) {
            if key == "Escape" && id == QUERY_ID {
                e.prevent_default();
                state.apply_query(String::new());
            } else if key == "Escape" {
                if let Some(el) = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = el.blur();
                }
            }
            return;
        }
        match key.as_str() {
            "/" => {
                e.prevent_default();
                if let Some(el) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id(QUERY_ID))
                    .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = el.focus();
                }
            }
            "j" | "ArrowDown" => {
                e.prevent_default();
                move_selection(state, 1);
            }
            "k" | "ArrowUp" => {
                e.prevent_default();
                move_selection(state, -1);
            }
            "PageDown" => {
                e.prevent_default();
                move_selection(state, 20);
            }
            "PageUp" => {
                e.prevent_default();
                move_selection(state, -20);
            }
            "Enter" if state.selected.get_untracked().is_some() => {
                e.prevent_default();
                state.detail_open.set(true);
            }
            "Escape" => {
                if state.detail_open.get_untracked() {
                    state.detail_open.set(false);
                } else if state.group_filter.get_untracked().is_some() {
                    state.group_filter.set(None);
                } else {
                    state.selected.set(None);
                }
            }
            _ => {}
        }
    });
}
