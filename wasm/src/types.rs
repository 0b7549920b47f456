//! The TypeScript types of the module's plain objects, appended to the generated `.d.ts`.
//! Shapes: the claim (SPEC §6), the record (SPEC §7.3), the trace (`docs/trace.md`), the
//! report (`docs/report.md`).

use wasm_bindgen::prelude::*;

/// The text of the types (also read by the test below). The lint does not see the custom
/// section's use of it in a wasm build.
#[allow(dead_code)]
const TYPES_TEXT: &str = r#"
/** Money: yuan as a decimal string ("1950.00"). Inputs also accept a number (read through its shortest decimal form). */
export type Money = string;
/** A civil date, "YYYY-MM-DD". */
export type DateText = string;
/** Skill level: 5 4 3 2 1, S (专项职业能力), T (培训合格). */
export type LevelCode = "5" | "4" | "3" | "2" | "1" | "S" | "T";
export type GroupCode = "employee" | "unemployed" | "rural_migrant" | "graduate" | "low_income_family" | "school_leaver" | "other";
/**
 * The program ids of the embedded rulesets (wuxi-2021, wuxi-2023), so that a misspelt program is
 * a type error. A bureau's own ruleset (loadRuleset) may name others: give them as the type
 * argument, `estimate<"my_program">(claim)`.
 */
export type ProgramId = "skills_training" | "enterprise_upgrade" | "ui_skill_upgrade" | "pre_job" | "on_job" | "online" | "project" | "apprenticeship";

/**
 * One claim (SPEC §6). Unknown fields make it invalid unless `lenient` is set. An apprenticeship
 * claim given to estimate() stands for the application (SPEC §8): `event_date` is the start of
 * training, `applied_on` the day it is submitted, `level` the target level; the record's
 * `estimate` says the session it would reach and its staged payments.
 */
export interface Claim<P extends string = ProgramId> {
  claim_id: string;
  program: P;
  person_id: string;
  enterprise_id?: string;
  group?: GroupCode;
  district?: string;
  occupation?: string;
  level?: LevelCode;
  event_date: DateText;
  applied_on: DateText;
  institution?: string;
  fee_paid?: Money | number;
  months?: number | string;
  ui_contribution_months?: number | string;
  project?: string;
}

/** An earlier subsidy, for a batch's limits and account (SPEC §7.2). */
export interface HistoryRecord<P extends string = ProgramId> {
  person_id: string;
  program: P;
  enterprise_id?: string;
  occupation?: string;
  level?: LevelCode;
  event_date: DateText;
  applied_on: DateText;
  amount: Money | number;
}

export interface EstimateOptions {
  /** Ignore unknown fields instead of making the claim invalid (default false). */
  lenient?: boolean;
  /** Attach the trace (default true for estimate and whatif, false for estimateBatch). */
  trace?: boolean;
  /** estimate and estimateBatch only: assess under these what-if changes (SPEC §5). */
  overrides?: Overrides;
  /** estimateBatch only: apprenticeship applications (SPEC §8), queued at their review session. */
  applications?: Application[];
  /** estimateBatch only: explain the claim with this id where the batch decided it (SPEC §7.4): only its record carries a trace, whose cross-claim steps name what counted. */
  explain?: string;
}

/** An apprenticeship application (企业新型学徒制, SPEC §8). */
export interface Application {
  application_id: string;
  enterprise_id: string;
  person_id: string;
  occupation: string;
  target_level: "4" | "3" | "2" | "1";
  start_date: DateText;
  months: number | string;
  submitted_on: DateText;
  institution: string;
  district?: string;
  outcome?: "completed_certified" | "completed_uncertified" | "withdrawn";
  outcome_date?: DateText;
}

/** An application's result: like a record, with its review session and staged payments. */
export interface ApplicationResult {
  application_id: string;
  status: "approved" | "rejected" | "invalid";
  amount: Money;
  reasons: string[];
  errors: FieldError[];
  program: ProgramId | null;
  fund: string | null;
  payee: string | null;
  catalogue_version: string | null;
  session: DateText | null;
  payments?: Payment[];
  final_amount?: Money;
  trace?: Trace;
}

/** A field error of an invalid claim; `field` is "" for the record as a whole. */
export interface FieldError {
  code: string;
  field: string;
  /** The offending value, shortened; never given for person_id. */
  value?: string;
  message_en: string;
  message_zh: string;
}

/** A rules or override error. */
export interface RulesError {
  code: string;
  file: string;
  path: string;
  line: number | null;
  message: string;
}

/** An error in an argument (not an array, a bad date) or, with `index`, in a history record. */
export interface InputError {
  code: string;
  field: string;
  value?: string;
  index?: number;
  message_en: string;
  message_zh: string;
}

