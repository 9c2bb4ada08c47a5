"""OCPP security profiles per station (2.0.1 A00/A05, 1.6 security whitepaper §2 and TC_083).

Profile 1: HTTP Basic auth on plain ``ws://``; 2: TLS (``wss://``) with Basic auth; 3: TLS with a client
certificate naming the station. A station's stored profile is the lowest it may use: a station of profile 2
is refused on plain ``ws://``, one of profile 3 without a client certificate. An upgrade the station agreed
to takes effect the first time it connects with the new profile (never downgraded by a connection).
"""

from __future__ import annotations

PROFILES = (0, 1, 2, 3)


def channel_profile(*, tls: bool, certified: bool) -> int:
    """The profile a handshake actually used: 3 with a verified client certificate, 2 over TLS, else 1.

    >>> channel_profile(tls=False, certified=False), channel_profile(tls=True, certified=False)
    (1, 2)
    >>> channel_profile(tls=True, certified=True)
    3
    """
    return 3 if certified else 2 if tls else 1


def refusal(required: int | None, *, tls: bool, certified: bool) -> str | None:
    """Why a handshake falls short of the station's ``required`` profile, or ``None`` if it does not.

    >>> refusal(2, tls=False, certified=False)
    'security profile 2 needs TLS (wss://)'
    >>> refusal(3, tls=True, certified=False)
    'security profile 3 needs a client certificate'
    >>> refusal(2, tls=True, certified=False) is None, refusal(None, tls=False, certified=False) is None
    (True, True)
    """
    if required is None or required <= 1:
        return None
    if not tls:
        return f"security profile {required} needs TLS (wss://)"
    if required >= 3 and not certified:
        return "security profile 3 needs a client certificate"
    return None


def upgraded(target: int | None, *, tls: bool, certified: bool) -> int | None:
    """The profile a pending upgrade to ``target`` settles at when a handshake like this one succeeds, or
    ``None`` while the station still connects below it.

    >>> upgraded(2, tls=True, certified=False), upgraded(3, tls=True, certified=False)
    (2, None)
    >>> upgraded(None, tls=True, certified=True) is None
    True
    """
    if target is None or channel_profile(tls=tls, certified=certified) < target:
        return None
    return target


def setting_accepted(action: str, response: dict[str, object]) -> bool:
    """Whether a station accepted a new value (a Basic-auth password, a network priority): 2.0.1
    SetVariables of one variable (Accepted, or RebootRequired: set, used after the restart) or 1.6
    ChangeConfiguration (Accepted or RebootRequired).

    >>> setting_accepted("SetVariables", {"setVariableResult": [{"attributeStatus": "Accepted"}]})
    True
    >>> setting_accepted("ChangeConfiguration", {"status": "Rejected"})
    False
    """
    if action == "SetVariables":
        results = response.get("setVariableResult")
        if not isinstance(results, list) or not results or not isinstance(results[0], dict):
            return False
        status = results[0].get("attributeStatus")
    else:
        status = response.get("status")
    return status in ("Accepted", "RebootRequired")
