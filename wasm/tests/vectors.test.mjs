// Runs every conformance vector of tests/vectors/*.json through the browser module, with the
// same comparisons as the Rust runner (core/tests/vectors.rs): claim cases through estimate
// (whatif when a case has overrides), batch cases through estimateBatch in three input orders.
// The vectors are the oracle: the module must give what Rust gives.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { loadModule, root } from "./load.mjs";

const m = await loadModule();

/** JSON equality as serde_json's Value compares (absent = null). */
function same(got, want) {
  return JSON.stringify(got ?? null) === JSON.stringify(want ?? null) || deepEqual(got ?? null, want ?? null);
}
function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
}
const show = (v) => JSON.stringify(v ?? null);

/** Every key of `want` has the same value in `got` (objects key by key, recursively). */
function contains(got, want, at, problems) {
  if (want !== null && typeof want === "object" && !Array.isArray(want) && got !== null && typeof got === "object" && !Array.isArray(got)) {
    for (const [k, wv] of Object.entries(want)) contains(got[k] ?? null, wv, `${at}.${k}`, problems);
  } else if (!same(got, want)) {
    problems.push(`${at}: expected ${show(want)}, got ${show(got)}`);
  }
}

/** Files of a ruleset folder, relative to it: for vectors that name a folder, not an embedded id. */
function rulesetFiles(dir) {
  const files = {};
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".toml")) files[path.relative(dir, p).split(path.sep).join("/")] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return files;
}

let current = "wuxi-2021";
function useRuleset(name) {
  if (name === current) return;
  const source = m.rulesetInfo().embedded.includes(name) ? name : rulesetFiles(path.join(root, name));
  const loaded = m.loadRuleset(source);
  assert.deepEqual(loaded.errors, [], `ruleset ${name}`);
  current = name;
}

function vectorFiles(kind) {
  const dir = path.join(root, "tests/vectors");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ file: f, doc: JSON.parse(readFileSync(path.join(dir, f), "utf8")) }))
    .filter(({ doc }) => (doc.kind ?? "claim") === kind);
}

const strings = (v) => (Array.isArray(v) ? v.map((s) => (typeof s === "string" ? s : "")) : []);

test("claim vectors give the expected assessments and traces", () => {
  const failures = [];
  let count = 0;
  for (const { file, doc } of vectorFiles("claim")) {
    useRuleset(doc.ruleset ?? "wuxi-2021");
    for (const c of doc.cases) {
      count += 1;
      const name = c.name ?? "?";
      const options = { lenient: c.lenient === true, trace: true };
      let record;
      if (c.overrides !== undefined) {
        const out = m.whatif(c.overrides, c.claim, options);
        if (out.errors.length > 0) {
          failures.push(`${file} / ${name}: overrides refused: ${show(out.errors)}`);
          continue;
        }
        record = out.variant;
      } else {
        record = m.estimate(c.claim, options);
      }
      const expect = c.expect ?? {};
      const problems = [];
      for (const key of ["status", "amount", "catalogue_version", "payment_month"]) {
        if (key in expect && !same(record[key], expect[key])) problems.push(`${key}: expected ${show(expect[key])}, got ${show(record[key])}`);
      }
      if ("reasons" in expect) {
        const want = strings(expect.reasons);
        if (!same(strings(record.reasons), want)) problems.push(`reasons: expected ${show(want)}, got ${show(record.reasons)}`);
      }
      if ("errors" in expect) {
        const want = strings(expect.errors);
        const got = record.errors.map((e) => `${e.field}:${e.code}`);
        if (!same(got, want)) problems.push(`errors: expected ${show(want)}, got ${show(got)}`);
      }
      if ("steps" in expect) {
        const want = strings(expect.steps);
        const got = (record.trace?.steps ?? []).map((s) => s.step);
        if (!same(got, want)) problems.push(`steps: expected ${show(want)}, got ${show(got)}`);
      }
      if ("estimate" in expect) contains(record.estimate ?? null, expect.estimate, "estimate", problems);
      if (problems.length > 0) failures.push(`${file} / ${name}:\n    ${problems.join("\n    ")}`);
    }
  }
  useRuleset("wuxi-2021");
  console.log(`claim vectors: ${count - failures.length} of ${count} cases passed`);
  assert.ok(count > 0, "no claim vectors found");
  assert.equal(failures.length, 0, `${failures.length} of ${count} vector cases failed:\n  ${failures.join("\n  ")}`);
});

