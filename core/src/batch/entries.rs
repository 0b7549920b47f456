//! The eligible claims of a batch (and its approvable applications) by person, in queue order,
//! and their cross-claim decisions (SPEC §7.2 checks 8–12, §11).
//!
//! Persons met once (their hash met once among the eligible claims, and neither in the history
//! nor among the applications) are found first, without a sort (`keys.rs`); the others by one sort of 128-bit keys — the person's hash, the queue day,
//! the row — split by the hash's top bits and sorted on every core; ids are compared only where
//! hashes meet. A person with one claim and no history is decided without looking at the person
//! (only the quota and the account can refuse it); the others are decided claim by claim.

use super::budget::Closings;
use super::keys::{sort_keys, Repeats};
use super::persons::{finish_trace, Decision, Entry, Person};
use super::rows::{days, Raw, APPROVED, NONE, NOT_ELIGIBLE};
use super::{Batch, Partition, Past};
use crate::calendar::Date;
use crate::level::Level;
use crate::reasons::{Reason, Status};
use crate::rules::Fund;
use crate::trace::Step;
use compact_str::CompactString;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

/// Persons decided at a time (on every core) before their decisions are recorded.
const PERSONS_BLOCK: usize = 1 << 14;

/// The eligible entries by person, then queue order.
#[derive(Default)]
pub(crate) struct Ordered {
    /// Rows (below the batch's row count) and applications (the row count plus their position):
    /// those of persons who may have several entries, history or an application, by person,
    /// then queue order; then the rows of persons met once, in row order.
    pub order: Vec<u32>,
    /// Where each person's run starts in `order`, and `order.len()` at the end.
    pub runs: Vec<u32>,
    /// Per run: whether the person has several entries or history.
    pub busy: Vec<bool>,
    /// The runs of persons with history: their history, as a range of the batch's `past` (sorted
    /// by person). Most persons have none, so it is kept only for those who do.
    pub pasts: FxHashMap<u32, (u32, u32)>,
    /// Rows paid a top-up (补差) rather than their own amount, with what they are paid.
    pub paid: FxHashMap<u32, i64>,
}

impl Ordered {
    /// Orders a batch's eligible entries by person, then queue order: `(applied_on, claim id)`
    /// — the day is in the key, and one person's entries of one day are put in claim id order.
    pub fn new(batch: &mut Batch<'_>) -> Ordered {
        let rows = batch.rows.len() as u32;
        let key = |person: u64, day: Date, i: u32| (u128::from(person) << 64) | (u128::from(days(day)) << 32) | u128::from(i);
        // An application enters the queue at its session when approved.
        let queued = |slot: &super::AppSlot| slot.session.filter(|_| slot.assessment.status == Status::Approved);
        // A person met once, without history, is a run of its own: only the others are sorted
        // (by person, then queue order) and gathered into runs. Applications are few: their
        // persons are sorted with those of the history, however often they are met.
        let also: Vec<u64> =
            batch.past.iter().map(|p| p.person).chain(batch.apps.iter().filter(|a| queued(a).is_some()).map(|a| a.person)).collect();
        let (decision, person) = (&batch.rows.decision, &batch.rows.person);
        let repeats = Repeats::of(rows as usize, |i| (decision[i] == APPROVED).then(|| person[i]), &also);
        let (mut keys, mut lone): (Vec<u128>, Vec<u32>) = (Vec::new(), Vec::new());
        for (i, (&d, &raw)) in decision.iter().zip(&batch.rows.raw).enumerate() {
            if d != APPROVED {
                continue;
            }
            if repeats.maybe(person[i]) {
                keys.push(key(person[i], batch.raws[raw as usize].applied_on, i as u32));
            } else {
                lone.push(i as u32);
            }
        }
        for (p, slot) in batch.apps.iter().enumerate() {
            if let Some(session) = queued(slot) {
                keys.push(key(slot.person, session, rows + p as u32));
            }
        }
        sort_keys(&mut keys, |k| (k >> 124) as usize);
        batch.past.sort_by(|a, b| (a.person, &a.person_id).cmp(&(b.person, &b.person_id)));
        let (n, all) = (keys.len(), keys.len() + lone.len());
        // The persons' runs gathered on every core, each part of the keys starting at a person.
        let batch: &Batch<'_> = batch;
        let person_at = |i: usize| (keys[i] >> 64) as u64;
        let align = |i: usize| (i.min(n)..n).find(|&j| j == 0 || person_at(j) != person_at(j - 1)).unwrap_or(n);
        let parts = crate::parallel::chunks(n, |range| gather(batch, &keys, align(range.start)..align(range.end)));
        let (mut order, mut runs, mut busy, mut pasts) =
            (Vec::with_capacity(all), Vec::with_capacity(all + 1), Vec::with_capacity(all), FxHashMap::default());
        for part in parts {
            let before = runs.len() as u32;
            pasts.extend(part.pasts.into_iter().map(|(r, range)| (before + r, range)));
            order.extend(part.order);
            runs.extend(part.runs);
            busy.extend(part.busy);
        }
        for i in lone {
            runs.push(order.len() as u32);
            busy.push(false);
            order.push(i);
        }
        runs.push(order.len() as u32);
        Ordered { order, runs, busy, pasts, paid: FxHashMap::default() }
    }
}

