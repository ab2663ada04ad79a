//! The app's shared state: one `Copy` struct of signals and memos, provided once by
//! [`crate::app::App`] and read with [`expect_state`].
//!
//! Bulk data never reaches the page: the query's events, the group narrowing and the
//! table order live in the engine's worker, which answers one view request with every
//! panel's figures ([`ViewData`]); the table asks it for the few rows it renders.

use leptos::prelude::*;
use std::sync::Arc;

use trailscope_core::engine::{Field, Row};

use super::client::EngineHandle;
use super::format;
use crate::worker::protocol::{DetailData, Reply, Request, ViewData, ViewSpec};

/// Table rows sent with every view answer, so the first screen needs no second trip.
pub const FIRST_ROWS: usize = 64;
/// Parameter columns at most.
pub const MAX_PARAMS: usize = 12;

/// A base column of the event table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// `eventTime`.
    Time,
    /// `eventName`.
    EventName,
    /// Derived service name.
    Service,
    /// `eventSource`.
    EventSource,
    /// Derived principal.
    Principal,
    /// `userIdentity.type`.
    IdentityType,
    /// Account.
    Account,
    /// `awsRegion`.
    Region,
    /// `sourceIPAddress`.
    SourceIp,
    /// `errorCode` and the failed mark.
    Error,
    /// `userAgent`.
    UserAgent,
    /// Read-only flag.
    ReadOnly,
}

impl Column {
    /// Every column, in table order.
    pub const ALL: &'static [Column] = &[
        Column::Time,
        Column::EventName,
        Column::Service,
        Column::EventSource,
        Column::Principal,
        Column::IdentityType,
        Column::Account,
        Column::Region,
        Column::SourceIp,
        Column::Error,
        Column::UserAgent,
        Column::ReadOnly,
    ];

    /// Shown before the user chooses.
    pub const DEFAULT: &'static [Column] = &[
        Column::Time,
        Column::EventName,
        Column::Service,
        Column::Principal,
        Column::Account,
        Column::Region,
        Column::SourceIp,
        Column::Error,
    ];

    /// Header text.
    pub fn label(self) -> &'static str {
        match self {
            Column::Time => "Time",
            Column::EventName => "Event name",
            Column::Service => "Service",
            Column::EventSource => "Event source",
            Column::Principal => "Principal",
            Column::IdentityType => "Identity type",
            Column::Account => "Account",
            Column::Region => "Region",
            Column::SourceIp => "Source IP",
            Column::Error => "Error",
            Column::UserAgent => "User agent",
            Column::ReadOnly => "Read-only",
        }
    }

    /// Stable identifier (CSS modifier, test attribute).
    pub fn id(self) -> &'static str {
        match self {
            Column::Time => "time",
            Column::EventName => "event-name",
            Column::Service => "service",
            Column::EventSource => "event-source",
            Column::Principal => "principal",
            Column::IdentityType => "identity-type",
            Column::Account => "account",
            Column::Region => "region",
            Column::SourceIp => "source-ip",
            Column::Error => "error",
            Column::UserAgent => "user-agent",
            Column::ReadOnly => "read-only",
        }
    }

    /// The engine field the column sorts on.
    pub fn field(self) -> Field {
        match self {
            Column::Time => Field::EventTime,
            Column::EventName => Field::EventName,
            Column::Service => Field::Service,
            Column::EventSource => Field::EventSource,
            Column::Principal => Field::Principal,
            Column::IdentityType => Field::IdentityType,
            Column::Account => Field::RecipientAccountId,
            Column::Region => Field::AwsRegion,
            Column::SourceIp => Field::SourceIpAddress,
            Column::Error => Field::ErrorCode,
            Column::UserAgent => Field::UserAgent,
            Column::ReadOnly => Field::ReadOnly,
        }
    }

    /// Grid track size.
    pub fn width(self) -> &'static str {
        match self {
            Column::Time => "10.5rem",
            Column::EventName => "minmax(9rem, 1.3fr)",
            Column::Service => "minmax(7rem, 1fr)",
            Column::EventSource => "minmax(7rem, 1fr)",
            Column::Principal => "minmax(7rem, 1.2fr)",
            Column::IdentityType => "7rem",
            Column::Account => "7.5rem",
            Column::Region => "6.5rem",
            Column::SourceIp => "minmax(6.5rem, 0.8fr)",
            Column::Error => "minmax(7rem, 1fr)",
            Column::UserAgent => "minmax(9rem, 1.5fr)",
            Column::ReadOnly => "5rem",
        }
    }

    /// The smallest width of the column in rem (the track's minimum).
    pub fn min_rem(self) -> f64 {
        match self {
            Column::Time => 10.5,
            Column::EventName | Column::UserAgent => 9.0,
            Column::Service
            | Column::EventSource
            | Column::Principal
            | Column::IdentityType
            | Column::Error => 7.0,
            Column::Account => 7.5,
            Column::Region | Column::SourceIp => 6.5,
            Column::ReadOnly => 5.0,
        }
    }

    /// The cell text of a row.
    pub fn text(self, row: &Row, offset_minutes: i32) -> String {
        match self {
            Column::Time => row
                .time_ms
                .map(|ms| format::format_time(ms, offset_minutes))
                .unwrap_or_default(),
            Column::EventName => row.event_name.clone(),
            Column::Service => row.service.clone(),
            Column::EventSource => row.event_source.clone(),
            Column::Principal => row.principal.clone(),
            Column::IdentityType => row.identity_type.clone(),
            Column::Account => row.account.clone(),
            Column::Region => row.region.clone(),
            Column::SourceIp => row.source_ip.clone(),
            Column::Error => row.error_code.clone(),
            Column::UserAgent => row.user_agent.clone(),
            Column::ReadOnly => match row.read_only {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
        }
    }
}

