// The JavaScript side of the module's API: plain objects in and out, money as strings, numbers
// read exactly, and every kind of bad input answered as data — never a thrown exception.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadModule } from "./load.mjs";

const m = await loadModule();

const welder = () => ({
  claim_id: "C1", program: "skills_training", person_id: "P1", occupation: "6-18-02-04", level: "3",
  institution: "WX-JG-001", fee_paid: "3000.00", event_date: "2021-08-02", applied_on: "2021-08-20",
});

test("an estimate is the record with its trace, money as strings", () => {
  const r = m.estimate(welder());
  assert.equal(r.status, "approved");
  assert.equal(r.amount, "2600.00");
  assert.equal(r.fund, "special_account");
  assert.equal(r.trace.trace_version, 1);
  assert.ok(r.trace.steps.every((s) => typeof s.note_zh === "string" && typeof s.note_en === "string"));
  assert.equal(m.estimate(welder(), { trace: false }).trace, undefined);
});

test("numbers are read through their shortest decimal form, never their binary expansion", () => {
  assert.equal(m.estimate({ ...welder(), fee_paid: 1400.1, level: "4" }).amount, "1400.10");
  assert.equal(m.estimate({ ...welder(), fee_paid: 0.1 + 0.2 }).errors[0].code, "money_precision");
  assert.equal(m.estimate({ ...welder(), program: "ui_skill_upgrade", institution: undefined, fee_paid: undefined, ui_contribution_months: 24n }).status, "approved");
});

test("bad input comes back as an invalid record, not an exception", () => {
  const nan = m.estimate({ ...welder(), fee_paid: NaN });
  assert.equal(nan.status, "invalid");
  assert.deepEqual(nan.errors.map((e) => `${e.field}:${e.code}`), ["fee_paid:bad_money"]);
  assert.match(nan.errors[0].message_zh, /金额/);
  const cyclic = welder();
  cyclic.self = cyclic;
  assert.equal(m.estimate(cyclic).status, "invalid");
  for (const odd of [undefined, null, 42, "claim", [welder()], () => 1]) {
    const r = m.estimate(odd);
    assert.equal(r.status, "invalid");
    assert.equal(r.errors[0].code, "not_an_object");
  }
  const pid = m.estimate({ ...welder(), person_id: "32021119900101\u00071234" });
  assert.ok(!JSON.stringify(pid).includes("3202111990"), "a person id never appears in an error");
});

test("whatif gives both records, or the override errors as data", () => {
  const ok = m.whatif({ "shortage.rate": "0.20" }, welder());
  assert.equal(ok.baseline.amount, "2600.00");
  assert.equal(ok.variant.amount, "2400.00");
  assert.deepEqual(ok.errors, []);
  const ranged = m.whatif({ "programs.skills_training.amounts.3": { "2021-07-01..2021-12-31": "2200" } }, welder());
  assert.equal(ranged.variant.amount, "2860.00");
  const bad = m.whatif({ "shortage.rat": "0.2", "shortage.rate": "1.5" }, welder());
  assert.equal(bad.variant, null);
  assert.deepEqual(bad.errors.map((e) => [e.code, e.path]), [["unknown_path", "shortage.rat"], ["bad_override", "shortage.rate"]]);
  assert.ok(bad.errors.every((e) => typeof e.message === "string" && e.message.length > 0));
  assert.equal(m.whatif("not an object", welder()).errors[0].code, "bad_override");
  const refused = m.estimate(welder(), { overrides: { "shortage.rat": "0.2" } });
  assert.equal(refused.status, "invalid");
  assert.equal(refused.errors[0].field, "overrides");
  assert.equal(m.estimate(welder(), { overrides: { "shortage.rate": "0.20" } }).amount, "2400.00");
});

