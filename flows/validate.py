"""Validate stage: write the staged tables, then audit them against the contracts."""

from __future__ import annotations

from prefect import task

from flows._common import TASK_DEFAULTS
from taikong.io.store import Staging
from taikong.publish import write_tables
from taikong.validation import validate_staged


@task(name="write-tables", **TASK_DEFAULTS)
def stage_tables(staging: Staging) -> dict:
    return write_tables(staging)


@task(name="validate-release", **TASK_DEFAULTS)
def validate(staging: Staging) -> dict:
    return validate_staged(staging)
