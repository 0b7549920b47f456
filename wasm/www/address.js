// The form's state in the page's address, so that a reload, the back and forward buttons and a
// shared link all give the same form. It is kept in the fragment (#program=…&fee_paid=…), which
// a browser never sends to a server: opening a shared link sends nothing of what was entered.
// No DOM here.

/** What the address holds, in this order: the rules, the language, then the form's fields. */
export const KEYS = [
  "rules", "lang", "program", "group", "event_date", "applied_on", "occupation", "level", "institution", "project",
  "fee_paid", "months", "ui_contribution_months", "enterprise_id",
];

/** The fragment for these values ("" when there is nothing to keep). Empty values are left out. */
export function toFragment(values) {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const value = values[key];
    if (value !== undefined && value !== null && String(value) !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `#${text}` : "";
}

/** The values a fragment holds; any other key, or a fragment that is only an anchor (#fee_paid), gives none. */
export function fromFragment(fragment) {
  const text = String(fragment ?? "").replace(/^#/, "");
  if (!text.includes("=")) return {};
  const params = new URLSearchParams(text);
  const values = {};
  for (const key of KEYS) if (params.has(key)) values[key] = params.get(key);
  return values;
}
