//! The timeline: events in view over time, in round-width buckets, each bar stacked by
//! outcome so failed calls stand out. Dragging across it (or clicking one bar) narrows
//! the query to that span with `after:`/`before:` terms in ISO UTC; the histogram then
//! spans the narrower view, which is the zoom. "Zoom out" doubles the span around its
//! middle and "All time" drops the time terms.

use leptos::html;
use leptos::prelude::*;
use trailscope_core::investigate::Histogram;

use super::format::{append_term, format_time, group_digits};
use super::state::{expect_state, AppState};

/// Buckets asked of the engine (it picks a round width giving at most this many).
pub const BUCKETS: usize = 72;

/// `ms` as `2023-07-10T12:00:00Z` (the query's ISO form).
pub fn iso(ms: i64) -> String {
    format!(
        "{}Z",
        format_time(ms.div_euclid(1000) * 1000, 0).replace(' ', "T")
    )
}

/// Whether a query term is a time bound.
fn is_time_term(token: &str) -> bool {
    token.starts_with("after:") || token.starts_with("before:")
}

/// The query without its top-level `after:`/`before:` terms (quotes and parentheses
/// respected), whitespace between the other terms kept.
pub fn strip_time_terms(query: &str) -> String {
    // Top-level tokens as byte ranges: whitespace outside quotes and parentheses ends one.
    let mut tokens: Vec<(usize, usize)> = Vec::new();
    let mut depth = 0i32;
    let mut in_quote = false;
    let mut escaped = false;
    let mut start: Option<usize> = None;
    for (i, c) in query.char_indices() {
        if in_quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_quote = false;
            }
            continue;
        }
        if c.is_whitespace() && depth <= 0 {
            if let Some(s) = start.take() {
                tokens.push((s, i));
            }
            continue;
        }
        start.get_or_insert(i);
        match c {
            '"' => in_quote = true,
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
    }
    if let Some(s) = start {
        tokens.push((s, query.len()));
    }
    let mut kept: Vec<&str> = tokens
        .into_iter()
        .map(|(a, b)| &query[a..b])
        .filter(|t| !is_time_term(t))
        .collect();
    // A dangling OR left by a removed bound is dropped too.
    while kept.last() == Some(&"OR") {
        kept.pop();
    }
    while kept.first() == Some(&"OR") {
        kept.remove(0);
    }
    kept.join(" ")
}

/// The query narrowed to `[from, to)`.
pub fn with_time_range(query: &str, from: i64, to: i64) -> String {
    let base = strip_time_terms(query);
    let q = append_term(&base, &format!("after:{}", iso(from)));
    append_term(&q, &format!("before:{}", iso(to)))
}

fn set_range(state: AppState, from: i64, to: i64) {
    let q = with_time_range(&state.query_text.get_untracked(), from, to);
    state.group_filter.set(None);
    state.apply_query(q);
}

