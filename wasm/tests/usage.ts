// Type-checked (not run) by scripts/test-browser: the .d.ts describes the module as a bureau's
// TypeScript code would use it.
import init, { estimate, estimateBatch, whatif, programs, catalogue, rulesetInfo, rulesets, reasons, loadRuleset } from "../pkg/skill_subsidy_wasm.js";
import type { AssessmentRecord, Claim, HistoryRecord, ProgramId } from "../pkg/skill_subsidy_wasm.js";

export async function example(): Promise<string> {
  await init();
  const claim: Claim = {
    claim_id: "C1", program: "skills_training", person_id: "P1", occupation: "6-18-02-04", level: "3",
    institution: "WX-JG-001", fee_paid: "3000.00", event_date: "2021-08-02", applied_on: "2021-08-20",
  };
  const record: AssessmentRecord = estimate(claim);
  const plain = estimate(claim, { trace: false, lenient: true });
  const history: HistoryRecord[] = [{ person_id: "P1", program: "pre_job", event_date: "2021-05-10", applied_on: "2021-05-11", amount: "300.00" }];
  const batch = estimateBatch([claim], history, { overrides: { "shortage.rate": "0.20" } });
  const both = whatif({ "programs.skills_training.amounts.3": { "2021-07-01..2021-12-31": "2200" } }, claim);
  const fields: string[] = programs().find((p) => p.id === "online")?.fields ?? [];
  const shortage: boolean = catalogue("2021-08-02").occupations.some((o) => o.shortage);
  const steps = record.trace?.steps.map((s) => `${s.step}: ${s.note_zh} [${s.citation ?? ""}]`) ?? [];
  const status: string = rulesetInfo().status;
  const reason = reasons().find((r) => r.code === record.reasons[0])?.message_zh;
  const loaded = loadRuleset("wuxi-2023").errors.length === 0;
  const years = rulesets().map((r) => `${r.id} ${r.period?.from ?? ""}..${r.period?.to ?? ""}${r.current ? " (in use)" : ""}`);
  const apprentice = estimate({
    claim_id: "A1", program: "apprenticeship", person_id: "P1", enterprise_id: "E1", occupation: "6-31-01-10", level: "3",
    institution: "WX-JG-016", months: 24, event_date: "2021-03-01", applied_on: "2021-03-10",
  });
  const schedule = (apprentice.estimate?.payments ?? []).map((p) => `${p.kind} ${p.month} ${p.amount}`).join(", ") + ` at ${apprentice.estimate?.session ?? "no session"}`;
  const program: ProgramId | null = record.program;
  // A misspelt program is a type error (issue 16)…
  // @ts-expect-error "skils_training" is not a ProgramId
  estimate({ ...claim, program: "skils_training" });
  // …and a bureau's own ruleset names its programs as the type argument.
  estimate<"city_program">({ ...claim, program: "city_program" });
  return [record.amount, plain.status, batch.report?.approved_amount, both.variant?.amount, fields.join(), shortage, steps.length, status, reason, loaded, years.join(), schedule, program].join(" ");
}