export interface TraceStep {
  step: string;
  outcome: "pass" | "fail" | "info";
  rule: string | null;
  citation: string | null;
  document: string | null;
  url: string | null;
  confidence: "confirmed" | "inferred" | "illustrative" | null;
  before: string | null;
  after: string | null;
  note_en: string;
  note_zh: string;
  /** Cross-claim steps: what counted (earlier claims, applications, history records by line). */
  counted?: Array<{ claim: string } | { application: string } | { history: number }>;
}

/** The explanation, shape version 1 (docs/trace.md). */
export interface Trace {
  trace_version: 1;
  ruleset: string;
  catalogue_version: string | null;
  steps: TraceStep[];
}

/** The assessment record (SPEC §7.3). */
export interface AssessmentRecord {
  claim_id: string;
  status: "approved" | "rejected" | "invalid";
  /** Two decimals; "0.00" unless approved. */
  amount: Money;
  /** Reason codes in check order; see reasons() for their messages. */
  reasons: string[];
  errors: FieldError[];
  program: ProgramId | null;
  fund: "special_account" | "unemployment_insurance" | "employment_fund" | null;
  payee: "individual" | "enterprise" | null;
  catalogue_version: string | null;
  /** "YYYY-MM", approved claims only (an apprenticeship estimate: the advance's month). */
  payment_month: string | null;
  trace?: Trace;
  /** An apprenticeship claim assessed alone is an estimate of its review (SPEC §8). */
  estimate?: ApprenticeshipEstimate;
}

/** What an apprenticeship's review would give: approval happens only at the session. */
export interface ApprenticeshipEstimate {
  estimate: true;
  /** the review session (会审) it would reach; */
  session: DateText;
  /** the staged payments if approved: the advance the month after the session, the settlement the month after training ends; */
  payments: Payment[];
  /** and what the enterprise would be paid in all. */
  final_amount: Money;
}

/** One staged payment of an apprenticeship. */
export interface Payment {
  /** "YYYY-MM". */
  month: string;
  /** Negative for a recovery. */
  amount: Money;
  kind: "advance" | "settlement" | "recovery";
}

/** The batch report (docs/report.md): counts, amounts by dimension, the special account. */
export type Report = { report_version: 1; claims: number; approved_amount: Money; [key: string]: unknown };

export interface BatchResult {
  records: AssessmentRecord[];
  applications: ApplicationResult[];
  /** null when an argument or a history record was malformed (see errors). */
  report: Report | null;
  errors: InputError[];
}

/** A what-if document (SPEC §5): path → value, or path → { "FROM..TO": value }. */
export type Overrides = Record<string, string | number | boolean | Record<string, string | number | boolean>>;

export interface WhatIfResult {
  baseline: AssessmentRecord;
  /** null when the overrides are wrong (see errors). */
  variant: AssessmentRecord | null;
  errors: RulesError[];
}

export type ClaimField = "enterprise_id" | "occupation" | "level" | "institution" | "fee_paid" | "months" | "ui_contribution_months" | "project";

export interface ProgramInfo {
  id: ProgramId;
  name_zh: string;
  name_en: string;
  kind: "level_table" | "flat" | "per_month" | "capped_fee" | "per_project" | "apprenticeship";
  payee: "individual" | "enterprise";
  fund: "special_account" | "unemployment_insurance" | "employment_fund";
  fund_name_zh: string;
  /** Levels subsidised, or null when the program has no levels. */
  levels: LevelCode[] | null;
  groups: GroupCode[];
  /** The fields a claim of this program needs beyond claim_id, program, person_id and the dates, in claim order. */
  fields: ClaimField[];
  needs: Record<ClaimField, boolean>;
  occupation_catalogue: string | null;
  institution_catalogue: string | null;
  shortage_catalogue: string | null;
  caps_at_fee: boolean;
  shortage_uplift: boolean;
  counts_toward_annual_limit: boolean;
  exclusivity_group: string | null;
  min_ui_contribution_months: string | null;
  min_months: string | null;
  max_months: string | null;
  projects: { id: string; name_zh: string; effective_from: DateText; effective_to: DateText; price: Money }[];
  /** An apprenticeship's review sessions (会审) and the days before one that an application must be in; null for other programs. */
  review: { sessions: DateText[]; cutoff_days: string; advance_share: string } | null;
  citation: string;
  confidence: string | null;
}

export interface OccupationInfo {
  code: string;
  name_zh: string;
  name_en: string;
  catalogue: string;
  industry: string;
  industry_zh: string | null;
  industry_en: string | null;
  levels: LevelCode[];
  category: string | null;
  /** On the shortage list that day (including a listing earlier that year, shortage.listed_until_year_end). */
  shortage: boolean;
  shortage_listed_in: string | null;
}

