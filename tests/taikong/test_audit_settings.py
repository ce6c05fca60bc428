"""Project settings of the audit: parsing, errors that name the file, the README's ids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from taikong.audit_settings import AuditSettingsError, load_audit_settings
from taikong.report.expectations import DATA_CHECK_IDS

README = Path(__file__).resolve().parents[2] / "README.md"


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    return path


def test_no_section_means_the_defaults(tmp_path):
    settings = load_audit_settings(write(tmp_path, "[project]\nname = 'x'\n"), DATA_CHECK_IDS)
    assert settings.severity == {} and settings.max_quarantine_share == 0.2
    assert settings.severity_of("documents.title_present", "warning") == "warning"


def test_severities_and_limits_are_read_and_recorded(tmp_path):
    path = write(
        tmp_path,
        "[tool.taikong.audit]\nmax_quarantine_share = 0.05\nsmall_sample = 50\n"
        '[tool.taikong.audit.severity]\n"documents.title_present" = "critical"\n'
        '"paragraphs.mostly_unique" = "off"\n',
    )
    settings = load_audit_settings(path, DATA_CHECK_IDS)
    assert settings.severity_of("documents.title_present", "warning") == "critical"
    assert settings.record() == {
        "max_quarantine_share": 0.05,
        "small_sample": 50,
        "severity": {"documents.title_present": "critical", "paragraphs.mostly_unique": "off"},
        "source": str(path),
    }


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (
            '[tool.taikong.audit.severity]\n"documents.nope" = "warning"\n',
            "'documents.nope' is not",
        ),
        ('[tool.taikong.audit.severity]\n"documents.title_present" = "loud"\n', "'loud'"),
        ("[tool.taikong.audit]\nmax_quarantine_share = 2\n", "max_quarantine_share"),
        ("[tool.taikong.audit]\nsmall_sampel = 3\n", "unknown key(s) small_sampel"),
        ("[tool.taikong.audit\n", "cannot read"),
    ],
)
def test_a_bad_setting_names_the_file_and_the_key(tmp_path, body, says):
    path = write(tmp_path, body)
    with pytest.raises(AuditSettingsError) as error:
        load_audit_settings(path, DATA_CHECK_IDS)
    assert str(path) in str(error.value) and says in str(error.value)


def test_taikong_config_names_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, "[tool.taikong.audit]\nsmall_sample = 7\n")
    monkeypatch.setenv("TAIKONG_CONFIG", str(path))
    monkeypatch.chdir(tmp_path.parent)
    assert load_audit_settings().small_sample == 7


def test_the_readme_lists_every_expectation_id():
    text = README.read_text()
    section = text[text.index("### The audit") :]
    listed = set(re.findall(r"^\| `([a-z_]+\.[a-z_0-9]+)` \|", section, re.M))
    assert listed == DATA_CHECK_IDS
