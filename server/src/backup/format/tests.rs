//! The dump reader refuses what it cannot restore whole: a foreign, unfinished, cut-short or
//! altered file; and reads back exactly what the writer wrote.

use std::path::{Path, PathBuf};

use model::wire::Change;
use model::Role;
use serde_json::json;

use super::writer::blank_header;
use super::*;
use crate::storage::{Contest, FieldRow, Logged, Restore, StoredToken, StoredUser, UserRecord};

fn user(id: &str) -> StoredUser {
    StoredUser {
        user: UserRecord {
            id: id.into(),
            username: format!("user-{id}"),
            name: "王芳".into(),
            role: Role::GridWorker,
            grids: vec!["g2".into(), "g1".into()],
            password_hash: "$argon2id$v=19$…".into(),
            disabled: true,
            scope_version: 3,
        },
        created_at_ms: 1_700_000_000_000,
    }
}

fn row(seq: i64) -> FieldRow {
    FieldRow {
        change: Change {
            entity: "resident".into(),
            id: format!("r{seq}"),
            field: if seq % 5 == 0 {
                "$left:g1".into()
            } else {
                "name".into()
            },
            value: json!({"text": "张秀英\n\"引号\"", "n": seq, "x": 0.1}),
            hlc: format!("{:013}-0000-dev", 1_764_331_200_000 + seq),
        },
        grid_id: (seq % 3 != 0).then(|| "g1".to_owned()),
        seq,
    }
}

/// A dump of 2 meta values, 2 users, 1 token and `rows` rows (seqs 2, 4, 6…) in `dir`.
fn write(dir: &Path, rows: i64) -> PathBuf {
    let path = dir.join("community.knock");
    let mut w = DumpWriter::create(&path, true).unwrap();
    w.meta("demo".into(), "{}".into()).unwrap();
    w.meta("instance_id".into(), "abc".into()).unwrap();
    w.user(user("u1")).unwrap();
    w.user(user("u2")).unwrap();
    w.token(StoredToken {
        token_hash: "th".into(),
        user_id: "u1".into(),
        device_id: "phone".into(),
        created_at_ms: 1,
        last_used_ms: 2,
    })
    .unwrap();
    for i in 1..=rows {
        w.row(row(2 * i)).unwrap();
    }
    for n in 0..3 {
        w.entry(entry(n)).unwrap();
    }
    w.contest(contest()).unwrap();
    w.finish(42).unwrap();
    path
}

fn entry(n: i64) -> Logged {
    Logged {
        entity: "resident".into(),
        id: format!("r{n}"),
        user_id: "u1".into(),
        device_id: "phone".into(),
        at_ms: 1_764_331_200_000 + n,
        changes: vec![
            (
                "name".into(),
                json!("张秀英"),
                "1764331200000-0000-phone".into(),
            ),
            (
                "note".into(),
                json!(null),
                "1764331200000-0001-phone".into(),
            ),
        ],
    }
}

fn contest() -> Contest {
    Contest {
        entity: "resident".into(),
        id: "r1".into(),
        field: "phone".into(),
        grid_id: Some("g1".into()),
        at_ms: 1_764_331_260_000,
        held: (json!("13800000001"), "1764331200000-0000-a".into()),
        arrived: (json!("13900000002"), "1764331230000-0000-b".into()),
    }
}

fn refusal(path: &Path) -> String {
    format!("{:#}", check(path).unwrap_err())
}

/// The file with `edit` applied to its text.
fn edited(path: &Path, edit: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, edit(text)).unwrap();
}

#[test]
fn what_is_written_is_read_back_in_parts_of_one_kind() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), 25);
    let header = check(&path).unwrap();
    assert_eq!(
        header.counts,
        Counts {
            meta: 2,
            users: 2,
            tokens: 1,
            rows: 25,
            history: 3,
            contests: 1,
        }
    );
    assert_eq!((header.max_seq, header.written_at_ms), (50, 42));
    assert!(header.tokens_included);

    let mut reader = DumpReader::open(&path).unwrap();
    let mut parts = Vec::new();
    while let Some(part) = reader.next_part(10).unwrap() {
        parts.push(part);
    }
    let kinds: Vec<String> = parts.iter().map(Restore::describe).collect();
    assert_eq!(
        kinds,
        [
            "2 meta values",
            "2 users",
            "1 tokens",
            "10 rows",
            "10 rows",
            "5 rows",
            "3 history entries",
            "1 contests"
        ]
    );
    let (Restore::History(h), Restore::Contests(k)) = (&parts[6], &parts[7]) else {
        panic!()
    };
    assert_eq!(h, &(0..3).map(entry).collect::<Vec<_>>());
    assert_eq!(k, &vec![contest()]);
    let Restore::Users(users) = &parts[1] else {
        panic!()
    };
    assert_eq!(users[1], user("u2"));
    let rows: Vec<FieldRow> = parts[3..6]
        .iter()
        .flat_map(|p| match p {
            Restore::Rows(r) => r.clone(),
            _ => panic!(),
        })
        .collect();
    for (i, r) in rows.iter().enumerate() {
        let want = row(2 * (i as i64 + 1));
        assert_eq!(
            (&r.change, &r.grid_id, r.seq),
            (&want.change, &want.grid_id, want.seq)
        );
    }
    assert!(
        reader.next_part(10).unwrap().is_none(),
        "the end stays the end"
    );
}

