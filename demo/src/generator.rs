//! The demo year's generator: claims, earlier subsidies and apprenticeship applications drawn
//! from a ruleset's own catalogues by date (SPEC §13, the benchmarks' realistic workload).
//!
//! Every draw is `uniform(stream, i, m)` ([`crate::draw`]), so the same options give the same
//! data in any language.

use crate::draw::uniform;
use skill_subsidy::calendar::Date;
use skill_subsidy::Group;
use skill_subsidy::Level;
use skill_subsidy::{rules::Calculation, rules::Entries, rules::InstitutionScope, Ruleset};
use skill_subsidy::{Claim, Decimal, HistoryRecord};
use std::collections::HashMap;

const DISTRICTS: [(&str, u64); 8] =
    [("梁溪区", 16), ("锡山区", 12), ("惠山区", 12), ("滨湖区", 13), ("新吴区", 18), ("经开区", 7), ("江阴市", 13), ("宜兴市", 9)];
const PROGRAMS: [(&str, u64); 7] = [
    ("skills_training", 40),
    ("enterprise_upgrade", 15),
    ("ui_skill_upgrade", 12),
    ("pre_job", 12),
    ("on_job", 8),
    ("online", 9),
    ("project", 4),
];
const LEVEL_WEIGHTS: [(Level, u64); 7] =
    [(Level::L5, 30), (Level::L4, 30), (Level::L3, 20), (Level::L2, 8), (Level::L1, 2), (Level::S, 7), (Level::T, 3)];
const GROUPS: [(Group, u64); 7] = [
    (Group::Employee, 34),
    (Group::Unemployed, 22),
    (Group::RuralMigrant, 14),
    (Group::Graduate, 15),
    (Group::LowIncomeFamily, 5),
    (Group::SchoolLeaver, 5),
    (Group::Other, 5),
];
/// Claims per month (January and February are quiet around the Spring Festival).
const MONTHS: [u64; 12] = [4, 3, 8, 9, 10, 9, 9, 9, 10, 10, 10, 9];

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Number of claims.
    pub claims: u64,
    /// Calendar year of the claims' events.
    pub year: i32,
}

impl Default for Options {
    fn default() -> Self {
        Options { claims: 20_000, year: 2021 }
    }
}

fn weighted<T: Copy>(stream: u64, i: u64, table: &[(T, u64)]) -> T {
    let total: u64 = table.iter().map(|(_, w)| w).sum();
    let mut r = uniform(stream, i, total);
    for (value, w) in table {
        if r < *w {
            return *value;
        }
        r -= w;
    }
    table[table.len() - 1].0
}

fn chance(stream: u64, i: u64, per_thousand: u64) -> bool {
    uniform(stream, i, 1000) < per_thousand
}

/// Streams of the demo generator (distinct from W1's 1–4).
mod s {
    pub const PERSON: u64 = 101;
    pub const PROGRAM: u64 = 102;
    pub const MONTH: u64 = 103;
    pub const DAY: u64 = 104;
    pub const LAG: u64 = 105;
    pub const LATE: u64 = 106;
    pub const HOME: u64 = 107;
    pub const OCCUPATION: u64 = 108;
    pub const LEVEL: u64 = 109;
    pub const GROUP: u64 = 110;
    pub const INSTITUTION: u64 = 111;
    pub const FEE: u64 = 112;
    pub const DISTRICT: u64 = 113;
    pub const ENTERPRISE: u64 = 114;
    pub const MONTHS: u64 = 115;
    pub const CONTRIBUTIONS: u64 = 116;
    pub const PROJECT: u64 = 117;
    pub const ODD: u64 = 118;
    pub const HISTORY: u64 = 119;
    pub const APP_SUBMITTED: u64 = 120;
    pub const APP_START: u64 = 121;
    pub const APP_MONTHS: u64 = 122;
    pub const APP_PERSON: u64 = 123;
    pub const APP_OUTCOME: u64 = 124;
    pub const APP_OUTCOME_DATE: u64 = 125;
}

/// How apprenticeships end: certified, uncertified, withdrawn, still running (per thousand).
const OUTCOMES: [(Option<&str>, u64); 4] =
    [(Some("completed_certified"), 700), (Some("completed_uncertified"), 150), (Some("withdrawn"), 100), (None, 50)];
const TARGET_LEVELS: [(Level, u64); 4] = [(Level::L4, 45), (Level::L3, 40), (Level::L2, 12), (Level::L1, 3)];

/// The catalogues of one version period, ready to draw from.
struct Period {
    occupations: Vec<(String, Vec<Level>)>,
    trainers: HashMap<String, Vec<String>>,
    institutions: Vec<String>,
}

