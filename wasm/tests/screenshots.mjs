// Screenshots of the estimate form in its states — empty (as it opens), filled (part of a claim
// entered), error (an impossible date and a fee finer than the fen), result (a complete claim: a
// welder's level-3 certificate on the shortage list), basis (the same with its worked steps
// unfolded), apprenticeship (an apprenticeship's estimate) — at 1280×800 and at 390×844 (a
// phone), whole pages, into wasm/docs/<prefix>-<state>-<width>.png.
//
//   node tests/screenshots.mjs [prefix] [www folder]     (default: "after", wasm/www)
//
// Kept to compare the form before and after a change (issue 16 has both sets); not a test.
import path from "node:path";
import { launch } from "./browser.mjs";
import { serve, wwwDir } from "./server.mjs";
import { wasmDir } from "./load.mjs";

const prefix = process.argv[2] ?? "after";
const root = path.resolve(process.argv[3] ?? wwwDir);
const out = path.join(wasmDir, "docs");

/** Types a date into the field, whether it is a text field or the browser's date control. */
async function date(page, id, value) {
  const type = await page.getAttribute(`#${id}`, "type");
  if (type === "date") {
    // The date control takes no impossible date through fill(): empty it instead.
    if (Number.isNaN(Date.parse(value)) || new Date(value).toISOString().slice(0, 10) !== value) await page.fill(`#${id}`, "");
    else await page.fill(`#${id}`, value);
  } else {
    await page.fill(`#${id}`, value);
  }
}

async function part(page) {
  await page.selectOption("#program", "skills_training");
  await date(page, "event_date", "2021-08-02");
  await date(page, "applied_on", "2021-08-20");
  await page.fill("#occupation", "焊工");
}

async function whole(page) {
  await part(page);
  await page.selectOption("#group", "unemployed");
  await page.selectOption("#level", "3");
  await page.selectOption("#institution", "WX-JG-001");
  await page.fill("#fee_paid", "3000");
}

const STATES = {
  empty: async () => {},
  filled: part,
  error: async (page) => {
    await whole(page);
    await date(page, "event_date", "2021-02-30");
    await page.fill("#fee_paid", "3000.999");
    const submit = await page.$("#submit");
    if (submit) await submit.click();
  },
  result: whole,
  // The result with its worked steps unfolded, and an apprenticeship's estimate.
  basis: async (page) => {
    await whole(page);
    const summary = await page.$("#basis summary");
    if (summary) await summary.click();
  },
  apprenticeship: async (page) => {
    await page.selectOption("#program", "apprenticeship");
    await date(page, "event_date", "2021-03-01");
    await date(page, "applied_on", "2021-03-10");
    await page.fill("#occupation", "6-31-01-10");
    await page.selectOption("#level", "3");
    await page.selectOption("#institution", "WX-JG-016");
    await page.fill("#months", "24");
    await page.fill("#enterprise_id", "E0007");
  },
};

const server = await serve({ root });
const browser = await launch();
try {
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    for (const [state, act] of Object.entries(STATES)) {
      const page = await browser.newPage({ viewport: { width, height }, locale: "zh-CN" });
      await page.goto(server.url);
      await page.waitForSelector("body[data-ready]", { timeout: 15000 });
      await act(page);
      await page.waitForTimeout(50);
      const file = path.join(out, `${prefix}-${state}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
