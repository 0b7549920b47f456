"""The engine (审核引擎): a ruleset loaded and compiled once, then claims one at a time or a
whole year at once."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union, overload

from . import _columns, _frames, _lang, _money, _native, _parameters
from ._assessment import Assessment
from ._lang import Lang
from ._money import Money
from ._parameters import ParameterNode
from ._report import Apprenticeships, BatchResult, Report, WhatIf

if TYPE_CHECKING:  # pragma: no cover - types only
    import pandas as pd
    import polars as pl
    import pyarrow as pa
    from typing_extensions import TypedDict, Unpack

    class BatchOptions(TypedDict, total=False):
        """The keyword arguments of :meth:`Engine.assess_batch`."""

        applications: Any
        outcomes: Any
        lenient: Optional[bool]
        trace: bool
        closings: Optional[_native.Closings]
        money: Money
        strict: bool
        keep: Sequence[str]


#: An override document: ``{"shortage.rate": "0.20"}``, with date ranges
#: ``{"programs.skills_training.amounts.3": {"2021-07-01..2021-12-31": "2200"}}``, or
#: assignments ``"shortage.rate=0.20"`` (one string or a list).
Overrides = Union[Mapping[str, Any], str, List[str]]


class Engine:
    """A ruleset ready to assess claims: the embedded Wuxi 2021 rules by default.

    >>> from skill_subsidy import Engine
    >>> engine = Engine()
    >>> engine.ruleset
    'wuxi-2021'
    >>> Engine.rulesets()
    ['wuxi-2021', 'wuxi-2023']
    >>> engine.value("shortage.rate")
    Decimal('0.30')
    """

    def __init__(self, ruleset: str = "wuxi-2021", *, lang: Lang = "en") -> None:
        """An embedded ruleset by id (see :meth:`rulesets`). Raises ``RulesError``.

        ``lang``: how its reports, what-ifs and assessments print and show, and the labels of
        their tables: ``"en"`` or ``"zh"`` (each call may say otherwise).
        """
        self._native = _native.Engine.embedded(ruleset)
        self._lang = _lang.check(lang)
        self._labels: Optional[Dict[str, Dict[str, str]]] = None
        self._parameters: Optional[ParameterNode] = None

    @classmethod
    def _wrap(cls, native: Any, lang: Lang = "en") -> Engine:
        engine = cls.__new__(cls)
        engine._native = native
        engine._lang = _lang.check(lang)
        engine._labels = None
        engine._parameters = None
        return engine

    @property
    def lang(self) -> Lang:
        """How this engine's results print and show: ``"en"`` or ``"zh"``."""
        return self._lang

    def labels(self, lang: Lang = "zh") -> Dict[str, Dict[str, str]]:
        """The labels of the codes a result holds, by column (``program``, ``fund``, ``payee``,
        ``reason``, ``status``, ``level``): code → label. For a chart or a table of one's own
        (a result's codes are its data).

        >>> from skill_subsidy import Engine
        >>> labels = Engine().labels("zh")
        >>> labels["program"]["skills_training"], labels["status"]["rejected"], labels["level"]["3"]
        ('就业技能培训', '不予补贴', '三级/高级工')
        >>> Engine().labels("en")["program"]["pre_job"]
        'Pre-job training for new hires'
        """
        if _lang.check(lang) == "en":
            export = self.export()
            codes = {column: {code: code for code in names} for column, names in self._labels_zh().items()}
            codes["program"] = {p["id"]: p["name_en"] for p in export["programs"]}
            codes["reason"] = {code: en for code, en, _ in _native.Engine.reasons()}
            return codes
        return {column: dict(names) for column, names in self._labels_zh().items()}

    def _labels_zh(self) -> Dict[str, Dict[str, str]]:
        if self._labels is None:
            self._labels = {column: dict(names) for column, names in self._native.labels_zh()}
        return self._labels

    def _program_names(self, lang: Lang) -> Optional[Dict[str, str]]:
        """Program id → Chinese name, when an assessment prints in Chinese."""
        return self._labels_zh()["program"] if lang == "zh" else None

    @classmethod
    def from_dir(cls, path: Union[str, os.PathLike[str]], *, lang: Lang = "en") -> Engine:
        """Loads a ruleset folder (its ``.toml`` files) strictly. Raises ``RulesError`` listing
        every problem with its file, key path and line.

        >>> from skill_subsidy import Engine, RulesError
        >>> try:
        ...     Engine.from_dir("no/such/folder")
        ... except RulesError as e:
        ...     e.errors[0]["code"]
        'not_found'
        """
        return cls._wrap(_native.Engine.from_dir(os.fspath(path)), lang)

    @staticmethod
    def rulesets() -> List[str]:
        """The ids of the embedded rulesets."""
        return list(_native.Engine.embedded_ids())

    @property
    def ruleset(self) -> str:
        """The ruleset's id."""
        return str(self._native.ruleset)

    @property
    def overrides(self) -> List[str]:
        """The what-if overrides applied, as ``PATH=VALUE``."""
        return list(self._native.overrides)

    def with_overrides(self, overrides: Overrides) -> Engine:
        """A variant of this engine with rule values changed by path (SPEC §5). Raises
        ``OverrideError`` for a path that does not exist or a value that does not fit.

        >>> from skill_subsidy import Engine, OverrideError
        >>> Engine().with_overrides({"shortage.rate": "0.20"}).value("shortage.rate")
        Decimal('0.20')
        >>> try:
        ...     Engine().with_overrides("shortage.rat=0.2")
        ... except OverrideError as e:
        ...     e.errors[0]["code"]
        'unknown_path'
        """
        return Engine._wrap(self._native.with_overrides(overrides), self._lang)

    @property
    def parameters(self) -> ParameterNode:
        """The ruleset's policy values as a tree (with this engine's overrides): each by the
        path a what-if override uses, with its citation, confidence, sources and dated values;
        tab completion in a notebook; ``.to_frame()`` lists them.

        >>> from skill_subsidy import Engine
        >>> engine = Engine().with_overrides({"programs.skills_training.amounts.3": {"2021-07-01..2021-12-31": "2200"}})
        >>> engine.parameters.programs.skills_training.amounts["3"]
        Parameter(programs.skills_training.amounts.3 = 2000; S9, confirmed; 2021-07-01..2021-12-31: 2200)
        >>> engine.parameters.to_frame().query("confidence == 'illustrative'").shape[0] >= 0
        True
        """
        if self._parameters is None:
            self._parameters = _parameters.tree(self.export())
        return self._parameters

    def value(self, path: str) -> Any:
        """The value at a rule path: a ``Decimal`` (money, rate, count), a ``bool``, or ``None``."""
        return self._native.value(path)

    def export(self) -> dict:
        """The resolved ruleset (programs, amounts, catalogues, accounts, sessions …) as
        ``subsidy rules export --json`` gives it (``docs/export.md``)."""
        return dict(self._native.export())

    def schema(self) -> dict:
        """The JSON Schema of a claim."""
        return dict(self._native.schema())

    def assess(
        self,
        claim: Union[Mapping[str, Any], pd.Series],
        history: Any = None,
        *,
        lenient: bool = False,
        trace: bool = False,
        lang: Optional[Lang] = None,
    ) -> Assessment:
        """Assesses one claim: a dict of SPEC §6 fields, or a pandas Series of them (a frame's
        row, its ``NaN`` and ``None`` read as missing). A table of claims (a DataFrame, an
        Arrow table, a numpy array) raises ``InputTypeError``: :meth:`assess_batch` takes it.

        Without ``history`` the claim is checked on its own (checks 1–7 and its amount). With
        ``history`` (earlier subsidies) it is assessed as a batch of one against them, so the
        limits, exclusivity and the account apply too. Unknown fields make the claim invalid
        unless ``lenient``. A malformed claim is not an exception: it is ``invalid``, with its
        field errors. ``lang``: how it prints and shows (the engine's by default).

        >>> from skill_subsidy import Engine
        >>> claim = {"claim_id": "C1", "program": "skills_training", "person_id": "P1",
        ...          "occupation": "6-18-02-04", "level": "3", "institution": "WX-JG-001",
        ...          "fee_paid": "3000.00", "event_date": "2021-08-02", "applied_on": "2021-08-20"}
        >>> Engine().assess(claim).amount
        Decimal('2600.00')
        >>> history = [{"person_id": "P1", "program": "skills_training", "occupation": "6-18-02-04",
        ...             "level": "3", "event_date": "2021-03-01", "applied_on": "2021-03-10", "amount": "2000.00"}]
        >>> Engine().assess(claim, history).reasons
        ['duplicate_level']
        >>> Engine().assess({**claim, "fee_paid": 0.1 + 0.2}).errors[0]["code"]
        'money_precision'
        """
        lang = _lang.check(lang, self._lang)
        claim = _one_claim(claim)
        if history is None:
            return Assessment._from_record(self._native.assess(claim, lenient, trace), lang, self._program_names(lang))
        result = self._run([claim], history, lenient=lenient or None, trace=trace)
        return Assessment._from_record(result.assessment_record(0), lang, self._program_names(lang))

    def explain(
        self,
        claims: Any,
        history: Any = None,
        *,
        claim_id: Optional[str] = None,
        applications: Any = None,
        outcomes: Any = None,
        lenient: Optional[bool] = None,
        lang: Optional[Lang] = None,
    ) -> Assessment:
        """Assesses a claim with its trace: every step, the rule it read, its citation, the
        value before and after (``docs/trace.md``). ``print()`` it, or show it in a notebook.

        ``claims`` is one claim (a dict or a pandas Series), or a batch (any input :meth:`run` takes) with
        ``claim_id`` the claim to explain: the batch is assessed as :meth:`run` would, and the
        claim is explained where the batch decided it (SPEC §7.4) — the same decision, its
        cross-claim steps naming the earlier claims (``{"claim": id}``) and history rows
        (``{"history": n}``, the row's position from 1) that counted, and for
        ``budget_exhausted`` the claim at which the account closed. ``.batch`` says where.
        To explain a claim of a result already run, use :meth:`BatchResult.explain`.

        >>> from skill_subsidy import Engine
        >>> hire = lambda id: {"claim_id": id, "program": "pre_job", "person_id": "P1", "enterprise_id": "E1",
        ...                    "event_date": "2021-05-10", "applied_on": "2021-05-20"}
        >>> b = Engine().explain([hire("B"), hire("A")], claim_id="B")
        >>> b.status, b.reasons, b.batch["claims"]
        ('rejected', ['exclusive_with_other_program'], 2)
        >>> [s["counted"] for s in b.trace["steps"] if s["step"] == "exclusivity"]
        [[{'claim': 'A'}]]

        >>> from skill_subsidy import Engine
        >>> a = Engine().explain({"claim_id": "C1", "program": "skills_training", "person_id": "P1",
        ...     "occupation": "6-18-02-04", "level": "3", "institution": "WX-JG-001",
        ...     "fee_paid": "2466.67", "event_date": "2021-08-02", "applied_on": "2021-08-20"})
        >>> [s["step"] for s in a.trace["steps"]][-4:]
        ['shortage_uplift', 'fee_cap', 'rounding', 'payment']
        >>> print(str(a).splitlines()[0])
        Claim C1: approved, 2466.67 yuan — skills_training
        """
        one = isinstance(claims, Mapping) or (_frames._module(claims), type(claims).__name__) == ("pandas", "Series")
        if one and claim_id is None and applications is None:
            return self.assess(claims, history, lenient=bool(lenient), trace=True, lang=lang)
        if claim_id is None:
            hint = "explain takes one claim (a dict or a pandas Series), or a batch of claims with claim_id=... naming the one to explain"
            raise _native.input_error("claims", "unsupported_input", "claim_id", hint)
        if one:
            claims = [_one_claim(claims)]
        lang = _lang.check(lang, self._lang)
        inputs = _Inputs(claims, history, applications, outcomes, lenient=lenient)
        record = self._native.explain(*inputs.native[:1], str(claim_id), *inputs.native[1:], lenient)
        return Assessment._from_record(record, lang, self._program_names(lang))

    def _run(
        self,
        data: Any,
        history: Any = None,
        *,
        applications: Any = None,
        outcomes: Any = None,
        lenient: Optional[bool] = None,
        trace: bool = False,
    ) -> Any:
        return self._native.run(*_Inputs(data, history, applications, outcomes, lenient=lenient).native, lenient, trace)

    def run(
        self,
        data: Any,
        history: Any = None,
        *,
        applications: Any = None,
        outcomes: Any = None,
        lenient: Optional[bool] = None,
        trace: bool = False,
        closings: Optional[_native.Closings] = None,
        money: Money = "decimal",
        strict: bool = False,
        keep: Sequence[str] = (),
        lang: Optional[Lang] = None,
    ) -> BatchResult:
        """Assesses a batch once and keeps everything: the claims' assessments, the
        applications' results and the report.

        ``data``: claims as a pandas or polars DataFrame, a pyarrow Table (or any object with
        ``__arrow_c_stream__``) or a list of dicts; ``history``: earlier subsidies (SPEC
        §7.2) in any of those forms; ``applications``: apprenticeship applications (SPEC §8),
        with ``outcomes`` (``application_id``, ``outcome``, ``outcome_date``) given apart or as
        their fields. ``lenient``: ignore unknown fields (default: yes for frames, no for
        dicts, as the CLI reads CSV and JSON). ``trace``: explain every claim. ``closings``:
        the data is one partition of a batch split by person (see :meth:`budget_input`).
        ``money``: how money comes back, in the results and the report's tables: ``"decimal"``
        (exact, the default), ``"fen"`` (exact ``int64`` fen) or ``"float"`` (yuan, for charts
        only). A table's columns that are not fields are left out with a ``SubsidyWarning``
        naming them (and the field each is likely meant to be); ``strict=True`` refuses them
        (``ClaimError``, code ``unknown_column``). ``keep``: columns of the claims to carry into
        the result, after ``claim_id`` (not warned about), so that it reads beside the input.
        ``lang``: how the report and assessments print and show (the engine's by default).

        Claims are decided first come, first served (``applied_on``, then ``claim_id``),
        whatever the input order. A claim that does not validate is ``invalid``; a history row
        that does not validate raises ``ClaimError``.
        """
        money = _money.check(money)
        inputs = _Inputs(data, history, applications, outcomes, lenient=lenient, strict=strict, keep=keep)
        lang = _lang.check(lang, self._lang)
        native = self._native

        def explain(claim_id: str) -> Dict[str, Any]:
            return native.explain(*inputs.native[:1], claim_id, *inputs.native[1:], lenient, closings)

        result = inputs.result(native.run(*inputs.native, lenient, trace, closings), money, lang, self._program_names(lang))
        result._explain = explain
        return result

    def budget_input(
        self, data: Any, history: Any = None, *, applications: Any = None, outcomes: Any = None, lenient: Optional[bool] = None
    ) -> _native.BudgetInput:
        """Pass 1 of a batch split by person across machines (SPEC §11): what this partition —
        every claim, history record and application of its persons — brings to the special
        account. Then ``engine.closings([...])`` over every partition's, once; then, in each
        partition, ``engine.run(part, ..., closings=closings)``. The partitions' reports merge
        (``Report.merge``) into the single run's, to the fen. Both values pickle (Dask, Spark).
        A claim id must not be given in two partitions (within one batch it makes every copy
        ``invalid``; across partitions no pass sees both).

        >>> from skill_subsidy import Engine
        >>> engine = Engine().with_overrides({"accounts.wuxi-2021.opening_balance": "500", "accounts.wuxi-2021.closes_when_spent": "true"})
        >>> claim = lambda id, person: {"claim_id": id, "program": "pre_job", "person_id": person,
        ...     "enterprise_id": "E1", "event_date": "2021-05-10", "applied_on": "2021-05-20"}
        >>> parts = [[claim("A", "P1")], [claim("B", "P2")]]          # split by person
        >>> closings = engine.closings([engine.budget_input(p) for p in parts])
        >>> results = [engine.run(p, closings=closings) for p in parts]
        >>> [r.assessments[0]["reasons"] for r in results]            # 300 fits in 500; the next does not
        [[], ['budget_exhausted']]
        >>> results[0].report.merge(results[1].report) == engine.report(parts[0] + parts[1])
        True
        """
        return self._native.budget_input(*_Inputs(data, history, applications, outcomes, lenient=lenient).native, lenient)

    def closings(self, inputs: Sequence[_native.BudgetInput]) -> _native.Closings:
        """Pass 2 of a batch split by person (SPEC §11): where each account closes, from every
        partition's :meth:`budget_input`."""
        return self._native.closings(list(inputs))

    @overload
    def assess_batch(
        self, data: Union[pl.DataFrame, pl.LazyFrame], history: Any = None, **options: Unpack[BatchOptions]
    ) -> pl.DataFrame: ...

    @overload
    def assess_batch(
        self, data: Iterable[Mapping[str, Any]], history: Any = None, **options: Unpack[BatchOptions]
    ) -> List[Dict[str, Any]]: ...

    @overload
    def assess_batch(self, data: pd.DataFrame, history: Any = None, **options: Unpack[BatchOptions]) -> pd.DataFrame: ...

    @overload
    def assess_batch(  # type: ignore[overload-cannot-match]  # pandas and pyarrow are untyped (Any) without their stubs
        self, data: Union[pa.Table, pa.RecordBatch, pa.RecordBatchReader], history: Any = None, **options: Unpack[BatchOptions]
    ) -> pa.Table: ...

    def assess_batch(
        self,
        data: Any,
        history: Any = None,
        *,
        applications: Any = None,
        outcomes: Any = None,
        lenient: Optional[bool] = None,
        trace: bool = False,
        closings: Optional[_native.Closings] = None,
        money: Money = "decimal",
        strict: bool = False,
        keep: Sequence[str] = (),
    ) -> Any:
        """Assesses claims as one batch and returns one record per claim, in input order, as
        the kind of ``data``: a pandas or polars DataFrame, a pyarrow Table, or a list of dicts.
        ``amount`` is exact: ``decimal128(18, 2)`` in Arrow and polars, Arrow-backed decimals in
        pandas, ``Decimal`` in dicts. See :meth:`run` for the arguments.

        >>> from skill_subsidy import Engine
        >>> claims = [{"claim_id": id, "program": "pre_job", "person_id": "P1", "enterprise_id": "E1",
        ...            "event_date": "2021-05-10", "applied_on": "2021-05-20"} for id in ("B", "A")]
        >>> [(r["claim_id"], r["status"], r["reasons"]) for r in Engine().assess_batch(claims)]
        [('B', 'rejected', ['exclusive_with_other_program']), ('A', 'approved', [])]
        """
        return self.run(
            data,
            history,
            applications=applications,
            outcomes=outcomes,
            lenient=lenient,
            trace=trace,
            closings=closings,
            money=money,
            strict=strict,
            keep=keep,
        ).assessments

    def report(
        self,
        data: Any,
        history: Any = None,
        *,
        applications: Any = None,
        outcomes: Any = None,
        lenient: Optional[bool] = None,
        money: Money = "decimal",
        strict: bool = False,
        lang: Optional[Lang] = None,
    ) -> Report:
        """The report of a batch (SPEC §9). See :meth:`run` for the arguments."""
        return self.run(
            data, history, applications=applications, outcomes=outcomes, lenient=lenient, money=money, strict=strict, lang=lang
        ).report

    @overload
    def whatif(
        self,
        overrides: Union[Mapping[str, Any], str],
        data: Any,
        history: Any = None,
        *,
        applications: Any = None,
        outcomes: Any = None,
        lenient: Optional[bool] = None,
        money: Money = "decimal",
        strict: bool = False,
        lang: Optional[Lang] = None,
    ) -> WhatIf: ...

    @overload
    def whatif(
        self,
        overrides: Sequence[Mapping[str, Any]],
        data: Any,
        history: Any = None,
        *,
        applications: Any = None,
        outcomes: Any = None,
        lenient: Optional[bool] = None,
        money: Money = "decimal",
        strict: bool = False,
        lang: Optional[Lang] = None,
    ) -> List[WhatIf]: ...

    def whatif(
        self,
        overrides: Any,
        data: Any,
        history: Any = None,
        *,
        applications: Any = None,
        outcomes: Any = None,
        lenient: Optional[bool] = None,
        money: Money = "decimal",
        strict: bool = False,
        lang: Optional[Lang] = None,
    ) -> Any:
        """The same batch under these rules (the baseline) and with ``overrides`` (the
        variant): both reports and their difference. Give a list of override documents for
        several variants: the baseline is assessed once and shared. Raises ``OverrideError``
        before assessing anything when an override does not apply.
        """
        money = _money.check(money)
        lang = _lang.check(lang, self._lang)
        several = isinstance(overrides, (list, tuple)) and all(isinstance(o, Mapping) for o in overrides) and len(overrides) > 0
        documents = list(overrides) if several else [overrides]
        variants = [self.with_overrides(o) for o in documents]
        inputs = _Inputs(data, history, applications, outcomes, lenient=lenient, strict=strict)

        def run(engine: Engine) -> BatchResult:
            return inputs.result(engine._native.run(*inputs.native, lenient, False), money, lang)

        baseline = run(self)
        results = [WhatIf(v.overrides, baseline, run(v)) for v in variants]
        return results if several else results[0]

    def apprenticeship(
        self,
        applications: Any,
        outcomes: Any = None,
        history: Any = None,
        *,
        lenient: Optional[bool] = None,
        money: Money = "decimal",
        strict: bool = False,
    ) -> Apprenticeships:
        """Reviews apprenticeship applications (企业新型学徒制) at the bimonthly sessions: each
        application's session, status and amount committed, its staged payments by outcome,
        the monthly cash flow and the report.

        >>> from skill_subsidy import Engine
        >>> apps = [{"application_id": "A1", "enterprise_id": "E1", "person_id": "P1", "occupation": "6-18-02-04",
        ...          "target_level": "3", "start_date": "2021-05-01", "months": 12, "submitted_on": "2021-04-01",
        ...          "institution": "WX-JG-001"}]
        >>> result = Engine().apprenticeship(apps)
        >>> [(a["status"], a["session"], a["amount"]) for a in result.applications]
        [('approved', '2021-04-20', Decimal('5000.00'))]
        >>> [(p["month"], p["kind"], p["amount"]) for p in result.applications[0]["payments"]]
        [('2021-05', 'advance', Decimal('2500.00')), ('2022-06', 'settlement', Decimal('2500.00'))]
        """
        return Apprenticeships(
            self.run(None, history, applications=applications, outcomes=outcomes, lenient=lenient, money=money, strict=strict)
        )

    def __repr__(self) -> str:
        return str(self._native.__repr__())


