//! The event table: virtualised with a fixed row height. Only the rows in the scrolled
//! window (plus a few above and below) exist as elements, between two spacers whose
//! heights stand for the rest, so a million events cost the same as a hundred. The table
//! owns its scroll container; rows are asked from the engine as they come into view.

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use trailscope_core::engine::Field;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::format::{display_param, group_digits};
use super::json::Node;
use super::state::{expect_state, AppState, Column, MAX_PARAMS};
use crate::worker::protocol::{Reply, Request, RowData};

/// Height of one row in CSS pixels; `.ts-table__row` in style/main.css uses the same.
pub const ROW_HEIGHT: f64 = 24.0;
/// Rows rendered beyond each edge of the visible window.
const OVERSCAN: usize = 8;
/// Never more row elements than this, however tall the window.
const MAX_ROWS: usize = 100;
/// Rows asked beyond each edge of the window, so small scrolls need no round trip.
const PREFETCH: usize = 60;
/// Rows kept from earlier requests of the same view, at most.
const CACHE_ROWS: usize = 3000;
/// New row elements made in one frame, at most: the first view of a load or a jump
/// far down the table makes its rows over a few frames (top first), so no task of the
/// page grows with the window's height. Scrolling by less than this is drawn at once.
const NEW_ROWS_PER_FRAME: usize = 16;

/// The rows to render next, given the window wanted and the rows rendered now: all of
/// the window when it needs at most [`NEW_ROWS_PER_FRAME`] new elements; else the
/// rendered rows still in it (or its top, when none are) grown by that many, downward
/// first, and `true`: another frame is due.
pub fn next_rows(want: (usize, usize), shown: (usize, usize)) -> ((usize, usize), bool) {
    let (start, end) = want;
    let (a, b) = (shown.0.max(start), shown.1.min(end));
    let kept = b.saturating_sub(a);
    if (end - start).saturating_sub(kept) <= NEW_ROWS_PER_FRAME {
        return (want, false);
    }
    let (a, b) = if kept == 0 { (start, start) } else { (a, b) };
    let down = (b + NEW_ROWS_PER_FRAME).min(end);
    let up = a.saturating_sub(NEW_ROWS_PER_FRAME - (down - b)).max(start);
    ((up, down), true)
}

/// Which rows to render for a scroll position: `[start, end)` of `total`.
pub fn window_range(total: usize, scroll_top: f64, viewport: f64) -> (usize, usize) {
    // Float-to-int casts saturate; the sums must too (usize is 32 bits on wasm32).
    let first = ((scroll_top.max(0.0) / ROW_HEIGHT).floor() as usize).min(total);
    let visible = ((viewport.max(0.0) / ROW_HEIGHT).ceil() as usize).saturating_add(1);
    let start = first.saturating_sub(OVERSCAN);
    let end = first
        .saturating_add(visible)
        .saturating_add(OVERSCAN)
        .min(total)
        .min(start + MAX_ROWS);
    (start, end)
}

/// A column as shown: a base column or a parameter path.
#[derive(Clone, PartialEq)]
enum Col {
    Base(Column),
    Param(String),
}

impl Col {
    fn width(&self) -> &'static str {
        match self {
            Col::Base(c) => c.width(),
            Col::Param(_) => "minmax(8rem, 1fr)",
        }
    }
}

/// Where parameter columns go among the base columns: the operation's parameters are
/// the point of a per-service view, so right after the event name (or the time),
/// before the generic columns.
fn params_at(base: &[Col]) -> usize {
    base.iter()
        .position(|c| *c == Col::Base(Column::EventName))
        .or_else(|| base.iter().position(|c| *c == Col::Base(Column::Time)))
        .map_or(0, |i| i + 1)
}

/// The positions of the parameter columns in `cols` (an empty range where they would
/// go when there are none).
fn param_span(cols: &[Col]) -> std::ops::Range<usize> {
    match cols.iter().position(|c| matches!(c, Col::Param(_))) {
        Some(a) => {
            let n = cols[a..]
                .iter()
                .take_while(|c| matches!(c, Col::Param(_)))
                .count();
            a..a + n
        }
        None => {
            let at = params_at(cols);
            at..at
        }
    }
}

fn template(cols: &[Col]) -> String {
    let mut t = String::from("1.75rem");
    for c in cols {
        t.push(' ');
        t.push_str(c.width());
    }
    t
}

