// The estimate form. It builds its inputs from the ruleset in the module, reads what the person
// types as a claim (claim.js), estimates on every change and says the result in plain words
// (explain.js). Nothing is assumed: it opens empty, offers every group and level, keeps every
// choice, and lets the engine say why a case is not eligible. Errors stand at their fields with
// a summary at the top (GOV.UK's pattern); the result is read out once it settles; the state is
// kept in the address (address.js). Everything runs in this page: no request after loading.
import init, { estimate, programs, catalogue, rulesetInfo, reasons, rulesets, loadRuleset } from "./pkg/skill_subsidy_wasm.js";
import { TEXT, GROUP_EN, FUND_EN } from "./text.js";
import * as input from "./input.js";
import { explain } from "./explain.js";
import { fieldsFor, findOccupation, readClaim, addEngineErrors, problemMessage } from "./claim.js";
import { toFragment, fromFragment } from "./address.js";

const $ = (id) => document.getElementById(id);
const FIELDS = ["program", "group", "event_date", "applied_on", "occupation", "level", "institution", "project", "fee_paid", "months", "ui_contribution_months", "enterprise_id"];
/** The fields every program has, shown before a program is chosen. */
const COMMON = ["program", "group", "event_date", "applied_on"];
/** How long a result must stay the same before it is read out: once, not on every keystroke. */
const SETTLE_MS = 1000;

const state = {
  lang: "zh",
  info: null,
  default: "",
  programs: [],
  rulesets: [],
  reasons: new Map(),
  catalogue: null,
  catalogueDate: "",
  built: "",
  labels: new Map(),
  touched: new Set(),
  submitted: false,
  composing: false,
  announced: "",
  announceTimer: 0,
  committed: "",
};
const t = () => TEXT[state.lang];
const name = (x) => (state.lang === "zh" ? x.name_zh : x.name_en ?? x.name_zh);
const labelOf = (id) => document.querySelector(`label[for="${id}"]`);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  e.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return e;
}

/**
 * Fills a select and keeps the person's choice: a value no longer offered (another date's
 * catalogue, another year's rules) stays chosen, marked, so that the engine says what follows.
 */
function fillSelect(select, items, placeholder, missingNote) {
  const chosen = select.dataset.want ?? select.value;
  delete select.dataset.want;
  for (const [value, label] of items) state.labels.set(`${select.id}:${value}`, label);
  const options = [["", placeholder], ...items];
  if (chosen && !items.some(([value]) => value === chosen)) options.push([chosen, `${state.labels.get(`${select.id}:${chosen}`) ?? chosen}${missingNote}`]);
  select.replaceChildren(...options.map(([value, label]) => el("option", { value }, label)));
  select.value = chosen;
}

function formValues() {
  return Object.fromEntries(FIELDS.map((f) => [f, $(f).value]));
}

/** The catalogue in force on the event date when the rules cover it; otherwise the last one
 * read (at first, the period's first day): a date being typed never empties the lists. */
function refreshCatalogue() {
  const period = state.info.period;
  const typed = input.date($("event_date").value);
  let date = typed && (!period || (typed >= period.from && typed <= period.to)) ? typed : null;
  if (!date && !state.catalogue) date = period?.from ?? null;
  if (!date || date === state.catalogueDate) return;
  const found = catalogue(date);
  if (found.errors.length > 0) return; // a day that does not exist: the engine says so at the field
  state.catalogue = found;
  state.catalogueDate = date;
}

const inForce = (p, kind) => (state.catalogue?.[kind] ?? []).filter((x) => !p || x.catalogue === p[`${kind === "occupations" ? "occupation" : "institution"}_catalogue`]);

/** The choices — the programs; then, for the program chosen, every group, every level, the
 * catalogue's institutions and occupations, the projects — and the program chosen. */
function refreshChoices() {
  const chosen = $("program").dataset.want ?? $("program").value;
  const p = state.programs.find((x) => x.id === chosen) ?? null;
  const key = [state.lang, state.info.id, state.catalogueDate, chosen].join("|");
  if (key === state.built) return p;
  state.built = key;
  const tx = t();
  fillSelect($("program"), state.programs.map((x) => [x.id, name(x)]), tx.chooseProgram, tx.notInRules);
  fillSelect($("group"), state.info.groups.map((g) => [g.code, state.lang === "zh" ? g.name_zh : GROUP_EN[g.code] ?? g.code]), tx.choose, "");
  fillSelect($("level"), state.info.levels.map((l) => [l.code, name(l)]), tx.choose, "");
  fillSelect($("institution"), inForce(p, "institutions").map((i) => [i.id, tx.institutionOption(i)]), tx.choose, tx.notInList);
  fillSelect($("project"), (p?.projects ?? []).map((x) => [x.id, tx.projectOption(x, input.yuan(x.price))]), tx.choose, tx.notInRules);
  $("occupation-list").replaceChildren(
    ...inForce(p, "occupations").map((o) => el("option", { value: o.code }, `${name(o)}${o.shortage ? ` · ${tx.shortage}` : ""} · ${o.code}`)),
  );
  return p;
}

