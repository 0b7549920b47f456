// The form's values as a claim, and what is wrong with them, field by field. The form finds two
// things itself: a date not written as a date, and an event date outside the ruleset's period
// (the rules do not cover it — a claim would find no catalogue, or be paid under another year's
// rules). The engine finds the rest (a day that does not exist, a fee finer than the fen …): its
// invalid record's errors are put back at their fields. What is not filled in yet is listed
// apart: it is "still needed", not an error, until the person asks for the result. No DOM here.
import * as input from "./input.js";

/** The fields a program's claim needs in the form, in form order; the group for every program
 * but an apprenticeship, whose application has none (SPEC §8). */
export function fieldsFor(program) {
  if (!program) return ["program"];
  const fields = ["program"];
  if (program.kind !== "apprenticeship") fields.push("group");
  return [...fields, "event_date", "applied_on", ...program.fields];
}

/** The occupation a text names, in the catalogue in force: a code, a name (Chinese or English), or "code name". */
export function findOccupation(text, occupations) {
  const t = input.text(text);
  if (t === "") return null;
  const lower = t.toLowerCase();
  return (
    occupations.find((o) => o.code === t) ??
    occupations.find((o) => o.name_zh === t || o.name_en.toLowerCase() === lower) ??
    occupations.find((o) => t.startsWith(`${o.code} `)) ??
    null
  );
}

/**
 * The claim the engine gets from the form's `values` (text by field id), with what is missing
 * and the problems the form finds itself: `{ claim, missing: [field], problems: Map(field → {code}) }`.
 * `occupations`: the catalogue in force, to read an occupation's name as its code.
 */
export function readClaim(values, program, period, occupations = []) {
  const claim = { claim_id: "WEB-1", program: values.program ?? "", person_id: "P-WEB" };
  const missing = [];
  const problems = new Map();
  for (const field of fieldsFor(program)) {
    const raw = String(values[field] ?? "");
    if (raw.trim() === "") {
      missing.push(field);
      continue;
    }
    switch (field) {
      case "program":
        break;
      case "event_date":
      case "applied_on": {
        const date = input.date(raw);
        if (!date) problems.set(field, { code: "date_format" });
        else claim[field] = date;
        if (date && field === "event_date" && period && (date < period.from || date > period.to)) problems.set(field, { code: "out_of_period", date });
        break;
      }
      case "fee_paid":
        claim[field] = input.money(raw);
        break;
      case "months":
      case "ui_contribution_months":
        claim[field] = input.count(raw);
        break;
      case "occupation":
        claim[field] = findOccupation(raw, occupations)?.code ?? input.text(raw);
        break;
      default:
        claim[field] = input.text(raw);
    }
  }
  return { claim, missing, problems };
}

/** An invalid record's errors put back at their fields: a missing field to `missing`, any other
 * to `problems` (where the form has not found one there itself). */
export function addEngineErrors(record, missing, problems) {
  for (const e of record?.errors ?? []) {
    if (e.code === "missing_field" || e.code === "required_by_program") {
      if (!missing.includes(e.field)) missing.push(e.field);
    } else if (!problems.has(e.field)) {
      problems.set(e.field, { code: e.code, message_zh: e.message_zh, message_en: e.message_en });
    }
  }
}

/** What to say at a field about its problem, in the language of `tx` (text.js); `rulesets`
 * (the embedded ones) name another year's rules that cover a date outside these. */
export function problemMessage(problem, { tx, lang, label, period, rulesets = [] }) {
  const errors = tx.errors;
  switch (problem.code) {
    case "missing_select":
      return errors.missingSelect(label);
    case "missing_text":
      return errors.missingText(label);
    case "date_format":
      return errors.dateFormat(period?.from ?? "2021-08-02");
    case "bad_date":
      return errors.badDate;
    case "out_of_period": {
      const other = rulesets.find((r) => r.period && problem.date >= r.period.from && problem.date <= r.period.to);
      return errors.outOfPeriod(period, other && (lang === "zh" ? other.name_zh : other.name_en));
    }
    case "out_of_range":
      return errors.out_of_range(label);
    default:
      if (typeof errors[problem.code] === "string") return errors[problem.code];
      return (lang === "zh" ? problem.message_zh : problem.message_en) ?? problem.code;
  }
}
