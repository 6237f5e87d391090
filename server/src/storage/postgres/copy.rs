//! Rows streamed to a `COPY … FROM STDIN (FORMAT binary)`, encoded here in PostgreSQL's binary
//! copy format: a field is its length and its bytes (text as UTF-8, `int8` as 8 bytes, big
//! endian). The `postgres` client's own binary writer hands each row to its runtime on its own:
//! sending the rows took a fifth of the server's CPU in a push of 1,000 new fields (perf, issue
//! 13). Here the rows go in chunks, which PostgreSQL stores while the next one is encoded.

use std::io::Write;

use postgres::{CopyInWriter, GenericClient, Statement};

use crate::storage::{Result, StorageError};

/// The signature, no flags, no header extension.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
/// Bytes encoded before they are handed to the connection.
const CHUNK: usize = 16 * 1024;

pub(super) struct CopyRows<'a> {
    writer: CopyInWriter<'a>,
    chunk: Vec<u8>,
}

impl<'a> CopyRows<'a> {
    /// Starts the COPY `st` (which names the columns every row then gives, in order).
    pub(super) fn start(tx: &'a mut impl GenericClient, st: &Statement) -> Result<CopyRows<'a>> {
        let mut chunk = Vec::with_capacity(CHUNK + 1024);
        chunk.extend_from_slice(HEADER);
        Ok(CopyRows {
            writer: tx.copy_in(st)?,
            chunk,
        })
    }

    /// Begins a row of `columns` fields.
    pub(super) fn row(&mut self, columns: i16) -> Result<()> {
        if self.chunk.len() >= CHUNK {
            self.hand_over()?;
        }
        self.chunk.extend_from_slice(&columns.to_be_bytes());
        Ok(())
    }

    pub(super) fn text(&mut self, s: &str) {
        // A field of 2 GiB cannot come from a request of a few MiB.
        let len = i32::try_from(s.len()).unwrap_or(i32::MAX);
        self.chunk.extend_from_slice(&len.to_be_bytes());
        self.chunk.extend_from_slice(s.as_bytes());
    }

    pub(super) fn text_or_null(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.text(s),
            None => self.chunk.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }

    pub(super) fn int8(&mut self, n: i64) {
        self.chunk.extend_from_slice(&8i32.to_be_bytes());
        self.chunk.extend_from_slice(&n.to_be_bytes());
    }

    /// Ends the COPY; how many rows PostgreSQL stored.
    pub(super) fn finish(mut self) -> Result<u64> {
        self.chunk.extend_from_slice(&(-1i16).to_be_bytes());
        self.hand_over()?;
        Ok(self.writer.finish()?)
    }

    fn hand_over(&mut self) -> Result<()> {
        self.writer
            .write_all(&self.chunk)
            .and_then(|()| self.writer.flush())
            .map_err(|e| StorageError::Backend {
                backend: "postgres",
                source: Box::new(e),
            })?;
        self.chunk.clear();
        Ok(())
    }
}
