//! Trailscope's web entry point: a panic hook and the mount, nothing else.

fn main() {
    console_error_panic_hook::set_once();
    trailscope::mount();
}
