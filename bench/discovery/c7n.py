"""Cloud Custodian's ``c7n-org`` listing the same resource types, for comparison.

c7n lives in a virtual environment of its own (``bench/.venv-c7n``, built on
first use with ``uv``) so its pins never touch the workspace. It is pointed at
the emulator through a generated AWS profile whose ``endpoint_url`` (honoured
by botocore >= 1.31, as is ``AWS_ENDPOINT_URL``) is the given endpoint. S3
is listed in one region only, as our collector does: c7n would otherwise
list, and augment, every bucket again in every region.

Figures come from c7n's own output: ``resources.json`` (counts) and
``metadata.json`` (``api-stats``: calls per operation) of every policy run.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.child import LOG_DIR

VENV = Path(__file__).resolve().parent.parent / ".venv-c7n"
C7N_ORG = VENV / "bin" / "c7n-org"
ACCOUNT_ID = "123456789012"  # moto's default account
# c7n resource -> our native type
RESOURCES = {
    "ec2": "aws.ec2.instance",
    "asg": "aws.autoscaling.group",
    "ebs": "aws.ec2.volume",
    "ebs-snapshot": "aws.ec2.snapshot",
    "ami": "aws.ec2.image",
    "vpc": "aws.ec2.vpc",
    "subnet": "aws.ec2.subnet",
    "route-table": "aws.ec2.route_table",
    "internet-gateway": "aws.ec2.internet_gateway",
    "nat-gateway": "aws.ec2.nat_gateway",
    "eni": "aws.ec2.network_interface",
    "elastic-ip": "aws.ec2.elastic_ip",
    "security-group": "aws.ec2.security_group",
    "network-acl": "aws.ec2.network_acl",
    "app-elb": "aws.elbv2.load_balancer",
    "rds": "aws.rds.db_instance",
    "cache-cluster": "aws.elasticache.cluster",
    "s3": "aws.s3.bucket",
}
_RAN = re.compile(r"Ran account:\S+ region:(\S+) policy:\S+ matched:\d+ time:([\d.]+)")


@dataclass
class C7nResult:
    process_seconds: float
    policy_seconds: float  # slowest region's policy loop, c7n's own clock (no start-up)
    peak_rss_mib: float  # sum over c7n-org and its worker processes, sampled
    api_calls: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def ensure_installed() -> str | None:
    """Build the c7n environment if missing; return why it cannot be used, or None."""
    if C7N_ORG.exists():
        return None
    uv = shutil.which("uv")
    if uv is None:
        return "uv not found to build bench/.venv-c7n"
    try:
        subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(VENV)], check=True)
        pip = [uv, "pip", "install", "-q", "--python", str(VENV / "bin" / "python")]
        subprocess.run([*pip, "c7n", "c7n-org"], check=True, timeout=600)
    except (subprocess.SubprocessError, OSError) as exc:
        return f"installing c7n + c7n-org failed: {exc}"
    return None if C7N_ORG.exists() else "c7n-org missing after install"


def _write_config(work: Path, endpoint: str, regions: list[str]) -> dict[str, str]:
    """Policy, accounts and AWS profile files; returns the environment c7n-org runs with."""
    lines = ["policies:"]
    for resource in RESOURCES:
        lines += [f"  - name: list-{resource}", f"    resource: aws.{resource}"]
        if resource == "s3":
            lines += ["    conditions:", "      - type: value", "        key: region",
                      f"        value: {regions[0]}"]  # fmt: skip
    (work / "policy.yml").write_text("\n".join(lines) + "\n")
    accounts = {
        "accounts": [
            {"account_id": ACCOUNT_ID, "name": "bench", "profile": "bench", "regions": regions}
        ]
    }
    (work / "accounts.yml").write_text(json.dumps(accounts))  # JSON is YAML
    (work / "credentials").write_text(
        "[bench]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    (work / "config").write_text(
        f"[profile bench]\nregion = {regions[0]}\nendpoint_url = {endpoint}\n"
    )
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(work),
        "AWS_CONFIG_FILE": str(work / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(work / "credentials"),
        "AWS_DEFAULT_REGION": regions[0],
        "AWS_ENDPOINT_URL": endpoint,
    }


def _sample_rss(pid: int, stop: threading.Event, peak: list[float]) -> None:
    """Sum the RSS of a process tree every 50 ms, keeping the largest sum."""
    try:
        root = psutil.Process(pid)
        while not stop.is_set():
            total = 0
            for proc in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a worker may just have exited
                    total += proc.memory_info().rss
            peak[0] = max(peak[0], total / 2**20)
            stop.wait(0.05)
    except psutil.Error:
        return


def _read_output(out: Path, result: C7nResult) -> None:
    for meta in out.glob("bench/*/*/metadata.json"):
        policy = meta.parent.name.removeprefix("list-")
        result.api_calls.update(json.loads(meta.read_text()).get("api-stats", {}))
        resources = meta.parent / "resources.json"
        if resources.exists():
            result.found[RESOURCES[policy]] += len(json.loads(resources.read_text()))


def run(endpoint: str, regions: list[str], tag: str) -> C7nResult:
    """Run every listing policy in every region through ``c7n-org run``."""
    work = LOG_DIR / f"c7n-{tag}"
    shutil.rmtree(work, ignore_errors=True)
    (work / "out").mkdir(parents=True)
    env = _write_config(work, endpoint, regions)
    argv = [str(C7N_ORG), "run", "-c", str(work / "accounts.yml"), "-u",
            str(work / "policy.yml"), "-s", str(work / "out"), "--cache-period", "0"]  # fmt: skip
    stop, peak = threading.Event(), [0.0]
    started = time.perf_counter()
    with (work / "c7n-org.log").open("w") as log:
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
        sampler = threading.Thread(target=_sample_rss, args=(process.pid, stop, peak))
        sampler.start()
        process.wait(timeout=900)
        elapsed = time.perf_counter() - started
        stop.set()
        sampler.join()
    text = (work / "c7n-org.log").read_text()
    by_region: dict[str, float] = {}
    for region, seconds in _RAN.findall(text):
        by_region[region] = max(by_region.get(region, 0.0), float(seconds))
    result = C7nResult(elapsed, max(by_region.values(), default=elapsed), peak[0])
    result.errors = [ln for ln in text.splitlines() if ":ERROR " in ln or "Traceback" in ln]
    if process.returncode != 0:
        result.errors.append(f"c7n-org exited {process.returncode}")
    _read_output(work / "out", result)
    return result
