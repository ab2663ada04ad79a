//! The loading controls: file picker, folder picker, paste box and the sample button.
//! Dropping anywhere on the window does the same (see [`super::App`]).

use leptos::prelude::*;

use super::format::group_digits;
use super::loader::{self, Source};
use super::state::expect_state;
use crate::sample;

/// Pickers, paste box and "Try sample logs".
#[component]
pub fn LoadPanel() -> impl IntoView {
    let state = expect_state();
    let paste = RwSignal::new(String::new());
    let folder = NodeRef::<leptos::html::Input>::new();
    // `webkitdirectory` is not a standard attribute, so it is set on the element directly.
    Effect::new(move |_| {
        if let Some(input) = folder.get() {
            input.set_webkitdirectory(true);
        }
    });

    let on_files = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let sources = loader::input_sources(&input);
        // Reset so choosing the same file again fires `change` again.
        input.set_value("");
        loader::load(state, sources);
    };
    let load_paste = move |_| {
        let text = paste.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        loader::load(
            state,
            vec![Source::Bytes("pasted".into(), text.into_bytes())],
        );
        paste.set(String::new());
    };
    let load_sample = move |_| {
        let sources = sample::FILES
            .iter()
            .map(|(name, text)| Source::Bytes((*name).to_string(), text.as_bytes().to_vec()))
            .collect();
        loader::load(state, sources);
    };

    view! {
        <section class="ts-panel ts-load" aria-label="Load logs">
            <h2 class="ts-panel__title">"Load logs"</h2>
            <p class="ts-load__hint">"Drop files or folders anywhere. Everything stays in this tab."</p>
            <div class="ts-load__buttons">
                <label class="ts-button ts-button--primary">
                    "Open files"
                    <input class="ts-visually-hidden" type="file" multiple data-testid="file-input" on:change=on_files/>
                </label>
                <label class="ts-button">
                    "Open folder"
                    <input class="ts-visually-hidden" type="file" multiple node_ref=folder data-testid="folder-input" on:change=on_files/>
                </label>
                <button class="ts-button" data-testid="load-sample" on:click=load_sample>"Try sample logs"</button>
            </div>
            <div class="ts-load__paste">
                <textarea
                    class="ts-load__textarea"
                    data-testid="paste-input"
                    aria-label="Paste log text"
                    rows="3"
                    spellcheck="false"
                    placeholder="…or paste log text: {\"Records\": [ … ]}, JSON lines, a Markdown page with events"
                    prop:value=move || paste.get()
                    on:input=move |ev| paste.set(event_target_value(&ev))
                ></textarea>
                <button class="ts-button ts-button--small" data-testid="paste-load" on:click=load_paste>"Load pasted text"</button>
            </div>
            <LoadProgressLine/>
        </section>
    }
}

/// While files load: the file being read, bytes read of the total, MB/s, events so far,
/// the files found so far while folders are still walked, and Cancel (stops at the next
/// chunk and keeps what was loaded).
#[component]
fn LoadProgressLine() -> impl IntoView {
    let state = expect_state();
    let p = state.progress;
    let shown = move || state.loading.get() > 0 && p.total.get() > 0.0;
    let scanning = move || state.loading.get() > 0 && p.scanning.get() > 0;
    view! {
        <Show when=shown fallback=move || view! {
            <Show when=scanning>
                <ScanLine/>
            </Show>
        }>
            <ProgressFigures/>
        </Show>
    }
}

/// Before any bytes are read: the files found in the folders dropped, then the files
/// whose sizes are known, and Cancel (a folder of many thousand files takes seconds;
/// its first files load while the rest are found, and the figures show then).
#[component]
fn ScanLine() -> impl IntoView {
    let state = expect_state();
    let p = state.progress;
    let text = move || {
        let (found, sized) = (p.found.get(), p.sized.get());
        if sized == 0 {
            format!("Finding files · {} found", group_digits(u64::from(found)))
        } else {
            format!(
                "Reading file sizes · {} of {} files",
                group_digits(u64::from(sized)),
                group_digits(u64::from(found))
            )
        }
    };
    view! {
        <div
            class="ts-load__progress"
            role="status"
            data-testid="load-scan"
            data-found=move || p.found.get().to_string()
            data-sized=move || p.sized.get().to_string()
        >
            <progress></progress>
            <div class="ts-load__progress-text">{text}</div>
            <div class="ts-load__progress-file"></div>
            <CancelButton/>
        </div>
    }
}