test("a batch answers every claim, in input order, with the report", () => {
  const hire = (id, program, extra = {}) => ({
    claim_id: id, program, person_id: "P1", enterprise_id: "E1", event_date: "2021-05-10", applied_on: "2021-05-20", ...extra,
  });
  const out = m.estimateBatch([hire("B", "on_job", { months: 2 }), hire("A", "pre_job"), "junk"]);
  assert.deepEqual(out.errors, []);
  assert.deepEqual(out.records.map((r) => r.status), ["approved", "approved", "invalid"]);
  // 以工代训 after 岗前培训 of the same hire: a top-up (补差) of 1000 − 300.
  assert.equal(out.records[0].amount, "700.00");
  assert.equal(out.report.approved_amount, "1000.00");
  assert.equal(out.report.accounts["wuxi-2021"].committed.batch, "1000.00");
  const history = [{ person_id: "P1", program: "pre_job", enterprise_id: "E1", event_date: "2021-05-10", applied_on: "2021-05-11", amount: "300.00" }];
  assert.equal(m.estimateBatch([hire("A", "pre_job")], history).records[0].reasons[0], "exclusive_with_other_program");
});

test("a claim of a batch is explained where the batch decided it", () => {
  const hire = (id, program, extra = {}) => ({
    claim_id: id, program, person_id: "P1", enterprise_id: "E1", event_date: "2021-05-10", applied_on: "2021-05-20", ...extra,
  });
  const history = [{ person_id: "P1", program: "pre_job", enterprise_id: "E1", event_date: "2021-05-10", applied_on: "2021-05-11", amount: "300.00" }];
  const claims = [hire("B", "on_job", { months: 2 }), hire("A", "pre_job")];
  const plain = m.estimateBatch(claims, history);
  const out = m.estimateBatch(claims, history, { explain: "A" });
  assert.deepEqual(out.records.map((r) => [r.status, r.amount, r.reasons]), plain.records.map((r) => [r.status, r.amount, r.reasons]));
  assert.equal(out.records[0].trace, undefined, "only the claim asked for is explained");
  const step = out.records[1].trace.steps.find((s) => s.step === "exclusivity");
  assert.equal(step.outcome, "fail");
  assert.deepEqual(step.counted, [{ history: 1 }]);
  assert.match(step.note_zh, /已享受记录第 1 行/);
  // B tops up what the history record paid in the group; A, refused, paid nothing and is not named.
  const b = m.estimateBatch(claims, history, { explain: "B" }).records[0].trace.steps.find((s) => s.step === "exclusivity");
  assert.equal(b.outcome, "pass");
  assert.deepEqual(b.counted, [{ history: 1 }]);
});

test("a malformed batch argument or history record is listed in errors", () => {
  assert.equal(m.estimateBatch("nope").errors[0].code, "not_an_array");
  const bad = m.estimateBatch([], [{ person_id: "P1", program: "pre_job", event_date: "2021-02-30", applied_on: "2021-03-01", amount: "NaN" }]);
  assert.equal(bad.report, null);
  assert.deepEqual(bad.errors.map((e) => [e.field, e.code, e.index]), [["history[0].event_date", "bad_date", 0], ["history[0].amount", "bad_money", 0]]);
  assert.equal(m.estimateBatch([], "nope").errors[0].field, "history");
  assert.equal(m.estimateBatch([], null, { overrides: { nope: 1 } }).errors[0].code, "unknown_path");
});

test("programs say which fields each needs", () => {
  const list = m.programs();
  assert.deepEqual(list.map((p) => p.id), ["skills_training", "enterprise_upgrade", "ui_skill_upgrade", "pre_job", "on_job", "online", "project", "apprenticeship"]);
  const onJob = list.find((p) => p.id === "on_job");
  assert.deepEqual(onJob.fields, ["enterprise_id", "months"]);
  assert.equal(onJob.needs.months, true);
  assert.equal(onJob.needs.occupation, false);
  assert.equal(list.find((p) => p.id === "skills_training").name_zh, "就业技能培训");
});

test("the catalogue in force on a date lists occupations with the shortage flag, and institutions", () => {
  const q3 = m.catalogue("2021-08-02");
  assert.deepEqual(q3.errors, []);
  assert.ok(q3.versions.some((v) => v.kind === "occupations" && v.version === "2021-q3"));
  const welderRow = q3.occupations.find((o) => o.code === "6-18-02-04");
  assert.equal(welderRow.name_zh, "焊工");
  assert.equal(welderRow.shortage, true);
  assert.ok(q3.institutions.length >= 20);
  assert.equal(m.catalogue("2021-02-30").errors[0].code, "bad_date");
  assert.equal(m.catalogue(20210802).errors[0].code, "bad_date");
});

