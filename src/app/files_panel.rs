//! One row per loaded file: format, events, duplicates, status and what happened in
//! plain words (with the position of any damage), and a button to remove it.

use leptos::prelude::*;
use trailscope_core::FileReport;

use super::format::group_digits;
use super::state::expect_state;

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
    let files = Memo::new(move |_| state.with_side(|d| d.files.clone()));
    let count = move || {
        files.with(Vec::len) + state.read_errors.with(Vec::len) + state.skipped.with(Vec::len)
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
                {move || state.read_errors.get().into_iter().map(|(name, reason)| { let shown = name.clone(); view! {
                    <li class="ts-file ts-file--failed" data-testid="file-row" data-name=name
                        data-status="failed" data-format="unknown" data-events="0">
                        <div class="ts-file__head">
                            <span class="ts-badge ts-badge--failed">"failed"</span>
                            <span class="ts-file__name">{shown}</span>
                        </div>
                        <div class="ts-file__message">{reason}</div>
                    </li>
                }}).collect_view()}
                {move || state.skipped.get().into_iter().map(|(name, reason)| { let shown = name.clone(); view! {
                    <li class="ts-file ts-file--skipped" data-testid="file-row" data-name=name
                        data-status="skipped" data-format="unknown" data-events="0">
                        <div class="ts-file__head">
                            <span class="ts-badge ts-badge--skipped">"skipped"</span>
                            <span class="ts-file__name">{shown}</span>
                        </div>
                        <div class="ts-file__message">{reason}</div>
                    </li>
                }}).collect_view()}
            </ul>
        </section>
    }
}
