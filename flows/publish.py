"""Publish stage: move a validated release into place, or keep a failed one aside."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from taikong.publish import ReleaseOutcome, finish_release


@task(name="publish-release", cache_policy=NO_CACHE, retries=0)
def publish(**kwargs) -> ReleaseOutcome:
    # No retries: publish is all-or-nothing under the datasets lock.
    return finish_release(**kwargs)