/// Light or dark, when the user chose one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Light colours.
    Light,
    /// Dark colours.
    Dark,
}

/// A chosen group: the grouping keys (as in the `group-by` value) and the path of values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupFilter {
    /// The `group-by` value it was chosen under.
    pub group_by: String,
    /// One value per level, from the top.
    pub path: Vec<String>,
}

/// Everything the components share.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The engine.
    pub engine: EngineHandle,
    /// Loads in progress.
    pub loading: RwSignal<u32>,
    /// A typed query is waiting for its pause to apply.
    pub query_pending: RwSignal<bool>,
    /// The table is making the row elements of its window over several frames (the
    /// first view of a load, a jump far down).
    pub filling: RwSignal<bool>,
    /// What is in the query box.
    pub query_text: RwSignal<String>,
    /// The query that applies.
    pub query: RwSignal<String>,
    /// The `group-by` value: "" (none), one field name, or two joined by `>`.
    pub group_by: RwSignal<String>,
    /// The group the table is narrowed to.
    pub group_filter: RwSignal<Option<GroupFilter>>,
    /// Sort field and direction (descending when true).
    pub sort: RwSignal<(Field, bool)>,
    /// Visible base columns.
    pub columns: RwSignal<Vec<Column>>,
    /// Show times in the browser's zone instead of UTC.
    pub local_time: RwSignal<bool>,
    /// The selected event (engine index).
    pub selected: RwSignal<Option<u32>>,
    /// The detail pane is open.
    pub detail_open: RwSignal<bool>,
    /// The theme the user chose, if any (else the system's).
    pub theme: RwSignal<Option<Theme>>,
    /// Files that could not even be read by the browser: (name, reason).
    pub read_errors: RwSignal<Vec<(String, String)>>,
    /// Files not loaded on purpose (over the memory budget, or cancelled): (name, reason).
    pub skipped: RwSignal<Vec<(String, String)>>,
    /// What the running loads have done so far.
    pub progress: super::loader::LoadProgress,
    /// Ask the table to bring a position into view.
    pub reveal: RwSignal<Option<usize>>,
    /// The selected event in full, once the worker has sent it: (engine index, event).
    pub detail: RwSignal<Option<(u32, Arc<DetailData>)>>,
}

/// Parses a `group-by` value into engine fields (empty for none or unknown names).
pub fn group_keys(value: &str) -> Vec<Field> {
    if value.is_empty() {
        return Vec::new();
    }
    let keys: Vec<Field> = value.split('>').filter_map(Field::from_name).collect();
    if keys.len() == value.split('>').count() {
        keys
    } else {
        Vec::new()
    }
}