/// The table with its toolbar.
#[component]
pub fn EventTable() -> impl IntoView {
    let state = expect_state();
    let scroller = NodeRef::<html::Div>::new();
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(720.0f64);
    let chooser_open = RwSignal::new(false);

    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            let h = f64::from(el.client_height());
            if h > 0.0 {
                viewport.set(h);
            }
        }
    };
    // The scroller's height changes with the window and as panels above it fill
    // (timeline, groups): a resize observer hears it after layout, so no view forces
    // a layout of its own to measure.
    Effect::new(move |_| {
        let Some(el) = scroller.get() else {
            return;
        };
        measure();
        // The table lives as long as the page: the observer and its callback too.
        let on_resize = Closure::<dyn FnMut()>::new(measure);
        if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
            observer.observe(&el);
        }
        on_resize.forget();
    });
    // A new query, group or order starts at the top (new events arriving do not move it).
    Effect::new(move |_| {
        state.query.track();
        state.group_filter.track();
        state.sort.track();
        // Setting `scrollTop` makes the browser lay the page out at once, in this task;
        // at the top already (as the scroll handler last saw it), there is nothing to do.
        if scroll_top.get_untracked() != 0.0 {
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(0);
            }
            scroll_top.set(0.0);
        }
    });
    // Keyboard selection scrolls its row into view.
    Effect::new(move |_| {
        let Some(pos) = state.reveal.get() else {
            return;
        };
        let Some(el) = scroller.get_untracked() else {
            return;
        };
        let top = pos as f64 * ROW_HEIGHT;
        let st = f64::from(el.scroll_top());
        let room = f64::from(el.client_height()) - ROW_HEIGHT; // minus the sticky header
        if top < st {
            el.set_scroll_top(top as i32);
        } else if top + ROW_HEIGHT > st + room {
            el.set_scroll_top((top + ROW_HEIGHT - room).ceil() as i32);
        }
        scroll_top.set(f64::from(el.scroll_top()));
    });

    let total = Memo::new(move |_| state.with_data(|d| d.view_len));
    let range = Memo::new(move |_| window_range(total.get(), scroll_top.get(), viewport.get()));
    // The rows rendered: `range`, reached over a few frames when it needs many new rows.
    let shown = RwSignal::new((0usize, 0usize));
    let frame = RwSignal::new(0u32);
    // Whether a frame is awaited already (one at a time, however often `range` moves).
    let awaiting = StoredValue::new(false);
    // (A table that goes while filling leaves nothing busy.)
    on_cleanup(move || state.filling.set(false));
    Effect::new(move |_| {
        frame.track();
        let want = range.get();
        let (next, more) = next_rows(want, shown.get_untracked());
        if next != shown.get_untracked() {
            shown.set(next);
        }
        if state.filling.get_untracked() != more {
            state.filling.set(more);
        }
        if more && !awaiting.get_value() {
            awaiting.set_value(true);
            request_animation_frame(move || {
                awaiting.set_value(false);
                frame.update(|f| *f = f.wrapping_add(1));
            });
        }
    });
    // Rows the worker sent for the current view, by position: the view's first rows, then
    // whatever scrolling asked for (shared with the row elements that show them).
    let cache = RwSignal::new((0u64, BTreeMap::<usize, Arc<RowData>>::new()));
    Effect::new(move |_| {
        state.with_data(|d| {
            let rows = d
                .rows
                .iter()
                .map(|r| (r.pos, Arc::new(r.clone())))
                .collect();
            cache.set((d.seq, rows));
        });
    });
    let asked = RwSignal::new(None::<(u64, usize, usize)>);
    Effect::new(move |_| {
        let (start, end) = range.get();
        let seq = cache.with(|c| c.0);
        let missing = cache.with(|c| (start..end).any(|p| !c.1.contains_key(&p)));
        if !missing || seq == 0 {
            return;
        }
        let from = start.saturating_sub(PREFETCH);
        let to = end.saturating_add(PREFETCH);
        if asked.get_untracked() == Some((seq, from, to)) {
            return;
        }
        asked.set(Some((seq, from, to)));
        let engine = state.engine;
        wasm_bindgen_futures::spawn_local(async move {
            let request = Request::Rows {
                start: from,
                end: to,
            };
            if let Ok(Reply::Rows { seq: got, rows }) = engine.call(request).await {
                cache.update(|(seq, map)| {
                    if *seq != got {
                        return;
                    }
                    if map.len() > CACHE_ROWS {
                        map.clear();
                    }
                    map.extend(rows.into_iter().map(|r| (r.pos, Arc::new(r))));
                });
            }
        });
    });
    let cols = Memo::new(move |_| {
        let mut out: Vec<Col> = state.columns.get().into_iter().map(Col::Base).collect();
        let at = params_at(&out);
        let params: Vec<Col> = state
            .with_data(|d| d.params.clone())
            .into_iter()
            .take(MAX_PARAMS)
            .map(|p| Col::Param(p.path))
            .collect();
        out.splice(at..at, params);
        out
    });
    // Where the parameter columns are, for every row's three lists of cells.
    let span = Memo::new(move |_| cols.with(|c| param_span(c)));
    let grid = Memo::new(move |_| cols.with(|c| template(c)));
    // The column tracks are one custom property on the table that every row reads
    // (`.ts-table__row` in style/main.css), not a style on each row. Set through the CSS
    // object model: the CSP allows no inline style attribute.
    let inner = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        let template = grid.get();
        if let Some(el) = inner.get() {
            let _ = web_sys::HtmlElement::style(&el).set_property("--ts-grid", &template);
        }
    });
    let min_width = Memo::new(move |_| {
        cols.with(|c| {
            let rem: f64 = c
                .iter()
                .map(|c| match c {
                    Col::Base(b) => b.min_rem(),
                    Col::Param(_) => 8.0,
                })
                .sum();
            format!("{}rem", rem + 1.75)
        })
    });
    let param_note = Memo::new(move |_| {
        state.with_data(|d| {
            if d.params.is_empty() {
                None
            } else {
                d.param_subject.clone()
            }
        })
    });
    let empty = Memo::new(move |_| state.with_data(|d| d.total == 0));

    view! {
        <div class="ts-table" class:ts-table--empty=move || empty.get()>
            <div class="ts-table__toolbar">
                <span class="ts-table__count">
                    {move || {
                        let n = total.get();
                        format!("{} {} in view", group_digits(n as u64), if n == 1 { "event" } else { "events" })
                    }}
                </span>
                {move || param_note.get().map(|n| view! {
                    <span class="ts-table__params-note" data-testid="param-note">
                        {format!("Parameter columns for {n}")}
                    </span>
                })}
                <span class="ts-table__spacer"></span>
                <div class="ts-segmented" role="group" aria-label="Time zone">
                    <button class="ts-segmented__option" data-testid="time-utc"
                        class:ts-segmented__option--active=move || !state.local_time.get()
                        aria-pressed=move || (!state.local_time.get()).to_string()
                        on:click=move |_| state.local_time.set(false)>"UTC"</button>
                    <button class="ts-segmented__option" data-testid="time-local"
                        class:ts-segmented__option--active=move || state.local_time.get()
                        aria-pressed=move || state.local_time.get().to_string()
                        on:click=move |_| state.local_time.set(true)>"Local"</button>
                </div>
                <div class="ts-popover-anchor">
                    <button class="ts-button ts-button--small" data-testid="column-chooser"
                        aria-expanded=move || chooser_open.get().to_string()
                        on:click=move |_| chooser_open.update(|o| *o = !*o)>"Columns ▾"</button>
                    <Show when=move || chooser_open.get()>
                        <ColumnChooser/>
                    </Show>
                </div>
            </div>
            <div
                class="ts-table__scroller"
                data-testid="event-table"
                node_ref=scroller
                tabindex="0"
                on:scroll=move |_| {
                    if let Some(el) = scroller.get_untracked() {
                        scroll_top.set(f64::from(el.scroll_top()));
                    }
                }
            >
                <div class="ts-table__inner" node_ref=inner style:min-width=move || min_width.get()>
                    <div class="ts-table__row ts-table__row--head" role="row">
                        <span class="ts-table__th ts-table__th--mark" title="Failed calls are marked ✖"></span>
                        {move || cols.get().into_iter().map(|c| header_cell(state, c)).collect_view()}
                    </div>
                    <div class="ts-table__spacer-row" style:height=move || format!("{}px", shown.get().0 as f64 * ROW_HEIGHT)></div>
                    // One element per position of the window, kept while the position
                    // stays in it: a new view or order changes its text and attributes
                    // (an empty placeholder until the worker has sent its row).
                    <For each=move || { let (start, end) = shown.get(); start..end } key=|pos| *pos let:pos>
                        {row_view(state, pos, cache, cols, span)}
                    </For>
                    <div class="ts-table__spacer-row" style:height=move || format!("{}px", total.get().saturating_sub(shown.get().1) as f64 * ROW_HEIGHT)></div>
                </div>
                <Show when=move || empty.get()>
                    <Welcome/>
                </Show>
                <Show when=move || !empty.get() && total.get() == 0>
                    <div class="ts-table__nothing">"No event matches. Loosen the query or clear the group."</div>
                </Show>
            </div>
        </div>
    }
}

