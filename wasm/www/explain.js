// A record told to a person: the plain result first — "预计可获 2,600 元（三级 2,000 元＋紧缺职业上浮
// 30%），2021-09 发放，申请截止 2022-08-02" — the reasons of a rejection as facts one can act on (the
// deadline that passed, the project's dates), and each step of the trace in words, with its
// source and how sure it is (已确认/推定/示例). Built from the trace's data (step, outcome, before,
// after) and the ruleset's names, so that no step id, rule path or code reaches the Chinese
// view. No DOM here: tests/explain.test.mjs runs every vector case through it in Node.
import { TEXT, GROUP_EN, FUND_EN, STEP_TITLE } from "./text.js";
import { yuan, percent } from "./input.js";

const CJK = /[\u4e00-\u9fff]/;

/**
 * Explains a record. `ctx`: { lang, info (rulesetInfo), program (programs() entry of the claim),
 * catalogue (catalogue() on the claim's event date), claim (as sent), reasons (Map code → reason) }.
 * Returns { status, estimate, amount, sentence, reasons: [{code, text}], schedule: [text],
 * meta: [text], steps: [{step, outcome, title, outcomeText, text, source}] }.
 */
export function explain(record, ctx) {
  const x = helpers(record, ctx);
  const reasons = record.reasons.map((code) => ({ code, text: reasonText(code, x) }));
  return {
    status: record.status,
    estimate: Boolean(record.estimate),
    amount: record.amount,
    sentence: record.status === "approved" ? approvedSentence(x) : x.tx.rejectedBecause(reasons.map((r) => r.text)),
    reasons,
    schedule: record.estimate ? schedule(record, x) : [],
    meta: meta(record, x),
    steps: steps(record).map((s) => ({
      step: s.step,
      outcome: s.outcome,
      title: STEP_TITLE[ctx.lang][s.step] ?? STEP_TITLE[ctx.lang].other,
      outcomeText: x.tx.outcome[s.outcome] ?? "",
      text: stepText(s, x),
      source: source(s, x),
    })),
  };
}

/** The steps to show: the trace's (an apprenticeship estimate's have no claim window and no
 * month-after payment: the core leaves them out, its payments are staged and shown in the schedule). */
function steps(record) {
  return record.trace?.steps ?? [];
}

function helpers(record, ctx) {
  const zh = ctx.lang === "zh";
  const tx = TEXT[ctx.lang];
  const { info, program, catalogue, claim } = ctx;
  const shown = steps(record);
  const levelInfo = (code) => info.levels.find((l) => l.code === code);
  const x = {
    zh,
    tx,
    ctx,
    record,
    program,
    claim,
    L: (zhText, enText) => (zh ? zhText : enText),
    step: (id) => shown.find((s) => s.step === id),
    occupation: (code) => catalogue?.occupations.find((o) => o.code === code),
    institution: (id) => catalogue?.institutions.find((i) => i.id === id),
    evaluator: (id) => catalogue?.evaluators?.find((i) => i.id === id),
    version: (id, kind) => catalogue?.versions.find((v) => v.version === id && v.kind === kind),
    name: (thing) => (zh ? thing.name_zh : thing.name_en ?? thing.name_zh),
    // "三级/高级工" → "三级", "level 3 (senior worker)" → "level 3": a level in a sentence.
    levelShort: (code) => (levelInfo(code) ? (zh ? levelInfo(code).name_zh.split("/")[0] : levelInfo(code).name_en.split(" (")[0]) : code ?? ""),
    group: (code) => (zh ? info.groups.find((g) => g.code === code)?.name_zh : GROUP_EN[code]) ?? code,
    fund: (code) => (zh ? program?.fund_name_zh : FUND_EN[code]) ?? code,
    eventLabel: () => (program && tx.eventDate[program.kind]) ?? tx.event_date,
  };
  x.levels = (codes) => codes.map(x.levelShort).join(zh ? "、" : ", ");
  x.groups = (codes) => codes.map(x.group).join(zh ? "、" : ", ");
  x.occupationName = (code) => {
    const o = x.occupation(code);
    return o ? x.name(o) : code;
  };
  x.programName = program ? x.name(program) : claim.program;
  return x;
}

