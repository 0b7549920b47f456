"""Writes the seed inputs of each fuzz target into corpus/<target>/ from the conformance vectors
and the default ruleset: `python3 fuzz/make_seeds.py` (then `cargo fuzz cmin <target>`).

The committed corpus is what the fuzzers kept from these seeds; run this only to start afresh.
"""

import hashlib
import json
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def write(target: str, data: bytes) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def vectors():
    for path in sorted((ROOT / "tests" / "vectors").glob("*.json")):
        yield path.stem, json.loads(path.read_text(encoding="utf-8"))


for name, doc in vectors():
    for case in doc.get("cases", []):
        claims = case.get("claims") or ([case["claim"]] if "claim" in case else [])
        if claims:
            write("claims_json", json.dumps(claims, ensure_ascii=False).encode())
            write("claims_json", "\n".join(json.dumps(c, ensure_ascii=False) for c in claims).encode())
        records = case.get("history", []) + case.get("applications", [])
        if records:
            write("records_json", json.dumps(records, ensure_ascii=False).encode())
        if "overrides" in case:
            write("overrides", json.dumps(case["overrides"], ensure_ascii=False).encode())
            assignments = []
            for path, value in case["overrides"].items():
                if isinstance(value, dict):
                    assignments += [f"{path}[{r}]={v}" for r, v in value.items()]
                else:
                    assignments.append(f"{path}={value}")
            write("overrides", "\n".join(assignments).encode())

# Values a spreadsheet, a terminal or a careless export puts in a claim.
odd = [
    {"claim_id": "=HYPERLINK(\"http://evil.example\",\"x\")", "program": "pre_job", "person_id": "320211199001011234",
     "enterprise_id": "E1", "event_date": "2021-05-10", "applied_on": "2021-05-20"},
    {"claim_id": "C\u001b[2J", "program": "on_job", "person_id": 320211199001011234, "enterprise_id": 12,
     "event_date": "2021-05-10", "applied_on": "2021-05-20", "months": "+3"},
    {"claim_id": 7, "program": "on_job", "person_id": "P1", "enterprise_id": "E1", "event_date": "2021-05-10",
     "applied_on": "2021-05-20", "months": 1e2, "fee_paid": 1e300},
]
write("claims_json", json.dumps(odd).encode())
write("claims_json", b'5\n"x"\nnull\n[1]\n{"claim_id":"A","claim_id":"B"}\n{')

# The rules target: the first byte picks the file of the default ruleset (in Ruleset::to_files order).
files = json.loads(subprocess.run(
    ["cargo", "run", "-q", "-p", "skill-subsidy-cli", "--", "rules", "export", "--json"],
    cwd=ROOT, check=True, capture_output=True).stdout)
rules = ROOT / "rules" / "wuxi-2021"
ordered = ["sources.toml", "ruleset.toml", "programs.toml", "projects.toml"]
for catalogue in files["catalogues"]:
    for version in catalogue["versions"]:
        ordered.append(f"catalogues/{catalogue['id']}/{version['id']}.toml")
for pick, name in enumerate(ordered):
    path = rules / name
    if path.exists():
        write("rules_toml", bytes([pick]) + path.read_bytes())
