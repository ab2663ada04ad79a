//! Trailscope's page: the leptos UI over the engine in `trailscope-core`.
#![deny(clippy::unwrap_used)]

pub mod app;

/// Mount the app on the document body.
pub fn mount() {
    leptos::mount::mount_to_body(app::App);
}
