"""This process's memory figures from /proc/self/status (Linux), for the bench scripts."""

from __future__ import annotations

from pathlib import Path


def status_mb(field: str) -> float:
    """A /proc/self/status field in MB: VmHWM (peak RSS; unlike getrusage's, not carried
    over an exec from the forking parent) or VmRSS."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")
