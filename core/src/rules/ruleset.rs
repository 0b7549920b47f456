//! The loaded ruleset (补贴规则) as a whole: its programs, catalogues, accounts, targets and
//! parameters, and the rulesets embedded in the library.

use super::{
    loader, Account, Catalogue, Citation, Confidence, Industry, Limits, Param, Params, PaymentLag, Program, Project, RulesError,
    RulesErrorKind, RulesErrors, ShortageRule, Source, TargetSet,
};
use std::collections::BTreeMap;

/// The rulesets compiled into the library: `(id, files)`. The first is the default.
const EMBEDDED: &[(&str, &[(&str, &str)])] = include!(concat!(env!("OUT_DIR"), "/embedded_rulesets.rs"));

/// A loaded, validated ruleset.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ruleset {
    /// Id (`wuxi-2021`), equal to its folder's name.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Jurisdiction.
    pub jurisdiction: String,
    /// Source key of the document the ruleset implements.
    pub basis: String,
    /// `reconstruction` or `official`.
    pub status: String,
    /// Documents cited.
    pub sources: BTreeMap<String, Source>,
    /// Every number and switch, by path.
    pub params: Params,
    /// Limits.
    pub limits: Limits,
    /// The shortage uplift, when the ruleset has one.
    pub shortage: Option<ShortageRule>,
    /// Payment timing.
    pub payment: PaymentLag,
    /// Industries, by id.
    pub industries: Vec<Industry>,
    /// Accounts.
    pub accounts: Vec<Account>,
    /// The plan's targets, by period.
    pub targets: Vec<TargetSet>,
    /// Programs, in file order.
    pub programs: Vec<Program>,
    /// Approved projects (项目制).
    pub projects: Vec<Project>,
    /// Catalogues.
    pub catalogues: Vec<Catalogue>,
}

impl Ruleset {
    /// The default ruleset, Wuxi 2021 (锡人社办〔2021〕12号), compiled into the library.
    ///
    /// It is a reconstruction for demonstration: a bureau loads its own.
    ///
    /// ```
    /// let rules = skill_subsidy::Ruleset::wuxi_2021()?;
    /// assert_eq!(rules.id, "wuxi-2021");
    /// # Ok::<(), skill_subsidy::RulesErrors>(())
    /// ```
    pub fn wuxi_2021() -> Result<Ruleset, RulesErrors> {
        Ruleset::embedded("wuxi-2021")
    }

    /// An embedded ruleset by id (see [`Ruleset::embedded_ids`]).
    pub fn embedded(id: &str) -> Result<Ruleset, RulesErrors> {
        match EMBEDDED.iter().find(|(name, _)| *name == id) {
            Some((name, files)) => Ruleset::from_named_files(name, files.iter().copied()),
            None => Err(RulesErrors(vec![RulesError {
                kind: RulesErrorKind::UnknownReference,
                file: String::new(),
                path: String::new(),
                line: None,
                message: format!("no embedded ruleset {id:?}; embedded: {}", Ruleset::embedded_ids().join(", ")),
            }])),
        }
    }

    /// Ids of the embedded rulesets, the default first.
    #[must_use]
    pub fn embedded_ids() -> Vec<&'static str> {
        EMBEDDED.iter().map(|(id, _)| *id).collect()
    }

    /// Loads a ruleset from in-memory files: `(path relative to the ruleset folder, text)`.
    ///
    /// ```
    /// use skill_subsidy::Ruleset;
    /// let files = Ruleset::wuxi_2021()?.to_files();
    /// let again = Ruleset::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str())))?;
    /// assert_eq!(again.programs.len(), 8);
    /// # Ok::<(), skill_subsidy::RulesErrors>(())
    /// ```
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Ruleset, RulesErrors> {
        loader::load(None, files)
    }

    /// Like [`Ruleset::from_files`], also checking that `[ruleset] id` equals `folder`.
    pub fn from_named_files<'a>(folder: &str, files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Ruleset, RulesErrors> {
        loader::load(Some(folder), files)
    }

    /// A program by id.
    #[must_use]
    pub fn program(&self, id: &str) -> Option<&Program> {
        self.programs.iter().find(|p| p.id == id)
    }

    /// A catalogue by id.
    #[must_use]
    pub fn catalogue(&self, id: &str) -> Option<&Catalogue> {
        self.catalogues.iter().find(|c| c.id == id)
    }

    /// A policy value by path.
    #[must_use]
    pub fn param(&self, path: &str) -> Option<&Param> {
        self.params.find(path).map(|id| self.params.get(id))
    }

    /// The source a citation's first key points at.
    #[must_use]
    pub fn source_of(&self, citation: &Citation) -> Option<&Source> {
        citation.primary().and_then(|r| self.sources.get(&r.source))
    }

    /// The confidence of a cited value: its own, else its first source's.
    #[must_use]
    pub fn confidence_of(&self, citation: &Citation) -> Option<Confidence> {
        citation.confidence.or_else(|| self.source_of(citation).map(|s| s.confidence))
    }
}
