#!/usr/bin/env python3
"""Bootstrap for a fresh machine with only Python 3.11+ and pip.

    python3 dev.py run     # install into .venv (first time), then run the bot on SQLite
    python3 dev.py test    # install, then ruff + mypy + lint-imports (the layer contract) + the whole test suite

Anything after the command is passed on (``python3 dev.py run demo``, ``python3 dev.py test -k rating``).
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".installed"
PG_URL = "postgresql+asyncpg://postgres:stationbot@127.0.0.1:5432/postgres"


def run(*cmd: str | Path, env: dict[str, str] | None = None, check: bool = True) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env, check=check).returncode


def ensure_installed() -> None:
    """Create .venv and install the project with its dev extras when pyproject.toml changed."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text() != digest:
        run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(PY, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
        STAMP.write_text(digest)
    run(PY, "-m", "locales.catalog", "compile")


def start_local_postgres(env: dict[str, str]) -> None:
    """Use Debian's PostgreSQL when it is installed, so the test command runs both database legs."""
    if env.get("TEST_POSTGRES_URL") or not shutil.which("pg_ctlcluster"):
        return
    clusters = sorted(glob.glob("/etc/postgresql/*/main"))
    if not clusters:
        return
    version = Path(clusters[-1]).parent.name
    subprocess.run(["pg_ctlcluster", version, "main", "start"], check=False, capture_output=True)
    set_password = subprocess.run(
        ["su", "postgres", "-c", "psql -q -c \"ALTER USER postgres PASSWORD 'stationbot'\""],
        check=False, capture_output=True,
    )
    if set_password.returncode == 0:
        env["TEST_POSTGRES_URL"] = PG_URL
    else:
        print("!!! PostgreSQL is installed but could not be started: the PostgreSQL leg will be SKIPPED", flush=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    ensure_installed()
    env = dict(os.environ)
    if argv[0] == "run":
        rest = argv[1:] or ["run"]
        return subprocess.run([str(BIN / "stationbot"), *rest], cwd=ROOT, env=env).returncode
    start_local_postgres(env)
    for step in (["ruff", "check", "."], ["mypy"], ["lint-imports"]):
        code = run(BIN / step[0], *step[1:], check=False)
        if code:
            return code
    return run(PY, "-m", "pytest", *argv[1:], env=env, check=False)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
