// What people type, read as text (www/input.js, www/claim.js) and the address that keeps the
// form (www/address.js): pure functions, run in Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { money, count, date, yuan, percent } from "../www/input.js";
import { readClaim, fieldsFor, findOccupation, addEngineErrors, problemMessage } from "../www/claim.js";
import { TEXT } from "../www/text.js";
import { toFragment, fromFragment } from "../www/address.js";

test("money is read as people write it, as text: full width, thousands, a sign or a unit", () => {
  for (const typed of ["3000", "３０００", "3,000", "3000元", "¥3000", "￥3,000", "RMB 3,000", "3 000", "３，０００元", "3000元整"]) {
    assert.equal(money(typed), "3000", typed);
  }
  assert.equal(money("1,234.50"), "1234.50");
  assert.equal(money("3000.999"), "3000.999", "too fine for the fen: the engine says so");
  // Commas that do not group by three are left for the engine to refuse, not guessed at.
  assert.equal(money("3,00"), "3,00");
  assert.equal(money("1,2345"), "1,2345");
  assert.equal(money("-300"), "-300");
});

test("months and dates are read as people write them", () => {
  assert.equal(count("２４"), "24");
  assert.equal(count("24个月"), "24");
  assert.equal(count(" 6 月"), "6");
  for (const typed of ["2021-08-02", "2021-8-2", "2021/8/2", "2021.8.2", "2021年8月2日", "20210802", "２０２１－０８－０２"]) {
    assert.equal(date(typed), "2021-08-02", typed);
  }
  assert.equal(date("2021-02-30"), "2021-02-30", "whether the day exists is the engine's to say");
  for (const typed of ["8月2日", "02/08/2021", "yesterday", ""]) assert.equal(date(typed), null, typed);
});

test("yuan and rates are written for people without any arithmetic", () => {
  assert.equal(yuan("2600.00"), "2,600");
  assert.equal(yuan("1950.50"), "1,950.50");
  assert.equal(yuan("1234567.89"), "1,234,567.89");
  assert.equal(yuan("-2500.00"), "-2,500");
  assert.equal(yuan("0.10"), "0.10");
  assert.equal(percent("0.3"), "30%");
  assert.equal(percent("0.20"), "20%");
  assert.equal(percent("0.125"), "12.5%");
});

const SKILLS = { id: "skills_training", kind: "level_table", fields: ["occupation", "level", "institution", "fee_paid"] };
const PERIOD = { from: "2021-01-01", to: "2021-12-31" };

test("the form's values become the claim; missing fields and the form's own problems are apart", () => {
  assert.deepEqual(fieldsFor(null), ["program"]);
  assert.deepEqual(fieldsFor({ kind: "apprenticeship", fields: ["months"] }), ["program", "event_date", "applied_on", "months"], "an application has no group");
  const occupations = [{ code: "6-18-02-04", name_zh: "焊工", name_en: "Welder" }];
  assert.equal(findOccupation("焊工", occupations).code, "6-18-02-04");
  assert.equal(findOccupation("welder", occupations).code, "6-18-02-04");
  assert.equal(findOccupation("6-18-02-04 焊工", occupations).code, "6-18-02-04");
  const values = { program: "skills_training", group: "unemployed", event_date: "2021年8月2日", applied_on: "2021-8-20", occupation: "焊工", level: "3", institution: "", fee_paid: "３,０００元" };
  const { claim, missing, problems } = readClaim(values, SKILLS, PERIOD, occupations);
  assert.deepEqual(claim, {
    claim_id: "WEB-1", program: "skills_training", person_id: "P-WEB", group: "unemployed", event_date: "2021-08-02",
    applied_on: "2021-08-20", occupation: "6-18-02-04", level: "3", fee_paid: "3000",
  });
  assert.deepEqual(missing, ["institution"]);
  assert.equal(problems.size, 0);
  const outside = readClaim({ ...values, event_date: "2024-03-01", applied_on: "next week" }, SKILLS, PERIOD, occupations);
  assert.deepEqual([...outside.problems].map(([f, p]) => `${f}:${p.code}`), ["event_date:out_of_period", "applied_on:date_format"]);
  const years = [{ name_zh: "无锡（2023）", name_en: "Wuxi (2023)", period: { from: "2023-06-01", to: "2024-05-31" } }];
  const say = (problem) => problemMessage(problem, { tx: TEXT.zh, lang: "zh", label: "取证日期", period: PERIOD, rulesets: years });
  assert.equal(say(outside.problems.get("event_date")), "该日期不在本规则的适用期内：本规则适用于 2021-01-01 至 2021-12-31 的培训；该日期适用“无锡（2023）”，可在页首“适用规则”中改选");
  assert.equal(say({ code: "out_of_period", date: "2025-01-01" }), "该日期不在本规则的适用期内：本规则适用于 2021-01-01 至 2021-12-31 的培训");
  assert.equal(say({ code: "bad_date" }), "日期无效：没有这一天");
  assert.equal(say({ code: "missing_text" }), "请填写取证日期");
  const record = { errors: [{ field: "fee_paid", code: "money_precision" }, { field: "institution", code: "required_by_program" }, { field: "event_date", code: "bad_date" }] };
  addEngineErrors(record, outside.missing, outside.problems);
  assert.deepEqual([...outside.problems].map(([f, p]) => `${f}:${p.code}`), ["event_date:out_of_period", "applied_on:date_format", "fee_paid:money_precision"], "the form's own finding stays");
  assert.deepEqual(outside.missing, ["institution"]);
});

test("the address holds the form in its fragment, and only known keys", () => {
  const values = { rules: "wuxi-2023", lang: "", program: "skills_training", occupation: "焊工", fee_paid: "3,000", unknown: "x" };
  const fragment = toFragment(values);
  assert.equal(fragment, "#rules=wuxi-2023&program=skills_training&occupation=%E7%84%8A%E5%B7%A5&fee_paid=3%2C000");
  assert.deepEqual(fromFragment(fragment), { rules: "wuxi-2023", program: "skills_training", occupation: "焊工", fee_paid: "3,000" });
  assert.deepEqual(fromFragment("#fee_paid"), {}, "an anchor is not a state");
  assert.deepEqual(fromFragment("#program=x&evil=1"), { program: "x" });
  assert.equal(toFragment({}), "");
});