/// The generator for one ruleset.
pub struct Generator<'r> {
    rules: &'r Ruleset,
    options: Options,
    persons: u64,
    enterprises: u64,
    periods: Vec<(Date, Date, Period)>,
}

impl<'r> Generator<'r> {
    /// A generator over the ruleset's catalogues (program `skills_training`'s occupation and
    /// institution catalogues).
    #[must_use]
    pub fn new(rules: &'r Ruleset, options: Options) -> Generator<'r> {
        let program = rules.program("skills_training").or_else(|| rules.programs.first());
        let occupations = program.and_then(|p| p.occupation_catalogue.as_ref()).and_then(|id| rules.catalogue(id));
        let institutions = program.and_then(|p| p.institution_catalogue.as_ref()).and_then(|id| rules.catalogue(id));
        let mut periods = Vec::new();
        for v in occupations.map(|c| c.versions.as_slice()).unwrap_or_default() {
            let occupations: Vec<(String, Vec<Level>)> =
                v.occupations().iter().map(|o| (o.code.clone(), o.levels.iter().collect())).collect();
            let mut trainers: HashMap<String, Vec<String>> = HashMap::new();
            let mut ids = Vec::new();
            if let Some(version) = institutions.and_then(|c| c.version_on(v.period.from)) {
                if let Entries::Institutions(list) = &version.entries {
                    for inst in list {
                        ids.push(inst.id.clone());
                        for (code, _) in &occupations {
                            let may = match &inst.scope {
                                InstitutionScope::All => true,
                                InstitutionScope::Occupations(codes) => codes.contains(code),
                                _ => false,
                            };
                            if may {
                                trainers.entry(code.clone()).or_default().push(inst.id.clone());
                            }
                        }
                    }
                }
            }
            periods.push((v.period.from, v.period.to, Period { occupations, trainers, institutions: ids }));
        }
        let claims = options.claims.max(1);
        Generator { rules, options, persons: (claims * 72 / 100).max(1), enterprises: (claims / 25).max(1), periods }
    }

    fn period(&self, date: Date) -> Option<&Period> {
        self.periods.iter().find(|(from, to, _)| *from <= date && date <= *to).map(|(_, _, p)| p)
    }

    fn event_date(&self, i: u64) -> Date {
        let table: Vec<(u32, u64)> = MONTHS.iter().enumerate().map(|(m, w)| (m as u32 + 1, *w)).collect();
        let month = weighted(s::MONTH, i, &table);
        let days = skill_subsidy::calendar::days_in_month(self.options.year, month);
        let day = uniform(s::DAY, i, u64::from(days)) as u32 + 1;
        Date::from_ymd_opt(self.options.year, month, day).unwrap_or_default()
    }

    /// Claim `i` (0-based).
    #[must_use]
    pub fn claim(&self, i: u64) -> Claim {
        let person = uniform(s::PERSON, i, self.persons);
        let program = weighted(s::PROGRAM, i, &PROGRAMS);
        let event = self.event_date(i);
        // Most claims come within weeks; a few come a year late, a very few before the event.
        let lag = if chance(s::LATE, i, 25) {
            370 + uniform(s::LAG, i, 60) as i64
        } else if chance(s::LATE, i + 1_000_000_007, 3) {
            -(1 + uniform(s::LAG, i, 10) as i64)
        } else {
            uniform(s::LAG, i, 45) as i64
        };
        let applied = event + chrono::Duration::days(lag);
        let mut claim = Claim::new(&format!("WX21-{:07}", i + 1), program, &format!("P{:07}", person + 1), event, applied);
        let rules = self.rules;
        let district = weighted(s::DISTRICT, i, &DISTRICTS);
        claim.district = Some(district.into());
        let Some(p) = rules.program(program) else { return claim };
        if p.payee == skill_subsidy::rules::Payee::Enterprise {
            // A person mostly works for one enterprise.
            let home = uniform(s::HOME, person, self.enterprises);
            let e = if chance(s::ENTERPRISE, i, 800) { home } else { uniform(s::ENTERPRISE, i, self.enterprises) };
            claim.enterprise_id = Some(format!("E{:05}", e + 1).into());
        }
        claim.group = match program {
            "skills_training" | "on_job" => weighted(s::GROUP, i, &GROUPS),
            _ => Group::Employee,
        };
        if p.occupation_catalogue.is_some() {
            if let Some(period) = self.period(event) {
                if !period.occupations.is_empty() {
                    // A person comes back for the same occupation, usually a level higher.
                    let home = uniform(s::HOME, person + 7, period.occupations.len() as u64) as usize;
                    let pick = if chance(s::OCCUPATION, i, 600) {
                        home
                    } else {
                        uniform(s::OCCUPATION, i, period.occupations.len() as u64) as usize
                    };
                    let (code, levels) = &period.occupations[pick];
                    let offered: Vec<(Level, u64)> = LEVEL_WEIGHTS.iter().copied().filter(|(l, _)| levels.contains(l)).collect();
                    claim.level = Some(if offered.is_empty() { Level::L5 } else { weighted(s::LEVEL, i, &offered) });
                    claim.occupation = Some(if chance(s::ODD, i, 15) { "6-99-99-99".into() } else { code.as_str().into() });
                    if p.institution_catalogue.is_some() {
                        let trainers = period.trainers.get(code).filter(|t| !t.is_empty() && !chance(s::ODD, i + 3, 20));
                        let list = trainers.unwrap_or(&period.institutions);
                        if !list.is_empty() {
                            claim.institution = Some(list[uniform(s::INSTITUTION, i, list.len() as u64) as usize].as_str().into());
                        }
                    }
                }
            }
        }
        match &p.calculation {
            Calculation::LevelTable { .. } => {
                let level = claim.level.unwrap_or(Level::L5);
                let standard: i64 = match level {
                    Level::L5 | Level::S => 1100,
                    Level::L4 => 1700,
                    Level::L3 => 2300,
                    Level::L2 => 2800,
                    Level::L1 => 3400,
                    Level::T => 600,
                    _ => 1000,
                };
                // Fees spread around the standard; about a third fall below it and cap the subsidy.
                let fen = standard * (60 + uniform(s::FEE, i, 80) as i64);
                claim.fee_paid = Some(Decimal::new(fen / 1000 * 1000, 2));
                if program == "ui_skill_upgrade" {
                    claim.ui_contribution_months = Some(6 + uniform(s::CONTRIBUTIONS, i, 66) as u32);
                }
            }
            Calculation::PerMonth { .. } => claim.months = Some(1 + uniform(s::MONTHS, i, 6) as u32),
            Calculation::CappedFee { .. } => claim.fee_paid = Some(Decimal::new((200 + uniform(s::FEE, i, 700) as i64) * 100, 2)),
            Calculation::PerProject => {
                let live: Vec<&str> = rules.projects.iter().filter(|p| p.period.contains(event)).map(|p| p.id.as_str()).collect();
                let all: Vec<&str> = rules.projects.iter().map(|p| p.id.as_str()).collect();
                let list = if live.is_empty() || chance(s::ODD, i + 5, 50) { all } else { live };
                if !list.is_empty() {
                    claim.project = Some(list[uniform(s::PROJECT, i, list.len() as u64) as usize].into());
                }
            }
            _ => {}
        }
        claim
    }

    /// Earlier subsidies of about 4% of persons (half of them the year before, half in early
    /// January): certificates of the person's usual occupation, so that later claims meet the
    /// once-per-level and lower-level rules.
    #[must_use]
    pub fn history(&self) -> Vec<HistoryRecord> {
        let mut out = Vec::new();
        let Some(period) = self.periods.first().map(|(_, _, p)| p) else { return out };
        let year = self.options.year;
        for person in (0..self.persons).filter(|p| chance(s::HISTORY, *p, 40)) {
            if period.occupations.is_empty() {
                break;
            }
            let home = uniform(s::HOME, person + 7, period.occupations.len() as u64) as usize;
            let (code, levels) = &period.occupations[home];
            let level = levels.iter().copied().find(|l| matches!(l, Level::L4 | Level::L3)).unwrap_or(levels[0]);
            // Half from the year before, half from the first weeks of this year (committed
            // against this year's account already).
            let date = if person % 2 == 0 {
                Date::from_ymd_opt(year - 1, 3 + (person % 9) as u32, 10).unwrap_or_default()
            } else {
                Date::from_ymd_opt(year, 1, 2 + (person % 20) as u32).unwrap_or_default()
            };
            let amount = match level {
                Level::L3 => 2000,
                Level::L4 => 1500,
                _ => 1000,
            };
            let mut h = HistoryRecord::new(
                &format!("P{:07}", person + 1),
                "skills_training",
                date,
                date + chrono::Duration::days(20),
                Decimal::new(amount * 100, 2),
            );
            h.occupation = Some(code.as_str().into());
            h.level = Some(level);
            out.push(h);
        }
        out
    }
}

impl Generator<'_> {
    /// Apprenticeship application `i` (0-based) as a CSV row matching [`crate::APPLICATIONS_HEADER`],
    /// and its outcome as a row matching [`crate::OUTCOMES_HEADER`] (none while it is still running).
    ///
    /// Enterprises submit all year (a few too late for the last session); training starts
    /// within two months and runs 12–24 months (a few outside the limits); most apprentices are
    /// new hires, some already claim 岗位技能提升 from their enterprise (the overlap rule), and a
    /// few apply twice (one at a time).
    #[must_use]
    pub fn application(&self, i: u64) -> (String, Option<String>) {
        let year = self.options.year;
        let id = format!("WX21-A{:05}", i + 1);
        let submitted =
            Date::from_ymd_opt(year, 1, 4).unwrap_or_default() + chrono::Duration::days(uniform(s::APP_SUBMITTED, i, 355) as i64);
        let start = submitted + chrono::Duration::days(14 + uniform(s::APP_START, i, 60) as i64);
        let months = if chance(s::ODD, i + 11, 20) { 6 } else { [12, 12, 18, 24][uniform(s::APP_MONTHS, i, 4) as usize] };
        // Most apprentices are new: persons beyond the claims' range; some are claimants too.
        let person = if chance(s::APP_PERSON, i, 150) {
            uniform(s::PERSON, i + 13, self.persons)
        } else if chance(s::APP_PERSON, i + 17, 30) && i > 0 {
            self.persons + uniform(s::APP_PERSON, i, i)
        } else {
            self.persons + i
        };
        let enterprise = uniform(s::HOME, person, self.enterprises);
        let district = weighted(s::DISTRICT, i + 19, &DISTRICTS);
        let (mut occupation, mut level, mut institution) = (String::new(), Level::L4, String::new());
        if let Some(period) = self.period(submitted).filter(|p| !p.occupations.is_empty()) {
            let (code, levels) = &period.occupations[uniform(s::OCCUPATION, i + 23, period.occupations.len() as u64) as usize];
            let offered: Vec<(Level, u64)> = TARGET_LEVELS.iter().copied().filter(|(l, _)| levels.contains(l)).collect();
            level = if offered.is_empty() { Level::L4 } else { weighted(s::LEVEL, i + 29, &offered) };
            occupation.clone_from(code);
            let list = period.trainers.get(code).filter(|t| !t.is_empty()).unwrap_or(&period.institutions);
            if !list.is_empty() {
                institution.clone_from(&list[uniform(s::INSTITUTION, i + 31, list.len() as u64) as usize]);
            }
        }
        let row = format!(
            "{id},E{:05},P{:07},{occupation},{},{start},{months},{submitted},{institution},{district}\n",
            enterprise + 1,
            person + 1,
            level.code()
        );
        let outcome = weighted(s::APP_OUTCOME, i, &OUTCOMES).map(|kind| {
            let date = if kind == "withdrawn" {
                start + chrono::Duration::days(30 + uniform(s::APP_OUTCOME_DATE, i, u64::from(months) * 25) as i64)
            } else {
                skill_subsidy::calendar::add_months(start, months).unwrap_or(start)
            };
            format!("{id},{kind},{date}\n")
        });
        (row, outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::APPLICATIONS_HEADER;
    use skill_subsidy::{Engine, Status};

    #[test]
    fn the_demo_year_shows_several_reasons_and_is_mostly_approved() {
        let rules = Ruleset::wuxi_2021().unwrap();
        let generator = Generator::new(&rules, Options { claims: 5_000, year: 2021 });
        let claims: Vec<Claim> = (0..5_000).map(|i| generator.claim(i)).collect();
        let history = generator.history();
        assert!(!history.is_empty());
        let engine = Engine::new(rules.clone());
        let result = engine.assess_batch(&claims, &history).unwrap();
        let approved = (0..result.len()).filter(|&i| result.status(i) == Status::Approved).count();
        assert!(approved > 3_000, "{approved} approved of 5000");
        assert!(result.report.rejections.len() >= 8, "{:?}", result.report.rejections);
        assert_eq!(result.report.invalid, 0);
        // Applications: valid rows, most with an outcome.
        let (row, outcome) = generator.application(7);
        assert_eq!(row.split(',').count(), APPLICATIONS_HEADER.split(',').count());
        assert!(outcome.is_none() || outcome.as_deref().is_some_and(|o| o.starts_with("WX21-A00008,")));
        // The same options give the same claims.
        assert_eq!(generator.claim(42), Generator::new(&rules, Options { claims: 5_000, year: 2021 }).claim(42));
    }
}