def _one_claim(claim: Any) -> Any:
    """A claim as the engine reads one: a pandas Series as a dict (its missing values as
    ``None``); a table raises ``InputTypeError``. Anything else is assessed as given (a value
    that is not a mapping is an ``invalid`` claim, as a JSON claim that is not an object)."""
    module, name = _frames._module(claim), type(claim).__name__
    if module == "pandas" and name == "Series":
        import pandas as pd

        return {key: None if pd.api.types.is_scalar(value) and bool(pd.isna(value)) else value for key, value in claim.items()}
    table = module in ("pandas", "polars") or (module, name) == ("numpy", "ndarray") or (module == "pyarrow" and "Scalar" not in name)
    if table or hasattr(claim, "__arrow_c_stream__") or hasattr(claim, "__arrow_c_array__"):
        hint = "; engine.assess_batch(...) takes a table of claims, frame.iloc[i] or a dict is one claim"
        raise _native.input_error(
            "claims", "unsupported_input", "", f"assess takes one claim, a dict or a pandas Series; got {module}.{name}{hint}"
        )
    return claim


class _Inputs:
    """Claims, history, applications and outcomes as the native module reads them, with the
    kinds of the claims and applications given (results come back as the same kinds), after
    their columns are checked (``_columns``); and the claims' columns to ``keep``."""

    def __init__(
        self,
        data: Any,
        history: Any,
        applications: Any,
        outcomes: Any,
        *,
        lenient: Optional[bool] = None,
        strict: bool = False,
        keep: Sequence[str] = (),
    ) -> None:
        for what, given in (("claims", data), ("history", history), ("applications", applications), ("outcomes", outcomes)):
            _frames.check(what, given)
        # Claims, or applications alone (an apprenticeship run).
        _frames.claims_given(data, applications)
        if type(data).__name__ == "LazyFrame":
            data = data.collect()  # once: read here, and again for `keep`
        keep = [keep] if isinstance(keep, str) else list(keep)
        for what, given in (("claims", data), ("history", history), ("applications", applications), ("outcomes", outcomes)):
            _columns.check(what, given, lenient=lenient, strict=strict, keep=keep if what == "claims" else ())
        self.kind, claims = _frames.read(data)
        self.app_kind, apps = _frames.read(applications, "applications")
        self.native = (claims, _frames.read(history, "history")[1], apps, _frames.read(outcomes, "outcomes")[1])
        self.index = getattr(data, "index", None) if self.kind == "pandas" else None
        self.keep = _columns.Kept(data, claims, self.kind, keep)

    def result(
        self, native: Any, money: Money = "decimal", lang: Lang = "en", program_names: Optional[Dict[str, str]] = None
    ) -> BatchResult:
        """A native result as the kinds given (a pandas result keeps the input's index), its
        money as ``money`` asks, with the claims' columns kept, printing in ``lang``."""
        return BatchResult(native, self.kind, self.index, self.app_kind, money, self.keep, lang, program_names)
