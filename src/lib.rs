//! Trailscope's page: the leptos UI over the engine in `trailscope-core`.
#![deny(clippy::unwrap_used)]

pub mod app;
pub mod offline;
pub mod sample;
pub mod worker;

/// Mount the app on the document body, and register the service worker for offline use.
pub fn mount() {
    leptos::mount::mount_to_body(app::App);
    offline::register_service_worker();
}
