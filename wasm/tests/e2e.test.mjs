// The estimate form in headless Chromium: fills it for conformance-vector cases (approved,
// uplifted by the shortage list, capped at the fee, rejected with reasons, invalid input) and
// checks what it shows against the vectors' expectations; checks labels, the keyboard, the
// language toggle and a phone-sized screen; and asserts that after loading its own files the
// page sends no request at all. Saves tests/screenshot.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { launch } from "./browser.mjs";
import { serve } from "./server.mjs";
import { root, wasmDir } from "./load.mjs";

/** A vector case by file and name (the vectors are the oracle for what the form shows). */
function vector(file, name) {
  const doc = JSON.parse(readFileSync(path.join(root, "tests/vectors", file), "utf8"));
  const found = doc.cases.find((c) => c.name.startsWith(name));
  assert.ok(found, `${file}: no case named ${name}`);
  return found;
}

const CASES = [
  ["approved", "programs.json", "an unemployed cook's level-4 certificate (not a shortage occupation)"],
  ["uplifted by the shortage list", "shortage.json", "a welder's level-3 certificate on the shortage list is uplifted by 30%"],
  ["capped at the fee", "fee_cap.json", "skills_training pays the fee when it is below the level-4 standard"],
  ["rejected: claim window", "reasons.json", "an application 12 months and one day after the certificate is claim_window_expired"],
  ["rejected: contributions (another program)", "programs.json", "11 months of unemployment-insurance contributions are too few"],
  ["invalid input", "invalid.json", "\"19.999\" is more precise than the fen"],
];

let server;
let browser;
let page;
const requests = [];
let loaded = false;
const pageErrors = [];

before(async () => {
  server = await serve();
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 }, locale: "zh-CN" });
  page.on("request", (r) => requests.push({ url: r.url(), afterLoad: loaded }));
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => m.type() === "error" && pageErrors.push(m.text()));
  await page.goto(server.url);
  await page.waitForSelector("body[data-ready]", { timeout: 15000 });
  loaded = true;
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Fills the form with a vector claim's fields, as a person would. */
async function fill(claim) {
  await page.selectOption("#program", claim.program);
  await page.fill("#event_date", claim.event_date);
  await page.fill("#applied_on", claim.applied_on);
  if (claim.occupation !== undefined) await page.fill("#occupation", claim.occupation);
  await page.selectOption("#group", claim.group ?? "employee");
  if (claim.level !== undefined) await page.selectOption("#level", claim.level);
  if (claim.institution !== undefined) await page.selectOption("#institution", claim.institution);
  for (const field of ["fee_paid", "months", "ui_contribution_months", "enterprise_id"]) {
    if (claim[field] !== undefined) await page.fill(`#${field}`, String(claim[field]));
  }
}

async function shown() {
  return page.evaluate(() => ({
    status: document.querySelector("#status")?.dataset.status,
    amount: document.querySelector("#amount")?.dataset.amount,
    amountText: document.querySelector("#amount")?.textContent,
    reasons: [...document.querySelectorAll("#reasons li")].map((li) => li.dataset.code),
    reasonTexts: [...document.querySelectorAll("#reasons li")].map((li) => li.textContent),
    errors: [...document.querySelectorAll("#errors li")].map((li) => `${li.dataset.field}:${li.dataset.code}`),
    errorTexts: [...document.querySelectorAll("#errors li")].map((li) => li.textContent),
    steps: [...document.querySelectorAll("#steps li")].map((li) => li.dataset.step),
    links: [...document.querySelectorAll("#steps a")].map((a) => a.href),
    text: document.querySelector("#result").textContent,
  }));
}