const same = (a, b) => yuan(a) === yuan(b);

/** "预计可获 2,600 元（三级 2,000 元＋紧缺职业上浮 30%），2021-09 发放，申请截止 2022-08-02". */
function approvedSentence(x) {
  const { L, tx, step, claim, program, ctx } = x;
  const base = step("base_amount") ?? step("cap");
  const parts = [];
  if (base && program?.kind === "level_table") parts.push(L(`${x.levelShort(claim.level)} ${yuan(base.after)} 元`, `${yuan(base.after)} yuan for ${x.levelShort(claim.level)}`));
  else if (base) parts.push(note(base, x).replace(/\s*=\s*[\d.]+$/, ""));
  const uplift = step("shortage_uplift");
  if (uplift && !same(uplift.before, uplift.after) && parts.length) {
    const rate = ctx.catalogue?.shortage?.rate;
    parts[0] += L(`＋紧缺职业上浮${rate ? ` ${percent(rate)}` : ""}`, ` + ${rate ? `${percent(rate)} ` : ""}shortage-occupation uplift`);
  }
  const months = step("months_cap");
  if (months && months.before !== months.after) parts.push(L(`最多补贴 ${months.after} 个月`, `at most ${months.after} months paid`));
  const fee = step("fee_cap");
  if (fee && !same(fee.before, fee.after)) parts.push(L(`按实际缴纳培训费 ${yuan(claim.fee_paid)} 元封顶`, `capped at the fee of ${yuan(claim.fee_paid)} yuan`));
  const amount = yuan(x.record.amount);
  let sentence = `${tx.mayGet(amount)}${parts.length ? L(`（${parts.join("，")}）`, ` (${parts.join("; ")})`) : ""}`;
  const payment = step("payment");
  if (payment?.after) sentence += L(`，${tx.paidIn(payment.after)}`, `, ${tx.paidIn(payment.after)}`);
  const window = step("claim_window");
  if (window?.after && window.outcome === "pass") sentence += L(`，${tx.deadline(window.after)}`, `, ${tx.deadline(window.after)}`);
  return sentence;
}

/** An apprenticeship estimate's session and staged payments, and that it is an estimate. */
function schedule(record, x) {
  const { tx } = x;
  const lines = [];
  if (record.estimate?.session) lines.push(tx.apprenticeship.session(record.estimate.session));
  const payments = (record.estimate?.payments ?? []).map((p) => tx.apprenticeship.payment[p.kind]?.(p.month, yuan(p.amount.replace(/^-/, ""))) ?? `${p.month} ${yuan(p.amount)}`);
  if (payments.length) lines.push(payments.join(x.L("，", ", ")));
  lines.push(tx.apprenticeship.caveat);
  return lines;
}

function meta(record, x) {
  const { tx, program } = x;
  const out = [];
  if (program) out.push(`${tx.payee[program.payee] ?? ""} · ${tx.fundFrom(x.fund(program.fund))}`);
  const v = record.catalogue_version && x.version(record.catalogue_version, "occupations");
  if (v) out.push(tx.catalogueUsed(x.zh ? v.name_zh : `${v.version} (${v.effective_from} to ${v.effective_to})`));
  return out;
}

