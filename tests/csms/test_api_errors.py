"""Every deliberate error of the CSMS (``CsmsError`` and each subclass, the domain's included) is mapped at
the REST edge to its own status: a known error never answers 500."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import csms
from csms.errors import (
    Conflict,
    CsmsError,
    InvalidInput,
    NotFound,
    PayloadInvalid,
    StationCallError,
    StationNotConnected,
    StationTimeout,
    Unavailable,
)
from tests.harness import Csms


def _all_error_classes() -> list[type[CsmsError]]:
    for module in pkgutil.walk_packages(csms.__path__, "csms."):
        importlib.import_module(module.name)  # so that every subclass is defined
    seen: list[type[CsmsError]] = []
    todo: list[type[CsmsError]] = [CsmsError]
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo += cls.__subclasses__()
    return sorted(set(seen), key=lambda c: c.__qualname__)


EXPECTED = {
    CsmsError: 400, NotFound: 404, Conflict: 409, StationNotConnected: 409, InvalidInput: 422,
    PayloadInvalid: 422, StationCallError: 502, Unavailable: 503, StationTimeout: 504,
}


def _instance(cls: type[CsmsError]) -> CsmsError:
    if issubclass(cls, PayloadInvalid | StationCallError):
        return cls("SomeCode", "went wrong")
    return cls("went wrong")


def _expected(cls: type[CsmsError]) -> int:
    return next(EXPECTED[base] for base in cls.__mro__ if base in EXPECTED)


def test_the_domain_errors_are_found() -> None:
    names = {c.__name__ for c in _all_error_classes()}
    domain = {"AllocationInputError", "TariffError", "DemandResponseError", "CarbonInputError"}
    assert {"CsmsError", *domain} <= names


@pytest.fixture
async def raising(csms: Csms) -> Csms:
    errors = {cls.__qualname__: cls for cls in _all_error_classes()}

    async def boom(name: str) -> None:
        raise _instance(errors[name])

    csms.app.add_api_route("/test/raise/{name}", boom)
    return csms


@pytest.mark.parametrize("cls", _all_error_classes(), ids=lambda c: c.__qualname__)
async def test_each_error_class_has_its_status_never_500(raising: Csms, cls: type[CsmsError]) -> None:
    r = await raising.api.get(f"/test/raise/{cls.__qualname__}")
    assert r.status_code == _expected(cls)
    body = r.json()
    if issubclass(cls, StationCallError):
        assert body == {"code": "SomeCode", "description": "went wrong", "details": {}}
    else:
        assert body["detail"] == "went wrong"