/** Which fields show, and their labels and help, for the program chosen. */
function syncFields(p) {
  const tx = t();
  const needed = new Set(p ? fieldsFor(p) : COMMON);
  for (const field of document.querySelectorAll("[data-field]")) field.hidden = !needed.has(field.dataset.field);
  const kind = p?.kind;
  labelOf("event_date").textContent = tx.eventDate[kind] ?? tx.event_date;
  labelOf("applied_on").textContent = tx.appliedOn[kind] ?? tx.applied_on;
  labelOf("level").textContent = kind === "apprenticeship" ? tx.targetLevel : tx.level;
  labelOf("months").textContent = tx.monthsLabel[kind] ?? tx.months;
  $("months-help").textContent = p?.max_months ? tx.monthsHelp(p.min_months, p.max_months) : "";
  // A date the rules cover, as the example of how to write one.
  const example = state.info.period?.from ?? "2021-08-02";
  $("event_date-help").textContent = tx.eventHelp(example);
  $("applied_on-help").textContent = tx.dateHelp(example);
  const help = p?.payee ? [`${tx.payee[p.payee]} · ${tx.fundFrom(state.lang === "zh" ? p.fund_name_zh : FUND_EN[p.fund] ?? p.fund)}`] : [];
  if (p?.review) help.push(tx.apprenticeship.sessions(p.review.sessions, p.review.cutoff_days));
  $("program-help").textContent = help.join(state.lang === "zh" ? "；" : "; ");
  const occupations = inForce(p, "occupations");
  const typed = $("occupation").value.trim();
  const found = findOccupation(typed, occupations);
  $("occupation-help").textContent = found ? tx.occupationFound(found) : typed ? tx.occupationUnknown : tx.occupationHelp(occupations.length);
}

/** Messages at the fields that have them, each described to screen readers, and the summary. */
function renderErrors(shown) {
  const tx = t();
  const items = [];
  for (const f of FIELDS) {
    const control = $(f);
    const box = $(`${f}-error`);
    const problem = shown.get(f);
    const context = { tx, lang: state.lang, label: labelOf(f).textContent, period: state.info.period, rulesets: state.rulesets };
    const message = problem && problemMessage(problem, context);
    box.hidden = !problem;
    box.replaceChildren(...(problem ? [el("span", { class: "sr-only" }, tx.errorPrefix), message] : []));
    box.closest(".field").classList.toggle("has-error", Boolean(problem));
    if (problem) control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
    const help = $(`${f}-help`);
    const describedBy = [help?.textContent ? help.id : null, problem ? box.id : null].filter(Boolean).join(" ");
    if (describedBy) control.setAttribute("aria-describedby", describedBy);
    else control.removeAttribute("aria-describedby");
    if (problem) items.push(el("li", { "data-field": f, "data-code": problem.code }, el("a", { href: `#${f}` }, message)));
  }
  $("error-list").replaceChildren(...items);
  $("error-summary").hidden = items.length === 0;
  return items.length;
}

/** The result panel: what is still needed, what to fix, or the result in plain words.
 * Returns what a screen reader should hear once it settles ("" for nothing). */
