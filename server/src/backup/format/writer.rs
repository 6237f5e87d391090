//! Writing a dump: a new file, its header line reserved blank and filled in last, when the
//! counts and the rows' digest are known.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use anyhow::{anyhow, bail};

use super::{Counts, Header, Line, HEADER_BYTES, VERSION};
use crate::backup::digest::RowDigest;
use crate::storage::{Contest, FieldRow, Logged, StoredToken, StoredUser};

/// Writes a dump to a new file, line by line; [`DumpWriter::finish`] completes it.
pub struct DumpWriter {
    out: BufWriter<File>,
    counts: Counts,
    last_seq: i64,
    digest: RowDigest,
    tokens_included: bool,
}

impl DumpWriter {
    /// Creates `path`, which must not exist yet, readable by its owner only (it holds password
    /// hashes), with the header's line reserved.
    pub fn create(path: &Path, tokens_included: bool) -> anyhow::Result<DumpWriter> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                anyhow!(
                    "{} exists already: a backup never overwrites a file",
                    path.display()
                )
            }
            _ => anyhow!("cannot create {}: {e}", path.display()),
        })?;
        let mut out = BufWriter::new(file);
        out.write_all(&blank_header())?;
        Ok(DumpWriter {
            out,
            counts: Counts::default(),
            last_seq: 0,
            digest: RowDigest::default(),
            tokens_included,
        })
    }

    fn line(&mut self, line: &Line) -> anyhow::Result<()> {
        serde_json::to_writer(&mut self.out, line)?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    pub fn meta(&mut self, key: String, value: String) -> anyhow::Result<()> {
        self.counts.meta += 1;
        self.line(&Line::Meta { key, value })
    }

    pub fn user(&mut self, stored: StoredUser) -> anyhow::Result<()> {
        let u = stored.user;
        self.counts.users += 1;
        self.line(&Line::User {
            id: u.id,
            username: u.username,
            name: u.name,
            role: u.role.as_str().to_owned(),
            grids: u.grids,
            password_hash: u.password_hash,
            disabled: u.disabled,
            scope_version: u.scope_version,
            created_at_ms: stored.created_at_ms,
        })
    }

    pub fn token(&mut self, t: StoredToken) -> anyhow::Result<()> {
        self.counts.tokens += 1;
        self.line(&Line::Token {
            token_hash: t.token_hash,
            user_id: t.user_id,
            device_id: t.device_id,
            created_at_ms: t.created_at_ms,
            last_used_ms: t.last_used_ms,
        })
    }

    /// Rows come in seq order.
    pub fn row(&mut self, row: FieldRow) -> anyhow::Result<()> {
        if row.seq <= self.last_seq {
            bail!("rows out of order: seq {} after {}", row.seq, self.last_seq);
        }
        self.digest.add(&row);
        self.counts.rows += 1;
        self.last_seq = row.seq;
        let c = row.change;
        self.line(&Line::Row {
            seq: row.seq,
            entity: c.entity,
            id: c.id,
            field: c.field,
            value: c.value,
            hlc: c.hlc,
            grid_id: row.grid_id,
        })
    }

    /// History entries come after the rows.
    pub fn entry(&mut self, e: Logged) -> anyhow::Result<()> {
        self.counts.history += 1;
        self.line(&Line::Entry {
            entity: e.entity,
            id: e.id,
            at_ms: e.at_ms,
            user_id: e.user_id,
            device_id: e.device_id,
            changes: e.changes,
        })
    }

    /// Contests come last.
    pub fn contest(&mut self, k: Contest) -> anyhow::Result<()> {
        self.counts.contests += 1;
        self.line(&Line::Contest {
            entity: k.entity,
            id: k.id,
            field: k.field,
            grid_id: k.grid_id,
            at_ms: k.at_ms,
            held_value: k.held.0,
            held_hlc: k.held.1,
            arrived_value: k.arrived.0,
            arrived_hlc: k.arrived.1,
        })
    }

    /// Writes the header into its reserved line and flushes the file to disk.
    pub fn finish(self, written_at_ms: i64) -> anyhow::Result<Header> {
        let header = Header {
            knock_dump: VERSION,
            written_at_ms,
            counts: self.counts,
            max_seq: self.last_seq,
            rows_sha256: self.digest.finish(),
            tokens_included: self.tokens_included,
        };
        let mut text = serde_json::to_vec(&header)?;
        if text.len() >= HEADER_BYTES {
            bail!("the dump's header does not fit its line");
        }
        text.resize(HEADER_BYTES - 1, b' ');
        text.push(b'\n');
        let mut file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        file.write_all(&text)?;
        file.sync_all()?;
        Ok(header)
    }
}

pub(super) fn blank_header() -> Vec<u8> {
    let mut line = vec![b' '; HEADER_BYTES - 1];
    line.push(b'\n');
    line
}