/// The histogram above the table.
#[component]
pub fn Timeline() -> impl IntoView {
    let state = expect_state();
    let plot = NodeRef::<html::Div>::new();
    // (Drawn with the sidebar: a frame after the table while files load.)
    let hist = Memo::new(move |_| state.with_side(|d| d.histogram.clone()));
    let has_range = Memo::new(move |_| state.query.with(|q| strip_time_terms(q) != q.trim()));
    // Drag: (start, current) in pixels from the plot's left edge.
    let drag = RwSignal::new(None::<(f64, f64)>);

    let x_of = move |ev: &leptos::ev::PointerEvent| -> Option<(f64, f64)> {
        let el = plot.get_untracked()?;
        let rect = el.get_bounding_client_rect();
        let x = (f64::from(ev.client_x()) - rect.left()).clamp(0.0, rect.width());
        Some((x, rect.width()))
    };
    let time_at = move |h: &Histogram, x: f64, width: f64| -> i64 {
        let span = h.bucket_ms * h.ok.len() as i64;
        h.start_ms + ((x / width.max(1.0)) * span as f64) as i64
    };

    let on_down = move |ev: leptos::ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        if let Some((x, _)) = x_of(&ev) {
            if let Some(el) = plot.get_untracked() {
                let _ = el.set_pointer_capture(ev.pointer_id());
            }
            ev.prevent_default();
            drag.set(Some((x, x)));
        }
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        if drag.get_untracked().is_none() {
            return;
        }
        if let Some((x, _)) = x_of(&ev) {
            drag.update(|d| {
                if let Some(d) = d {
                    d.1 = x;
                }
            });
        }
    };
    let on_up = move |ev: leptos::ev::PointerEvent| {
        let Some((a, _)) = drag.get_untracked() else {
            return;
        };
        drag.set(None);
        let Some((b, width)) = x_of(&ev) else {
            return;
        };
        let h = hist.get_untracked();
        if h.ok.is_empty() || h.ok.iter().chain(&h.failed).all(|&n| n == 0) {
            return;
        }
        let (lo, hi) = (a.min(b), a.max(b));
        let (from, to) = if hi - lo < 4.0 {
            // A click: the bucket under the pointer.
            let n = h.ok.len() as f64;
            let k = ((lo / width.max(1.0)) * n).floor().clamp(0.0, n - 1.0) as i64;
            let from = h.start_ms + k * h.bucket_ms;
            (from, from + h.bucket_ms)
        } else {
            let from = time_at(&h, lo, width).div_euclid(1000) * 1000;
            let to = time_at(&h, hi, width);
            (from, (to + 999).div_euclid(1000) * 1000)
        };
        set_range(state, from, to.max(from + 1000));
    };
    let zoom_out = move |_| {
        let h = hist.get_untracked();
        let span = (h.bucket_ms * h.ok.len() as i64).max(1000);
        set_range(state, h.start_ms - span / 2, h.start_ms + span + span / 2);
    };
    let all_time = move |_| {
        let q = strip_time_terms(&state.query_text.get_untracked());
        state.apply_query(q);
    };

    // One bar per bucket, kept from view to view: a new histogram changes the bars'
    // attributes, and only a change in the number of buckets adds or removes bars.
    let scale = Memo::new(move |_| {
        hist.with(|h| {
            h.ok.iter()
                .zip(&h.failed)
                .map(|(a, b)| a + b)
                .max()
                .unwrap_or(0)
                .max(1)
        })
    });
    let bucket = move |k: usize| {
        hist.with(|h| {
            let ok = h.ok.get(k).copied().unwrap_or(0);
            let failed = h.failed.get(k).copied().unwrap_or(0);
            (ok, failed, h.start_ms + k as i64 * h.bucket_ms)
        })
    };
    let pct = move |n: u32| format!("{:.2}%", f64::from(n) / f64::from(scale.get()) * 100.0);
    let bar = move |k: usize| {
        let title = move || {
            let (ok, failed, from) = bucket(k);
            format!(
                "{} · {} events{}",
                format_time(from, 0),
                group_digits(u64::from(ok + failed)),
                if failed > 0 {
                    format!(", {failed} failed")
                } else {
                    String::new()
                }
            )
        };
        view! {
            <div class="ts-timeline__bar" data-testid="timeline-bar"
                data-count=move || { let (ok, failed, _) = bucket(k); (ok + failed).to_string() }
                data-failed=move || bucket(k).1.to_string()
                data-start=move || iso(bucket(k).2) title=title>
                <div class="ts-timeline__seg ts-timeline__seg--failed" style:height=move || pct(bucket(k).1)></div>
                <div class="ts-timeline__seg ts-timeline__seg--ok" style:height=move || pct(bucket(k).0)></div>
            </div>
        }
    };
    let bar_count = Memo::new(move |_| hist.with(|h| h.ok.len()));
    let bars = move || view! { <For each=move || 0..bar_count.get() key=|k| *k children=bar/> };
    let caption = move || {
        let h = hist.get();
        if h.ok.is_empty() {
            return String::new();
        }
        let end = h.start_ms + h.bucket_ms * h.ok.len() as i64;
        format!(
            "{} – {} UTC · one bar per {}",
            format_time(h.start_ms, 0),
            format_time(end, 0),
            width_label(h.bucket_ms)
        )
    };
    let max_label = move || {
        hist.with(|h| {
            h.ok.iter()
                .zip(&h.failed)
                .map(|(a, b)| a + b)
                .max()
                .unwrap_or(0)
        })
    };

    view! {
        <div class="ts-timeline" data-testid="timeline" class:ts-timeline--empty=move || state.with_side(|d| d.view_len == 0)>
            <div class="ts-timeline__head">
                <span class="ts-timeline__caption">{caption}</span>
                <span class="ts-timeline__legend">
                    <span class="ts-timeline__swatch ts-timeline__swatch--ok"></span>"ok"
                    <span class="ts-timeline__swatch ts-timeline__swatch--failed"></span>"failed"
                </span>
                <span class="ts-timeline__hint">"drag to narrow the time"</span>
                <button class="ts-button ts-button--small" data-testid="timeline-zoom-out" on:click=zoom_out>"Zoom out"</button>
                <button class="ts-button ts-button--small" data-testid="timeline-all" disabled=move || !has_range.get() on:click=all_time>"All time"</button>
            </div>
            <div class="ts-timeline__frame">
                <span class="ts-timeline__max">{move || group_digits(u64::from(max_label()))}</span>
                <div class="ts-timeline__plot" node_ref=plot data-testid="timeline-plot"
                    on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up
                    on:pointercancel=move |_| drag.set(None)>
                    {bars}
                    {move || drag.get().map(|(a, b)| view! {
                        <div class="ts-timeline__brush" style:left=format!("{}px", a.min(b)) style:width=format!("{}px", (a - b).abs())></div>
                    })}
                </div>
            </div>
        </div>
    }
}

fn width_label(ms: i64) -> String {
    const UNITS: &[(i64, &str)] = &[
        (365 * 86_400_000, "year"),
        (86_400_000, "day"),
        (3_600_000, "hour"),
        (60_000, "minute"),
        (1000, "second"),
    ];
    for &(unit, name) in UNITS {
        if ms >= unit && ms % unit == 0 {
            let n = ms / unit;
            return if n == 1 {
                name.to_string()
            } else {
                format!("{n} {name}s")
            };
        }
    }
    format!("{ms} ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_only_top_level_time_terms() {
        assert_eq!(
            strip_time_terms("eventName:X after:2023-07-10 before:2023-07-11"),
            "eventName:X"
        );
        assert_eq!(
            strip_time_terms("a \"after:x y\" (after:1 OR b)"),
            "a \"after:x y\" (after:1 OR b)"
        );
        assert_eq!(strip_time_terms("after:1"), "");
    }

    #[test]
    fn iso_is_what_the_query_reads() {
        assert_eq!(iso(1_688_990_400_123), "2023-07-10T12:00:00Z");
        assert_eq!(
            with_time_range("x", 0, 1000),
            "x after:1970-01-01T00:00:00Z before:1970-01-01T00:00:01Z"
        );
    }
}