/// The runs of the persons whose keys are `keys[span]` (sorted; `span` starts at a person and ends
/// after one), as [`Ordered`] holds them: the entries, each run's start (a position in the whole
/// order), whether it is busy, and its history (by its position among these runs).
struct Gathered {
    order: Vec<u32>,
    runs: Vec<u32>,
    busy: Vec<bool>,
    pasts: Vec<(u32, (u32, u32))>,
}

fn gather(batch: &Batch<'_>, keys: &[u128], span: std::ops::Range<usize>) -> Gathered {
    let rows = batch.rows.len() as u32;
    let past = &batch.past;
    let mut order: Vec<u32> = keys[span.clone()].iter().map(|k| *k as u32).collect();
    let (mut runs, mut busy, mut pasts) = (Vec::with_capacity(order.len()), Vec::with_capacity(order.len()), Vec::new());
    let mut at_past = keys.get(span.start).map_or(0, |&k| past.partition_point(|p| p.person < (k >> 64) as u64));
    let mut start = span.start;
    while start < span.end {
        let h = (keys[start] >> 64) as u64;
        // A person's entries are few: found by a look at the next keys, not a search of the rest.
        let end = start + 1 + keys[start + 1..span.end].iter().take_while(|&&k| (k >> 64) as u64 == h).count();
        while past.get(at_past).is_some_and(|p| p.person < h) {
            at_past += 1;
        }
        let hist_end = at_past + past[at_past.min(past.len())..].iter().take_while(|p| p.person == h).count();
        if end - start == 1 && hist_end == at_past {
            runs.push(start as u32);
            busy.push(false);
            start = end;
            continue;
        }
        // Several entries, or history sharing the hash: by person id (hashes can meet),
        // then queue order. The keys hold (day, row): one person's entries of one day are
        // then put in claim id order.
        let run = &mut order[start - span.start..end - span.start];
        let first = person_of(batch, run[0]);
        let one_person = run.iter().all(|&i| person_of(batch, i) == first);
        if !one_person {
            run.sort_by(|&a, &b| {
                (person_of(batch, a), queue_day(batch, a, rows), a).cmp(&(person_of(batch, b), queue_day(batch, b, rows), b))
            });
        }
        // In the keys' order each entry's day is in its key; otherwise read it.
        let day_at = |run: &[u32], k: usize| if one_person { (keys[start + k] >> 32) as u32 } else { days(queue_day(batch, run[k], rows)) };
        let mut from = 0;
        while from < run.len() {
            let person = person_of(batch, run[from]);
            let to = if one_person { run.len() } else { from + run[from..].iter().take_while(|&&i| person_of(batch, i) == person).count() };
            let mut k = from;
            while k < to {
                let day = day_at(run, k);
                let same_day = k + run[k..to].iter().enumerate().take_while(|&(j, _)| day_at(run, k + j) == day).count();
                if same_day - k > 1 {
                    run[k..same_day].sort_by(|&a, &b| id_str(batch, a, rows).as_bytes().cmp(id_str(batch, b, rows).as_bytes()));
                }
                k = same_day;
            }
            let mut hist = (at_past..hist_end).filter(|&k| past[k].person_id.as_str() == person.as_ref());
            let range = match (hist.next(), hist.next_back()) {
                (Some(a), Some(b)) => (a as u32, b as u32 + 1),
                (Some(a), None) => (a as u32, a as u32 + 1),
                _ => (at_past as u32, at_past as u32),
            };
            if range.0 < range.1 {
                pasts.push((runs.len() as u32, range));
            }
            runs.push((start + from) as u32);
            busy.push(to - from > 1 || range.0 < range.1);
            from = to;
        }
        start = end;
    }
    Gathered { order, runs, busy, pasts }
}

/// The person id of an entry.
fn person_of<'b>(batch: &'b Batch<'_>, i: u32) -> std::borrow::Cow<'b, str> {
    let rows = batch.rows.len() as u32;
    if i < rows {
        batch.person_id(i)
    } else {
        std::borrow::Cow::Borrowed(batch.apps[(i - rows) as usize].app.person_id.as_str())
    }
}

