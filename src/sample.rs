//! The built-in sample: the example events of five AWS documentation pages about
//! CloudTrail (Performance Insights, DevOps Guru, CodeGuru Profiler, Personalize,
//! CloudWatch), shipped inside the page so "Try sample logs" works offline. They are
//! loaded through the engine like any dropped file. See `assets/sample/README.md`.

/// (file name shown in the files panel, content).
pub const FILES: &[(&str, &str)] = &[
    (
        "sample/performance-insights.json",
        include_str!("../assets/sample/performance-insights.json"),
    ),
    (
        "sample/devops-guru.json",
        include_str!("../assets/sample/devops-guru.json"),
    ),
    (
        "sample/codeguru-profiler.json",
        include_str!("../assets/sample/codeguru-profiler.json"),
    ),
    (
        "sample/personalize.json",
        include_str!("../assets/sample/personalize.json"),
    ),
    (
        "sample/cloudwatch.json",
        include_str!("../assets/sample/cloudwatch.json"),
    ),
];
