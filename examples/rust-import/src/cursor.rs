//! The cursor file: how many of the input's rows are done, written after each one (to a temporary
//! file, then renamed over the cursor, so that a crash leaves the old cursor or the new, never half).

use std::path::{Path, PathBuf};

use serde_json::json;

/// Where an import stands in one input file.
pub struct Cursor {
    path: PathBuf,
    input: String,
    /// Rows done, from the first: the next run starts after them.
    pub done: u64,
}

impl Cursor {
    /// The cursor at `path` for `input`: where the last run stopped, or the start when there is no
    /// file. A cursor written for another input file is an error, not a fresh start.
    pub fn open(path: &Path, input: &Path) -> Result<Cursor, String> {
        let input = input.display().to_string();
        let done = match std::fs::read_to_string(path) {
            Ok(text) => {
                let saved: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|_| format!("{} is not a cursor file", path.display()))?;
                if saved["input"] != input.as_str() {
                    return Err(format!(
                        "{} is the cursor of {}, not of {input}",
                        path.display(),
                        saved["input"]
                    ));
                }
                saved["done"]
                    .as_u64()
                    .ok_or_else(|| format!("{} has no count of rows done", path.display()))?
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => 0,
            Err(error) => return Err(format!("{}: {error}", path.display())),
        };
        Ok(Cursor {
            path: path.to_owned(),
            input,
            done,
        })
    }

    /// Records one more row done.
    pub fn advance(&mut self) -> std::io::Result<()> {
        self.done += 1;
        let temporary = self.path.with_extension("tmp");
        std::fs::write(
            &temporary,
            json!({ "input": self.input, "done": self.done }).to_string(),
        )?;
        std::fs::rename(&temporary, &self.path)
    }
}