/// Stops loading: the batches running stop at their next step and keep what they
/// loaded.
#[component]
fn CancelButton() -> impl IntoView {
    let state = expect_state();
    let p = state.progress;
    view! {
        <button
            class="ts-button ts-button--small"
            data-testid="load-cancel"
            disabled=move || p.cancel.get()
            on:click=move |_| { p.cancel.set(true); state.engine.cancel(); }
        >
            {move || if p.cancel.get() { "Cancelling…" } else { "Cancel" }}
        </button>
    }
}

/// What the progress line shows, read from the progress signals.
#[derive(Clone, PartialEq)]
struct Figures {
    bytes: f64,
    total: f64,
    events: usize,
    files: (u32, u32),
    current: String,
    started: f64,
    /// Files found so far while dropped folders are still walked.
    finding: Option<u32>,
}

/// How often the progress line is redrawn. The figures change with every chunk and
/// every file (dozens of times a second in a big load), and each redraw costs the
/// page a frame: a few a second read as well and leave the cores to the load.
const REDRAW_MS: u32 = 200;

/// The progress line's figures and Cancel, redrawn every [`REDRAW_MS`].
#[component]
fn ProgressFigures() -> impl IntoView {
    let state = expect_state();
    let p = state.progress;
    let read = move || Figures {
        bytes: p.bytes.get_untracked(),
        total: p.total.get_untracked(),
        events: p.events.get_untracked(),
        files: p.files.get_untracked(),
        current: p.current.get_untracked(),
        started: p.started.get_untracked(),
        finding: (p.scanning.get_untracked() > 0).then(|| p.found.get_untracked()),
    };
    let figures = RwSignal::new(read());
    let redraw = gloo::timers::callback::Interval::new(REDRAW_MS, move || {
        let now = read();
        if figures.with_untracked(|f| *f != now) {
            figures.set(now);
        }
    });
    // The interval stops when the line goes (dropping it clears it).
    let redraw = StoredValue::new_local(Some(redraw));
    on_cleanup(move || redraw.update_value(|r| drop(r.take())));
    let text = move || {
        figures.with(|f| {
            let secs = ((loader::now() - f.started) / 1000.0).max(0.001);
            let (files, done) = f.files;
            let finding = match f.finding {
                Some(found) => {
                    format!(" · finding files: {} found", group_digits(u64::from(found)))
                }
                None => String::new(),
            };
            format!(
                "{} of {} MB · {:.0} MB/s · {} events · file {} of {}{finding}",
                mb(f.bytes),
                mb(f.total),
                f.bytes / 1e6 / secs,
                group_digits(f.events as u64),
                (done + 1).min(files),
                files
            )
        })
    };
    let current = move || figures.with(|f| f.current.clone());
    view! {
        <div
            class="ts-load__progress"
            role="status"
            data-testid="load-progress"
            data-bytes=move || figures.with(|f| format!("{:.0}", f.bytes))
            data-total=move || figures.with(|f| format!("{:.0}", f.total))
            data-events=move || figures.with(|f| f.events.to_string())
        >
            <progress max=move || figures.with(|f| f.total) value=move || figures.with(|f| f.bytes)></progress>
            <div class="ts-load__progress-text">{text}</div>
            <div class="ts-load__progress-file" title=current>{current}</div>
            <CancelButton/>
        </div>
    }
}

fn mb(bytes: f64) -> String {
    if bytes >= 1e8 {
        format!("{:.0}", bytes / 1e6)
    } else {
        format!("{:.1}", bytes / 1e6)
    }
}