/** A rejection's reason as the fact a person can act on. */
function reasonText(code, x) {
  const { L, step, claim, program, tx } = x;
  const at = (id) => step(id) ?? {};
  switch (code) {
    case "claim_window_expired": {
      const w = at("claim_window");
      return L(`申请日期 ${w.before ?? claim.applied_on} 已超过申请截止日 ${w.after}`, `applied on ${w.before ?? claim.applied_on}, after the deadline of ${w.after}`);
    }
    case "applied_before_event":
      return L(`申请日期 ${claim.applied_on} 早于${x.eventLabel()} ${claim.event_date}`, `applied on ${claim.applied_on}, before the ${x.eventLabel().toLowerCase()} ${claim.event_date}`);
    case "group_not_eligible":
      return L(
        `${x.programName}的补贴对象不包括${x.group(claim.group ?? "employee")}（补贴对象：${x.groups(program?.groups ?? [])}）`,
        `${x.programName} does not serve the group ${x.group(claim.group ?? "employee")} (it serves: ${x.groups(program?.groups ?? [])})`,
      );
    case "occupation_not_in_catalogue": {
      const v = x.version(x.record.catalogue_version, "occupations");
      return L(`“${claim.occupation}”不在${v ? `《${v.name_zh}》` : "当期补贴职业目录"}中`, `${claim.occupation} is not in the catalogue in force${v ? ` (${v.version})` : ""}`);
    }
    case "level_not_offered": {
      const o = x.occupation(claim.occupation);
      if (at("occupation").outcome === "fail" && o) {
        return L(`${x.name(o)}在目录中可评定的等级为${x.levels(o.levels)}，没有${x.levelShort(claim.level)}`, `${x.name(o)} is certified at ${x.levels(o.levels)} only, not ${x.levelShort(claim.level)}`);
      }
      const offered = at("level").after?.split(",") ?? program?.levels ?? [];
      return L(`${x.programName}只补贴${x.levels(offered)}，不含${x.levelShort(claim.level)}`, `${x.programName} pays for ${x.levels(offered)} only, not ${x.levelShort(claim.level)}`);
    }
    case "institution_not_approved": {
      const i = x.institution(claim.institution);
      if (!i) return L(`所选培训机构不在当期培训机构目录中`, `the institution is not in the institution catalogue in force`);
      return L(`${x.name(i)}未获准培训${x.occupationName(claim.occupation)}`, `${x.name(i)} is not approved to train ${x.occupationName(claim.occupation)}`);
    }
    case "evaluator_not_approved": {
      const i = x.evaluator(claim.evaluator);
      if (!i) return L(`所填评价机构不在当期评价机构目录中`, `the evaluation institution is not in the evaluation catalogue in force`);
      return L(`${x.name(i)}未获准评价${x.occupationName(claim.occupation)}`, `${x.name(i)} is not approved to evaluate ${x.occupationName(claim.occupation)}`);
    }
    case "insufficient_ui_contributions": {
      const c = at("program_conditions");
      return L(`失业保险缴费 ${c.before} 个月，需不少于 ${c.after} 个月`, `${c.before} months of unemployment-insurance contributions; at least ${c.after} are needed`);
    }
    case "unknown_project": {
      const p = program?.projects.find((it) => it.id === claim.project);
      if (!p) return L(`没有编号为 ${claim.project} 的已立项项目`, `there is no approved project ${claim.project}`);
      return L(
        `项目“${p.name_zh}”的有效期为 ${p.effective_from} 至 ${p.effective_to}，${x.eventLabel()} ${claim.event_date} 不在其中`,
        `project ${p.id} runs from ${p.effective_from} to ${p.effective_to}; the ${x.eventLabel().toLowerCase()} ${claim.event_date} is outside it`,
      );
    }
    case "duration_out_of_range": {
      const c = at("program_conditions");
      const [min, max] = (c.after ?? "").split("..");
      return L(`学徒培养期 ${c.before} 个月，补贴期限须为 ${min} 至 ${max} 个月`, `${c.before} months; ${min} to ${max} months are paid`);
    }
    case "no_catalogue_in_force":
      return L(`${claim.event_date} 当日没有有效的补贴目录`, `no catalogue is in force on ${claim.event_date}`);
    case "no_review_session": {
      const last = program?.review?.sessions.at(-1);
      return L(`${claim.applied_on} 提交，已赶不上本年度最后一次会审${last ? `（${last}）` : ""}`, `submitted ${claim.applied_on}: too late for the year's last session${last ? ` (${last})` : ""}`);
    }
    case "nothing_to_pay":
      return L("补贴金额为 0 元，无需发放", "the amount comes to 0.00: nothing to pay");
    case "unknown_program":
      return L(`${x.ctx.info.name_zh}中没有这个补贴项目`, `${x.ctx.info.name_en} has no such program`);
    default: {
      const r = x.ctx.reasons?.get(code);
      return r ? L(r.message_zh, r.message_en) : tx.rejected;
    }
  }
}

