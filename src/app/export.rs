//! Exports of what is in view: the events the table shows, in its order, as CloudTrail
//! JSON (`{"Records":[...]}`, which loads back), JSON lines, or CSV of the visible
//! columns (the engine escapes cells a spreadsheet would run as formulas). The file is
//! made in the page as a Blob and handed to the browser as a download: nothing leaves it.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::state::{expect_state, AppState, Column};
use crate::worker::protocol::{ExportFormat, Reply, Request};

/// One export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// `{"Records":[...]}`.
    Json,
    /// One event per line.
    Jsonl,
    /// The visible columns.
    Csv,
}

impl ExportKind {
    fn file_name(self) -> &'static str {
        match self {
            ExportKind::Json => "trailscope-export.json",
            ExportKind::Jsonl => "trailscope-export.jsonl",
            ExportKind::Csv => "trailscope-export.csv",
        }
    }

    fn mime(self) -> &'static str {
        match self {
            ExportKind::Json => "application/json",
            ExportKind::Jsonl => "application/x-ndjson",
            ExportKind::Csv => "text/csv;charset=utf-8",
        }
    }
}

/// The CSV columns of the current view: the event id, the visible base columns, then
/// the parameter columns the table shows.
pub fn csv_columns(state: AppState) -> Vec<String> {
    let mut out = vec!["eventID".to_string()];
    out.extend(
        state
            .columns
            .get_untracked()
            .into_iter()
            .map(|c: Column| c.field().name().to_string()),
    );
    out.extend(
        state
            .engine
            .data
            .with_untracked(|d| d.params.iter().map(|p| p.path.clone()).collect::<Vec<_>>()),
    );
    out
}

/// Builds the export of the view and hands it to the browser as a download.
pub fn export(state: AppState, kind: ExportKind) {
    let (format, columns) = match kind {
        ExportKind::Json => (ExportFormat::Json, Vec::new()),
        ExportKind::Jsonl => (ExportFormat::Jsonl, Vec::new()),
        ExportKind::Csv => (ExportFormat::Csv, csv_columns(state)),
    };
    wasm_bindgen_futures::spawn_local(async move {
        let request = Request::Export { format, columns };
        match state.engine.call(request).await {
            Ok(Reply::Export(text)) => {
                if let Err(e) = download(kind.file_name(), kind.mime(), &text) {
                    web_sys::console::warn_1(&e);
                }
            }
            Ok(_) => {}
            Err(reason) => web_sys::console::warn_1(&reason.into()),
        }
    });
}

/// Saves `text` as a file through a Blob URL and a temporary `<a download>`.
fn download(name: &str, mime: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.set_attribute("hidden", "")?;
    let body = document.body().ok_or("no body")?;
    body.append_child(&a)?;
    a.click();
    a.remove();
    // The download has its own reference to the blob once started.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
    Ok(())
}

/// The export buttons.
#[component]
pub fn ExportMenu() -> impl IntoView {
    let state = expect_state();
    let empty = move || state.with_data(|d| d.view_len == 0);
    let button =
        move |kind: ExportKind, testid: &'static str, label: &'static str, title: &'static str| {
            view! {
                <button class="ts-button ts-button--small" data-testid=testid title=title
                    disabled=empty
                    on:click=move |_| export(state, kind)>{label}</button>
            }
        };
    view! {
        <div class="ts-export" role="group" aria-label="Export the events in view">
            <span class="ts-export__label">"Export"</span>
            {button(ExportKind::Json, "export-json", "JSON", "The events in view as CloudTrail JSON ({\"Records\":[...]}), loadable again")}
            {button(ExportKind::Jsonl, "export-jsonl", "JSONL", "The events in view, one JSON object per line")}
            {button(ExportKind::Csv, "export-csv", "CSV", "The visible columns of the events in view as CSV")}
        </div>
    }
}
