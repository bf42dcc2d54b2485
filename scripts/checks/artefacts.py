"""The pipeline deploys exactly what `sam build` made, executable.

actions/upload-artifact and actions/download-artifact do not keep file
permissions (actions/upload-artifact README, "Permission Loss": "File
permissions are not maintained during artifact upload ... If you must
preserve permissions, you can tar all of your files together before
artifact upload"). A Lambda function on a custom runtime (provided.al2023)
starts its `bootstrap` executable (Lambda Developer Guide, "Building a
custom runtime"): one that lost its executable bit fails every init. So:
- every upload-artifact step uploads an archive (.tar, .tar.gz, .tgz),
  never a directory or loose files;
- every job that downloads an artefact unpacks it with `tar -x`.

    python scripts/checks/artefacts.py [.github/workflows]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
ARCHIVES = (".tar", ".tar.gz", ".tgz")


def steps(workflow: dict[str, Any]):
    for job_id, job in (workflow.get("jobs") or {}).items():
        yield job_id, job.get("steps") or []


def check(workflows: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    for file, workflow in sorted(workflows.items()):
        for job_id, job_steps in steps(workflow):
            uses = [str(step.get("uses", "")) for step in job_steps]
            runs = "\n".join(str(step.get("run", "")) for step in job_steps)
            for step in job_steps:
                if str(step.get("uses", "")).startswith("actions/upload-artifact"):
                    paths = str((step.get("with") or {}).get("path", "")).split()
                    if not paths or any(not p.endswith(ARCHIVES) for p in paths):
                        problems.append(
                            f"{file}: job {job_id} uploads {paths or 'nothing'}: artefacts lose file modes, "
                            "upload a tarball"
                        )
            downloads = any(u.startswith("actions/download-artifact") for u in uses)
            if downloads and not re.search(r"\btar\b[^\n]*\s-[a-zA-Z]*x", runs):
                problems.append(f"{file}: job {job_id} downloads an artefact but never unpacks a tarball (tar -x)")
    return problems


def load(directory: Path) -> dict[str, dict[str, Any]]:
    return {path.name: yaml.safe_load(path.read_text()) for path in sorted(directory.glob("*.yml"))}


def main(argv: list[str]) -> int:
    directory = Path(argv[1]) if len(argv) > 1 else ROOT / ".github" / "workflows"
    problems = check(load(directory))
    for problem in problems:
        print(f"artefacts: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
