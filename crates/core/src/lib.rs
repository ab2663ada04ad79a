//! # trailscope-core
//!
//! The engine behind Trailscope: bytes in, queryable CloudTrail events out. Plain Rust,
//! no UI and no browser dependency, so everything here is tested natively.
//!
//! Data flow, one direction only:
//! `bytes` -> [`ingest`] (gunzip by magic bytes, recognise the format by content, find
//! each record, survive damage) -> [`sink::RecordSink`] -> [`store::Store`] (parse each
//! record into interned columns, keep its JSON text, derive principal/service/outcome)
//! -> [`query`] (filter to a list of event indices) -> facets, groups, rows, exports,
//! and [`investigate`] (access-key lineage, sessions, timeline, presets, compare).
//!
//! Invariants:
//! - A damaged record never takes its file down: readers report a [`report::Warning`]
//!   with its position and go on.
//! - The store is append-only while loading; queries return index lists (`Vec<u32>`)
//!   in ascending index order unless their name says otherwise.
//! - Nothing from a user's file is `unwrap`ped.
#![deny(clippy::unwrap_used)]
#![warn(missing_docs)]

pub mod engine;
pub mod export;
pub mod ingest;
pub mod investigate;
pub mod query;
pub mod report;
pub mod services;
pub mod sink;
pub mod store;

pub use engine::Engine;
pub use ingest::feed::FileFeed;
pub use report::{FileReport, FileStatus, Format, Location, Warning, WarningKind};
