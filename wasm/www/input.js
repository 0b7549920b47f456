// What people type, read as the engine reads it. Full-width digits (３０００), thousands
// separators (3,000), a currency sign or unit (¥3000, 3000元), dates written 2021/8/2 or
// 2021年8月2日: each is normalised as text — never through a float — and the engine then checks
// the result exactly as it checks any claim (a fee finer than the fen, a month that has no 30th).
// No DOM here: tests/input.test.mjs runs it in Node.

/** Full-width forms to their ASCII twins (３ → 3, ， → ,, ． → ., ￥ → ¥), spaces trimmed. */
function plain(text) {
  return String(text ?? "").normalize("NFKC").trim();
}

/**
 * A sum of money as the engine reads it: "３,０００元" → "3000". Thousands separators are taken
 * out only where they group by three ("3,000.50"); anything else is handed on as typed (after
 * the width is made plain), so that the engine names the problem.
 */
export function money(text) {
  let s = plain(text).replace(/\s+/g, "");
  s = s.replace(/^(?:¥|RMB|CNY|人民币)/i, "").replace(/(?:元整|元|圆|块)$/, "");
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d*)?$/.test(s)) s = s.replace(/,/g, "");
  return s;
}

/** A count of months: "２４", "24个月", "24 月" → "24"; anything else as typed. */
export function count(text) {
  return plain(text).replace(/\s*(?:个月|個月|月|个)$/, "");
}

/** Text such as an id or an occupation's name: the width made plain, spaces trimmed. */
export function text(value) {
  return plain(value);
}

const pad = (n) => String(n).padStart(2, "0");

/**
 * A date as "YYYY-MM-DD", or null when the text is not written as a date at all. Accepts
 * 2021-08-02, 2021-8-2, 2021/8/2, 2021.8.2, 2021年8月2日 and 20210802. Whether the day exists
 * (2021-02-30) is not decided here: the engine says so (bad_date).
 */
export function date(value) {
  const s = plain(value).replace(/\s+/g, "");
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  return `${m[1]}-${pad(m[2])}-${pad(m[3])}`;
}

/** Yuan for people to read: "2600.00" → "2,600", "1950.50" → "1,950.50", "-2500.00" → "-2,500". */
export function yuan(amount) {
  const s = String(amount ?? "");
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return s;
  const whole = m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  // Whole yuan without decimals; otherwise the fen as the engine wrote them.
  const fraction = /^0*$/.test(m[3] ?? "") ? "" : `.${m[3]}`;
  return `${m[1]}${whole}${fraction}`;
}

/** A rate as a percentage, by moving the decimal point: "0.3" → "30%", "0.125" → "12.5%". */
export function percent(rate) {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(String(rate ?? ""));
  if (!m) return String(rate ?? "");
  const digits = `${m[2] ?? ""}00`;
  const whole = `${m[1]}${digits.slice(0, 2)}`.replace(/^0+(?=\d)/, "");
  const rest = digits.slice(2).replace(/0+$/, "");
  return `${whole}${rest ? `.${rest}` : ""}%`;
}