export interface InstitutionInfo {
  id: string;
  name_zh: string;
  name_en: string;
  district: string;
  catalogue: string;
  occupations: "all" | string[];
}

export interface CatalogueInForce {
  date: DateText;
  versions: { catalogue: string; kind: "occupations" | "shortage" | "institutions" | "evaluators"; version: string; name_zh: string; effective_from: DateText; effective_to: DateText }[];
  occupations: OccupationInfo[];
  institutions: InstitutionInfo[];
  /** evaluation institutions (评价机构) in force, for a claim's `evaluator` */
  evaluators: InstitutionInfo[];
  shortage: { rate: string; levels: LevelCode[]; listed_until_year_end: boolean } | null;
  errors: InputError[];
}

export interface SourceInfo {
  id: string;
  title: string;
  document: string;
  date: string;
  url: string;
  confidence: "confirmed" | "inferred" | "illustrative";
  note: string;
}

/** The days a ruleset covers: from the first day any catalogue version or account is in force to the last. */
export interface RulesetPeriod {
  from: DateText;
  to: DateText;
}

/** An embedded ruleset, as rulesets() lists them. */
export interface RulesetSummary {
  id: string;
  name_zh: string;
  name_en: string;
  status: string;
  period: RulesetPeriod | null;
  /** The one every function uses now. */
  current: boolean;
}

export interface RulesetInfo {
  id: string;
  name_zh: string;
  name_en: string;
  /** "reconstruction" for the default ruleset: a bureau loads its own. */
  status: string;
  jurisdiction: string;
  basis: string;
  /** null for a ruleset with neither catalogues nor accounts. */
  period: RulesetPeriod | null;
  trace_version: number;
  embedded: string[];
  sources: SourceInfo[];
  levels: { code: LevelCode; name_zh: string; name_en: string }[];
  groups: { code: GroupCode; name_zh: string }[];
  shortage: { rate: string; levels: LevelCode[]; listed_until_year_end: boolean } | null;
  accounts: { id: string; name_zh: string; name_en: string; fund: string; effective_from: DateText; effective_to: DateText; spending_target: Money | null; opening_balance: Money | null; closes_when_spent: boolean }[];
  overrides: { path: string; value: string; range: string | null }[];
}

export interface ReasonInfo {
  code: string;
  message_en: string;
  message_zh: string;
}

/**
 * Assesses one claim and explains it: the assessment record (SPEC §7.3) with its trace. Money in
 * and out as decimal strings (numbers are accepted). Malformed input gives an `invalid` record
 * with its `errors`; nothing is thrown. With `options.overrides`, the claim is assessed under
 * those what-if changes (a bad document: an `invalid` record listing them).
 */
export function estimate<P extends string = ProgramId>(claim: Claim<NoInfer<P>>, options?: EstimateOptions): AssessmentRecord;

/**
 * Assesses claims as one batch (first come first served by applied_on then claim_id, the
 * limits, the special account) with the history of earlier subsidies. Records are in input
 * order, without traces unless asked. `options.applications` adds apprenticeship applications.
 */
export function estimateBatch<P extends string = ProgramId>(claims: Claim<NoInfer<P>>[], history?: HistoryRecord<NoInfer<P>>[] | null, options?: EstimateOptions): BatchResult;

/**
 * One claim under the rules as they are and under an override document (SPEC §5,
 * `{"shortage.rate": "0.20"}`). Bad overrides leave `variant` null and list them in `errors`.
 */
export function whatif<P extends string = ProgramId>(overrides: Overrides, claim: Claim<NoInfer<P>>, options?: EstimateOptions): WhatIfResult;

export interface LoadResult {
  ruleset: RulesetInfo | null;
  errors: (RulesError | InputError)[];
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = TYPES_TEXT;

#[cfg(test)]
mod tests {
    use skill_subsidy::Ruleset;

    /// `ProgramId` is the union of the embedded rulesets' program ids: a program added to a
    /// ruleset must be added to the type.
    #[test]
    fn the_program_id_type_lists_every_program_of_the_embedded_rulesets() {
        let line = super::TYPES_TEXT.lines().find(|l| l.starts_with("export type ProgramId = ")).expect("the type is declared");
        let mut typed: Vec<String> = line.split('"').skip(1).step_by(2).map(String::from).collect();
        let mut ids: Vec<String> = Ruleset::embedded_ids()
            .into_iter()
            .flat_map(|id| Ruleset::embedded(id).expect("embedded rulesets load (core/tests/years.rs)").programs)
            .map(|p| p.id)
            .collect();
        typed.sort();
        ids.sort();
        ids.dedup();
        assert_eq!(typed, ids);
    }
}
