// The plain-language result (www/explain.js) for every claim case of the conformance vectors,
// under both embedded rulesets: the Chinese view names no step id, rule path, program id,
// calculation kind, field name or other code; confidence is 已确认/推定/示例; and the sentences
// people act on say what they should (the amount and how it was reached, the payment month and
// the deadline; a rejection's deadline or a project's dates).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { loadModule, root } from "./load.mjs";
import { explain } from "../www/explain.js";
import { codesIn } from "./plain.mjs";

const m = await loadModule();
const reasons = new Map(m.reasons().map((r) => [r.code, r]));

/** The context the page gives explain(), for the ruleset in use. */
function context(claim, lang) {
  const info = m.rulesetInfo();
  const catalogue = m.catalogue(claim.event_date);
  return { lang, info, program: m.programs().find((p) => p.id === claim.program), catalogue, claim, reasons };
}

/** All the text a person reads of an explanation. */
function words(e) {
  return [e.sentence, ...e.reasons.map((r) => r.text), ...e.schedule, ...e.meta, ...e.steps.flatMap((s) => [s.title, s.outcomeText, s.text, s.source?.label ?? "", s.source?.confidence ?? ""])].join("\n");
}

function claimCases() {
  const dir = path.join(root, "tests/vectors");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")))
    .filter((doc) => (doc.kind ?? "claim") === "claim" && (doc.ruleset ?? "wuxi-2021") === "wuxi-2021")
    .flatMap((doc) => doc.cases.filter((c) => c.overrides === undefined));
}

/** Claims of the 2023 rules: each program, approved and rejected. */
const CLAIMS_2023 = [
  { program: "skills_training", occupation: "6-18-02-04", level: "3", institution: "WX-JG-001", fee_paid: "5000", group: "unemployed" },
  { program: "skills_training", occupation: "4-10-01-06", level: "4", institution: "WX-JG-001", fee_paid: "800" },
  { program: "skills_training", occupation: "6-18-02-04", level: "3", institution: "WX-JG-001", fee_paid: "5000", group: "other" },
  { program: "enterprise_upgrade", occupation: "6-18-02-04", level: "2", institution: "WX-JG-001", fee_paid: "9000", enterprise_id: "E1" },
  { program: "ui_skill_upgrade", occupation: "6-18-02-04", level: "3", ui_contribution_months: 8 },
  { program: "pre_job", enterprise_id: "E1" },
  { program: "project", project: "XM2023-01", enterprise_id: "E1" },
  { program: "apprenticeship", occupation: "6-18-02-04", level: "3", institution: "WX-JG-001", months: 12, enterprise_id: "E1" },
].map((c, i) => ({ claim_id: `Y${i}`, person_id: "P1", event_date: "2023-09-06", applied_on: "2023-09-16", ...c }));

test("the Chinese view of every vector case and of the 2023 rules names no code", () => {
  const problems = [];
  const check = (claim, record, label) => {
    if (record.status === "invalid") return; // an invalid claim is shown at its fields, not explained
    for (const lang of ["zh", "en"]) {
      const e = explain(record, context(claim, lang));
      const text = words(e);
      if (/\b(undefined|null|NaN)\b/.test(text)) problems.push(`${label} (${lang}): a stray undefined or null:\n${text}`);
      if (lang === "zh") {
        const codes = codesIn(text);
        if (codes.length) problems.push(`${label}: ${codes.join(", ")} in\n${text}`);
        for (const s of e.steps) {
          if (s.source && !["已确认", "推定", "示例", ""].includes(s.source.confidence)) problems.push(`${label}: confidence ${s.source.confidence}`);
          if (!s.text) problems.push(`${label}: step ${s.step} has no words`);
        }
      }
    }
  };
  for (const c of claimCases()) {
    check(c.claim, m.estimate(c.claim), c.name);
  }
  assert.deepEqual(m.loadRuleset("wuxi-2023").errors, []);
  try {
    for (const claim of CLAIMS_2023) {
      const record = m.estimate(claim);
      assert.notEqual(record.status, "invalid", JSON.stringify(record.errors));
      check(claim, record, `2023: ${claim.program} ${claim.claim_id}`);
    }
  } finally {
    m.loadRuleset("wuxi-2021");
  }
  assert.deepEqual(problems, []);
});