function renderOutcome(p, claim, record, stillNeeded, errorCount, ready) {
  const tx = t();
  const outcome = $("outcome");
  $("basis").hidden = !ready;
  if (!ready) {
    $("steps").replaceChildren();
    if (errorCount > 0) {
      outcome.replaceChildren(el("p", { class: "status invalid", id: "status", "data-status": "fix" }, tx.fixFirst(errorCount)));
      return tx.announceFix(errorCount);
    }
    const labels = stillNeeded.map((f) => labelOf(f).textContent);
    outcome.replaceChildren(el("p", { class: "waiting", id: "status", "data-status": "waiting" }, tx.waiting));
    if (labels.length > 0) outcome.append(el("p", { class: "needed", id: "needed" }, tx.stillNeeded(labels)));
    return "";
  }
  const e = explain(record, { lang: state.lang, info: state.info, program: p, catalogue: state.catalogue, claim, reasons: state.reasons });
  const approved = e.status === "approved";
  outcome.replaceChildren(
    ...[
      el("p", { class: `status ${e.status}`, id: "status", "data-status": e.status }, approved ? (e.estimate ? tx.estimated : tx.approved) : tx.rejected),
    approved ? el("p", { class: "amount" }, el("span", { id: "amount", "data-amount": e.amount }, input.yuan(e.amount)), ` ${tx.yuan}`) : null,
    approved ? el("p", { class: "summary", id: "summary" }, e.sentence) : null,
    approved ? null : el("ul", { class: "reasons", id: "reasons" }, ...e.reasons.map((r) => el("li", { "data-code": r.code }, r.text))),
    e.schedule.length ? el("ul", { class: "schedule", id: "schedule" }, ...e.schedule.map((line) => el("li", {}, line))) : null,
      ...e.meta.map((line) => el("p", { class: "meta" }, line)),
    ].filter(Boolean),
  );
  $("steps").replaceChildren(
    ...e.steps.map((s) =>
      el(
        "li",
        { class: `step ${s.outcome}`, "data-step": s.step },
        el(
          "p",
          { class: "step-head" },
          el("span", { class: "badge", "aria-hidden": "true" }, s.outcome === "pass" ? "✓" : s.outcome === "fail" ? "✗" : "•"),
          el("span", { class: "sr-only" }, `${s.outcomeText}${state.lang === "zh" ? "：" : ": "}`),
          el("strong", {}, s.title),
        ),
        el("p", { class: "note" }, s.text),
        s.source
          ? el(
              "p",
              { class: "source" },
              `${tx.source}${state.lang === "zh" ? "：" : ": "}`,
              s.source.url ? el("a", { href: s.source.url, rel: "noopener noreferrer", target: "_blank" }, s.source.label) : s.source.label,
              s.source.confidence ? el("span", { class: "confidence" }, s.source.confidence) : null,
            )
          : null,
      ),
    ),
  );
  return [e.sentence, ...e.schedule].join(state.lang === "zh" ? "。" : ". ");
}

/** Reads the result out once it has stayed the same for a moment, and only if it changed. */
function announce(text) {
  clearTimeout(state.announceTimer);
  if (!text) {
    state.announced = "";
    return;
  }
  state.announceTimer = setTimeout(() => {
    if (text === state.announced) return;
    $("announce").textContent = text;
    state.announced = text;
  }, SETTLE_MS);
}

function update() {
  refreshCatalogue();
  const p = refreshChoices();
  syncFields(p);
  // A program these rules do not have (kept after switching years) is sent with the fields every
  // claim has: the engine then says it is not in the rules.
  const chosen = $("program").value;
  const asked = p ?? (chosen ? { id: chosen, kind: null, fields: [] } : null);
  const { claim, missing, problems } = readClaim(formValues(), asked, state.info.period, inForce(p, "occupations"));
  let record = null;
  if (asked) {
    record = estimate(claim);
    if (record.status === "invalid") addEngineErrors(record, missing, problems);
  }
  const stillNeeded = missing.filter((f) => !problems.has(f));
  // A problem shows once its field has been left, or everything once the result is asked for.
  const shown = new Map([...problems].filter(([f]) => state.submitted || state.touched.has(f)));
  if (state.submitted) for (const f of stillNeeded) shown.set(f, { code: $(f).tagName === "SELECT" ? "missing_select" : "missing_text" });
  const errorCount = renderErrors(shown);
  const ready = Boolean(record) && problems.size === 0 && stillNeeded.length === 0 && record.status !== "invalid";
  announce(renderOutcome(p, claim, record, stillNeeded, errorCount, ready));
  writeAddress(false);
}

// ---- the address: reload, back/forward and a shared link give the same form ----

function fragment() {
  return toFragment({ rules: state.info.id === state.default ? "" : state.info.id, lang: state.lang === "zh" ? "" : state.lang, ...formValues() });
}

/** Keeps the address up to date; a committed change (a field left, a choice made) is a step
 * of the history, so that back and forward go from one to the next. */
function writeAddress(commit) {
  const base = location.pathname + location.search;
  const now = fragment();
  if (commit && now !== state.committed) {
    history.replaceState(null, "", base + state.committed);
    history.pushState(null, "", base + now);
    state.committed = now;
  } else if (location.hash !== now) {
    history.replaceState(null, "", base + now);
  }
}

