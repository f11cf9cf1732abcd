"""Benchmark: how long a command takes from start to exit, against starting Python with SQLAlchemy and click.

    python benchmarks/startup.py            # 21 runs of each command
    python benchmarks/startup.py --runs 51  # steadier on a busy machine

Every run is a fresh process, as a user's command is. The baseline, ``python -c "import sqlalchemy, click"``, is
the least any command can cost: every command parses its arguments with click and almost every one opens the
database with SQLAlchemy. The commands are run in turns (baseline, then each command, then the baseline again...)
so that a busy moment on the machine falls on all of them alike; the median of each is printed with its ratio to
the baseline's median. ``claim show`` runs on a demo database built first (``provenance demo``), as a user would
run it after the demo. Python's compiled bytecode is used as an installed provenance uses it (pip compiles it at
install time): the first run of each command writes it to a temporary ``PYTHONPYCACHEPREFIX``, even where
``PYTHONDONTWRITEBYTECODE`` is set, and it is not timed. This is not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = "import sqlalchemy, click"


def provenance_command() -> list[str]:
    """The installed ``provenance`` script beside this Python, else the same entry point through ``-c``."""
    script = Path(sys.executable).with_name("provenance")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from provenance.cli import cli; sys.exit(cli())"]


def run(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (default: 21)")
    args = parser.parse_args()

    provenance = provenance_command()
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(cwd / "pycache")
        database = cwd / "demo.db"
        subprocess.run([*provenance, "demo", "--db", str(database)], cwd=cwd, env=env, check=True, capture_output=True)
        commands = {
            "python -c 'import sqlalchemy, click'": [sys.executable, "-c", BASELINE],
            "provenance --help": [*provenance, "--help"],
            "provenance --version": [*provenance, "--version"],
            "provenance --db demo.db claim show suntech-diversion": [
                *provenance,
                "--db",
                str(database),
                "claim",
                "show",
                "suntech-diversion",
            ],
            "provenance --db demo.db claim list": [*provenance, "--db", str(database), "claim", "list"],
        }
        env_note = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
        times: dict[str, list[float]] = {name: [] for name in commands}
        for command in commands.values():  # once each first: the files are then in the OS's cache for all
            run(command, cwd, env)
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(run(command, cwd, env))

    baseline = statistics.median(times[next(iter(commands))])
    print(f"{args.runs} runs of each, in turns ({env_note}); median, slowest, and median / baseline's median")
    width = max(len(name) for name in commands)
    for name, measured in times.items():
        median = statistics.median(measured)
        print(f"{name:<{width}}  {median * 1000:7.1f} ms  {max(measured) * 1000:7.1f} ms  {median / baseline:5.2f}x")


if __name__ == "__main__":
    main()