/** The engine's own note, where it reads as plain words in the view's language. */
function note(s, x) {
  const text = x.zh ? s.note_zh : s.note_en;
  // A Chinese note that names a code (a program id, a calculation kind) is not shown as is.
  return x.zh && /[A-Za-z_]{2,}/.test(text) ? "" : text;
}

/** One step of the trace in words. */
function stepText(s, x) {
  const { L, claim, program } = x;
  const pass = s.outcome !== "fail";
  switch (s.step) {
    case "program":
      if (!program) return reasonText("unknown_program", x);
      return L(
        `${x.programName}：${x.tx.payee[program.payee]}，${x.tx.fundFrom(x.fund(program.fund))}`,
        `${x.programName}: ${x.tx.payee[program.payee]}, ${x.tx.fundFrom(x.fund(program.fund))}`,
      );
    case "catalogue": {
      if (!pass) return L(`${s.before} 当日没有有效的补贴目录`, `no catalogue version is in force on ${s.before}`);
      const v = x.version(s.after, "occupations");
      return v
        ? L(`按 ${s.before} 当日有效的《${v.name_zh}》（${v.effective_from} 至 ${v.effective_to}）`, `version ${v.version} (${v.effective_from} to ${v.effective_to}), in force on ${s.before}`)
        : L(`按 ${s.before} 当日有效的目录`, `the version in force on ${s.before}`);
    }
    case "occupation": {
      const o = x.occupation(s.before);
      if (!o) return L(`“${s.before}”不在当期补贴职业目录中`, `${s.before} is not in the catalogue in force`);
      const levels = (s.after ?? "").split(",").filter(Boolean);
      return pass
        ? L(`${x.name(o)}（${o.code}）在目录中，可评定等级：${x.levels(levels)}`, `${x.name(o)} (${o.code}) is in the catalogue, certified at ${x.levels(levels)}`)
        : reasonText("level_not_offered", x);
    }
    case "level": {
      const offered = (s.after ?? "").split(",").filter(Boolean);
      return L(
        `${x.programName}补贴的等级：${x.levels(offered)}；${x.levelShort(s.before)}${pass ? "在列" : "不在补贴范围内"}`,
        `${x.programName} pays for ${x.levels(offered)}; ${x.levelShort(s.before)} is ${pass ? "one of them" : "not"}`,
      );
    }
    case "group": {
      const groups = (s.after ?? "").split(",").filter(Boolean);
      return L(
        `${x.group(s.before)}${pass ? "可以" : "不可以"}申请${x.programName}（补贴对象：${x.groups(groups)}）`,
        `${x.group(s.before)} ${pass ? "may" : "may not"} claim ${x.programName} (it serves: ${x.groups(groups)})`,
      );
    }
    case "institution": {
      const i = x.institution(s.before);
      if (!pass || !i) return reasonText("institution_not_approved", x);
      return L(`${x.name(i)}（${i.district}）在当期培训机构目录中，准予培训`, `${x.name(i)} (${i.district}) is in the catalogue in force and approved`);
    }
    case "evaluator": {
      const i = x.evaluator(s.before);
      if (!pass || !i) return reasonText("evaluator_not_approved", x);
      return L(`${x.name(i)}（${i.district}）在当期评价机构目录中，准予评价`, `${x.name(i)} (${i.district}) is in the evaluation catalogue in force and approved`);
    }
    case "claim_window":
      if (pass) return L(`申请日期 ${s.before}，在申请期限内（截至 ${s.after}）`, `applied on ${s.before}, within the claim window (by ${s.after})`);
      return reasonText(claim.applied_on < claim.event_date ? "applied_before_event" : "claim_window_expired", x);
    case "program_conditions": {
      if (program?.min_ui_contribution_months) {
        return L(`失业保险缴费 ${s.before} 个月，需不少于 ${s.after} 个月`, `${s.before} months of contributions; at least ${s.after} needed`);
      }
      if (program?.kind === "per_project") {
        const p = program.projects.find((it) => it.id === s.before);
        if (!pass || !p) return reasonText("unknown_project", x);
        return L(`项目“${p.name_zh}”已立项，有效期 ${p.effective_from} 至 ${p.effective_to}`, `project ${p.id} is approved from ${p.effective_from} to ${p.effective_to}`);
      }
      if (program?.kind === "apprenticeship") {
        const [min, max] = (s.after ?? "").split("..");
        return L(`学徒培养期 ${s.before} 个月，补贴期限为 ${min} 至 ${max} 个月`, `${s.before} months; ${min} to ${max} months are paid`);
      }
      return note(s, x);
    }
    case "shortage_uplift": {
      const o = x.occupation(claim.occupation);
      const name = o ? x.name(o) : claim.occupation;
      if (!same(s.before, s.after)) {
        const rate = x.ctx.catalogue?.shortage?.rate;
        return L(
          `${name}列入紧缺职业目录，上浮${rate ? ` ${percent(rate)}` : ""}：${yuan(s.before)} 元 → ${yuan(s.after)} 元`,
          `${name} is a shortage occupation, uplifted${rate ? ` by ${percent(rate)}` : ""}: ${yuan(s.before)} → ${yuan(s.after)} yuan`,
        );
      }
      return o?.shortage
        ? L(`${name}是紧缺职业，但${x.levelShort(claim.level)}不在上浮的等级之内，不上浮`, `${name} is a shortage occupation, but ${x.levelShort(claim.level)} is not uplifted`)
        : L(`${name}不在当期紧缺职业目录中，不上浮`, `${name} is not on the shortage list in force: no uplift`);
    }
    case "fee_cap":
      return same(s.before, s.after)
        ? L(`实际缴纳培训费 ${yuan(claim.fee_paid)} 元，不低于 ${yuan(s.before)} 元，不封顶`, `the fee paid, ${yuan(claim.fee_paid)} yuan, is not below ${yuan(s.before)}: no cap`)
        : L(`补贴不超过实际缴纳的培训费 ${yuan(claim.fee_paid)} 元：${yuan(s.before)} 元 → ${yuan(s.after)} 元`, `not above the fee paid, ${yuan(claim.fee_paid)} yuan: ${yuan(s.before)} → ${yuan(s.after)}`);
    default:
      return note(s, x);
  }
}

/** Where a step's rule comes from, and how sure it is. */
function source(s, x) {
  if (!s.citation) return null;
  const doc = s.document ?? "";
  let label = doc || s.citation;
  // A source whose title is (partly) in English is named in general words in the Chinese view.
  if (x.zh && (!CJK.test(doc) || /[A-Za-z]{4,}/.test(doc))) label = s.confidence === "illustrative" ? x.tx.sourceSample : x.tx.sourceOther;
  return {
    label,
    // Only web addresses are links; a path in the repository (the seed plan) is shown as text.
    url: /^https?:\/\//.test(s.url ?? "") ? s.url : null,
    confidence: s.confidence ? x.tx.confidence[s.confidence] ?? "" : "",
  };
}
