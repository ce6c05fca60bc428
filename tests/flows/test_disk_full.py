"""A real full disk: `taikong release` onto a small tmpfs exits 3 with one line and the
log path at every stage the disk can fill up in, and leaves `latest` on a complete,
verified release (issue 12). Needs root (mount); skipped otherwise."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from corpus import LAUNCH_BODY, PROBE_BODY, STATION_BODY, news_page

from taikong.io import ReleaseStore
from taikong.verify import verify_release
from taikong_cli.main import main

pytestmark = pytest.mark.slow

# Free space left for each trial, as a share of what the first release took: from none
# at all to almost enough, so that the first write that does not fit falls in a different
# stage each time (cache, work area, tables, audit reports, card, manifest, publish).
FREE_SHARES = [0.0, 0.002, 0.02, 0.035, 0.1, 0.3, 0.6, 0.8, 0.9, 0.95, 0.98, 0.995]


@pytest.fixture
def tmpfs(tmp_path):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mnt)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(mnt: Path, leave: int) -> Path:
    """A filler file taking all but `leave` bytes of the filesystem."""
    filler = mnt / "filler"
    st = os.statvfs(mnt)
    size = max(st.f_bavail * st.f_frsize - leave, 0)
    with filler.open("wb") as handle:
        try:
            handle.truncate(0)
            block = b"\0" * (1 << 20)
            while size > 0:
                size -= handle.write(block[: min(size, len(block))])
        except OSError:
            pass  # full already
    return filler


# The write helpers in store.py: the stage is whoever called them.
_HELPERS = {"ensure_writable", "_polars_write", "_write_then_rename"}


def _stage(log_text: str) -> str:
    """The deepest Taikong/flows frame of the logged traceback: where the write failed."""
    frames = re.findall(r'File ".*?/((?:taikong|flows)/[^"]+)", line \d+, in (\w+)', log_text)
    frames = [f for f in frames if f[1] not in _HELPERS]
    return f"{frames[-1][0]}:{frames[-1][1]}" if frames else "?"


def test_a_full_disk_gives_exit_3_at_every_stage_and_keeps_latest(tmp_path, tmpfs, capsys):
    seeds, datasets = tmp_path / "seeds", tmpfs / "datasets"
    seeds.mkdir()
    (seeds / "a.txt").write_text(news_page("Rocket Flies", "Mar 3, 2024", LAUNCH_BODY))
    os.environ["TAIKONG_LOG_DIR"] = str(tmp_path / "logs")  # the log must not need the tmpfs
    try:
        assert main(["release", "--seeds", str(seeds), "--datasets", str(datasets)]) == 0
        capsys.readouterr()
        st = os.statvfs(tmpfs)
        used = (st.f_blocks - st.f_bfree) * st.f_frsize
        stages: dict[int, str] = {}
        for n, share in enumerate(FREE_SHARES):
            free = int(used * share)
            body = [f"Trial {n}: {p}" for p in (PROBE_BODY + STATION_BODY)[: n + 2]]
            (seeds / f"t{n}.txt").write_text(news_page(f"Trial Page {n}", "Mar 5, 2024", body))
            before = ReleaseStore(datasets).latest_id()
            filler = _fill(tmpfs, free)
            try:
                status = main(["release", "--seeds", str(seeds), "--datasets", str(datasets)])
            finally:
                filler.unlink()
            err = capsys.readouterr().err
            assert status in (0, 3), (free, status, err[-2000:])
            assert "Traceback (most recent call last)" not in err and 'File "' not in err
            store = ReleaseStore(datasets)
            if status == 3:
                lines = [line for line in err.splitlines() if line.startswith(("error:", "log:"))]
                assert lines[0].startswith(f"error: could not write under {datasets}"), err
                log = Path(lines[1].removeprefix("log: "))
                stages[free] = _stage(log.read_text())
                assert store.latest_id() == before
            latest = store.latest_id()
            assert verify_release(store.release(latest), store).passed
            assert not list((datasets / ".cache").rglob("*.tmp"))
            assert not [
                p for p in (datasets / ".staging").iterdir() if not (p / "publish.json").exists()
            ]
        print(f"first release used {used} bytes; stages where the disk filled up:", stages)
        assert len(stages) == len(FREE_SHARES), stages  # none of them published
        assert len(set(stages.values())) >= 4, stages
    finally:
        os.environ.pop("TAIKONG_LOG_DIR", None)
