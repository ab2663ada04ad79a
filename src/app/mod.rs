//! The page's components.

use leptos::prelude::*;

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    view! { <main class="ts-app" data-testid="app" data-busy="false"><h1>"Trailscope"</h1></main> }
}
