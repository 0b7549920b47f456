// The estimate form in headless Chromium, used as a job-seeker or an HR clerk would (issue 16):
// it opens empty and assumes nothing; it says what is still needed; errors stand at their
// fields with a summary linking to them; the result comes first in plain words, the worked
// steps folded beneath; a screen reader hears the result once; what people type is read
// (３０００, 3,000, 3000元); the address keeps the form; apprenticeships name their review session;
// both years' rules can be chosen. Vector cases filled in as a person would are checked against
// the vectors; axe-core finds no violation in the empty, filled, error and result states; a claim
// is completed with the keyboard alone; on a phone the error is next to its field, in view;
// and after loading its own files the page sends no request at all.
//
// WWW=folder runs the suite against another build of the form (to see which tests an older form fails).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { launch } from "./browser.mjs";
import { serve, wwwDir } from "./server.mjs";
import { root, wasmDir } from "./load.mjs";
import { codesIn } from "./plain.mjs";

const www = process.env.WWW ? path.resolve(process.env.WWW) : wwwDir;
const AXE = readFileSync(path.join(wasmDir, "node_modules/axe-core/axe.min.js"), "utf8");

/** A vector case by file and name (the vectors are the oracle for what the form shows). */
function vector(file, name) {
  const doc = JSON.parse(readFileSync(path.join(root, "tests/vectors", file), "utf8"));
  const found = doc.cases.find((c) => c.name.startsWith(name));
  assert.ok(found, `${file}: no case named ${name}`);
  return found;
}

const WELDER = {
  program: "skills_training", group: "unemployed", event_date: "2021-08-02", applied_on: "2021-08-20",
  occupation: "焊工", level: "3", institution: "WX-JG-001", fee_paid: "3000",
};
const APPRENTICE = {
  program: "apprenticeship", event_date: "2021-03-01", applied_on: "2021-03-10", occupation: "6-31-01-10", level: "3",
  institution: "WX-JG-016", months: "24", enterprise_id: "E0007",
};

let server;
let browser;
const pageErrors = [];

before(async () => {
  server = await serve({ root: www });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh page (its own context: no history, no storage), loaded and ready. */
async function open(fragment = "", viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, locale: "zh-CN" });
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => m.type() === "error" && pageErrors.push(m.text()));
  await page.goto(server.url + fragment);
  await page.waitForSelector("body[data-ready]", { timeout: 15000 });
  return page;
}

/** Fills the form with a claim's fields, as a person would; a field left ends with Tab. */
async function fill(page, claim) {
  await page.selectOption("#program", claim.program);
  if (claim.group !== undefined || claim.program !== "apprenticeship") await page.selectOption("#group", claim.group ?? "employee");
  for (const field of ["event_date", "applied_on", "occupation"]) {
    if (claim[field] !== undefined) await page.fill(`#${field}`, String(claim[field]));
  }
  for (const field of ["level", "institution", "project"]) {
    if (claim[field] !== undefined) await page.selectOption(`#${field}`, claim[field]);
  }
  for (const field of ["fee_paid", "months", "ui_contribution_months", "enterprise_id"]) {
    if (claim[field] !== undefined) await page.fill(`#${field}`, String(claim[field]));
  }
}

/** What the result panel shows. */
function shown(page) {
  return page.evaluate(() => ({
    status: document.querySelector("#status")?.dataset.status,
    amount: document.querySelector("#amount")?.dataset.amount,
    amountText: document.querySelector("#amount")?.textContent,
    summary: document.querySelector("#summary")?.textContent,
    reasons: [...document.querySelectorAll("#reasons li")].map((li) => li.dataset.code),
    reasonTexts: [...document.querySelectorAll("#reasons li")].map((li) => li.textContent),
    errors: [...document.querySelectorAll("#error-list li")].map((li) => `${li.dataset.field}:${li.dataset.code}`),
    steps: [...document.querySelectorAll("#steps li")].map((li) => li.dataset.step),
    links: [...document.querySelectorAll("#steps a")].map((a) => a.href),
    text: document.querySelector("#result").innerText,
  }));
}