function useRules(id) {
  if (!id || id === state.info?.id) return;
  const loaded = loadRuleset(id);
  if (!loaded.ruleset) return;
  state.info = loaded.ruleset;
  state.programs = programs();
  state.catalogue = null;
  state.catalogueDate = "";
}

/** Puts values from the address into the form; a field given counts as filled in by the person. */
function restore(values) {
  state.lang = values.lang === "en" ? "en" : "zh";
  useRules(values.rules || state.default);
  state.touched = new Set();
  for (const f of FIELDS) {
    const control = $(f);
    const value = values[f] ?? "";
    if (control.tagName === "SELECT") control.dataset.want = value;
    control.value = value;
    if (value) state.touched.add(f);
  }
  state.built = "";
  applyLanguage();
}

function applyLanguage() {
  const tx = t();
  document.documentElement.lang = tx.htmlLang;
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = tx[e.dataset.i18n];
  document.title = tx.title;
  const toggle = $("lang");
  toggle.textContent = tx.switchTo;
  toggle.lang = state.lang === "zh" ? "en" : "zh-CN";
  toggle.setAttribute("aria-label", tx.switchLabel);
  $("ruleset-period").textContent = state.info.period ? tx.period(state.info.period) : "";
  const notice = $("notice");
  notice.hidden = state.info.status !== "reconstruction";
  notice.textContent = tx.notice(name(state.info));
  const list = state.rulesets.length > 0 ? state.rulesets : [state.info];
  const rules = $("rules");
  rules.replaceChildren(...list.map((r) => el("option", { value: r.id }, name(r))));
  rules.value = state.info.id;
  state.built = "";
}

function listen() {
  const form = $("claim");
  form.addEventListener("compositionstart", () => {
    state.composing = true;
  });
  form.addEventListener("compositionend", () => {
    state.composing = false;
    update();
  });
  // Pinyin being composed is not yet what the person means: wait for it.
  form.addEventListener("input", (e) => {
    if (!e.isComposing && !state.composing) update();
  });
  form.addEventListener("change", (e) => {
    if (e.target.id === "program") state.submitted = false;
    if (FIELDS.includes(e.target.id)) state.touched.add(e.target.id);
    update();
    writeAddress(true);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    state.submitted = true;
    update();
    writeAddress(true);
    if (!$("error-summary").hidden) $("error-summary").focus();
    else $("result-heading").focus();
  });
  // GOV.UK: a link in the summary puts the cursor in its field, with the field's label in view.
  $("error-list").addEventListener("click", (e) => {
    const link = e.target.closest("a");
    if (!link) return;
    e.preventDefault();
    const id = link.getAttribute("href").slice(1);
    labelOf(id)?.scrollIntoView({ block: "start" });
    $(id)?.focus({ preventScroll: true });
  });
  $("rules").addEventListener("change", () => {
    useRules($("rules").value);
    applyLanguage();
    update();
    writeAddress(true);
  });
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    applyLanguage();
    update();
    writeAddress(true);
  });
  window.addEventListener("popstate", () => {
    restore(fromFragment(location.hash));
    update();
    state.committed = fragment();
  });
  // On paper, the worked steps are part of the estimate.
  window.addEventListener("beforeprint", () => {
    $("basis").dataset.wasOpen = String($("basis").open);
    $("basis").open = true;
  });
  window.addEventListener("afterprint", () => {
    $("basis").open = $("basis").dataset.wasOpen === "true";
  });
}

async function main() {
  await init();
  performance.mark("module-ready");
  const wanted = fromFragment(location.hash);
  state.info = rulesetInfo(); // the first call loads and compiles the default ruleset
  state.default = state.info.embedded[0];
  performance.mark("rules-ready");
  state.programs = programs();
  state.reasons = new Map(reasons().map((r) => [r.code, r]));
  restore(wanted);
  update();
  state.committed = fragment();
  // For the browser tests and measurements: when the first estimate was ready, from navigation.
  performance.mark("first-estimate");
  document.body.dataset.ready = String(performance.now());
  listen();
  // The other embedded rulesets, for the selector: loaded once the form is ready (tens of ms each).
  (window.requestIdleCallback ?? setTimeout)(() => {
    state.rulesets = rulesets().filter((r) => !r.errors);
    applyLanguage();
    update();
    document.body.dataset.rulesets = String(state.rulesets.length);
  });
}

main().catch((e) => {
  $("outcome").replaceChildren(el("p", { class: "status invalid" }, `无法加载测算模块 / could not load the module: ${e}`));
});
