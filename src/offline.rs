//! Offline use: registers the service worker (`sw.js`, copied next to the page by Trunk),
//! which keeps the page's files in a cache so it opens and works without a network once it
//! has been visited. See `assets/sw.js` for what the worker does.
//!
//! The worker's scope is the page's folder (its default), so the same build works at `/`
//! and under a sub-path such as `/trailscope/`. Where service workers are unavailable
//! (`file://`, plain `http` other than localhost, some private modes) nothing happens and
//! the page works as before, online.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{spawn_local, JsFuture};

/// The worker's file, relative to the page.
const WORKER: &str = "sw.js";

/// Register the service worker, if the browser allows one here. Never fails: a refused
/// registration is noted on the console as a warning, as the page itself is unaffected.
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    // `navigator.serviceWorker` only exists in secure contexts; calling through a missing
    // property would throw, so ask first.
    if !js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        return;
    }
    let registration = navigator.service_worker().register(WORKER);
    spawn_local(async move {
        if let Err(err) = JsFuture::from(registration).await {
            web_sys::console::warn_2(
                &JsValue::from_str("Trailscope: offline use is unavailable:"),
                &err,
            );
        }
    });
}