/** axe-core's violations in the page as it is now (the page's CSP does not apply to this evaluation). */
async function axe(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

// ---- the vectors, as a person fills them in ----

const CASES = [
  ["approved", "programs.json", "an unemployed cook's level-4 certificate (not a shortage occupation)"],
  ["uplifted by the shortage list", "shortage.json", "a welder's level-3 certificate on the shortage list is uplifted by 30%"],
  ["capped at the fee", "fee_cap.json", "skills_training pays the fee when it is below the level-4 standard"],
  ["rejected: claim window", "reasons.json", "an application 12 months and one day after the certificate is claim_window_expired"],
  ["rejected: contributions (another program)", "programs.json", "11 months of unemployment-insurance contributions are too few"],
  ["invalid input", "invalid.json", "\"19.999\" is more precise than the fen"],
];

for (const [label, file, name] of CASES) {
  test(`the form shows the vector's result: ${label}`, async () => {
    const c = vector(file, name);
    const page = await open();
    await fill(page, c.claim);
    await page.click("#submit");
    const got = await shown(page);
    const want = c.expect;
    if (want.status === "invalid") {
      // Shown at the fields, with the summary, not as a result.
      assert.deepEqual(got.errors, want.errors);
      assert.equal(got.amount, undefined);
      assert.equal(got.status, "fix");
    } else {
      assert.equal(got.status, want.status);
      assert.equal(got.amount, want.status === "approved" ? want.amount : undefined, "no amount is shown for a rejection");
      assert.deepEqual(got.reasons, want.reasons ?? []);
      if (want.steps) assert.deepEqual(got.steps, want.steps);
    }
    assert.deepEqual(codesIn(got.text), [], "no code in the Chinese view");
    if (want.status === "approved") {
      assert.ok(got.links.length > 0 && got.links.every((href) => /^https?:\/\//.test(href)), "citations link to their sources");
    }
    await page.context().close();
  });
}

// ---- 1. nothing assumed ----

test("it opens empty, offers every group for every program, and keeps what the person chose", async () => {
  const page = await open();
  const values = await page.$$eval("input, select", (els) => els.filter((e) => e.id !== "rules").map((e) => `${e.id}=${e.value}`));
  assert.deepEqual(values.filter((v) => !v.endsWith("=")), [], "no answer is filled in for the person");
  await page.selectOption("#group", "unemployed");
  const programs = await page.$$eval("#program option", (os) => os.map((o) => o.value).filter(Boolean));
  assert.equal(programs.length, 8);
  for (const id of programs.filter((p) => p !== "apprenticeship")) {
    await page.selectOption("#program", id);
    const groups = await page.$$eval("#group option", (os) => os.map((o) => o.value).filter(Boolean));
    assert.equal(groups.length, 7, `${id}: every group is offered`);
    assert.equal(await page.inputValue("#group"), "unemployed", `${id}: the group chosen is kept`);
  }
  // Not eligible: the engine says why, in words.
  await fill(page, { program: "ui_skill_upgrade", group: "unemployed", event_date: "2021-08-02", applied_on: "2021-08-20", occupation: "6-18-02-04", level: "3", ui_contribution_months: "24" });
  const got = await shown(page);
  assert.equal(got.status, "rejected");
  assert.deepEqual(got.reasons, ["group_not_eligible"]);
  assert.match(got.reasonTexts[0], /补贴对象不包括失业人员/);
  await page.context().close();
});

// ---- 2. not an error until there is one ----

test("it opens saying what is still needed, with no error and no 0.00", async () => {
  const page = await open();
  const got = await shown(page);
  assert.equal(got.status, "waiting");
  assert.match(got.text, /填写后显示测算结果/);
  assert.match(got.text, /还需填写：补贴项目/);
  assert.doesNotMatch(await page.innerText("body"), /0\.00|信息有误/);
  assert.equal(await page.isVisible("#error-summary"), false);
  await page.selectOption("#program", "skills_training");
  assert.equal(await page.textContent("#needed"), "还需填写：人员类别、取证日期、申请日期、职业（工种）、技能等级、培训机构、实际缴纳培训费（元）");
  // A rejection shows its reasons, never an amount.
  await fill(page, { ...WELDER, applied_on: "2022-08-03" });
  assert.equal((await shown(page)).status, "rejected");
  assert.doesNotMatch(await page.innerText("#result"), /0\.00/);
  await page.context().close();
});

// ---- 3. errors at the field ----

test("an impossible date is invalid, not missing, and the error stands at its field with a summary link", async () => {
  const page = await open();
  await fill(page, WELDER);
  await page.fill("#event_date", "2021-02-30");
  await page.press("#event_date", "Tab");
  assert.equal(await page.textContent("#event_date-error"), "错误：日期无效：没有这一天");
  assert.equal(await page.getAttribute("#event_date", "aria-invalid"), "true");
  assert.match(await page.getAttribute("#event_date", "aria-describedby"), /\bevent_date-error\b/);
  assert.equal(await page.textContent('#error-list a[href="#event_date"]'), "日期无效：没有这一天");
  assert.equal(await page.inputValue("#institution"), "WX-JG-001", "the institution chosen is kept");
  await page.click('#error-list a[href="#event_date"]');
  assert.equal(await page.evaluate(() => document.activeElement.id), "event_date");
  assert.ok(!page.url().endsWith("#event_date"), "the link does not replace the form's address");
  // Empty is another matter: 请填写, once the result is asked for.
  await page.fill("#event_date", "");
  await page.click("#submit");
  assert.equal(await page.textContent("#event_date-error"), "错误：请填写取证日期");
  await page.fill("#event_date", "8月2日");
  assert.equal(await page.textContent("#event_date-error"), "错误：请按 2021-01-01 的格式填写日期");
  await page.context().close();
});

test("a date outside the rules says the period the rules cover, and the institution stays chosen", async () => {
  const page = await open();
  assert.equal(await page.textContent("#ruleset-period"), "本规则适用于 2021-01-01 至 2021-12-31 的培训");
  await fill(page, WELDER);
  await page.fill("#event_date", "2024-08-01");
  await page.press("#event_date", "Tab");
  assert.equal(await page.textContent("#event_date-error"), "错误：该日期不在本规则的适用期内：本规则适用于 2021-01-01 至 2021-12-31 的培训");
  assert.equal(await page.isVisible("#institution-error"), false, "the institution is not blamed");
  assert.equal(await page.inputValue("#institution"), "WX-JG-001");
  assert.deepEqual((await shown(page)).errors, ["event_date:out_of_period"]);
  await page.context().close();
});

// ---- 4. the plain result first ----

test("the result is one plain sentence first; the worked steps are folded, in words, with how sure each is", async () => {
  const page = await open();
  await fill(page, WELDER);
  const got = await shown(page);
  assert.equal(got.summary, "预计可获 2,600 元（三级 2,000 元＋紧缺职业上浮 30%），2021-09 发放，申请截止 2022-08-02");
  assert.equal(got.amountText, "2,600");
  assert.equal(await page.textContent("#basis summary"), "详细计算依据");
  assert.equal(await page.getAttribute("#basis", "open"), null, "folded");
  await page.click("#basis summary");
  const text = await page.innerText("#result");
  assert.deepEqual(codesIn(text), []);
  const confidence = await page.$$eval("#steps .confidence", (els) => [...new Set(els.map((e) => e.textContent))].sort());
  assert.deepEqual(confidence, ["已确认", "推定", "示例"]);
  await page.fill("#applied_on", "2022-08-03");
  assert.deepEqual((await shown(page)).reasonTexts, ["申请日期 2022-08-03 已超过申请截止日 2022-08-02"]);
  await page.context().close();
});

// ---- 5. a screen reader hears the result once ----

test("the result is announced once when it settles, with its reason, and not during pinyin entry", async () => {
  const page = await open();
  assert.equal(await page.getAttribute("#outcome", "aria-live"), null, "the panel itself is not a live region");
  await fill(page, { ...WELDER, fee_paid: "" });
  await page.waitForFunction(() => document.querySelector("#status")?.dataset.status === "waiting");
  await page.evaluate(() => {
    window.announcements = [];
    new MutationObserver(() => window.announcements.push(document.querySelector("#announce").textContent)).observe(document.querySelector("#announce"), {
      childList: true, characterData: true, subtree: true,
    });
  });
  await page.focus("#fee_paid");
  await page.keyboard.type("4500");
  await page.waitForFunction(() => window.announcements.length > 0);
  await page.waitForTimeout(1500); // longer than the settling time: a second announcement would have come
  assert.deepEqual(await page.evaluate(() => window.announcements), ["预计可获 2,600 元（三级 2,000 元＋紧缺职业上浮 30%），2021-09 发放，申请截止 2022-08-02"]);
  // A rejection is announced with its reason.
  await page.fill("#applied_on", "2022-08-03");
  await page.waitForFunction(() => window.announcements.length > 1);
  assert.match((await page.evaluate(() => window.announcements))[1], /^不符合补贴条件：申请日期 2022-08-03 已超过申请截止日 2022-08-02/);
  // Pinyin being composed (a real IME composition in Chromium) is not read as the occupation.
  const cdp = await page.context().newCDPSession(page);
  await page.fill("#occupation", "");
  await page.focus("#occupation");
  const help = await page.textContent("#occupation-help");
  await cdp.send("Input.imeSetComposition", { text: "hangong", selectionStart: 7, selectionEnd: 7 });
  assert.equal(await page.inputValue("#occupation"), "hangong");
  assert.equal(await page.textContent("#occupation-help"), help, "nothing is looked up while composing");
  await cdp.send("Input.insertText", { text: "焊工" });
  await page.waitForFunction(() => document.querySelector("#occupation-help").textContent.startsWith("焊工（6-18-02-04"));
  await page.context().close();
});

// ---- 6. what people type, the address, paper ----

test("money as people write it — ３０００, 3,000, 3000元, ¥3,000.00 — is read exactly", async () => {
  const page = await open();
  await fill(page, { ...WELDER, level: "4" });
  for (const fee of ["3000", "３０００", "3,000", "3000元", "¥3,000.00", "３,０００.００元"]) {
    await page.fill("#fee_paid", fee);
    assert.equal((await shown(page)).amount, "1500.00", fee);
  }
  await page.fill("#fee_paid", "1,234.5");
  assert.equal((await shown(page)).amount, "1234.50", "capped at the fee, to the fen");
  await page.fill("#fee_paid", "1,234.567");
  await page.press("#fee_paid", "Tab");
  assert.equal(await page.textContent("#fee_paid-error"), "错误：金额最多精确到分（小数点后两位）");
  await page.context().close();
});

test("the address keeps the form: reload, back and forward, a shared link, the language", async () => {
  const page = await open();
  await fill(page, WELDER);
  await page.press("#fee_paid", "Tab");
  const address = page.url();
  assert.match(address, /#.*program=skills_training.*fee_paid=3000/);
  await page.reload();
  await page.waitForSelector("body[data-ready]");
  assert.equal((await shown(page)).amount, "2600.00");
  assert.equal(await page.inputValue("#occupation"), "焊工");
  // Back and forward step through committed changes.
  await page.fill("#fee_paid", "1200");
  await page.press("#fee_paid", "Tab");
  assert.equal((await shown(page)).amount, "1200.00");
  await page.goBack();
  await page.waitForFunction(() => document.querySelector("#amount")?.dataset.amount === "2600.00");
  assert.equal(await page.inputValue("#fee_paid"), "3000");
  await page.goForward();
  await page.waitForFunction(() => document.querySelector("#amount")?.dataset.amount === "1200.00");
  // The language is kept too.
  await page.click("#lang");
  await page.reload();
  await page.waitForSelector("body[data-ready]");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.match(await page.textContent("#summary"), /^About 1,200 yuan/);
  await page.context().close();
  // A link shared with someone else opens the same estimate; the fragment never reaches the server.
  const other = await open(address.slice(address.indexOf("#")));
  assert.equal((await shown(other)).amount, "2600.00");
  assert.ok(server.served.every((p) => !p.includes("fee_paid")), "what was entered is not sent to the server");
  await other.context().close();
});

test("on paper: the estimate and its worked steps, without the controls", async () => {
  const page = await open();
  await fill(page, WELDER);
  await page.emulateMedia({ media: "print" });
  await page.evaluate(() => window.dispatchEvent(new Event("beforeprint")));
  assert.equal(await page.isVisible("#submit"), false);
  assert.equal(await page.isVisible("#lang"), false);
  assert.equal(await page.isVisible("#steps li"), true, "the worked steps are printed");
  assert.equal(await page.isVisible("#summary"), true);
  await page.evaluate(() => window.dispatchEvent(new Event("afterprint")));
  assert.equal(await page.getAttribute("#basis", "open"), null);
  await page.context().close();
});

// ---- 7. small things ----

test("opened as a file, the page says how to open it instead of loading forever", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(pathToFileURL(path.join(www, "index.html")).href);
  await page.waitForSelector(".file-help", { timeout: 5000 });
  assert.match(await page.textContent("#outcome"), /需要通过网址打开.*scripts\/serve-form/);
  await context.close();
});

test("the notice is in a landmark and every ✓/✗ has words a screen reader reads", async () => {
  const page = await open();
  assert.equal(await page.$eval("#notice", (n) => Boolean(n.closest("header, main, footer, [role=region]"))), true);
  const badges = () => page.$$eval("#steps .step-head", (heads) => heads.map((h) => [h.querySelector(".badge").getAttribute("aria-hidden"), h.querySelector(".sr-only").textContent]));
  await fill(page, WELDER);
  const approved = await badges();
  await page.selectOption("#group", "other");
  const rejected = await badges();
  assert.ok([...approved, ...rejected].every(([hidden]) => hidden === "true"), "the symbol itself is not read");
  assert.deepEqual([...new Set([...approved, ...rejected].map(([, words]) => words))].sort(), ["未通过：", "计算：", "通过："].sort());
  await page.context().close();
});

// ---- 8. apprenticeships ----

test("an apprenticeship names the review session and the advance and settlement months, as an estimate", async () => {
  const page = await open();
  await fill(page, APPRENTICE);
  assert.equal(await page.isVisible("#group"), false, "an application has no group");
  assert.equal(await page.textContent('label[for="event_date"]'), "学徒培养开始日期");
  assert.equal(await page.textContent('label[for="applied_on"]'), "提交申请日期");
  const got = await shown(page);
  assert.equal(got.status, "approved");
  assert.equal(got.amount, "10000.00");
  assert.equal(await page.textContent("#status"), "预计可获补贴（估算）");
  assert.deepEqual(await page.$$eval("#schedule li", (lis) => lis.map((li) => li.textContent)), [
    "预计在 2021-04-20 的学徒制会审中审核",
    "2021-05 预拨 2,500 元，2023-04 结算 7,500 元",
    "以上为估算：学徒制补贴须经会审批准，以会审结果为准。",
  ]);
  await page.fill("#applied_on", "2021-12-15");
  await page.fill("#event_date", "2021-12-15");
  assert.deepEqual((await shown(page)).reasonTexts, ["2021-12-15 提交，已赶不上本年度最后一次会审（2021-12-20）"]);
  await page.context().close();
});

// ---- 9. both years ----

test("the 2021 and 2023 rules can both be chosen; each states its own period", async () => {
  const page = await open();
  await page.waitForSelector("body[data-rulesets]");
  assert.deepEqual(await page.$$eval("#rules option", (os) => os.map((o) => o.value)), ["wuxi-2021", "wuxi-2023"]);
  await fill(page, WELDER);
  await page.selectOption("#rules", "wuxi-2023");
  assert.equal(await page.textContent("#ruleset-period"), "本规则适用于 2023-06-01 至 2024-05-31 的培训");
  await page.click("#submit");
  assert.equal(
    await page.textContent("#event_date-error"),
    "错误：该日期不在本规则的适用期内：本规则适用于 2023-06-01 至 2024-05-31 的培训；该日期适用“无锡市职业培训补贴规则（2021）”，可在页首“适用规则”中改选",
  );
  await page.fill("#event_date", "2023-09-06");
  await page.fill("#applied_on", "2023-09-16");
  // Wuxi's published shortage figure for a level-3 welder in 2023 (core/tests/years.rs).
  assert.equal((await shown(page)).amount, "2400.00");
  await page.reload();
  await page.waitForSelector("body[data-ready]");
  assert.equal(await page.inputValue("#rules"), "wuxi-2023");
  assert.equal((await shown(page)).amount, "2400.00");
  await page.selectOption("#rules", "wuxi-2021");
  assert.equal(await page.textContent("#ruleset-period"), "本规则适用于 2021-01-01 至 2021-12-31 的培训");
  await page.context().close();
});

// ---- accessibility, the keyboard, a phone ----

test("axe-core finds no violation in the empty, filled, error and result states", async () => {
  const page = await open();
  const found = {};
  found.empty = await axe(page);
  await fill(page, { program: "skills_training", group: "unemployed", event_date: "2021-08-02", occupation: "焊工" });
  found.filled = await axe(page);
  await page.fill("#event_date", "2021-02-30");
  await page.fill("#fee_paid", "3000.999");
  await page.click("#submit");
  found.error = await axe(page);
  await fill(page, WELDER);
  await page.click("#basis summary");
  found.result = await axe(page);
  assert.deepEqual(found, { empty: [], filled: [], error: [], result: [] });
  await page.context().close();
});

test("a claim can be completed with the keyboard alone", async () => {
  const page = await open();
  const key = (k) => page.keyboard.press(k);
  const at = () => page.evaluate(() => document.activeElement.id);
  while ((await at()) !== "program") await key("Tab");
  await key("ArrowDown"); // 就业技能培训
  await key("Tab");
  assert.equal(await at(), "group");
  await key("ArrowDown");
  await key("ArrowDown"); // 失业人员
  await key("Tab");
  await page.keyboard.type("2021-08-02");
  await key("Tab");
  await page.keyboard.type("2021-08-20");
  await key("Tab");
  assert.equal(await at(), "occupation");
  await page.keyboard.type("6-18-02-04");
  await key("Tab");
  assert.equal(await at(), "level");
  for (let i = 0; i < 3; i++) await key("ArrowDown"); // 五级, 四级, 三级
  await key("Tab");
  assert.equal(await at(), "institution");
  await key("ArrowDown"); // the first in the catalogue
  await key("Tab");
  assert.equal(await at(), "fee_paid");
  await page.keyboard.type("3000");
  await key("Enter");
  assert.equal(await at(), "result-heading", "asking for the result takes the person to it");
  assert.equal((await shown(page)).amount, "2600.00");
  await page.context().close();
});

test("on a phone the error is next to its field and in view, and nothing scrolls sideways", async () => {
  const page = await open("", { width: 390, height: 844 });
  await fill(page, { ...WELDER, fee_paid: "3000.999" });
  await page.press("#fee_paid", "Tab");
  const [error, control] = await Promise.all(["#fee_paid-error", "#fee_paid"].map((s) => page.locator(s).boundingBox()));
  assert.ok(error && error.y >= 0 && error.y + error.height <= 844, `the error is in view (${JSON.stringify(error)})`);
  assert.ok(control.y - (error.y + error.height) < 16 && control.y > error.y, "the error is right above its input");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px too wide)`);
  // From the summary at the top, the link brings the field and its message into view.
  await page.click("#submit");
  await page.click('#error-list a[href="#fee_paid"]');
  const after = await page.locator("#fee_paid-error").boundingBox();
  assert.ok(after.y >= 0 && after.y + after.height <= 844, "in view after following the summary's link");
  const [form, result] = await Promise.all(["#claim", "#result"].map((s) => page.locator(s).boundingBox()));
  assert.ok(result.y >= form.y + form.height - 1, "the result comes below the form on a phone");
  await page.context().close();
});

test("no request leaves the page after it has loaded, and none goes anywhere but its own server", async () => {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  const requests = [];
  let loaded = false;
  page.on("request", (r) => requests.push({ url: r.url(), afterLoad: loaded }));
  await page.goto(server.url);
  await page.waitForSelector("body[data-ready]", { timeout: 15000 });
  loaded = true;
  await fill(page, WELDER);
  await page.waitForSelector("body[data-rulesets]");
  await page.selectOption("#rules", "wuxi-2023");
  await page.click("#lang");
  await fill(page, APPRENTICE);
  const network = requests.filter((r) => !r.url.startsWith("data:"));
  assert.deepEqual(network.filter((r) => !r.url.startsWith(server.url)), [], "every request goes to the page's own server");
  assert.deepEqual(network.filter((r) => r.afterLoad), [], "no request after the first estimate was ready");
  const paths = network.map((r) => new URL(r.url).pathname).sort();
  assert.deepEqual(paths, [
    "/", "/address.js", "/app.js", "/claim.js", "/explain.js", "/input.js", "/opened-as-file.js",
    "/pkg/skill_subsidy_wasm.js", "/pkg/skill_subsidy_wasm_bg.wasm", "/style.css", "/text.js",
  ]);
  await context.close();
  assert.deepEqual(pageErrors, [], "no script error or console error in any test (a CSP violation would be one)");
});