test("the ruleset is described with its status and sources, and can be switched", () => {
  const info = m.rulesetInfo();
  assert.equal(info.id, "wuxi-2021");
  assert.equal(info.status, "reconstruction");
  assert.ok(info.sources.every((s) => ["confirmed", "inferred", "illustrative"].includes(s.confidence)));
  assert.ok(m.reasons().some((r) => r.code === "budget_exhausted" && r.message_zh.includes("专账")));
  assert.ok(m.claimSchema().required.includes("claim_id"));
  try {
    const loaded = m.loadRuleset("wuxi-2023");
    assert.deepEqual(loaded.errors, []);
    assert.equal(m.rulesetInfo().id, "wuxi-2023");
    const missing = m.loadRuleset("nowhere");
    assert.equal(missing.ruleset, null);
    assert.ok(missing.errors.length > 0);
    assert.equal(m.rulesetInfo().id, "wuxi-2023", "a failed load keeps the ruleset in use");
    const broken = m.loadRuleset({ "ruleset.toml": "[ruleset\nid = " });
    assert.ok(broken.errors.some((e) => e.code === "toml_syntax"), JSON.stringify(broken.errors));
    assert.equal(m.loadRuleset({ "ruleset.toml": 5 }).errors[0].code, "not_an_object");
  } finally {
    assert.deepEqual(m.loadRuleset("wuxi-2021").errors, []);
  }
});

test("the embedded rulesets are listed with the period each covers, without switching", () => {
  assert.deepEqual(m.rulesetInfo().period, { from: "2021-01-01", to: "2021-12-31" });
  const list = m.rulesets();
  assert.deepEqual(list.map((r) => [r.id, r.period.from, r.period.to, r.current]), [
    ["wuxi-2021", "2021-01-01", "2021-12-31", true],
    ["wuxi-2023", "2023-06-01", "2024-05-31", false],
  ]);
  assert.ok(list.every((r) => r.name_zh && r.name_en && r.status === "reconstruction"));
  assert.equal(m.rulesetInfo().id, "wuxi-2021", "listing them does not switch");
  try {
    assert.deepEqual(m.loadRuleset("wuxi-2023").errors, []);
    assert.deepEqual(m.rulesets().map((r) => r.current), [false, true]);
  } finally {
    assert.deepEqual(m.loadRuleset("wuxi-2021").errors, []);
  }
});

test("an apprenticeship claim is estimated with its review session and staged payments", () => {
  const claim = {
    claim_id: "A1", program: "apprenticeship", person_id: "P1", enterprise_id: "E1", occupation: "6-31-01-10", level: "3",
    institution: "WX-JG-016", months: 24, event_date: "2021-03-01", applied_on: "2021-03-10",
  };
  const r = m.estimate(claim);
  assert.equal(r.estimate.estimate, true);
  assert.equal(r.amount, "10000.00");
  assert.equal(r.estimate.session, "2021-04-20");
  assert.equal(r.payment_month, "2021-05", "the advance's month");
  assert.deepEqual(r.estimate.payments, [
    { month: "2021-05", amount: "2500.00", kind: "advance" },
    { month: "2023-04", amount: "7500.00", kind: "settlement" },
  ]);
  assert.equal(r.estimate.final_amount, "10000.00");
  // The same application in a batch is reviewed at the same session, with the same payments.
  const app = { application_id: "A1", enterprise_id: "E1", person_id: "P1", occupation: "6-31-01-10", target_level: "3", start_date: "2021-03-01", months: 24, submitted_on: "2021-03-10", institution: "WX-JG-016" };
  const batch = m.estimateBatch([], null, { applications: [app] }).applications[0];
  assert.deepEqual([batch.session, batch.payments, batch.amount], [r.estimate.session, r.estimate.payments, r.amount]);
  // Sent as a plain claim in a batch, it is not approved: only a review session approves it.
  assert.deepEqual(m.estimateBatch([claim], null).records[0].reasons, ["needs_review"]);
  // Not an apprenticeship: no estimate. Not a claim: invalid, as data.
  const welderRecord = m.estimate(welder());
  assert.equal(welderRecord.amount, "2600.00");
  assert.equal(welderRecord.estimate, undefined);
  for (const odd of [undefined, "claim", { ...claim, months: "many" }]) assert.equal(m.estimate(odd).status, "invalid");
  assert.equal(m.estimate(claim, { trace: false }).trace, undefined);
});