#[test]
fn an_empty_database_makes_a_dump_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.knock");
    DumpWriter::create(&path, false).unwrap().finish(1).unwrap();
    let header = check(&path).unwrap();
    assert_eq!((header.counts, header.max_seq), (Counts::default(), 0));
    assert!(!header.tokens_included);
}

#[test]
fn an_existing_file_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("taken");
    std::fs::write(&path, "mine").unwrap();
    let e = DumpWriter::create(&path, false).err().unwrap().to_string();
    assert!(e.contains("exists already"), "{e}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
}

#[test]
fn a_dump_cut_short_is_refused_wherever_it_was_cut() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), 20);
    let whole = std::fs::read(&path).unwrap();
    let line_ends: Vec<usize> = whole
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    // At every line end but the last, and in the middle of every line.
    let mut cuts: Vec<usize> = line_ends[..line_ends.len() - 1].to_vec();
    cuts.extend(line_ends.windows(2).map(|w| (w[0] + w[1]) / 2));
    cuts.push(whole.len() - 1);
    for cut in cuts {
        std::fs::write(&path, &whole[..cut]).unwrap();
        let e = refusal(&path);
        assert!(e.contains("cut short"), "cut at {cut}: {e}");
    }
    std::fs::write(&path, &whole[..100]).unwrap();
    let e = refusal(&path);
    assert!(e.contains("cut short"), "inside the header: {e}");
}

#[test]
fn foreign_and_unfinished_files_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other");
    for (text, says) in [
        ("", "empty"),
        ("name,phone\n王芳,139\n", "not a Knock dump"),
        ("{\"version\":1}\n", "not a Knock dump"),
        ("{\"knock_dump\":3,\"anything\":true}\n", "format 3"),
        ("{\"knock_dump\":1}\n", "damaged dump header"),
    ] {
        std::fs::write(&path, text).unwrap();
        let e = refusal(&path);
        assert!(e.contains(says), "{text:?}: {e}");
    }
    std::fs::write(&path, [0xff, 0xfe, 0x00, b'\n']).unwrap();
    assert!(refusal(&path).contains("not a Knock dump"));
    // A backup stopped before the end leaves its header line blank.
    std::fs::write(
        &path,
        [blank_header(), b"{\"meta\":{}}\n".to_vec()].concat(),
    )
    .unwrap();
    assert!(refusal(&path).contains("unfinished"));
    let e = format!("{:#}", check(&dir.path().join("missing")).unwrap_err());
    assert!(e.contains("cannot open"), "{e}");
}

#[test]
fn an_altered_dump_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    type Alteration = Box<dyn Fn(String) -> String>;
    let alterations: Vec<(&str, Alteration)> = vec![
        (
            "digest",
            Box::new(|t: String| t.replacen("张秀英", "张秀芳", 1)),
        ),
        (
            "altered",
            Box::new(|t: String| {
                // Two rows swapped.
                let mut lines: Vec<&str> = t.lines().collect();
                let n = lines.len();
                lines.swap(n - 1, n - 2);
                lines.join("\n") + "\n"
            }),
        ),
        (
            "altered",
            Box::new(|t: String| {
                // A line more than the header counts.
                let last = t
                    .lines()
                    .last()
                    .unwrap()
                    .replace("\"seq\":20", "\"seq\":21");
                t.clone() + &last + "\n"
            }),
        ),
        (
            "altered",
            Box::new(|t: String| {
                // A user among the rows.
                let user = t.lines().find(|l| l.starts_with("{\"user\"")).unwrap();
                t.clone() + user + "\n"
            }),
        ),
        (
            "not a line of a Knock dump",
            Box::new(|t: String| t.replacen("\"hlc\"", "\"stamp\"", 1)),
        ),
        (
            "unknown role",
            Box::new(|t: String| t.replacen("grid_worker", "mayor", 1)),
        ),
    ];
    for (says, alter) in alterations {
        let path = write(dir.path(), 10);
        edited(&path, alter);
        let e = refusal(&path);
        assert!(e.contains(says), "{says}: {e}");
        std::fs::remove_file(&path).unwrap();
    }
}

/// A dump of format 1, from before the history of changes, reads as one without history.
#[test]
fn a_format_1_dump_is_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.knock");
    let mut w = DumpWriter::create(&path, false).unwrap();
    w.meta("instance_id".into(), "abc".into()).unwrap();
    w.row(row(1)).unwrap();
    w.finish(42).unwrap();
    edited(&path, |text| {
        let (header, rest) = text.split_once('\n').unwrap();
        let header = header
            .replace("\"knock_dump\":2", "\"knock_dump\":1")
            .replace(",\"history\":0,\"contests\":0", "");
        assert!(!header.contains("history"), "{header}");
        format!("{header:<width$}\n{rest}", width = HEADER_BYTES - 1)
    });
    let header = check(&path).unwrap();
    assert_eq!(header.knock_dump, 1);
    assert_eq!((header.counts.rows, header.counts.history), (1, 0));
}
