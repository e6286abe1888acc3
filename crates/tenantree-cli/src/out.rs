//! Output: JSON for scripts, tables and lines for people.

use std::io::{StdoutLock, Write};

use serde::Serialize;

use crate::Failure;

/// Standard output, in the chosen form.
pub(crate) struct Out {
    json: bool,
    w: StdoutLock<'static>,
}

impl Out {
    pub(crate) fn new(json: bool) -> Out {
        Out { json, w: std::io::stdout().lock() }
    }

    pub(crate) fn w(&mut self) -> &mut StdoutLock<'static> {
        &mut self.w
    }

    pub(crate) fn is_json(&self) -> bool {
        self.json
    }

    /// Pretty JSON.
    pub(crate) fn json(&mut self, value: &impl Serialize) -> Result<(), Failure> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| tenantree::Error::Storage { message: format!("cannot encode output: {e}") })?;
        writeln!(self.w, "{text}")?;
        Ok(())
    }

    /// JSON, or the human form written by `human`.
    pub(crate) fn emit(
        &mut self,
        value: &impl Serialize,
        human: impl FnOnce(&mut StdoutLock<'static>) -> std::io::Result<()>,
    ) -> Result<(), Failure> {
        if self.json {
            self.json(value)
        } else {
            human(&mut self.w)?;
            Ok(())
        }
    }

    /// A table: a header and rows of cells, columns padded to their widest cell.
    pub(crate) fn table(&mut self, header: &[&str], rows: &[Vec<String>]) -> Result<(), Failure> {
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (i, cell) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(cell.chars().count());
                }
            }
        }
        let line = |cells: Vec<&str>| -> String {
            let padded: Vec<String> =
                cells.iter().zip(&widths).map(|(c, w)| format!("{c:<width$}", width = *w)).collect();
            padded.join("  ").trim_end().to_owned()
        };
        writeln!(self.w, "{}", line(header.to_vec()))?;
        for row in rows {
            writeln!(self.w, "{}", line(row.iter().map(String::as_str).collect()))?;
        }
        Ok(())
    }
}
