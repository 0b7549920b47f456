//! Output files, handled safely (SPEC §10, files from people: "it never overwrites an input and
//! never leaves half a file"):
//!
//! - an output that is one of the command's inputs is refused (paths compared canonically, so
//!   `./claims.csv`, `data/../claims.csv` and a symbolic link are the same file);
//! - an output into a folder that does not exist is an error: a typo in a folder name does not
//!   quietly make a new folder;
//! - an output is written to a temporary file in its own folder and renamed over the old one only
//!   when it is complete, so a crash or a full disk never leaves half a file;
//! - every error names the path, in the language of the run.

use crate::lang::Lang;
use crate::terminal::escape;
use crate::Failure;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file a path names, canonically: the path itself when it exists, otherwise its folder's
/// canonical path joined with its name (`None` when the folder does not exist either).
fn canonical(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let name = path.file_name()?;
    let parent = folder_of(path);
    parent.canonicalize().ok().map(|p| p.join(name))
}

/// The folder a file path is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A path as shown in a message (control characters escaped: a file name may hold them).
pub fn shown(path: &Path) -> String {
    escape(&path.display().to_string()).into_owned()
}

/// Checks, before any work, that `out` can be written: its folder exists and it is none of
/// `inputs` (`-` and absent inputs are skipped).
pub fn check_output(out: &Path, inputs: &[Option<&str>], lang: Lang) -> Result<(), Failure> {
    if out == Path::new("-") {
        return Ok(());
    }
    missing_folder(out, lang)?;
    let Some(target) = canonical(out) else { return Ok(()) };
    for input in inputs.iter().flatten().filter(|i| **i != "-") {
        if canonical(Path::new(input)).is_some_and(|i| i == target) {
            return Err(Failure(format!(
                "{}: {}",
                shown(out),
                lang.pick(
                    "is also an input of this command; write the output to another file",
                    "同时也是本命令的输入文件；请将结果写入另一个文件"
                )
            )));
        }
    }
    Ok(())
}

/// The folder of `path`, or an error when it does not exist.
fn missing_folder(path: &Path, lang: Lang) -> Result<&Path, Failure> {
    let folder = folder_of(path);
    if folder.is_dir() {
        return Ok(folder);
    }
    Err(Failure(format!(
        "{}: {} {} {}",
        shown(path),
        lang.pick("the folder", "文件夹"),
        shown(folder),
        lang.pick("does not exist (it is not created: check the path)", "不存在（不会自动创建，请检查路径）")
    )))
}

/// An output file being written: a temporary file beside `path`, renamed over it by
/// [`Output::commit`]; dropped without a commit, it is removed and `path` is left as it was.
pub struct Output {
    temp: tempfile::NamedTempFile,
    path: PathBuf,
    lang: Lang,
}

impl Output {
    /// Starts writing `path`; its folder must exist.
    pub fn create(path: &Path, lang: Lang) -> Result<Output, Failure> {
        let folder = missing_folder(path, lang)?;
        // The file gets the permissions a file the command created would have (0666 less the
        // umask, not a temporary file's 0600), or those of the file it replaces.
        let prefix = format!(".{}.", path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".partial");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let temp = builder.tempfile_in(folder).map_err(|e| io_failure(path, &e, lang))?;
        if let Ok(old) = std::fs::metadata(path) {
            std::fs::set_permissions(temp.path(), old.permissions()).map_err(|e| io_failure(path, &e, lang))?;
        }
        Ok(Output { temp, path: path.to_path_buf(), lang })
    }

    /// The file to write to.
    pub fn file(&mut self) -> &mut std::fs::File {
        self.temp.as_file_mut()
    }

    /// The temporary file's path (for writers that open the file themselves).
    pub fn temp_path(&self) -> &Path {
        self.temp.path()
    }

    /// An error writing this output, naming its path.
    pub fn failure(&self, e: &std::io::Error) -> Failure {
        io_failure(&self.path, e, self.lang)
    }

    /// Starts putting what is written on disk while more is written (see [`EarlySync`]).
    pub fn early_sync(&self) -> EarlySync {
        EarlySync::new(self.temp.as_file())
    }

