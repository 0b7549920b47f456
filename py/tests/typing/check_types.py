"""Checked by mypy (scripts/test-python), never run: the package's types say what comes back,
and a report key that is not one is a type error (issue 15)."""

from decimal import Decimal
from typing import Any, Dict, List, Union

import pandas as pd
import polars as pl
from typing_extensions import assert_type

import skill_subsidy as ss

engine = ss.Engine()
claim = {"claim_id": "C1", "program": "pre_job", "person_id": "P1", "enterprise_id": "E1", "event_date": "2021-05-10"}
assert_type(engine.assess(claim), ss.Assessment)
assert_type(engine.assess(claim).amount, Decimal)
assert_type(engine.assess(pd.Series(claim)), ss.Assessment)  # a pandas Series is one claim
assert_type(engine.assess_batch(pl.DataFrame({"claim_id": ["C1"]})), pl.DataFrame)
assert_type(engine.assess_batch([claim], money="fen"), List[Dict[str, Any]])
assert_type(engine.run([claim]), ss.BatchResult)
report = engine.report([claim])
assert_type(report, ss.Report)
assert_type(report.approved_amount, Decimal)
assert_type(engine.whatif({"shortage.rate": "0.20"}, [claim]), ss.WhatIf)
assert_type(engine.whatif([{"shortage.rate": "0.20"}], [claim]), List[ss.WhatIf])
assert_type(engine.parameters.shortage, Union[ss.ParameterNode, ss.Parameter])
report.to_frame("program")
report.to_frame(["district", "program"])
report.to_frame(["district", "reason"])  # type: ignore[list-item]
report.to_frame("colour")  # type: ignore[arg-type]
engine.assess_batch([claim], money="cents")  # type: ignore[call-overload]
