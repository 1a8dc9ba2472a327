"""The FinOps Foundation's ``focus-validator`` in a virtual environment of its own.

It pins libraries our workspace does not want (and says it needs Python 3.12),
so it lives in ``tests/metering/.focus/.venv`` (git-ignored), built on first
use. On Python 3.11 one line of version 2.2.1 uses a 3.12-only f-string; it is
rewritten to the equivalent concatenation, nothing else is touched. The
validator runs offline (``--block-download``, its bundled 1.2 rules) and exits 0
even when rules fail, so callers read its report, never its exit code.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

VERSION = "2.2.1"
VENV = Path(__file__).resolve().parent / ".focus" / ".venv"
PY311_FIX = (
    """f"'{k.replace('\\"', '\\"\\"')}'" for k in ignore_keys""",
    """"'" + k.replace('"', '""') + "'" for k in ignore_keys""",
)


def _python() -> Path:
    return VENV / "bin" / "python"


def ensure_installed() -> Path:
    """The validator's python, building its environment first when missing."""
    marker = VENV / f"focus-validator-{VERSION}"
    if marker.exists():
        return _python()
    uv = shutil.which("uv")
    assert uv is not None, "uv is needed to build the focus-validator environment"
    subprocess.run([uv, "venv", "-q", "--seed", "-p", sys.executable, str(VENV)], check=True)
    pip = [str(_python()), "-m", "pip", "install", "-q", "--ignore-requires-python"]
    # Its numpy pin (1.x) and the newest pyarrow (needs numpy 2) do not import together.
    packages = [f"focus-validator=={VERSION}", "pyarrow<21"]
    subprocess.run([*pip, *packages], check=True, timeout=900)
    _patch_for_python311()
    marker.touch()
    return _python()


def _site_packages() -> Path:
    found = list(VENV.glob("lib/python3.*/site-packages"))
    assert len(found) == 1, found
    return found[0]


def _patch_for_python311() -> None:
    module = _site_packages() / "focus_validator/config_objects/focus_to_duckdb_converter.py"
    text = module.read_text()
    if PY311_FIX[0] in text:
        module.write_text(text.replace(*PY311_FIX))


@dataclass(frozen=True)
class Report:
    version: str
    passed: list[str]
    failed: dict[str, str]
    skipped: list[str]


def validate(data_file: Path, work: Path, criteria: tuple[str, ...] = ()) -> Report:
    """Validate one file against FOCUS 1.2; the report is the validator's JUnit XML.

    ``criteria`` are the applicability criteria the data claims (the rules of
    the others are skipped). It runs from its site-packages folder: it opens
    its currency list by a path relative to the working directory (and writes
    its log there).
    """
    python = ensure_installed()
    out = work.resolve() / "focus-report.xml"
    command = [str(python), "-m", "focus_validator.main", "--data-file", str(data_file.resolve()),
               "--validate-version", "1.2", "--block-download", "--output-type", "unittest",
               "--output-destination", str(out)]  # fmt: skip
    if criteria:
        command += ["--applicability-criteria", ",".join(criteria)]
    done = subprocess.run(
        command, cwd=_site_packages(), capture_output=True, text=True, timeout=600
    )
    assert out.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    return _read_junit(out.read_text())


def _read_junit(xml: str) -> Report:
    passed: list[str] = []
    failed: dict[str, str] = {}
    skipped: list[str] = []
    for case in ElementTree.fromstring(xml).iter("testcase"):
        name = case.get("name", "")
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        if failure is not None:
            failed[name] = (failure.get("message") or failure.text or "").strip()
        elif case.find("skipped") is not None:
            skipped.append(name)
        else:
            passed.append(name)
    return Report(version=VERSION, passed=passed, failed=failed, skipped=skipped)


def summary(report: Report) -> str:
    return json.dumps({"version": report.version, "passed": len(report.passed),
                       "failed": report.failed, "skipped": len(report.skipped)},
                      indent=1)  # fmt: skip
