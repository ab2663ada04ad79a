//! Every file of the shared corpus and every seed document yields exactly the records it
//! holds. Skipped, with a printed note, when the shared folder is absent.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use trailscope_core::ingest::ingest;
use trailscope_core::report::{FileStatus, Format, WarningKind};
use trailscope_core::sink::VecSink;

/// `TRAILSCOPE_CORPUS`, or `../shared/corpus` next to the repository.
fn shared(dir: &str) -> Option<PathBuf> {
    let path = match std::env::var_os("TRAILSCOPE_CORPUS") {
        Some(p) if dir == "corpus" => PathBuf::from(p),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared")
            .join(dir),
    };
    if path.is_dir() {
        Some(path)
    } else {
        println!("note: {} is absent; test skipped", path.display());
        None
    }
}

fn read(dir: &std::path::Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

#[test]
fn corpus_files_yield_their_readme_counts() {
    let Some(dir) = shared("corpus") else { return };
    let expected: &[(&str, u32, Format)] = &[
        ("invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json", 29, Format::Records),
        ("invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1150Z_1vnLavRRp0ek1mP4.json.gz", 2, Format::Records),
        ("invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1200Z_iLj9fb7yyUG9X4Bf.json.gz", 394, Format::Records),
        ("invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1205Z_UljXNp9xLp8nsAGc.json", 55, Format::Records),
        ("invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1205Z_lKy08gyrqqRJyzsn.json", 1, Format::Records),
        ("invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1205Z_zs3JGxETHr59VpkX.json.gz", 196, Format::Records),
        ("invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1215Z_nBsuPO1qSTEVerMD.json", 222, Format::Records),
        ("invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1225Z_4iD2boYSOwmb6sWd.json", 12, Format::Records),
        ("invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1230Z_04rtp9DpvIpSZzMr.json", 17, Format::Records),
        ("invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1230Z_AvIajGd5rkz6vTy4.json.gz", 63, Format::Records),
        ("invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1235Z_YbVFCP9AYzJDhHV9.json", 185, Format::Records),
        ("log2timeline_plaso/aws_cloudtrail.jsonl", 6, Format::LookupEvents),
        ("otrf_security-datasets/AWS_S3_HoneyBucketLogs.csv", 0, Format::Unknown),
        ("otrf_security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json", 103, Format::Ndjson),
    ];
    let mut total = 0;
    for (i, (name, events, format)) in expected.iter().enumerate() {
        let bytes = read(&dir, name);
        let mut sink = VecSink::default();
        let r = ingest(i as u32, name, &bytes, &mut sink);
        assert_eq!(
            (r.events, r.format),
            (*events, *format),
            "{name}: {}",
            r.message
        );
        assert_eq!(sink.records.len() as u32, *events, "{name}");
        assert_eq!(r.gzip, name.ends_with(".gz"), "{name}");
        if *events > 0 {
            assert_eq!(r.status, FileStatus::Ok, "{name}: {}", r.message);
            assert!(r.warnings.is_empty(), "{name}: {:?}", r.warnings);
        } else {
            assert_eq!(r.status, FileStatus::Failed);
            assert!(r.message.contains("Not a CloudTrail log"), "{}", r.message);
        }
        total += r.events;
    }
    assert_eq!(total, 1285);
}

#[test]
fn seeds_yield_their_examples() {
    let Some(dir) = shared("seeds") else { return };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let expected = [1u32, 1, 2, 0, 3];
    assert_eq!(names.len(), expected.len());
    for (name, events) in names.iter().zip(expected) {
        let bytes = read(&dir, name);
        let mut sink = VecSink::default();
        let r = ingest(0, name, &bytes, &mut sink);
        println!("{name}: {:?} {:?} {}", r.status, r.format, r.message);
        assert_eq!(r.events, events, "{name}: {}", r.message);
        assert_eq!(r.format, Format::Text, "{name}");
        if name.starts_with("003") {
            // The one example has an unterminated string (`"access-key,`): reported
            // with its file line and column.
            assert_eq!(r.status, FileStatus::Failed);
            let w = r
                .warnings
                .iter()
                .find(|w| w.kind == WarningKind::BadRecord)
                .unwrap();
            assert_eq!(
                (w.location.line, w.location.column),
                (Some(40), Some(35)),
                "{}",
                w.message
            );
            assert!(r.message.contains("line 40 column 35"), "{}", r.message);
            assert!(r.message.contains("closing quote"), "{}", r.message);
        }
    }
}
