// What a Chinese reader must not meet in the form (issue 16): step ids, rule paths (a.b.c),
// snake_case codes, the programs' ids and calculation kinds, the claim's field names, statuses,
// confidence codes, catalogue version ids — and no stray null or undefined. Shared by
// explain.test.mjs (every vector case, in Node) and e2e.test.mjs (the page itself).
const CODE_WORDS = [
  "validation", "program", "catalogue", "occupation", "level", "group", "institution", "claim_window", "program_conditions",
  "base_amount", "months_cap", "shortage_uplift", "cap", "fee_cap", "rounding", "payment", "review_session",
  "skills_training", "enterprise_upgrade", "ui_skill_upgrade", "pre_job", "on_job", "online", "project", "apprenticeship",
  "level_table", "flat", "per_month", "capped_fee", "per_project", "fee_paid", "event_date", "applied_on", "months",
  "employee", "unemployed", "approved", "rejected", "invalid", "confirmed", "inferred", "illustrative", "pass", "fail", "info",
  "null", "undefined", "NaN",
];

/** The codes found in a text (empty when it reads as plain words). */
export function codesIn(text) {
  const found = [];
  const snake = text.match(/[a-z]+_[a-z_]+/);
  if (snake) found.push(snake[0]);
  const path = text.match(/\b[a-z_]+\.[a-z0-9_]+\.[a-z0-9_.]+/);
  if (path) found.push(path[0]);
  for (const w of CODE_WORDS) if (new RegExp(`(^|[^A-Za-z])${w}([^A-Za-z]|$)`).test(text)) found.push(w);
  if (/\d{4}-[qh]\d/.test(text)) found.push("a catalogue version id");
  return found;
}
