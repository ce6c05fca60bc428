"""Both release stores honour ReleaseStoreProtocol, member by member and signature by
signature, and `taikong.io` exports what it names."""

from __future__ import annotations

import inspect

import pytest

import taikong.io as io
from taikong.io import ReleaseStore, ReleaseStoreProtocol, RemoteReleaseStore

PROTOCOL_METHODS = sorted(
    name
    for name, member in vars(ReleaseStoreProtocol).items()
    if callable(member) and not name.startswith("_")
)


def test_the_protocol_declares_what_callers_use():
    assert {"begin", "publish", "release", "lock", "recover", "keep_failed"} <= set(
        PROTOCOL_METHODS
    )
    assert "root" in ReleaseStoreProtocol.__annotations__


@pytest.mark.parametrize("store", [ReleaseStore, RemoteReleaseStore], ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", PROTOCOL_METHODS)
def test_each_store_has_the_protocols_signature(store, name):
    declared = inspect.signature(getattr(ReleaseStoreProtocol, name))
    method = getattr(store, name)
    actual = inspect.signature(method)
    assert list(actual.parameters) == list(declared.parameters), name
    returns = actual.return_annotation
    if hasattr(method, "__wrapped__") and returns == "Iterator[None]":
        returns = "AbstractContextManager[None]"  # a @contextmanager generator
    assert returns == declared.return_annotation, name


def test_local_and_remote_publish_return_the_same_type():
    assert (
        inspect.signature(ReleaseStore.publish).return_annotation
        == inspect.signature(RemoteReleaseStore.publish).return_annotation
        == "str"
    )


def test_every_exported_name_resolves_to_its_module():
    for name in io.__all__:
        value = getattr(io, name)
        assert value is getattr(
            __import__(f"taikong.io.{io._MODULE_OF[name]}", fromlist=[name]), name
        )
    with pytest.raises(AttributeError, match="no attribute 'store'"):
        io.store  # noqa: B018 - the old module is gone, not aliased


@pytest.mark.parametrize("decision", ["withdraw", "rollback"])
def test_object_storage_refuses_decisions_it_cannot_record(tmp_path, decision):
    from taikong.io import ReleaseStateError

    (tmp_path / "bucket").mkdir()
    store = RemoteReleaseStore(f"file://{tmp_path / 'bucket'}", tmp_path / "work")
    with pytest.raises(ReleaseStateError, match="local datasets directory only"):
        getattr(store, decision)("2026-11-21", "a reason")
    assert not (tmp_path / "work" / "latest").exists()  # no local symlink was touched
