// The estimate form: builds its inputs from the ruleset in the module (programs, the catalogue
// in force on the event date), estimates on every change, and shows the amount, the reasons
// and each step of the explanation. Everything runs in this page: no request after loading.
import init, { estimate, programs, catalogue, rulesetInfo, reasons } from "./pkg/skill_subsidy_wasm.js";

const $ = (id) => document.getElementById(id);

const TEXT = {
  zh: {
    title: "职业培训补贴测算",
    formHeading: "申请信息",
    privacy: "测算在本页面内完成，填写的信息不会发送到任何地方。",
    program: "补贴项目",
    event_date: "取证/录用/结业日期",
    eventHelp: "决定适用的目录版本",
    applied_on: "申请日期",
    occupation: "职业（工种）",
    level: "技能等级",
    institution: "培训机构",
    project: "项目",
    fee_paid: "实际缴纳培训费（元）",
    months: "月数",
    ui_contribution_months: "失业保险缴费月数",
    group: "人员类别",
    enterprise_id: "企业标识",
    resultHeading: "测算结果",
    loading: "正在加载规则…",
    steps: "计算步骤",
    footer: "本页面使用示例规则测算，仅供参考；以人社部门审核结果为准。",
    switchTo: "English",
    switchLabel: "Switch to English",
    approved: "可获补贴",
    rejected: "不符合补贴条件",
    invalid: "信息有误，无法测算",
    yuan: "元",
    paidIn: (m) => `预计 ${m} 发放`,
    version: (v) => `目录版本 ${v}`,
    reasonsHeading: "原因",
    errorsHeading: "请检查",
    occupationHelp: (n) => `输入名称或代码搜索，共 ${n} 个职业（工种）`,
    occupationFound: (o) => `${o.code} ${o.name_zh}（${o.industry_zh ?? o.industry}）${o.shortage ? " · 紧缺职业" : ""}`,
    occupationUnknown: "当期目录中没有这个职业（工种）",
    shortage: "紧缺",
    allInstitutions: "可培训所有职业",
    noInstitution: "当期目录中没有可培训该职业的机构",
    choose: "请选择",
    notice: (name) => `${name}：示例规则（根据公开资料重构，仅供演示）。各地以人社部门正式发布的规则为准。`,
    fund: { special_account: "职业技能提升行动专账", unemployment_insurance: "失业保险基金", employment_fund: "就业补助资金" },
    payee: { individual: "补贴给个人", enterprise: "补贴给企业" },
    outcome: { pass: "通过", fail: "未通过", info: "计算" },
    source: "依据",
    rule: "规则",
  },
  en: {
    title: "Vocational training subsidy estimate",
    formHeading: "The claim",
    privacy: "The estimate is computed in this page; nothing you enter is sent anywhere.",
    program: "Program",
    event_date: "Certificate / hire / completion date",
    eventHelp: "Picks the catalogue version in force",
    applied_on: "Application date",
    occupation: "Occupation",
    level: "Skill level",
    institution: "Training institution",
    project: "Project",
    fee_paid: "Fee paid (yuan)",
    months: "Months",
    ui_contribution_months: "Months of unemployment-insurance contributions",
    group: "Group",
    enterprise_id: "Enterprise id",
    resultHeading: "Estimate",
    loading: "Loading the rules…",
    steps: "Steps",
    footer: "An estimate on sample rules, for information only; the bureau's review decides.",
    switchTo: "中文",
    switchLabel: "切换到中文",
    approved: "Subsidy",
    rejected: "Not eligible",
    invalid: "Please check the claim",
    yuan: "yuan",
    paidIn: (m) => `paid in ${m}`,
    version: (v) => `catalogue version ${v}`,
    reasonsHeading: "Reasons",
    errorsHeading: "Please check",
    occupationHelp: (n) => `Type a name or code to search ${n} occupations`,
    occupationFound: (o) => `${o.code} ${o.name_en} (${o.industry_en ?? o.industry})${o.shortage ? " · shortage occupation" : ""}`,
    occupationUnknown: "Not in the catalogue in force",
    shortage: "shortage",
    allInstitutions: "all occupations",
    noInstitution: "No institution in the catalogue in force trains this occupation",
    choose: "Choose",
    notice: (name) => `${name}: sample rules reconstructed from public sources, for demonstration. A bureau's published rules decide.`,
    fund: { special_account: "special account", unemployment_insurance: "unemployment insurance fund", employment_fund: "employment fund" },
    payee: { individual: "paid to the trainee", enterprise: "paid to the enterprise" },
    outcome: { pass: "pass", fail: "fail", info: "value" },
    source: "Source",
    rule: "Rule",
  },
};

const GROUP_EN = {
  employee: "Employee",
  unemployed: "Unemployed",
  rural_migrant: "Rural migrant worker",
  graduate: "Graduate of the year",
  low_income_family: "Child of a low-income family",
  school_leaver: "School leaver",
  other: "Other",
};