/// The claim (or application) id of an entry.
fn id_str<'b>(batch: &'b Batch<'_>, i: u32, rows: u32) -> &'b str {
    if i < rows {
        batch.ids.get(i as usize)
    } else {
        batch.apps[(i - rows) as usize].app.application_id.as_str()
    }
}

fn queue_day(batch: &Batch<'_>, i: u32, rows: u32) -> Date {
    if i < rows {
        batch.raws[batch.rows.raw[i as usize] as usize].applied_on
    } else {
        batch.apps[(i - rows) as usize].session.unwrap_or(Date::MIN)
    }
}

impl Partition<'_> {
    /// The cross-claim entries of rows and applications `items` (in person order, so scattered
    /// across the batch's columns) into `out`. A row's entry follows a chain of loads: its row's
    /// columns, its raw entry, then that entry's shape. A group of items is taken a link at a
    /// time, so that the loads of one link overlap rather than each waiting on the one before.
    fn entries_into(&self, items: &[u32], out: &mut Vec<Entry>) {
        const GROUP: usize = 32;
        let b = &self.batch;
        let rows = b.rows.len() as u32;
        out.reserve(items.len());
        for group in items.chunks(GROUP) {
            let mut columns = [(NONE, 0i64, NONE); GROUP];
            for (c, &i) in columns.iter_mut().zip(group) {
                if i < rows {
                    let r = i as usize;
                    *c = (b.rows.raw[r], b.rows.fen[r], b.rows.enterprise[r]);
                }
            }
            let mut raws = [None; GROUP];
            for (raw, c) in raws.iter_mut().zip(&columns) {
                *raw = b.raws.get(c.0 as usize).copied();
            }
            let mut shapes = [None; GROUP];
            for (shape, raw) in shapes.iter_mut().zip(&raws) {
                *shape =
                    raw.and_then(|raw| b.shapes.list.get(raw.shape as usize)).map(|s| (s.program as u16, s.occupation, s.level, s.counts));
            }
            for (k, &i) in group.iter().enumerate() {
                out.push(match (raws[k], shapes[k]) {
                    (Some(raw), Some(shape)) if i < rows => row_entry(i, (columns[k].1, columns[k].2), &raw, shape),
                    _ => self.entry(i),
                });
            }
        }
    }

    /// The cross-claim entry of a row or an application.
    pub(super) fn entry(&self, i: u32) -> Entry {
        let b = &self.batch;
        let rows = b.rows.len() as u32;
        if i < rows {
            let r = i as usize;
            let raw = &b.raws[b.rows.raw[r] as usize];
            let s = &b.shapes.list[raw.shape as usize];
            row_entry(i, (b.rows.fen[r], b.rows.enterprise[r]), raw, (s.program as u16, s.occupation, s.level, s.counts))
        } else {
            let p = i - rows;
            let slot = &b.apps[p as usize];
            let program = slot.program.unwrap_or(0);
            let session = slot.session.unwrap_or(Date::MIN);
            let compiled = &b.engine.programs[usize::from(program)];
            let rule = &b.engine.rules.programs[compiled.rule];
            let account = (rule.fund == Fund::SpecialAccount).then(|| b.engine.account_on(rule.fund, session)).flatten();
            Entry {
                row: p,
                app: Some(p),
                applied_on: session,
                event_date: session,
                program,
                occupation: slot.occupation,
                level: Some(slot.app.target_level),
                enterprise: slot.enterprise,
                amount: slot.assessment.amount,
                counts: compiled.segment(session).flag(Some(rule.counts_toward_annual_limit)),
                account,
                decision: Decision::Approved(slot.assessment.amount),
            }
        }
    }

    /// Records an entry's decision in the batch.
    fn record(&mut self, e: &Entry) {
        let b = &mut self.batch;
        match e.app {
            Some(p) => b.apps[p as usize].decision = Some(e.decision),
            None => {
                let r = e.row as usize;
                match e.decision {
                    Decision::Approved(paid) => {
                        b.rows.decision[r] = APPROVED;
                        // The entry's amount is the row's fee column (`entries_into`): compared
                        // here rather than read again, a row at a time in person order.
                        debug_assert_eq!(super::report::fen_of(e.amount), i128::from(b.rows.fen[r]));
                        let fen = super::report::fen_of(paid);
                        if fen == super::report::fen_of(e.amount) {
                            self.ordered.paid.remove(&e.row);
                        } else {
                            self.ordered.paid.insert(e.row, i64::try_from(fen).unwrap_or(i64::MAX));
                        }
                    }
                    Decision::Rejected(reason) => {
                        b.rows.decision[r] = reason as u8;
                        self.ordered.paid.remove(&e.row);
                    }
                }
            }
        }
    }

    /// Decides the persons with `closings` (none in pass 1): every person in pass 1 (a lone
    /// one by its shape); in pass 3 those with an entry at or after a closing point, and, when
    /// traced, those with a traced entry (with the steps of checks 8–12 and what counted).
    ///
    /// Persons are independent once the closings are known: a block of them is decided on
    /// every core, then recorded in order.
    pub(super) fn decide(&mut self, closings: &Closings, trace: bool) {
        let runs = self.ordered.runs.len().saturating_sub(1);
        let first_pass = closings.is_empty() && !trace;
        // What each closing account had left where it closed (named by traced budget steps).
        let left = if trace { closings.left(self.batch.engine, &self.budget) } else { Vec::new() };
        let rows = self.batch.rows.len();
        // In pass 1 a lone claim is decided by its program and account alone
        // (`CheckRules::lone_claim`): those are decided after the loop in row order, which reads
        // the rows' columns in order rather than by person.
        let mut lone_rows = vec![0u64; if first_pass { rows.div_ceil(64) } else { 0 }];
        // Pass 3 re-decides only persons with an entry at or after a closing point: which
        // entries are is found in row order, not by person.
        let affected = if first_pass { Vec::new() } else { self.affected(closings) };
        let is_affected = |i: u32| affected.get(i as usize / 64).is_some_and(|w| w & (1 << (i % 64)) != 0);
        // The runs to decide, and whether each holds a traced entry.
        let mut todo: Vec<(u32, bool)> = Vec::new();
        for r in 0..runs {
            let (from, to) = (self.ordered.runs[r] as usize, self.ordered.runs[r + 1] as usize);
            let traced = trace && (from..to).any(|k| self.has_trace(self.ordered.order[k]));
            if !first_pass && !traced && !(from..to).any(|k| is_affected(self.ordered.order[k])) {
                continue;
            }
            let first = self.ordered.order[from] as usize;
            if first_pass && !self.ordered.busy[r] && first < rows && self.batch.checks.annual_claims != 0 {
                lone_rows[first / 64] |= 1 << (first % 64);
                continue;
            }
            todo.push((r as u32, traced));
        }
        for block in todo.chunks(PERSONS_BLOCK) {
            let this = &*self;
            let parts = crate::parallel::chunks(block.len(), |range| this.decide_runs(&block[range], closings, &left));
            for (entries, steps) in parts {
                for (k, s) in steps {
                    let e = &entries[k];
                    let a = match e.app {
                        Some(p) => Some(&mut self.batch.apps[p as usize].assessment),
                        None => self.batch.own.get_mut(&e.row),
                    };
                    if let Some(a) = a {
                        finish_trace(a, s, e.decision);
                    }
                }
                for e in &entries {
                    self.record(e);
                }
            }
        }
        for (word, bits) in lone_rows.iter().enumerate() {
            let mut bits = *bits;
            while bits != 0 {
                let row = (word * 64 + bits.trailing_zeros() as usize) as u32;
                bits &= bits - 1;
                let b = &mut self.batch;
                let raw = &b.raws[b.rows.raw[row as usize] as usize];
                let program = b.shapes.list[raw.shape as usize].program as u16;
                if let Some(reason) = b.checks.lone_claim(program, raw.account) {
                    b.rows.decision[row as usize] = reason as u8;
                    self.ordered.paid.remove(&row);
                }
            }
        }
    }

    /// Decides the persons of these runs (each with whether it holds a traced entry): their
    /// entries in order with their decisions, and the steps of each traced entry (by its position
    /// among them).
    fn decide_runs(&self, runs: &[(u32, bool)], closings: &Closings, left: &[Option<Decimal>]) -> (Vec<Entry>, Vec<(usize, Vec<Step>)>) {
        let batch = &self.batch;
        let id_of = |e: &Entry| -> CompactString { entry_id(batch, e) };
        let mut person = Person::new(batch.engine, &batch.checks, &batch.apps, closings, &id_of).with_left(left);
        // Every entry of these persons first, gathered together (`entries_into`); then each
        // person's in turn.
        let span = |r: u32| self.ordered.runs[r as usize] as usize..self.ordered.runs[r as usize + 1] as usize;
        let items: Vec<u32> = runs.iter().flat_map(|&(r, _)| self.ordered.order[span(r)].iter().copied()).collect();
        let mut out = Vec::new();
        self.entries_into(&items, &mut out);
        let mut traces = Vec::new();
        let mut steps: Vec<Vec<Step>> = Vec::new();
        let mut start = 0;
        for &(r, traced) in runs {
            let first = start;
            start += span(r).len();
            let entries = &mut out[first..start];
            let r = r as usize;
            // No subsidy at all a year: even a lone claim is refused by the annual limit.
            if !(self.ordered.busy[r] || traced || batch.checks.annual_claims == 0) {
                let decision = batch.checks.lone(&entries[0], closings, || entry_id(batch, &entries[0]));
                entries[0].decision = decision;
                continue;
            }
            let (pf, pt) = self.ordered.pasts.get(&(r as u32)).copied().unwrap_or((0, 0));
            let past: &[Past] = &batch.past[pf as usize..pt as usize];
            let mut collect = |_: &Entry, s: Vec<Step>| steps.push(s);
            person.decide(past, entries, if traced { Some(&mut collect) } else { None });
            traces.extend(steps.drain(..).enumerate().map(|(j, s)| (first + j, s)));
        }
        (out, traces)
    }

    /// Whether an entry's claim or application is explained (its assessment holds a trace).
    fn has_trace(&self, i: u32) -> bool {
        let b = &self.batch;
        let rows = b.rows.len() as u32;
        let a = if i < rows { b.own.get(&i) } else { b.apps.get((i - rows) as usize).map(|s| &s.assessment) };
        a.is_some_and(|a| a.trace.is_some())
    }

    pub(super) fn entry_id(&self, e: &Entry) -> CompactString {
        entry_id(&self.batch, e)
    }

    /// The entries (rows, then applications) at or after a closing point — their account's, or
    /// their year's quota — as bits; rows are read in order, and an id is compared only on the
    /// day an account closed.
    fn affected(&self, closings: &Closings) -> Vec<u64> {
        let b = &self.batch;
        let rows = b.rows.len();
        let mut bits = vec![0u64; (rows + b.apps.len()).div_ceil(64)];
        let mut set = |i: usize| bits[i / 64] |= 1 << (i % 64);
        for r in 0..rows {
            if b.rows.decision[r] == NOT_ELIGIBLE || b.rows.raw[r] == super::rows::NONE {
                continue;
            }
            let raw = &b.raws[b.rows.raw[r] as usize];
            // A raw entry has an account only where its program is paid from the special account
            // (`Batch::raw_at`): its shape is not read. The id is borrowed from the batch's
            // arena, and compared only on the closing day.
            debug_assert!(
                raw.account.is_none() || b.checks.special.get(b.shapes.list[raw.shape as usize].program as usize).copied().unwrap_or(false)
            );
            if raw.account.is_some_and(|a| closings.is_closed(a, raw.applied_on, b.ids.get(r))) {
                set(r);
            }
        }
        for p in 0..b.apps.len() {
            let e = self.entry((rows + p) as u32);
            let id = || self.entry_id(&e);
            let special = b.checks.special.get(usize::from(e.program)).copied().unwrap_or(false);
            let closed = special && e.account.is_some_and(|a| closings.is_closed_by(a, e.applied_on, id));
            let quota = !closings.quota_full_at.is_empty() && closings.is_quota_full_by(e.applied_on, id);
            if closed || quota {
                set(rows + p);
            }
        }
        bits
    }
}

/// The cross-claim entry of row `i`: its columns (amount in fen, enterprise), its raw
/// entry, and its shape's program, occupation, level and whether it counts toward the limit.
fn row_entry(
    i: u32,
    (fen, enterprise): (i64, u32),
    raw: &Raw,
    (program, occupation, level, counts): (u16, u32, Option<Level>, bool),
) -> Entry {
    let amount = Decimal::new(fen, 2);
    Entry {
        row: i,
        app: None,
        applied_on: raw.applied_on,
        event_date: raw.event_date,
        program,
        occupation,
        level,
        enterprise,
        amount,
        counts,
        account: raw.account,
        decision: Decision::Approved(amount),
    }
}

fn entry_id(batch: &Batch<'_>, e: &Entry) -> CompactString {
    match e.app {
        Some(p) => batch.apps[p as usize].app.application_id.clone(),
        None => CompactString::from(batch.claim_id(e.row).as_ref()),
    }
}

/// A row's decision as a reason, when checks 8–12 refused it.
pub(crate) fn refused(decision: u8) -> Option<Reason> {
    (decision != APPROVED && decision != NOT_ELIGIBLE).then(|| Reason::ALL.get(usize::from(decision)).copied()).flatten()
}