for (const [label, file, name] of CASES) {
  test(`the form shows the vector's result: ${label}`, async () => {
    const c = vector(file, name);
    await fill(c.claim);
    const got = await shown();
    const want = c.expect;
    assert.equal(got.status, want.status);
    assert.equal(got.amount, want.amount);
    assert.equal(got.amountText, want.amount);
    assert.deepEqual(got.reasons, want.reasons ?? []);
    if (want.errors) assert.deepEqual(got.errors, want.errors);
    if (want.steps) assert.deepEqual(got.steps, want.steps);
    assert.doesNotMatch(got.text, /\b(null|undefined|NaN)\b/, "no stray null or undefined is shown");
    // Plain reasons and errors, in Chinese by default.
    for (const text of [...got.reasonTexts, ...got.errorTexts]) assert.match(text, /[\u4e00-\u9fff]/);
    if (want.status === "approved") {
      assert.ok(got.steps.includes("rounding"), "the trace is shown step by step");
      assert.ok(got.links.every((href) => /^https?:\/\//.test(href)), "citations link to their source");
      assert.ok(got.links.length > 0, "at least one citation links to its source");
    }
  });
}

test("an occupation can be found by its name, and only its levels are offered", async () => {
  await page.selectOption("#program", "skills_training");
  await page.fill("#event_date", "2021-08-02");
  await page.fill("#applied_on", "2021-08-20");
  await page.fill("#occupation", "焊工");
  assert.match(await page.textContent("#occupation-help"), /6-18-02-04/);
  const levels = await page.$$eval("#level option", (os) => os.map((o) => o.value));
  assert.deepEqual(levels, ["5", "4", "3", "2", "1", "S"]);
  const options = await page.$$eval("#occupation-list option", (os) => os.map((o) => o.value));
  assert.ok(options.includes("6-18-02-04") && options.length > 60, "the datalist offers the catalogue in force");
});

test("the form is usable with the keyboard and every input has a label", async () => {
  const unlabelled = await page.$$eval("input, select", (els) => els.filter((e) => !e.labels || e.labels.length === 0).map((e) => e.id));
  assert.deepEqual(unlabelled, []);
  await page.selectOption("#program", "skills_training");
  await page.fill("#event_date", "2021-05-10");
  await page.fill("#applied_on", "2021-05-25");
  await page.fill("#occupation", "");
  await page.focus("#occupation");
  await page.keyboard.type("6-18-02-04");
  await page.keyboard.press("Tab"); // to the level
  assert.equal(await page.evaluate(() => document.activeElement.id), "level");
  await page.selectOption("#level", "4");
  await page.focus("#level");
  await page.keyboard.press("ArrowDown"); // level 4 → level 3
  assert.equal(await page.inputValue("#level"), "3");
  await page.selectOption("#institution", "WX-JG-009");
  await page.fill("#fee_paid", "");
  await page.focus("#fee_paid");
  await page.keyboard.type("5000");
  const got = await shown();
  assert.equal(got.amount, "2600.00");
});

test("the language toggle switches to English and back", async () => {
  const c = vector("reasons.json", "an application 12 months and one day after the certificate is claim_window_expired");
  await fill(c.claim);
  await page.click("#lang");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  const en = await shown();
  assert.deepEqual(en.reasonTexts, ["the application came after the claim window closed"]);
  assert.match(await page.textContent("#steps"), /claim window|Claim window|12 months/i);
  await page.click("#lang");
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  assert.deepEqual((await shown()).reasonTexts, ["超过申请期限"]);
});

test("it works on a phone-sized screen", async () => {
  const c = vector("shortage.json", "a welder's level-3 certificate on the shortage list is uplifted by 30%");
  await fill(c.claim);
  await page.screenshot({ path: path.join(wasmDir, "tests/screenshot.png"), fullPage: false });
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px too wide)`);
  const [form, result] = await Promise.all(["#claim", "#result"].map((s) => page.locator(s).boundingBox()));
  assert.ok(result.y >= form.y + form.height - 1, "the result comes below the form on a phone");
  await page.screenshot({ path: path.join(wasmDir, "tests/screenshot-phone.png"), fullPage: true });
  await page.setViewportSize({ width: 1200, height: 900 });
});

test("no request leaves the page after it has loaded, and none goes anywhere but its own server", () => {
  assert.deepEqual(pageErrors, [], "no script error or console error (a CSP violation would be one)");
  const network = requests.filter((r) => !r.url.startsWith("data:"));
  const elsewhere = network.filter((r) => !r.url.startsWith(server.url));
  assert.deepEqual(elsewhere, [], "every request goes to the page's own server");
  assert.deepEqual(network.filter((r) => r.afterLoad), [], "no request after the first estimate was ready");
  const paths = network.map((r) => new URL(r.url).pathname).sort();
  assert.deepEqual(paths, ["/", "/app.js", "/pkg/skill_subsidy_wasm.js", "/pkg/skill_subsidy_wasm_bg.wasm", "/style.css"]);
});