const state = { lang: "zh", info: null, programs: [], catalogue: null, catalogueDate: "", reasons: new Map(), record: null, lastProgram: null };
const t = () => TEXT[state.lang];
const name = (x) => (state.lang === "zh" ? x.name_zh : x.name_en ?? x.name_zh);

function option(value, label, selected) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = label;
  if (selected) o.selected = true;
  return o;
}

/** Replaces a select's options, keeping the current choice when it is still offered. */
function fillSelect(select, items, fallback) {
  const previous = select.value;
  select.replaceChildren(...items.map(([value, label]) => option(value, label)));
  const values = items.map(([value]) => value);
  select.value = values.includes(previous) ? previous : values.includes(fallback) ? fallback : values[0] ?? "";
}

const program = () => state.programs.find((p) => p.id === $("program").value) ?? state.programs[0];

/** The catalogue in force on the event date (re-read only when the date changes). */
function catalogueInForce() {
  const date = $("event_date").value;
  if (date !== state.catalogueDate) {
    state.catalogue = catalogue(date);
    state.catalogueDate = date;
    fillOccupations();
  }
  return state.catalogue;
}

function fillOccupations() {
  const list = state.catalogue?.occupations ?? [];
  $("occupation-list").replaceChildren(
    ...list.map((o) => option(o.code, `${name(o)}${o.shortage ? ` · ${t().shortage}` : ""} · ${o.code}`)),
  );
}

/** The occupation the input names: a code, a name (Chinese or English), or "code name". */
function chosenOccupation() {
  const text = $("occupation").value.trim();
  if (text === "") return { text, found: null };
  const list = state.catalogue?.occupations ?? [];
  const lower = text.toLowerCase();
  const found =
    list.find((o) => o.code === text) ??
    list.find((o) => o.name_zh === text || o.name_en.toLowerCase() === lower) ??
    list.find((o) => text.startsWith(`${o.code} `));
  return { text: found ? found.code : text, found };
}

function refreshChoices() {
  const p = program();
  const cat = catalogueInForce();
  const levelNames = new Map(state.info.levels.map((l) => [l.code, l]));
  for (const field of document.querySelectorAll("[data-needs]")) field.hidden = !p.needs[field.dataset.needs];

  $("program-help").textContent = `${t().fund[p.fund] ?? p.fund} · ${t().payee[p.payee] ?? p.payee}`;

  const groups = p.groups.map((g) => {
    const known = state.info.groups.find((x) => x.code === g);
    return [g, state.lang === "zh" ? known?.name_zh ?? g : GROUP_EN[g] ?? g];
  });
  fillSelect($("group"), groups, "employee");

  const { found } = chosenOccupation();
  const occupationHelp = $("occupation-help");
  if (found) occupationHelp.textContent = t().occupationFound(found);
  else if ($("occupation").value.trim() !== "") occupationHelp.textContent = t().occupationUnknown;
  else occupationHelp.textContent = t().occupationHelp(cat.occupations.length);

  // Levels: those the program subsidises and, once the occupation is known, that it offers.
  const offered = (p.levels ?? []).filter((l) => !found || found.levels.includes(l));
  fillSelect(
    $("level"),
    offered.map((l) => [l, `${l} · ${state.lang === "zh" ? levelNames.get(l)?.name_zh : levelNames.get(l)?.name_en}`]),
    "3",
  );

  const institutions = cat.institutions.filter(
    (i) => i.catalogue === p.institution_catalogue && (!found || i.occupations === "all" || i.occupations.includes(found.code)),
  );
  fillSelect(
    $("institution"),
    institutions.map((i) => [i.id, `${name(i)}（${i.district}）${i.occupations === "all" ? ` · ${t().allInstitutions}` : ""}`]),
  );
  if (institutions.length === 0 && p.needs.institution) $("institution").replaceChildren(option("", t().noInstitution));

  fillSelect($("project"), p.projects.map((x) => [x.id, `${x.id} ${x.name_zh} · ${x.price} ${t().yuan}`]));
  const months = $("months");
  if (p.max_months) months.max = p.max_months;
  else months.removeAttribute("max");
  months.min = p.min_months ?? "1";
  // On switching program, start from a duration the new program pays for (an apprenticeship
  // lasts 12 to 24 months; 以工代训 pays at most 4).
  if (state.lastProgram !== p.id) {
    const n = Number(months.value);
    if (p.min_months && n < Number(p.min_months)) months.value = p.min_months;
    if (p.max_months && n > Number(p.max_months)) months.value = p.max_months;
    state.lastProgram = p.id;
  }
}