fn header_cell(state: AppState, c: Col) -> AnyView {
    match c {
        Col::Base(col) => {
            let field = col.field();
            let arrow = move || match state.sort.get() {
                (f, true) if f == field => " ▼",
                (f, false) if f == field => " ▲",
                _ => "",
            };
            view! {
                <button class=format!("ts-table__th ts-table__th--{}", col.id())
                    data-testid="column-header" data-column=col.id()
                    aria-sort=move || match state.sort.get() {
                        (f, true) if f == field => "descending",
                        (f, false) if f == field => "ascending",
                        _ => "none",
                    }
                    title=format!("Sort by {}", col.label())
                    on:click=move |_| state.sort.update(|s| {
                        if s.0 == field { s.1 = !s.1 } else { *s = (field, field == Field::EventTime) }
                    })
                >
                    <span class="ts-table__th-label">{col.label()}</span>{arrow}
                </button>
            }
            .into_any()
        }
        Col::Param(path) => {
            let (kind, short) = match path.split_once('.') {
                Some(("responseElements", rest)) => ("response", rest.to_string()),
                Some((_, rest)) => ("request", rest.to_string()),
                None => ("request", path.clone()),
            };
            view! {
                <span class=format!("ts-table__th ts-table__th--param ts-table__th--{kind}")
                    data-testid="param-column" data-path=path.clone()
                    title=format!("{path} ({kind})")
                >
                    {(kind == "response").then_some(view! { <span class="ts-table__th-tag">"resp"</span> })}
                    <span class="ts-table__th-label">{short}</span>
                </span>
            }
            .into_any()
        }
    }
}