impl AppState {
    /// Creates the state and its memos; call once, inside the app's owner.
    pub fn new() -> Self {
        let engine = EngineHandle::new();
        let query = RwSignal::new(String::new());
        let group_by = RwSignal::new(String::new());
        let group_filter = RwSignal::new(None::<GroupFilter>);
        let sort = RwSignal::new((Field::EventTime, true));
        let loading = RwSignal::new(0u32);
        let files_loading = Memo::new(move |_| loading.get() > 0);

        // Every view is computed in the engine's worker from this one spec; the answer
        // lands in `engine.data`. Sent again whenever the spec or the published content
        // changes.
        Effect::new(move |_| {
            engine.version();
            let group_filter = group_filter.get().and_then(|g| {
                let keys = group_keys(&g.group_by);
                (!keys.is_empty()).then_some((keys, g.path))
            });
            let (sort, descending) = sort.get();
            // Tracked through the memo: the view after the last file is computed as
            // settled (exact preset counts, the kept order) even when nothing changed.
            let loading = files_loading.get();
            engine.request_view(ViewSpec {
                query: query.get(),
                group_keys: group_keys(&group_by.get()),
                group_filter,
                sort,
                descending,
                facet_fields: Field::FACETS.to_vec(),
                facet_top: super::facets::TOP,
                buckets: super::timeline::BUCKETS,
                first_rows: FIRST_ROWS,
                max_params: MAX_PARAMS,
                loading,
            });
        });

        // The selected event is fetched whole (for the detail pane, the URL and compare);
        // again after loads and removals, and dropped when it is gone.
        let selected = RwSignal::new(None::<u32>);
        let detail = RwSignal::new(None::<(u32, Arc<DetailData>)>);
        Effect::new(move |_| {
            engine.version();
            let Some(index) = selected.get() else {
                detail.set(None);
                return;
            };
            wasm_bindgen_futures::spawn_local(async move {
                let answer = engine.call(Request::Detail { index }).await;
                if selected.get_untracked() != Some(index) {
                    return;
                }
                match answer {
                    Ok(Reply::Detail(Some(d))) => detail.set(Some((index, Arc::new(*d)))),
                    Ok(Reply::Detail(None)) => {
                        detail.set(None);
                        selected.set(None);
                    }
                    _ => {}
                }
            });
        });

        AppState {
            engine,
            detail,
            loading,
            query_pending: RwSignal::new(false),
            filling: RwSignal::new(false),
            query_text: RwSignal::new(String::new()),
            query,
            group_by,
            group_filter,
            sort,
            columns: RwSignal::new(Column::DEFAULT.to_vec()),
            local_time: RwSignal::new(false),
            selected,
            detail_open: RwSignal::new(false),
            theme: RwSignal::new(None),
            read_errors: RwSignal::new(Vec::new()),
            skipped: RwSignal::new(Vec::new()),
            progress: super::loader::LoadProgress::new(),
            reveal: RwSignal::new(None),
        }
    }

    /// Whether anything is loading or waiting to compute.
    pub fn busy(&self) -> bool {
        self.loading.get() > 0
            || self.query_pending.get()
            || self.filling.get()
            || self.engine.busy()
    }

    /// The latest views (tracked).
    pub fn data(&self) -> Arc<ViewData> {
        self.engine.data.get()
    }

    /// Reads the latest views without cloning them (tracked).
    pub fn with_data<R>(&self, f: impl FnOnce(&ViewData) -> R) -> R {
        self.engine.data.with(|d| f(d))
    }

    /// Whether the sidebar's views have no events (tracked).
    pub fn side_empty(&self) -> bool {
        self.with_side(|d| d.total == 0)
    }

    /// The views as the sidebar shows them (tracked): see [`EngineHandle::side`].
    pub fn with_side<R>(&self, f: impl FnOnce(&ViewData) -> R) -> R {
        self.engine.side.with(|d| f(d))
    }

    /// Sets the query box and applies it at once.
    pub fn apply_query(&self, text: String) {
        self.query_pending.set(false);
        self.query_text.set(text.clone());
        self.query.set(text);
    }

    /// Adds `field:value` (or its exclusion) to the query and applies it.
    pub fn add_term(&self, field: &str, value: &str, exclude: bool) {
        let term = format::query_term(field, value, exclude);
        let next = format::append_term(&self.query_text.get_untracked(), &term);
        self.apply_query(next);
    }

    /// Minutes east of UTC for displayed times: 0 in UTC mode, the browser's offset at
    /// `ms` in local mode.
    pub fn offset_at(&self, ms: i64) -> i32 {
        if self.local_time.get() {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
            -(date.get_timezone_offset() as i32)
        } else {
            0
        }
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

/// The app state from context.
pub fn expect_state() -> AppState {
    expect_context::<AppState>()
}
