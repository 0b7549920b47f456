//! What failed to load, so that what refers to it is not checked again (SPEC §12: a problem in
//! a rules file is reported once, not with the hundreds of errors that follow from it).
//!
//! The loader reads the files in the order of their references — `sources.toml`, `ruleset.toml`,
//! the catalogues (occupations first), `programs.toml`, `projects.toml` — and notes here each
//! table that reported a problem or could not be read. A later reference into such a table is
//! not checked: its target's own problem is the one to fix, and the reference is checked on the
//! next load. One duplicate key in `ruleset.toml` is then one problem, not one more for every
//! occupation whose industry it no longer knows.

use std::collections::BTreeSet;

/// Ids of one kind of thing (sources, industries, catalogues, programs) that failed to load,
/// or all of them (their file or table could not be read).
#[derive(Debug, Default)]
pub(crate) struct Unloaded {
    all: bool,
    ids: BTreeSet<String>,
}

impl Unloaded {
    /// Every id of this kind is unknown: the file or table that defines them failed.
    pub fn all(&mut self) {
        self.all = true;
    }

    /// The thing `id` failed to load.
    pub fn add(&mut self, id: &str) {
        self.ids.insert(id.to_string());
    }

    /// Whether a reference to `id` cannot be checked.
    pub fn covers(&self, id: &str) -> bool {
        self.all || self.ids.contains(id)
    }
}

/// What failed to load so far, by what refers to it.
#[derive(Debug, Default)]
pub(crate) struct Failed {
    /// Sources (`sources.toml`): citations.
    pub sources: Unloaded,
    /// Industries (`ruleset.toml` `[industries]`): occupations.
    pub industries: Unloaded,
    /// The `[shortage]` table of `ruleset.toml` (present but not read): programs' uplifts.
    pub shortage: bool,
    /// Catalogues with a version that failed (by folder): programs, other catalogues' codes.
    pub catalogues: Unloaded,
    /// Programs (`programs.toml`): projects.
    pub programs: Unloaded,
}