    /// Flushes the file to disk and renames it over `path`.
    pub fn commit(mut self) -> Result<(), Failure> {
        let (path, lang) = (self.path.clone(), self.lang);
        self.temp.as_file_mut().flush().and_then(|()| self.temp.as_file().sync_all()).map_err(|e| io_failure(&path, &e, lang))?;
        self.temp.persist(&path).map_err(|e| io_failure(&path, &e.error, lang))?;
        Ok(())
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: &[u8], lang: Lang) -> Result<(), Failure> {
    let mut out = Output::create(path, lang)?;
    out.file().write_all(bytes).map_err(|e| out.failure(&e))?;
    out.commit()
}

/// A file error naming the path, its reason in the run's language.
pub fn io_failure(path: &Path, e: &std::io::Error, lang: Lang) -> Failure {
    Failure(format!("{}: {}", shown(path), crate::lang::io_error(e, lang)))
}

/// Puts a large output on disk while it is still being written: once every
/// [`EarlySync::EVERY`] bytes a thread of its own syncs what the file holds so far, so the sync
/// before the rename ([`Output::commit`]) waits for the last part alone rather than for the
/// whole file (a million records are 66 MB, a tenth of a second of this machine's disk after
/// the run). Its first error is kept and returned by [`EarlySync::finish`], before the commit: a
/// failed sync is reported once for a file (the commit's own sync would then succeed), and a
/// file whose pages did not reach the disk must not replace the old one.
pub struct EarlySync {
    ask: Option<std::sync::mpsc::SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
    unsynced: usize,
}

impl EarlySync {
    /// Bytes written between two syncs.
    pub const EVERY: usize = 8 << 20;

    fn new(file: &std::fs::File) -> EarlySync {
        match file.try_clone() {
            Ok(file) => EarlySync::with(move || file.sync_data()),
            Err(_) => EarlySync { ask: None, thread: None, unsynced: 0 },
        }
    }

    /// Syncs by `sync` (a file's `sync_data`; a test's failure).
    fn with(mut sync: impl FnMut() -> std::io::Result<()> + Send + 'static) -> EarlySync {
        let (ask, asked) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("early-sync".into())
            .spawn(move || {
                let mut first = Ok(());
                for () in asked {
                    let synced = sync();
                    if first.is_ok() {
                        first = synced;
                    }
                }
                first
            })
            .ok();
        EarlySync { ask: thread.is_some().then_some(ask), thread, unsynced: 0 }
    }

    /// `bytes` more have reached the file.
    pub fn wrote(&mut self, bytes: usize) {
        self.unsynced += bytes;
        if self.unsynced >= Self::EVERY {
            self.unsynced = 0;
            // A sync asked for while one runs is left out: the next one takes its bytes too.
            if let Some(ask) = &self.ask {
                let _ = ask.try_send(());
            }
        }
    }

    /// Waits for the syncs asked for; the first that failed, if one did.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.ask = None;
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(std::io::Error::other("the thread syncing the file stopped")),
            None => Ok(()),
        }
    }
}

impl Drop for EarlySync {
    fn drop(&mut self) {
        self.ask = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_synced_early_while_written_is_whole_once_committed() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("records.csv");
        let Ok(mut out) = Output::create(&path, Lang::En) else { panic!("a temporary file in {path:?}") };
        let line = b"C1,approved,300.00\n".repeat(1 << 16);
        let mut written = Vec::new();
        let mut early = out.early_sync();
        let file = out.file();
        // Past EVERY twice: syncs are asked for while the file grows.
        while written.len() < 2 * EarlySync::EVERY + 1 {
            file.write_all(&line).unwrap();
            written.extend_from_slice(&line);
            early.wrote(line.len());
        }
        assert!(early.finish().is_ok());
        assert!(out.commit().is_ok());
        assert_eq!(std::fs::read(&path).unwrap(), written);
    }

    #[test]
    fn a_sync_that_failed_while_the_file_was_written_is_reported_at_the_end() {
        let synced = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = std::sync::Arc::clone(&synced);
        let mut early = EarlySync::with(move || {
            // The first sync fails (a disk error), the next succeeds: the failure still counts.
            match counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
                0 => Err(std::io::Error::other("disk error")),
                _ => Ok(()),
            }
        });
        // One sync asked for is sure to run (the request waits in the channel), whenever its
        // thread gets to it; a second may be left out.
        early.wrote(EarlySync::EVERY);
        early.wrote(EarlySync::EVERY);
        let result = early.finish();
        assert!(synced.load(std::sync::atomic::Ordering::SeqCst) >= 1, "a sync was asked for");
        assert_eq!(result.map_err(|e| e.to_string()), Err("disk error".to_string()));
    }

    #[test]
    fn nothing_written_nothing_synced() {
        assert!(EarlySync::with(|| Err(std::io::Error::other("never called"))).finish().is_ok());
    }
}