test("batch vectors give the expected assessments and report in any input order", () => {
  const failures = [];
  let count = 0;
  for (const { file, doc } of vectorFiles("batch")) {
    useRuleset(doc.ruleset ?? "wuxi-2021");
    for (const c of doc.cases) {
      count += 1;
      const name = c.name ?? "?";
      const claims = c.claims ?? [];
      const applications = c.applications ?? [];
      const orders = (n) => [
        [...Array(n).keys()],
        [...Array(n).keys()].reverse(),
        [...Array(n).keys()].map((i) => (i + 1) % Math.max(n, 1)),
      ];
      const [claimOrders, appOrders] = [orders(claims.length), orders(applications.length)];
      const problems = [];
      for (let k = 0; k < 3; k++) {
        const label = ["as given", "reversed", "rotated"][k];
        const out = m.estimateBatch(claimOrders[k].map((i) => claims[i]), c.history ?? [], {
          overrides: c.overrides,
          applications: appOrders[k].map((i) => applications[i]),
        });
        if (out.errors.length > 0) {
          problems.push(`${label}: refused: ${show(out.errors)}`);
          continue;
        }
        const apps = new Map(out.applications.map((a) => [a.application_id, a]));
        for (const want of c.expect?.applications ?? []) {
          const got = apps.get(want.application_id ?? "");
          if (got === undefined) problems.push(`${label}: no application ${want.application_id}`);
          else contains(got, want, `${label} ${want.application_id}`, problems);
        }
        const byId = new Map(out.records.map((r) => [r.claim_id, r]));
        for (const want of c.expect?.assessments ?? []) {
          const got = byId.get(want.claim_id ?? "");
          if (got === undefined) problems.push(`${label}: no claim ${want.claim_id}`);
          else contains(got, want, `${label} ${want.claim_id}`, problems);
        }
        if (c.expect?.report !== undefined) contains(out.report, c.expect.report, `${label} report`, problems);
      }
      if (problems.length > 0) failures.push(`${file} / ${name}:\n    ${problems.join("\n    ")}`);
    }
  }
  useRuleset("wuxi-2021");
  console.log(`batch vectors: ${count - failures.length} of ${count} cases passed`);
  assert.equal(failures.length, 0, `${failures.length} of ${count} batch cases failed:\n  ${failures.join("\n  ")}`);
});

// The demo year through estimateBatch and through the Rust CLI (when it is built): every record
// and the report must be the same, to the fen. The CLI is $SUBSIDY_CLI, or else the debug build
// (scripts/test-browser builds it), or else the release build.
const cli = process.env.SUBSIDY_CLI
  ?? ["debug", "release"].map((p) => path.join(root, "target", p, "subsidy")).find((f) => existsSync(f))
  ?? path.join(root, "target/debug/subsidy");
// Named by $SUBSIDY_CLI (scripts/test-browser), it must be there; otherwise it is compared when built.
test("the demo year gives the CLI's records and report", { skip: !process.env.SUBSIDY_CLI && !existsSync(cli) && `${cli} is not built` }, () => {
  const readCsv = (file) => {
    const [header, ...lines] = readFileSync(path.join(root, file), "utf8").trimEnd().split("\n");
    const names = header.split(",");
    return lines.map((line) => {
      const cells = line.split(",");
      return Object.fromEntries(names.map((n, i) => [n, cells[i]]).filter(([, v]) => v !== undefined && v !== ""));
    });
  };
  const claims = readCsv("examples/demo-2021.csv");
  const history = readCsv("examples/history-2021.csv");
  const out = m.estimateBatch(claims, history);
  assert.deepEqual(out.errors, []);
  const tmp = path.join(os.tmpdir(), `skill-subsidy-wasm-${process.pid}`);
  execFileSync(cli, ["assess", path.join(root, "examples/demo-2021.csv"), "--history", path.join(root, "examples/history-2021.csv"),
    "--out", `${tmp}.jsonl`, "--report", `${tmp}.report.json`], { stdio: "ignore" });
  const expected = readFileSync(`${tmp}.jsonl`, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
  const report = JSON.parse(readFileSync(`${tmp}.report.json`, "utf8"));
  assert.equal(out.records.length, expected.length);
  const differing = out.records.filter((r, i) => !same(r, expected[i]));
  assert.equal(differing.length, 0, `first differing record: ${show(differing[0])}`);
  assert.deepEqual(out.report, report);
  console.log(`demo year: ${out.records.length} records and the report equal the CLI's (approved ${out.report.approved_amount} yuan)`);
});
