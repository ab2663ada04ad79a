//! The page's components, one per file, over one shared [`state::AppState`].
//!
//! Layout: a top bar (brand, query, grouping, theme), the summary bar, then three
//! columns: the sidebar (loading, files, facets), the events (groups and the virtualised
//! table) and the detail pane of the selected event.

pub mod client;
pub mod compare;
pub mod detail;
pub mod export;
pub mod facets;
pub mod files_panel;
pub mod format;
pub mod groups;
pub mod json;
pub mod json_tree;
pub mod keyboard;
pub mod lineage;
pub mod load_panel;
pub mod loader;
pub mod presets;
pub mod query_bar;
pub mod state;
pub mod summary_bar;
pub mod table;
pub mod theme;
pub mod timeline;
pub mod url_state;

use leptos::ev;
use leptos::prelude::*;

use self::state::{expect_state, AppState};

/// The root component: provides the state, listens for drops and keys on the window.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    theme::install(state);
    keyboard::install(state);
    compare::install();
    url_state::install(state);

    let dragging = RwSignal::new(0i32);
    let _ = window_event_listener(ev::dragenter, move |e: ev::DragEvent| {
        if carries_files(&e) {
            e.prevent_default();
            dragging.update(|n| *n += 1);
        }
    });
    let _ = window_event_listener(ev::dragleave, move |_e: ev::DragEvent| {
        dragging.update(|n| *n = (*n - 1).max(0));
    });
    let _ = window_event_listener(ev::dragover, move |e: ev::DragEvent| {
        // Without this the browser opens the dropped file instead of handing it to us.
        e.prevent_default();
        if let Some(dt) = e.data_transfer() {
            dt.set_drop_effect("copy");
        }
    });
    let _ = window_event_listener(ev::drop, move |e: ev::DragEvent| {
        e.prevent_default();
        dragging.set(0);
        if let Some(dt) = e.data_transfer() {
            loader::load(state, loader::drop_sources(&dt));
        }
    });

    view! {
        <div
            class="ts-app"
            class:ts-app--dragging={move || dragging.get() > 0}
            data-testid="app"
            data-busy=move || state.busy().to_string()
            data-engine-memory=move || format!("{:.0}", state.engine.memory.get())
            data-engine-warm=move || state.engine.warm.get().to_string()
            data-view-ms=move || format!("{:.1}", state.with_data(|d| d.compute_ms()))
            data-view-parts=move || state.with_data(|d| {
                d.parts.iter().map(|(k, v)| format!("{k} {v:.1}")).collect::<Vec<_>>().join(", ")
            })
            data-view-partial=move || state.with_data(|d| d.partial.to_string())
        >
            <header class="ts-topbar">
                <div class="ts-brand">
                    <span class="ts-brand__mark" aria-hidden="true">"◆"</span>
                    <span class="ts-brand__name">"Trailscope"</span>
                </div>
                <query_bar::QueryBar/>
                <groups::GroupBySelect/>
                <theme::ThemeToggle/>
            </header>
            {move || state.engine.crash.get().map(|reason| view! {
                <div class="ts-crash" role="alert" data-testid="engine-crash">
                    {format!("The engine stopped: {reason}. It was restarted and the files before it were loaded again; the file it was reading is marked failed.")}
                    <button class="ts-icon-button" title="Dismiss" aria-label="Dismiss" on:click=move |_| state.engine.crash.set(None)>"✕"</button>
                </div>
            })}
            <summary_bar::SummaryBar/>
            <div class="ts-main" class:ts-main--detail=move || state.detail_open.get() && state.selected.get().is_some()>
                <aside class="ts-sidebar">
                    <load_panel::LoadPanel/>
                    <files_panel::FilesPanel/>
                    <presets::Presets/>
                    <facets::Facets/>
                </aside>
                <section class="ts-events" aria-label="Events">
                    <timeline::Timeline/>
                    <div class="ts-viewbar">
                        <lineage::SessionBanner/>
                        <span class="ts-viewbar__spacer"></span>
                        <compare::CompareTray/>
                        <export::ExportMenu/>
                    </div>
                    <groups::Groups/>
                    <table::EventTable/>
                </section>
                <detail::DetailPane/>
            </div>
            <div class="ts-dropzone" aria-hidden="true">
                <div class="ts-dropzone__box">"Drop CloudTrail files or folders to read them here. Nothing is uploaded."</div>
            </div>
        </div>
    }
}

fn carries_files(e: &ev::DragEvent) -> bool {
    e.data_transfer()
        .map(|dt| {
            dt.types()
                .iter()
                .any(|t| t.as_string().as_deref() == Some("Files"))
        })
        .unwrap_or(false)
}

/// Re-exported for components that only need the state.
pub fn state() -> AppState {
    expect_state()
}
