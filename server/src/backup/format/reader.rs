//! Reading a dump: line by line, each checked against the header, in parts of one kind ready to
//! restore; a foreign, unfinished, cut-short or altered file is refused with what is wrong.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use anyhow::{anyhow, bail, Context};
use model::wire::Change;
use model::Role;
use serde_json::Value;

use super::{Counts, Header, Line, Section, MAX_LINE_BYTES, OLDEST_READ, VERSION};
use crate::backup::digest::RowDigest;
use crate::storage::{Contest, FieldRow, Logged, Restore, StoredToken, StoredUser, UserRecord};

/// Reads a dump line by line, checking each against the header: order, counts, seqs and, at
/// the end, the rows' digest.
pub struct DumpReader<R> {
    input: R,
    header: Header,
    line_no: u64,
    seen: Counts,
    section: Section,
    last_seq: i64,
    digest: Option<RowDigest>,
    /// A line read past the end of the batch it did not belong to.
    pending: Option<Line>,
    buf: Vec<u8>,
}

impl DumpReader<BufReader<File>> {
    pub fn open(path: &Path) -> anyhow::Result<DumpReader<BufReader<File>>> {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        DumpReader::new(BufReader::new(file)).with_context(|| path.display().to_string())
    }
}

impl<R: BufRead> DumpReader<R> {
    /// Reads and checks the header.
    pub fn new(input: R) -> anyhow::Result<DumpReader<R>> {
        let mut reader = DumpReader {
            input,
            header: Header {
                knock_dump: 0,
                written_at_ms: 0,
                counts: Counts::default(),
                max_seq: 0,
                rows_sha256: String::new(),
                tokens_included: false,
            },
            line_no: 0,
            seen: Counts::default(),
            section: Section::Meta,
            last_seq: 0,
            digest: Some(RowDigest::default()),
            pending: None,
            buf: Vec::new(),
        };
        if !reader.raw_line()? {
            bail!("the file is empty: not a Knock dump");
        }
        let text = String::from_utf8_lossy(&reader.buf).into_owned();
        if text.trim().is_empty() {
            bail!("an unfinished Knock dump: the backup that wrote it stopped before the end");
        }
        let version = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v.get("knock_dump").and_then(Value::as_u64));
        match version {
            None => bail!("not a Knock dump: its first line is not a dump header"),
            Some(v) if !(u64::from(OLDEST_READ)..=u64::from(VERSION)).contains(&v) => bail!(
                "a Knock dump of format {v}; this server reads formats {OLDEST_READ} to \
                 {VERSION}: restore it with the server version that wrote it"
            ),
            Some(_) => {}
        }
        reader.header =
            serde_json::from_str(&text).map_err(|e| anyhow!("a damaged dump header: {e}"))?;
        Ok(reader)
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Reads the next line into `buf`, its newline taken off; false at the end of the file.
    fn raw_line(&mut self) -> anyhow::Result<bool> {
        self.buf.clear();
        let n = (&mut self.input)
            .take(MAX_LINE_BYTES + 1)
            .read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(false);
        }
        self.line_no += 1;
        match self.buf.pop() {
            Some(b'\n') => Ok(true),
            _ if n as u64 > MAX_LINE_BYTES => {
                bail!(
                    "line {} is longer than any dump writes: not a Knock dump",
                    self.line_no
                )
            }
            _ => bail!(
                "the file ends in the middle of line {}: it was cut short",
                self.line_no
            ),
        }
    }

    /// The next line, checked for order and against the header's counts; `None` at the end,
    /// once the counts and the digest are checked.
    fn next_line(&mut self) -> anyhow::Result<Option<Line>> {
        if let Some(line) = self.pending.take() {
            return Ok(Some(line));
        }
        if !self.raw_line()? {
            self.check_end()?;
            return Ok(None);
        }
        let line_no = self.line_no;
        let line: Line = serde_json::from_slice(&self.buf)
            .map_err(|e| anyhow!("line {line_no} is not a line of a Knock dump: {e}"))?;
        let section = line.section();
        if section < self.section {
            bail!(
                "line {line_no}: a {} after the {}s: the file was altered",
                section.name(),
                self.section.name()
            );
        }
        self.section = section;
        let (seen, expected) = match section {
            Section::Meta => (&mut self.seen.meta, self.header.counts.meta),
            Section::Users => (&mut self.seen.users, self.header.counts.users),
            Section::Tokens => (&mut self.seen.tokens, self.header.counts.tokens),
            Section::Rows => (&mut self.seen.rows, self.header.counts.rows),
            Section::History => (&mut self.seen.history, self.header.counts.history),
            Section::Contests => (&mut self.seen.contests, self.header.counts.contests),
        };
        *seen += 1;
        if *seen > expected {
            bail!(
                "line {line_no}: more {}s than the header counts ({expected}): the file was altered",
                section.name()
            );
        }
        if let Line::Row { seq, .. } = &line {
            if *seq <= self.last_seq || *seq > self.header.max_seq {
                bail!("line {line_no}: seq {seq} out of order: the file was altered");
            }
            self.last_seq = *seq;
        }
        Ok(Some(line))
    }

    fn check_end(&mut self) -> anyhow::Result<()> {
        let (seen, expected) = (self.seen, self.header.counts);
        for (section, seen, expected) in [
            (Section::Meta, seen.meta, expected.meta),
            (Section::Users, seen.users, expected.users),
            (Section::Tokens, seen.tokens, expected.tokens),
            (Section::Rows, seen.rows, expected.rows),
            (Section::History, seen.history, expected.history),
            (Section::Contests, seen.contests, expected.contests),
        ] {
            if seen != expected {
                bail!(
                    "the file ends after {seen} of its {expected} {}s: it was cut short",
                    section.name()
                );
            }
        }
        if self.last_seq != self.header.max_seq {
            bail!(
                "the rows end at seq {} but the header says {}: the file was altered",
                self.last_seq,
                self.header.max_seq
            );
        }
        // Only once: a reader asked again after the end finds the same end.
        if let Some(digest) = self.digest.take() {
            if digest.finish() != self.header.rows_sha256 {
                bail!("the rows do not match the header's digest: the file was altered or damaged");
            }
        }
        Ok(())
    }

    /// Up to `batch` consecutive items of one kind, as a part to restore; `None` at the end,
    /// after every check has passed. The rows' digest is only known at the end: a caller that
    /// must not write a damaged file checks it whole first ([`check`]).
    pub fn next_part(&mut self, batch: usize) -> anyhow::Result<Option<Restore>> {
        let Some(first) = self.next_line()? else {
            return Ok(None);
        };
        let section = first.section();
        let mut part = match section {
            Section::Meta => Restore::Meta(Vec::new()),
            Section::Users => Restore::Users(Vec::new()),
            Section::Tokens => Restore::Tokens(Vec::new()),
            Section::Rows => Restore::Rows(Vec::new()),
            Section::History => Restore::History(Vec::new()),
            Section::Contests => Restore::Contests(Vec::new()),
        };
        let mut next = Some(first);
        let mut n = 0;
        while let Some(line) = next {
            if line.section() != section || n == batch {
                self.pending = Some(line);
                break;
            }
            n += 1;
            match (&mut part, line) {
                (Restore::Meta(m), Line::Meta { key, value }) => m.push((key, value)),
                (Restore::Users(u), line @ Line::User { .. }) => u.push(self.user(line)?),
                (
                    Restore::Tokens(t),
                    Line::Token {
                        token_hash,
                        user_id,
                        device_id,
                        created_at_ms,
                        last_used_ms,
                    },
                ) => t.push(StoredToken {
                    token_hash,
                    user_id,
                    device_id,
                    created_at_ms,
                    last_used_ms,
                }),
                (Restore::Rows(r), line @ Line::Row { .. }) => r.push(self.row(line)),
                (
                    Restore::History(h),
                    Line::Entry {
                        entity,
                        id,
                        at_ms,
                        user_id,
                        device_id,
                        changes,
                    },
                ) => h.push(Logged {
                    entity,
                    id,
                    user_id,
                    device_id,
                    at_ms,
                    changes,
                }),
                (
                    Restore::Contests(k),
                    Line::Contest {
                        entity,
                        id,
                        field,
                        grid_id,
                        at_ms,
                        held_value,
                        held_hlc,
                        arrived_value,
                        arrived_hlc,
                    },
                ) => k.push(Contest {
                    entity,
                    id,
                    field,
                    grid_id,
                    at_ms,
                    held: (held_value, held_hlc),
                    arrived: (arrived_value, arrived_hlc),
                }),
                _ => unreachable!("a part holds the lines of its section"),
            }
            next = self.next_line()?;
        }
        Ok(Some(part))
    }

    fn user(&self, line: Line) -> anyhow::Result<StoredUser> {
        let Line::User {
            id,
            username,
            name,
            role,
            grids,
            password_hash,
            disabled,
            scope_version,
            created_at_ms,
        } = line
        else {
            unreachable!("called with user lines")
        };
        let role = Role::parse(&role)
            .ok_or_else(|| anyhow!("line {}: unknown role {role:?}", self.line_no))?;
        Ok(StoredUser {
            user: UserRecord {
                id,
                username,
                name,
                role,
                grids,
                password_hash,
                disabled,
                scope_version,
            },
            created_at_ms,
        })
    }

    fn row(&mut self, line: Line) -> FieldRow {
        let Line::Row {
            seq,
            entity,
            id,
            field,
            value,
            hlc,
            grid_id,
        } = line
        else {
            unreachable!("called with row lines")
        };
        let row = FieldRow {
            change: Change {
                entity,
                id,
                field,
                value,
                hlc,
            },
            grid_id,
            seq,
        };
        if let Some(d) = &mut self.digest {
            d.add(&row);
        }
        row
    }
}

/// Reads a whole dump without keeping it, checking every line, the counts and the digest:
/// whether it may be restored.
pub fn check(path: &Path) -> anyhow::Result<Header> {
    let mut reader = DumpReader::open(path)?;
    while reader
        .next_part(1_000)
        .with_context(|| path.display().to_string())?
        .is_some()
    {}
    Ok(reader.header().clone())
}
