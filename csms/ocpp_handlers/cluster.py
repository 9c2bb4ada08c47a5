"""Several CSMS nodes behind a TCP load balancer: Redis routes commands to the node holding the socket.

Each node keeps a presence key per connected station (``csms:presence:{station}`` = node id, with a TTL it
refreshes) and listens on its own channel (``csms:node:{node}``). A command for a station connected
elsewhere is published to that node's channel; the node runs it on the station's socket and publishes the
outcome (result, CALLERROR or error) back to the asking node's channel. No home-made cluster protocol: Redis
pub/sub and expiring keys only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

from redis.asyncio import Redis

from csms.errors import (
    CsmsError,
    InvalidInput,
    PayloadInvalid,
    StationCallError,
    StationNotConnected,
    StationTimeout,
)
from csms.ocpp_handlers.registry import ConnectionRegistry
from csms.ocpp_handlers.rpc import StationConnection

log = logging.getLogger("csms.cluster")

PRESENCE = "csms:presence:"
CHANNEL = "csms:node:"


def _encode_error(exc: CsmsError) -> dict[str, Any]:
    if isinstance(exc, StationCallError):
        return {"kind": "call_error", "code": exc.code, "description": exc.description,
                "details": exc.details}
    if isinstance(exc, PayloadInvalid):
        return {"kind": "payload_invalid", "code": exc.code, "message": str(exc), "path": exc.path}
    if isinstance(exc, InvalidInput):
        return {"kind": "invalid_input", "message": str(exc), "field": exc.field}
    if isinstance(exc, StationTimeout):
        return {"kind": "timeout", "message": str(exc)}
    return {"kind": "not_connected", "message": str(exc)}


def _decode_error(err: dict[str, Any]) -> CsmsError:
    kind = err["kind"]
    if kind == "call_error":
        return StationCallError(err["code"], err["description"], err["details"])
    if kind == "payload_invalid":
        return PayloadInvalid(err["code"], err["message"], path=err["path"])
    if kind == "invalid_input":
        return InvalidInput(err["message"], field=err["field"])
    if kind == "timeout":
        return StationTimeout(err["message"])
    return StationNotConnected(err["message"])


class ClusterRegistry(ConnectionRegistry):
    """A :class:`ConnectionRegistry` that also knows (and reaches) the stations of the other nodes."""

    def __init__(
        self, redis_url: str, node_id: str, *, presence_ttl_s: int = 60, timeout_s: float = 30
    ) -> None:
        super().__init__()
        self.node_id = node_id
        self._redis: Redis = Redis.from_url(redis_url, decode_responses=True)
        self._ttl_s = presence_ttl_s
        self._timeout_s = timeout_s
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._remote_online: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._pubsub = self._redis.pubsub()

    # -- life cycle ------------------------------------------------------------------------------------
    async def start(self) -> None:
        await self._pubsub.subscribe(CHANNEL + self.node_id)
        self._tasks = [
            asyncio.create_task(self._listen(), name="cluster-listen"),
            asyncio.create_task(self._refresh(), name="cluster-refresh"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for station_id in list(self._live):
            await self._withdraw(station_id)
        await self._pubsub.aclose()
        await self._redis.aclose()

    # -- presence --------------------------------------------------------------------------------------
    def attach(self, conn: StationConnection) -> StationConnection | None:
        old = super().attach(conn)
        self._spawn(self._redis.set(PRESENCE + conn.id, self.node_id, ex=self._ttl_s))
        return old

    def detach(self, conn: StationConnection) -> bool:
        was_current = super().detach(conn)
        if was_current:
            self._spawn(self._withdraw(conn.id))
        return was_current

    async def _withdraw(self, station_id: str) -> None:
        # Only our own claim: the station may already have reconnected to another node.
        if await self._redis.get(PRESENCE + station_id) == self.node_id:
            await self._redis.delete(PRESENCE + station_id)

    def is_online(self, station_id: str) -> bool:
        return super().is_online(station_id) or station_id in self._remote_online

    def online_ids(self) -> set[str]:
        return super().online_ids() | self._remote_online

    async def _refresh(self) -> None:
        while True:
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for station_id in list(self._live):
                        pipe.set(PRESENCE + station_id, self.node_id, ex=self._ttl_s)
                    await pipe.execute()
                self._remote_online = {
                    key.removeprefix(PRESENCE)
                    async for key in self._redis.scan_iter(PRESENCE + "*", count=1000)
                } - set(self._live)
            except Exception:  # the top of this task: log and try again next round
                log.exception("event=presence_refresh_failed node=%s", self.node_id)
            await asyncio.sleep(min(2.0, self._ttl_s / 3))

    # -- routing ---------------------------------------------------------------------------------------
    async def call(
        self, station_id: str, action: str, payload: dict[str, Any], *, timeout_s: float | None = None
    ) -> dict[str, Any]:
        if super().is_online(station_id):
            return await super().call(station_id, action, payload, timeout_s=timeout_s)
        reply = await self._remote(station_id, {"op": "call", "action": action, "payload": payload})
        return reply["result"]

    async def command(self, station_id: str, name: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if super().is_online(station_id):
            return await super().command(station_id, name, params)
        reply = await self._remote(station_id, {"op": "command", "name": name, "params": params})
        return reply["action"], reply["result"]

    async def _remote(self, station_id: str, request: dict[str, Any]) -> dict[str, Any]:
        node = await self._redis.get(PRESENCE + station_id)
        if node is None:
            raise StationNotConnected(f"station {station_id!r} is not connected to any node")
        request_id = str(uuid.uuid4())
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        message = {**request, "id": request_id, "station_id": station_id, "reply_to": self.node_id}
        try:
            if await self._redis.publish(CHANNEL + node, json.dumps(message)) == 0:
                raise StationNotConnected(f"node {node} holding {station_id!r} is not listening")
            reply = await asyncio.wait_for(future, self._timeout_s)
        except TimeoutError:
            raise StationTimeout(f"node {node} did not answer for {station_id} in time") from None
        finally:
            self._waiting.pop(request_id, None)
        if "error" in reply:
            raise _decode_error(reply["error"])
        return reply

    async def _listen(self) -> None:
        async for message in self._pubsub.listen():
            if message.get("type") != "message":
                continue
            try:
                body = json.loads(message["data"])
                if body.get("op") == "reply":
                    future = self._waiting.get(body["id"])
                    if future is not None and not future.done():
                        future.set_result(body)
                else:
                    self._spawn(self._serve(body))
            except Exception:  # one bad message must not stop the node listening
                log.exception("event=cluster_message_failed node=%s", self.node_id)

    async def _serve(self, body: dict[str, Any]) -> None:
        reply: dict[str, Any] = {"op": "reply", "id": body["id"]}
        try:
            if body["op"] == "command":
                reply["action"], reply["result"] = await super().command(
                    body["station_id"], body["name"], body["params"]
                )
            else:
                reply["result"] = await super().call(body["station_id"], body["action"], body["payload"])
        except CsmsError as exc:
            reply["error"] = _encode_error(exc)
        await self._redis.publish(CHANNEL + body["reply_to"], json.dumps(reply))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.append(task)
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[Any]) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("event=cluster_task_failed node=%s error=%r", self.node_id, task.exception())
