//! The engine's Web Worker entry point (see `trailscope::worker`).

fn main() {
    trailscope::worker::host::run();
}
