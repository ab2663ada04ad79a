//! Light and dark: the page follows the system's `prefers-color-scheme` until the user
//! picks one with the toggle; the choice is kept in `localStorage`. Colours live in CSS
//! variables switched by `data-theme` on the root element (style/main.css).

use leptos::prelude::*;

use super::state::{expect_state, AppState, Theme};

const STORAGE_KEY: &str = "trailscope.theme";

fn system_theme() -> Theme {
    let dark = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .map(|m| m.matches())
        .unwrap_or(false);
    if dark {
        Theme::Dark
    } else {
        Theme::Light
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Restores a saved choice and keeps the root element's `data-theme` in step.
pub fn install(state: AppState) {
    let saved = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    match saved.as_deref() {
        Some("dark") => state.theme.set(Some(Theme::Dark)),
        Some("light") => state.theme.set(Some(Theme::Light)),
        _ => {}
    }
    Effect::new(move |_| {
        let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        else {
            return;
        };
        match state.theme.get() {
            Some(Theme::Dark) => {
                let _ = root.set_attribute("data-theme", "dark");
            }
            Some(Theme::Light) => {
                let _ = root.set_attribute("data-theme", "light");
            }
            None => {
                let _ = root.remove_attribute("data-theme");
            }
        }
    });
}

/// The light/dark switch.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let state = expect_state();
    let current = move || state.theme.get().unwrap_or_else(system_theme);
    let toggle = move |_| {
        let next = match current() {
            Theme::Dark => Theme::Light,
            Theme::Light => Theme::Dark,
        };
        state.theme.set(Some(next));
        if let Some(s) = storage() {
            let _ = s.set_item(
                STORAGE_KEY,
                if next == Theme::Dark { "dark" } else { "light" },
            );
        }
    };
    view! {
        <button
            class="ts-button ts-button--ghost ts-theme-toggle"
            data-testid="theme-toggle"
            data-theme=move || if current() == Theme::Dark { "dark" } else { "light" }
            title="Switch between light and dark"
            on:click=toggle
        >
            {move || if current() == Theme::Dark { "☀ Light" } else { "☾ Dark" }}
        </button>
    }
}