/// What one cell shows.
#[derive(Clone, Default, PartialEq)]
struct Cell {
    class: String,
    title: String,
    text: String,
    /// The parameter path of a parameter column.
    path: Option<String>,
}

/// The cells of `data`'s row under `cols`.
fn cells_of(state: AppState, data: &RowData, cols: &[Col]) -> Vec<Cell> {
    let r = &data.row;
    let offset = r.time_ms.map(|ms| state.offset_at(ms)).unwrap_or(0);
    let cell = |class: String, full: &str, path: Option<String>| Cell {
        class,
        title: super::format::tip(full),
        text: super::format::shown(full),
        path,
    };
    // The event's JSON, parsed once per row and only when a parameter column needs it.
    let mut event: Option<Option<Node>> = None;
    cols.iter()
        .map(|c| match c {
            Col::Base(Column::Error) if r.failed => {
                let full = if r.error_code.is_empty() {
                    "failed"
                } else {
                    r.error_code.as_str()
                };
                cell(
                    "ts-table__td ts-table__td--error ts-table__td--failed".into(),
                    full,
                    None,
                )
            }
            Col::Base(col) => cell(
                format!("ts-table__td ts-table__td--{}", col.id()),
                &col.text(r, offset),
                None,
            ),
            Col::Param(path) => {
                let event = event
                    .get_or_insert_with(|| data.raw.as_deref().and_then(|t| Node::parse(t).ok()));
                let text = event
                    .as_ref()
                    .and_then(|e| e.at(path))
                    .map(|n| match n {
                        Node::Number(t, _) => display_param(path, t, offset),
                        other => other.cell_text(),
                    })
                    .unwrap_or_default();
                cell(
                    "ts-table__td ts-table__td--param".into(),
                    &text,
                    Some(path.clone()),
                )
            }
        })
        .collect()
}

/// A part of a row's cells (see [`row_view`]).
#[derive(Clone, Copy)]
enum Part {
    Before,
    Params,
    After,
}

/// A cell as plain elements: a row rebuilds its list of them when its cells change,
/// which sets only what differs (a new parameter column adds its cells, an unchanged
/// cell is left alone), with no effect per cell to create and run.
fn cell_view(c: &Cell) -> impl IntoView {
    view! {
        <span class=c.class.clone() data-path=c.path.clone() title=c.title.clone()>{c.text.clone()}</span>
    }
}

