//! One row per loaded file: format, events, duplicates, status and what happened in
//! plain words (with the position of any damage), and a button to remove it. Past
//! [`FILES_LISTED`] files, that many rows, the files that did not load whole first, and a
//! line with every file's count by status.

use leptos::prelude::*;
use trailscope_core::FileReport;

use super::format::group_digits;
use super::state::expect_state;
use crate::worker::protocol::FILES_LISTED;

fn describe(r: &FileReport) -> String {
    let mut parts = vec![r.format.as_str().to_string()];
    if r.gzip {
        parts[0].push_str(" (gzip)");
    }
    parts.push(match r.events {
        1 => "1 event".to_string(),
        n => format!("{} events", group_digits(u64::from(n))),
    });
    if r.duplicates > 0 {
        parts.push(format!(
            "{} duplicates",
            group_digits(u64::from(r.duplicates))
        ));
    }
    if r.conflicts > 0 {
        parts.push(format!(
            "{} conflicting IDs",
            group_digits(u64::from(r.conflicts))
        ));
    }
    parts.join(" · ")
}

/// The files panel.
#[component]
pub fn FilesPanel() -> impl IntoView {
    let state = expect_state();
    let files = Memo::new(move |_| state.with_side(|d| d.files.clone().unwrap_or_default()));
    let loaded = Memo::new(move |_| state.with_side(|d| (d.files_total, d.file_counts)));
    let count =
        move || loaded.get().0 + state.read_errors.with(Vec::len) + state.skipped.with(Vec::len);
    // Past [`FILES_LISTED`] loaded files, the worker sends that many (those that did not
    // load whole first); the page lists as many of the files it did not load.
    let unlisted = move || {
        let (total, counts) = loaded.get();
        let listed = files.with(Vec::len);
        (total > listed).then(|| {
            let whole = counts.ok as usize == total;
            let (total, listed) = (group_digits(total as u64), group_digits(listed as u64));
            if whole {
                return format!("{total} files loaded, all of them whole. The first {listed} are listed.");
            }
            let mut parts = vec![format!("{} ok", group_digits(u64::from(counts.ok)))];
            for (n, what) in [
                (counts.partial, "partial"),
                (counts.failed, "failed"),
                (counts.skipped, "skipped"),
            ] {
                if n > 0 {
                    parts.push(format!("{} {what}", group_digits(u64::from(n))));
                }
            }
            format!(
                "{total} files loaded: {}. {listed} are listed, those that did not load whole first.",
                parts.join(", ")
            )
        })
    };
    let not_loaded = move |list: Vec<(String, String)>, status: &'static str| {
        let more = list.len().saturating_sub(FILES_LISTED);
        let rows = list.into_iter().take(FILES_LISTED).map(move |(name, reason)| {
            let shown = name.clone();
            view! {
                <li class=format!("ts-file ts-file--{status}") data-testid="file-row" data-name=name
                    data-status=status data-format="unknown" data-events="0">
                    <div class="ts-file__head">
                        <span class=format!("ts-badge ts-badge--{status}")>{status}</span>
                        <span class="ts-file__name">{shown}</span>
                    </div>
                    <div class="ts-file__message">{reason}</div>
                </li>
            }
        });
        view! {
            {rows.collect_view()}
            {(more > 0).then(|| view! {
                <li class="ts-files__more">{format!("… and {} more {status}", group_digits(more as u64))}</li>
            })}
        }
    };

    view! {
        <section class="ts-panel ts-files" aria-label="Files" class:ts-panel--empty=move || count() == 0>
            <h2 class="ts-panel__title">
                "Files" <span class="ts-panel__count">{move || count().to_string()}</span>
            </h2>
            {move || {
                let n = state.skipped.with(|v| v.iter().filter(|(_, r)| r.contains("budget")).count());
                (n > 0).then(|| view! {
                    <p class="ts-files__note" role="status" data-testid="memory-note">
                        {format!("{n} file(s) not loaded: they would not fit in this page's memory. The files marked skipped below were not read.")}
                    </p>
                })
            }}
            {move || unlisted().map(|text| view! {
                <p class="ts-files__note ts-files__note--info" role="status" data-testid="files-unlisted">{text}</p>
            })}
            <ul class="ts-files__list">
                <For each=move || files.get() key=|r| (r.id, r.events, r.status.as_str()) let:report>
                    {
                        let id = report.id;
                        let status = report.status.as_str();
                        let summary = describe(&report);
                        let warnings: Vec<String> = report
                            .warnings
                            .iter()
                            .take(5)
                            .map(|w| {
                                let at = w.location.to_string();
                                if at.is_empty() { w.message.clone() } else { format!("{at}: {}", w.message) }
                            })
                            .collect();
                        let more = report.warnings.len().saturating_sub(5);
                        // The end of a long path says most: show the folder part shrinkable.
                        let (dir, base) = match report.name.rfind('/') {
                            Some(i) => (report.name[..=i].to_string(), report.name[i + 1..].to_string()),
                            None => (String::new(), report.name.clone()),
                        };
                        view! {
                            <li
                                class=format!("ts-file ts-file--{status}")
                                data-testid="file-row"
                                data-name=report.name.clone()
                                data-status=status
                                data-format=report.format.as_str()
                                data-events=report.events.to_string()
                                data-duplicates=report.duplicates.to_string()
                            >
                                <div class="ts-file__head">
                                    <span class=format!("ts-badge ts-badge--{status}")>{status}</span>
                                    <span class="ts-file__name" title=report.name.clone()>
                                        <span class="ts-file__dir">{dir}</span>
                                        <span class="ts-file__base">{base}</span>
                                    </span>
                                    <button
                                        class="ts-icon-button ts-file__remove"
                                        title="Remove this file and its events"
                                        aria-label=format!("Remove {}", report.name)
                                        data-testid="file-remove"
                                        on:click=move |_| {
                                            state.group_filter.set(None);
                                            state.selected.set(None);
                                            state.engine.remove_file(id);
                                        }
                                    >"✕"</button>
                                </div>
                                <div class="ts-file__meta">{summary}</div>
                                <div class="ts-file__message">{report.message.clone()}</div>
                                {(!warnings.is_empty()).then(|| view! {
                                    <ul class="ts-file__warnings">
                                        {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                                        {(more > 0).then(|| view! { <li>{format!("… and {more} more")}</li> })}
                                    </ul>
                                })}
                            </li>
                        }
                    }
                </For>
                {move || not_loaded(state.read_errors.get(), "failed")}
                {move || not_loaded(state.skipped.get(), "skipped")}
            </ul>
        </section>
    }
}
