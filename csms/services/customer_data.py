"""Erasing what the CSMS itself holds on a customer, named by their id token (with OCPP 2.0.1 N10).

:meth:`CustomerDataService.erase` runs in one unit of work and returns how many rows of each table it
changed. For an id token ``T`` and a new random pseudonym ``P``
(:func:`csms.domain.customer_information.new_pseudonym`):

* ``id_tokens``: the row of ``T`` is deleted (its type, status, expiry, group); tokens whose group is ``T``
  lose that group (``group_id_token`` NULL);
* ``transactions.id_token``: ``T`` becomes ``P`` on every past and ongoing session (the sessions, their
  energy, cost and carbon records stay, grouped under ``P`` rather than anyone);
* ``reservations``: ``id_token`` and ``group_id_token`` ``T`` become ``P``;
* ``customer_information_requests``: earlier requests that named ``T`` name ``P`` instead, and the report
  parts they collected (the station's text about the customer) are deleted.

Not changed: signed meter values (``signed_meter_values``: a legal-metrology record signed by the meter;
some formats carry the identification inside the signature, which any edit would break), and free-form
station messages kept for operators (DataTransfer, events, reports): not searched for tokens. The CSMS
keeps no authorization cache of its own: the station's cache and local list are the station's, cleared by
the CustomerInformation request itself (N10).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, select, update

from csms.db.models import IdToken, Transaction
from csms.db.models_monitoring import CustomerInformationPart, CustomerInformationRequest
from csms.db.models_reservations import Reservation
from csms.db.uow import UnitOfWork
from csms.domain.customer_information import new_pseudonym


class CustomerDataService:
    def __init__(self, uow: UnitOfWork, pseudonyms: Callable[[], str] = new_pseudonym) -> None:
        self._uow = uow
        self._pseudonyms = pseudonyms

    async def erase(self, id_token: str) -> dict[str, int | str]:
        """Erase ``id_token`` from the CSMS's tables; ``{table.column: rows changed, "pseudonym": P}``."""
        pseudonym = self._pseudonyms()
        done: dict[str, int | str] = {"pseudonym": pseudonym}
        async with self._uow() as session:

            async def run(name: str, statement: object) -> None:
                result = await session.execute(statement)  # type: ignore[call-overload]
                done[name] = int(result.rowcount or 0)

            await run("id_tokens", delete(IdToken).where(IdToken.id_token == id_token))
            await run("id_tokens.group_id_token", update(IdToken).where(IdToken.group_id_token == id_token)
                      .values(group_id_token=None))
            await run("transactions.id_token", update(Transaction).where(Transaction.id_token == id_token)
                      .values(id_token=pseudonym))
            await run("reservations.id_token", update(Reservation).where(Reservation.id_token == id_token)
                      .values(id_token=pseudonym))
            await run("reservations.group_id_token", update(Reservation)
                      .where(Reservation.group_id_token == id_token).values(group_id_token=pseudonym))
            requests = 0
            for row in await session.scalars(select(CustomerInformationRequest)):
                token = row.subject.get("idToken") or {}
                if token.get("idToken") == id_token:
                    row.subject = {"idToken": {**token, "idToken": pseudonym}}
                    await session.execute(delete(CustomerInformationPart).where(
                        CustomerInformationPart.station_id == row.station_id,
                        CustomerInformationPart.request_id == row.request_id,
                    ))  # fmt: skip
                    requests += 1
            done["customer_information_requests"] = requests
        return done