/** The claim as the form holds it: only the fields the program needs. Money stays text. */
function claimFromForm() {
  const p = program();
  const claim = {
    claim_id: "WEB-1",
    program: p.id,
    person_id: "P-WEB",
    event_date: $("event_date").value,
    applied_on: $("applied_on").value,
  };
  const group = $("group").value;
  if (group) claim.group = group;
  for (const field of p.fields) {
    const value = field === "occupation" ? chosenOccupation().text : $(field).value.trim();
    if (value !== "") claim[field] = value;
  }
  return claim;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

function renderRecord(record) {
  const tx = t();
  const outcome = $("outcome");
  const status = el("p", { class: `status ${record.status}`, id: "status", "data-status": record.status }, tx[record.status]);
  const amount =
    record.status === "approved"
      ? el("p", { class: "amount" }, el("span", { id: "amount", "data-amount": record.amount }, record.amount), ` ${tx.yuan}`)
      : el("p", { class: "amount none" }, el("span", { id: "amount", "data-amount": record.amount }, record.amount), ` ${tx.yuan}`);
  const meta = [];
  if (record.payment_month) meta.push(tx.paidIn(record.payment_month));
  if (record.catalogue_version) meta.push(tx.version(record.catalogue_version));
  outcome.replaceChildren(status, amount, ...(meta.length ? [el("p", { class: "meta" }, meta.join(" · "))] : []));

  const problems = $("problems");
  problems.replaceChildren();
  if (record.reasons.length > 0) {
    problems.append(
      el("h3", {}, tx.reasonsHeading),
      el(
        "ul",
        { class: "reasons", id: "reasons" },
        ...record.reasons.map((code) => {
          const r = state.reasons.get(code);
          return el("li", { "data-code": code }, r ? (state.lang === "zh" ? r.message_zh : r.message_en) : code);
        }),
      ),
    );
  }
  if (record.errors.length > 0) {
    problems.append(
      el("h3", {}, tx.errorsHeading),
      el(
        "ul",
        { class: "errors", id: "errors" },
        ...record.errors.map((e) => el("li", { "data-code": e.code, "data-field": e.field }, state.lang === "zh" ? e.message_zh : e.message_en)),
      ),
    );
  }

  const steps = (record.trace?.steps ?? []).map((s) => {
    const source = [];
    if (s.citation) {
      const label = `${tx.source} ${s.citation}${s.document ? ` · ${s.document}` : ""}${s.confidence ? ` · ${s.confidence}` : ""}`;
      // Only web addresses are links; a path in the repository (the seed plan) is shown as text.
      source.push(/^https?:\/\//.test(s.url ?? "") ? el("a", { href: s.url, rel: "noopener noreferrer", target: "_blank" }, label) : label);
    }
    const change = s.before !== null && s.after !== null ? `${s.before} → ${s.after}` : s.after ?? s.before ?? "";
    return el(
      "li",
      { class: `step ${s.outcome}`, "data-step": s.step },
      el(
        "div",
        { class: "step-head" },
        el("span", { class: "badge", "aria-label": tx.outcome[s.outcome] ?? s.outcome }, s.outcome === "pass" ? "✓" : s.outcome === "fail" ? "✗" : "•"),
        el("code", { class: "step-id" }, s.step),
        change ? el("span", { class: "change" }, change) : null,
      ),
      el("p", { class: "note" }, state.lang === "zh" ? s.note_zh : s.note_en),
      s.rule ? el("p", { class: "rule" }, `${tx.rule} `, el("code", {}, s.rule)) : null,
      source.length ? el("p", { class: "source" }, ...source) : null,
    );
  });
  $("steps").replaceChildren(...steps);
}

function update() {
  refreshChoices();
  state.record = estimate(claimFromForm());
  renderRecord(state.record);
}

function applyLanguage() {
  const tx = t();
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = tx[e.dataset.i18n];
  document.title = state.lang === "zh" ? "职业培训补贴测算" : "Vocational training subsidy estimate";
  const toggle = $("lang");
  toggle.textContent = tx.switchTo;
  toggle.lang = state.lang === "zh" ? "en" : "zh-CN";
  toggle.setAttribute("aria-label", tx.switchLabel);
  $("ruleset-name").textContent = name(state.info);
  const notice = $("notice");
  notice.hidden = state.info.status !== "reconstruction";
  notice.textContent = tx.notice(name(state.info));
  fillSelect($("program"), state.programs.map((p) => [p.id, name(p)]), "skills_training");
  fillOccupations();
}

async function main() {
  await init();
  performance.mark("module-ready");
  state.info = rulesetInfo(); // the first call loads and compiles the ruleset
  performance.mark("rules-ready");
  state.programs = programs();
  state.reasons = new Map(reasons().map((r) => [r.code, r]));
  applyLanguage();
  update();
  // For the browser tests and measurements: when the first estimate was ready, from navigation.
  performance.mark("first-estimate");
  document.body.dataset.ready = String(performance.now());

  $("claim").addEventListener("input", update);
  $("claim").addEventListener("change", update);
  $("claim").addEventListener("submit", (e) => e.preventDefault());
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    applyLanguage();
    update();
  });
}

main().catch((e) => {
  $("outcome").replaceChildren(el("p", { class: "status invalid" }, `无法加载测算模块 / could not load the module: ${e}`));
});