/// The row at position `pos` of the view: whichever event the view has there, as the
/// worker sent it (a placeholder row, without `event-row`, until it has).
fn row_view(
    state: AppState,
    pos: usize,
    cache: RwSignal<(u64, BTreeMap<usize, Arc<RowData>>)>,
    cols: Memo<Vec<Col>>,
    span: Memo<std::ops::Range<usize>>,
) -> impl IntoView {
    let data = Memo::new(move |_| cache.with(|(_, rows)| rows.get(&pos).cloned()));
    let index = Memo::new(move |_| data.with(|d| d.as_ref().map(|d| d.row.index)));
    let failed = Memo::new(move |_| data.with(|d| d.as_ref().is_some_and(|d| d.row.failed)));
    let pending = move || index.get().is_none();
    let selected = move || index.get().is_some() && state.selected.get() == index.get();
    let cells = Memo::new(move |_| {
        data.with(|d| match d {
            Some(d) => cols.with(|c| cells_of(state, d, c)),
            None => Vec::new(),
        })
    });
    // The cells in three lists, before, of and after the parameter columns: columns that
    // come or go in the middle (a new operation's parameters) add or remove their own
    // cells and leave the others as they are, instead of shifting every later cell.
    let part = move |part: Part| {
        move || {
            cells.with(|v| {
                let params = span.get();
                let range = match part {
                    Part::Before => 0..params.start,
                    Part::Params => params,
                    Part::After => params.end..v.len(),
                };
                v.get(range)
                    .unwrap_or_default()
                    .iter()
                    .map(cell_view)
                    .collect_view()
            })
        }
    };
    view! {
        <div
            class="ts-table__row"
            class:ts-table__row--pending=pending
            class:ts-table__row--failed=move || failed.get()
            class:ts-table__row--odd=pos % 2 == 1
            class:ts-table__row--selected=selected
            role="row"
            aria-busy=move || pending().then_some("true")
            aria-selected=move || (!pending()).then(|| selected().to_string())
            data-testid=move || (!pending()).then_some("event-row")
            data-event-id=move || data.with(|d| d.as_ref().map(|d| d.row.event_id.clone()))
            data-index=move || index.get().map(|i| i.to_string())
            data-failed=move || (!pending()).then(|| failed.get().to_string())
            on:click=move |ev: ev::MouseEvent| {
                let Some(index) = index.get_untracked() else {
                    return;
                };
                // Ctrl/Cmd-click adds the event to the comparison instead of opening it.
                if ev.ctrl_key() || ev.meta_key() {
                    super::compare::toggle(index);
                    return;
                }
                state.selected.set(Some(index));
                state.detail_open.set(true);
            }
        >
            <Show when=move || !pending()>
                <span class="ts-table__td ts-table__td--mark" title=move || if failed.get() { "Failed call" } else { "" }>
                    {move || if failed.get() { "✖" } else { "" }}
                </span>
            </Show>
            {part(Part::Before)}
            {part(Part::Params)}
            {part(Part::After)}
        </div>
    }
}

/// The column chooser popover.
#[component]
fn ColumnChooser() -> impl IntoView {
    let state = expect_state();
    view! {
        <div class="ts-popover" role="dialog" aria-label="Columns">
            {Column::ALL.iter().map(|&col| {
                let checked = move || state.columns.with(|c| c.contains(&col));
                view! {
                    <label class="ts-popover__option">
                        <input type="checkbox" data-testid="column-option" data-column=col.id()
                            prop:checked=checked
                            on:change=move |_| state.columns.update(|cs| {
                                if let Some(i) = cs.iter().position(|c| *c == col) {
                                    cs.remove(i);
                                } else {
                                    cs.push(col);
                                    cs.sort_by_key(|c| Column::ALL.iter().position(|a| a == c));
                                }
                            })
                        />
                        {col.label()}
                    </label>
                }
            }).collect_view()}
            <button class="ts-button ts-button--small" on:click=move |_| state.columns.set(Column::DEFAULT.to_vec())>"Reset"</button>
        </div>
    }
}

/// What the empty page says.
#[component]
fn Welcome() -> impl IntoView {
    view! {
        <div class="ts-welcome">
            <h1 class="ts-welcome__title">"Read CloudTrail logs in your browser"</h1>
            <p class="ts-welcome__lead">
                "Drop log files or whole " <code>"AWSLogs/"</code> " folders anywhere on this page, use the buttons on the left, "
                "or try the sample logs. Files are read here, in this tab: nothing is uploaded."
            </p>
            <ul class="ts-welcome__list">
                <li>"S3 trail files (" <code>".json"</code> ", " <code>".json.gz"</code> "), console Event history JSON or CSV, "
                    <code>"aws cloudtrail lookup-events"</code> " output, EventBridge and CloudWatch Logs exports, JSON lines."</li>
                <li>"Filter with " <code>"eventName:Delete* -errorCode:AccessDenied"</code> ", facets and groups; "
                    "press " <kbd>"/"</kbd> " to query, " <kbd>"j"</kbd> " " <kbd>"k"</kbd> " to move, " <kbd>"Enter"</kbd> " for details."</li>
            </ul>
        </div>
    }
}
