"""Dependency audit for CI: pip-audit (Python) and `npm audit --audit-level=high` (the editor).

Each fails CI on a known vulnerability. Each is skipped, with the reason printed, when its advisory
data cannot be reached (no network, a registry mirror without the audit endpoint): a missing network
never fails CI, a known vulnerability always does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300


def run(command: list[str], cwd: Path) -> tuple[int, str, str] | str:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    except FileNotFoundError:
        return f"{command[0]} is not installed"
    except subprocess.TimeoutExpired:
        return f"no answer within {TIMEOUT} s"
    return done.returncode, done.stdout, done.stderr


def pip_audit() -> bool:
    tool = Path(sys.executable).parent / "pip-audit"
    result = run([str(tool), "--local", "--skip-editable", "--format", "json", "--progress-spinner", "off"], ROOT)
    if isinstance(result, str):
        return skip("pip-audit", result)
    code, out, err = result
    try:
        report = json.loads(out)
    except json.JSONDecodeError:
        return skip("pip-audit", (err.strip().splitlines() or ["no report"])[-1][:300])
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    if vulnerable:
        for dep in vulnerable:
            ids = ", ".join(v.get("id", "?") for v in dep["vulns"])
            print(f"pip-audit: {dep['name']} {dep['version']} has known vulnerabilities: {ids}")
        return False
    if not audited:
        return skip("pip-audit", f"the advisory service knew none of the {len(dependencies)} packages (offline mirror)")
    print(f"pip-audit: {len(audited)} packages audited, no known vulnerabilities")
    return True


def npm_audit() -> bool:
    if shutil.which("npm") is None:
        return skip("npm audit", "npm is not installed")
    result = run(["npm", "audit", "--audit-level=high", "--json"], ROOT / "frontend")
    if isinstance(result, str):
        return skip("npm audit", result)
    code, out, err = result
    try:
        report = json.loads(out)
    except json.JSONDecodeError:
        return skip("npm audit", (err.strip().splitlines() or ["no report"])[-1][:300])
    if "error" in report:
        error = report["error"]
        said = [line for line in err.splitlines() if "audit" in line and line.strip()]
        summary = error.get("summary") or error.get("code") if isinstance(error, dict) else str(error)
        return skip("npm audit", (summary or (said[0] if said else "the audit endpoint returned an error"))[:300])
    counts = report.get("metadata", {}).get("vulnerabilities", {})
    serious = int(counts.get("high", 0)) + int(counts.get("critical", 0))
    if serious:
        for name, item in report.get("vulnerabilities", {}).items():
            if item.get("severity") in ("high", "critical"):
                print(f"npm audit: {name} ({item['severity']}): {item.get('range', '')}")
        return False
    print(f"npm audit: no high or critical vulnerabilities ({counts})")
    return True


def skip(tool: str, reason: str) -> bool:
    print(f"{tool}: SKIPPED, advisory data unreachable: {reason}")
    return True


def main() -> int:
    results = [pip_audit(), npm_audit()]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