const WELDER = {
  claim_id: "C1", program: "skills_training", person_id: "P1", occupation: "6-18-02-04", level: "3", group: "unemployed",
  institution: "WX-JG-001", fee_paid: "3000", event_date: "2021-08-02", applied_on: "2021-08-20",
};

test("an approved claim is said in one plain sentence: amount, how, payment month, deadline", () => {
  const e = explain(m.estimate(WELDER), context(WELDER, "zh"));
  assert.equal(e.sentence, "预计可获 2,600 元（三级 2,000 元＋紧缺职业上浮 30%），2021-09 发放，申请截止 2022-08-02");
  const en = explain(m.estimate(WELDER), context(WELDER, "en"));
  assert.match(en.sentence, /^About 2,600 yuan \(2,000 yuan for level 3 \+ 30% shortage-occupation uplift\), paid in 2021-09, apply by 2022-08-02$/);
  const capped = { ...WELDER, fee_paid: "1200" };
  assert.equal(explain(m.estimate(capped), context(capped, "zh")).sentence, "预计可获 1,200 元（三级 2,000 元＋紧缺职业上浮 30%，按实际缴纳培训费 1,200 元封顶），2021-09 发放，申请截止 2022-08-02");
});

test("a rejection says the fact one can act on", () => {
  const late = { ...WELDER, applied_on: "2022-08-03" };
  assert.equal(explain(m.estimate(late), context(late, "zh")).sentence, "不符合补贴条件：申请日期 2022-08-03 已超过申请截止日 2022-08-02");
  const project = { claim_id: "C2", program: "project", person_id: "P1", enterprise_id: "E1", project: "XM2021-04", event_date: "2021-06-30", applied_on: "2021-07-05" };
  const p = m.programs().find((x) => x.id === "project").projects.find((x) => x.id === "XM2021-04");
  assert.match(explain(m.estimate(project), context(project, "zh")).sentence, new RegExp(`有效期为 ${p.effective_from} 至 ${p.effective_to}，结业日期 2021-06-30 不在其中`));
  const group = { ...WELDER, program: "ui_skill_upgrade", ui_contribution_months: 24, fee_paid: undefined, institution: undefined };
  assert.match(explain(m.estimate(group), context(group, "zh")).sentence, /的补贴对象不包括失业人员（补贴对象：企业职工）/);
});

test("an apprenticeship estimate names its review session and payments, as an estimate", () => {
  const claim = {
    claim_id: "A1", program: "apprenticeship", person_id: "P1", enterprise_id: "E1", occupation: "6-31-01-10", level: "3",
    institution: "WX-JG-016", months: 24, event_date: "2021-03-01", applied_on: "2021-03-10",
  };
  const e = explain(m.estimate(claim), context(claim, "zh"));
  assert.equal(e.estimate, true);
  assert.equal(e.sentence, "预计可获 10,000 元（目标等级三级/高级工每人每年 5000 元 × 24 个月 / 12）");
  assert.ok(!e.steps.some((s) => s.step === "payment"), "no month-after payment: it is paid in stages");
  assert.deepEqual(e.schedule, ["预计在 2021-04-20 的学徒制会审中审核", "2021-05 预拨 2,500 元，2023-04 结算 7,500 元", "以上为估算：学徒制补贴须经会审批准，以会审结果为准。"]);
  const late = { ...claim, event_date: "2021-12-15", applied_on: "2021-12-15" };
  assert.equal(explain(m.estimate(late), context(late, "zh")).sentence, "不符合补贴条件：2021-12-15 提交，已赶不上本年度最后一次会审（2021-12-20）");
});
