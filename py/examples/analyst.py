# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     name: python3
#     display_name: Python 3
# ---

# %% [markdown]
# # A year of training subsidies, from a DataFrame
#
# A policy analyst's notebook (percent format: open it with Jupytext, or run it as a script —
# CI does, from the repository root). It assesses the sample year 2021 — 20,000 claims with the
# history of earlier subsidies, and 400 apprenticeship applications with their outcomes — under
# the embedded Wuxi 2021 rules, reads the budget report, plots the monthly payments against the
# special account, and tries what the shortage uplift at 20% instead of 30% would change.
#
# Every amount is exact: `decimal.Decimal`, or a `decimal128(18, 2)` column.

# %%
import os
from decimal import Decimal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed: the figure is saved to a file
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import skill_subsidy as ss  # noqa: E402


def repository() -> Path:
    """The repository root: the folder with examples/demo-2021.csv, above here or the cwd."""
    here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "examples" / "demo-2021.csv").exists():
            return folder
    raise SystemExit("run this from the skill-subsidy repository (examples/demo-2021.csv not found)")


ROOT = repository()
OUT = Path(os.environ.get("SKILL_SUBSIDY_OUT", ROOT / "out"))
OUT.mkdir(parents=True, exist_ok=True)

# %% [markdown]
# ## The sample year
#
# Read every column as text: ids keep their leading zeros and money stays exact (the engine
# reads typed columns too — floats through their shortest form, `decimal` columns exactly).

# %%
read = lambda name: pd.read_csv(ROOT / "examples" / name, dtype=str, keep_default_na=False)  # noqa: E731
claims = read("demo-2021.csv")
history = read("history-2021.csv")
applications = read("applications-2021.csv")
outcomes = read("outcomes-2021.csv")
print(f"{len(claims):,} claims, {len(history):,} earlier subsidies, {len(applications):,} apprenticeship applications")

# %% [markdown]
# ## Assess the year as one batch
#
# First come, first served (`applied_on`, then `claim_id`), against the history, the annual
# limit, exclusivity and the special account. The result comes back as a pandas DataFrame, one
# row per claim in input order.

# %%
engine = ss.Engine()
result = engine.run(claims, history, applications=applications, outcomes=outcomes)
assessed = result.assessments
print(assessed.head())
print(assessed["amount"].dtype)  # decimal128(18, 2)[pyarrow]
print(assessed["status"].value_counts())

# %% [markdown]
# ## The budget report

# %%
report = result.report
print(report)
print(report.to_frame("program"))
print(report.to_frame("reason").sort_values("count", ascending=False).head(8))
account = report.to_frame("account")
print(account.T)

# %% [markdown]
# ## Monthly payments against the special account
#
# Claims are paid the month after they are applied for (按月发放); apprenticeships in stages.

# %%
months = report.to_frame("account_month")
months = months[months["account"] == "wuxi-2021"].reset_index(drop=True)
disbursed = months["paid"].astype(float) / 1e6  # millions of yuan, for the plot only
cumulative = disbursed.cumsum()
opening = float(account.loc[account["account"] == "wuxi-2021", "spending_target"].iloc[0]) / 1e6

figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
left.bar(months["month"], disbursed, color="#3b7dd8")
left.set_title("Paid out each month (million yuan)")
left.tick_params(axis="x", rotation=60)
right.plot(months["month"], cumulative, marker="o", label="paid out, cumulative")
right.axhline(opening, color="#c0392b", linestyle="--", label=f"spending goal {opening:,.0f}")
right.set_yscale("log")
right.set_title("Paid out so far against the goal (million yuan, log scale)")
right.tick_params(axis="x", rotation=60)
right.legend()
for axis in (left, right):
    axis.set_xticks(range(0, len(months), 3), months["month"][::3])
figure.tight_layout()
plot = OUT / "analyst-disbursements.png"
figure.savefig(plot, dpi=100)
print(f"wrote {plot}")

# %% [markdown]
# ## What if the shortage uplift were 20% instead of 30%?
#
# The baseline is assessed once; the variant changes one rule value by its path.

# %%
assert engine.value("shortage.rate") == Decimal("0.30")
whatif = engine.whatif({"shortage.rate": "0.20"}, claims, history, applications=applications, outcomes=outcomes)
print(whatif)
print(whatif.to_frame("program"))
delta = whatif.difference["approved"]["delta"]["amount"]
print(f"approved amount at 20%: {whatif.variant.approved_amount:,} yuan ({delta:+,} yuan against 30%)")

# %% [markdown]
# ## Why: one claim the change moves, explained

# %%
baseline_amounts = whatif.baseline_result.assessments["amount"]
variant_amounts = whatif.variant_result.assessments["amount"]
moved = baseline_amounts.index[baseline_amounts != variant_amounts]
print(f"{len(moved):,} claims change amount")
claim = {k: v for k, v in claims.loc[moved[0]].items() if v != ""}
print(engine.explain(claim, history))
print(engine.with_overrides({"shortage.rate": "0.20"}).explain(claim, history).amount)

# %% [markdown]
# ## Apprenticeships: the payments by month

# %%
print(result.applications["status"].value_counts())
flow = pd.Series(result.cash_flow, name="yuan")
print(flow)

# %% [markdown]
# ## Checks
#
# The report's total is the sum of the records, to the fen.

# %%
claims_total = sum(assessed["amount"], Decimal("0.00"))
apprenticeships_total = sum(result.applications["amount"], Decimal("0.00"))
assert claims_total + apprenticeships_total == report.approved_amount, (claims_total, apprenticeships_total, report.approved_amount)
assert plot.stat().st_size > 0
print("ok")
