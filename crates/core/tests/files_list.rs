//! The files list past its cap: the files that did not load whole come first, nothing is
//! lost from the counts, and below the cap every file is listed in load order.
#![allow(clippy::unwrap_used)]

use trailscope_core::report::{listed, FileCounts};
use trailscope_core::{Engine, FileStatus};

/// An engine with `n` files: every seventh damaged (partial), every eleventh not a log
/// at all (failed), the rest whole.
fn engine_with(n: usize) -> Engine {
    let mut engine = Engine::new();
    for i in 0..n {
        let event = format!(
            r#"{{"eventID":"e{i}","eventTime":"2024-01-01T00:00:00Z","eventName":"GetObject"}}"#
        );
        let text = if i % 11 == 5 {
            "no logs here".to_string()
        } else if i % 7 == 3 {
            format!(r#"{{"Records":[{event},{{"eventID":"#)
        } else {
            format!(r#"{{"Records":[{event}]}}"#)
        };
        engine.load(&format!("f{i:04}.json"), text.as_bytes());
    }
    engine
}

fn names(list: &[&trailscope_core::FileReport]) -> Vec<String> {
    list.iter().map(|f| f.name.clone()).collect()
}

#[test]
fn under_the_cap_every_file_is_listed_in_load_order() {
    let engine = engine_with(40);
    let all = listed(engine.files(), 40);
    assert_eq!(
        names(&all),
        names(&engine.files().iter().collect::<Vec<_>>())
    );
}

#[test]
fn past_the_cap_the_files_that_did_not_load_whole_come_first() {
    let engine = engine_with(200);
    let files = engine.files();
    let counts = FileCounts::of(files);
    // (The shapes above make every status the counts know of, bar digests.)
    assert!(counts.partial > 0 && counts.failed > 0 && counts.ok > 0);
    assert_eq!(
        (counts.ok + counts.partial + counts.failed + counts.skipped) as usize,
        200
    );

    let shown = listed(files, 50);
    assert_eq!(shown.len(), 50);
    let problems: Vec<_> = files
        .iter()
        .filter(|f| f.status != FileStatus::Ok)
        .collect();
    let first = problems.len();
    assert_eq!(first as u32, counts.partial + counts.failed);
    // Every file that did not load whole, in load order, then whole ones in load order.
    assert_eq!(names(&shown[..first]), names(&problems));
    let whole: Vec<_> = files
        .iter()
        .filter(|f| f.status == FileStatus::Ok)
        .take(50 - first)
        .collect();
    assert_eq!(names(&shown[first..]), names(&whole));
}

#[test]
fn more_problems_than_the_cap_lists_only_problems() {
    let engine = engine_with(400);
    let shown = listed(engine.files(), 20);
    assert_eq!(shown.len(), 20);
    assert!(shown.iter().all(|f| f.status != FileStatus::Ok));
}
