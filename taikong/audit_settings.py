"""Project settings of the audit: `[tool.taikong.audit]` in the project's pyproject.toml.

    [tool.taikong.audit]
    max_quarantine_share = 0.2     # contract failures in more documents than this block
    small_sample = 20              # rate checks on fewer rows say they are indicative
    [tool.taikong.audit.severity]
    "documents.title_present" = "critical"   # make a warning blocking
    "paragraphs.mostly_unique" = "off"       # or switch an expectation off

Only the Great Expectations checks can be re-graded: contracts, cross-table relations,
keys and schema evolution are always critical (broken data is never published). The
settings used are recorded in the release manifest.

The file is the one named by $TAIKONG_CONFIG, else `pyproject.toml` in the working
directory (the project root, where deployments and the CLI run), else the defaults.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from taikong.io.files import read_text
from taikong.vocabulary import Severity, values

SEVERITIES = tuple(values(Severity))
DEFAULT_MAX_QUARANTINE_SHARE = 0.2
DEFAULT_SMALL_SAMPLE = 20
CONFIG_ENV = "TAIKONG_CONFIG"


class AuditSettingsError(ValueError):
    """The audit settings cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class AuditSettings:
    # Contract or relation failures confined to at most this share of the documents (and
    # always at least one document) quarantine those documents; more block the release.
    max_quarantine_share: float = DEFAULT_MAX_QUARANTINE_SHARE
    # Rate checks evaluated on fewer rows than this report themselves as indicative only.
    small_sample: int = DEFAULT_SMALL_SAMPLE
    # Expectation id -> "critical" | "warning" | "off", overriding the declared default.
    severity: dict[str, str] = field(default_factory=dict)
    source: str | None = None

    def severity_of(self, check_id: str, default: str) -> str:
        return self.severity.get(check_id, default)

    def record(self) -> dict:
        """What the manifest records: the values used and where they came from."""
        return asdict(self)


def config_path() -> Path | None:
    named = os.environ.get(CONFIG_ENV)
    if named:
        return Path(named)
    local = Path.cwd() / "pyproject.toml"
    return local if local.is_file() else None


def load_audit_settings(
    path: Path | None = None, known_ids: set[str] | None = None
) -> AuditSettings:
    """Read `[tool.taikong.audit]`; raise AuditSettingsError naming the file and key."""
    path = path or config_path()
    if path is None:
        return AuditSettings()
    try:
        data = tomllib.loads(read_text(path))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AuditSettingsError(f"{path}: cannot read the audit settings: {exc}") from exc
    section = data.get("tool", {}).get("taikong", {}).get("audit")
    if section is None:
        return AuditSettings(source=str(path))
    where = f"{path}: [tool.taikong.audit]"
    unknown = set(section) - {"max_quarantine_share", "small_sample", "severity"}
    if unknown:
        raise AuditSettingsError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    share = section.get("max_quarantine_share", DEFAULT_MAX_QUARANTINE_SHARE)
    if not isinstance(share, int | float) or isinstance(share, bool) or not 0 <= share <= 1:
        raise AuditSettingsError(f"{where}: max_quarantine_share must be a number in [0, 1]")
    small = section.get("small_sample", DEFAULT_SMALL_SAMPLE)
    if not isinstance(small, int) or isinstance(small, bool) or small < 0:
        raise AuditSettingsError(f"{where}: small_sample must be a whole number >= 0")
    severity = section.get("severity", {})
    if not isinstance(severity, dict):
        raise AuditSettingsError(f"{where}: severity must be a table of check id = severity")
    for check_id, value in severity.items():
        if value not in SEVERITIES:
            raise AuditSettingsError(
                f"{where}.severity: {check_id!r} = {value!r}; use one of {', '.join(SEVERITIES)}"
            )
        if known_ids is not None and check_id not in known_ids:
            raise AuditSettingsError(
                f"{where}.severity: {check_id!r} is not an expectation id "
                f"(the ids are listed in the README, section 'The audit')"
            )
    return AuditSettings(float(share), small, dict(severity), str(path))
