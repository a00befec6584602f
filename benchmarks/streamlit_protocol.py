"""A Streamlit session driven over Streamlit's own protocol (protobuf messages on the app's websocket), as the
browser drives it, but without drawing anything.

On a small machine, thirty Chromium sessions take the CPU the app server needs, so a load benchmark driven by
browsers measures the browsers. This client sends the same messages a browser sends (a rerun with the widgets'
values, a form's submit button as a one-shot trigger, the fragment the button belongs to) and keeps the page's
timers running (a fragment's `run_every` arrives as an auto-rerun request the client repeats, as the browser does),
so the server does exactly the work it does for a browser, and only the server is measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = ForwardMsg.ScriptFinishedStatus
TEXT_KINDS = ("markdown", "alert", "heading", "text")


@dataclass(frozen=True)
class Shown:
    """One element on the session's page, and the fragment that drew it ("" for the page itself)."""

    element: Element
    fragment_id: str

    @property
    def kind(self) -> str:
        return self.element.WhichOneof("type") or ""

    @property
    def widget(self) -> Any:
        """The element's own protobuf message (Radio, Button, ...): its fields depend on the kind."""
        return getattr(self.element, self.kind)

    @property
    def words(self) -> str:
        if self.kind == "exception":
            return self.widget.message or self.widget.type
        return self.widget.body if self.kind in TEXT_KINDS else ""


class ProtocolError(RuntimeError):
    """The server said something this client does not handle (it would be a browser's job)."""


_A_FULL_RUN_ENDED = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)


class Session:
    """One browser tab's worth of Streamlit session. Runs are one at a time, as in a browser, whose timers wait
    while a run it asked for is going on."""

    def __init__(self, socket: websockets.ClientConnection) -> None:
        self._socket = socket
        self._shown: dict[tuple[int, ...], Shown] = {}
        # What a full run in progress has not drawn again yet: it stays on screen until the run ends, as in a browser
        # (which keeps the last screen while the page runs again, so a figure is never missing in between).
        self._stale: set[tuple[int, ...]] = set()
        self._values: dict[str, WidgetState] = {}
        self._page = ""
        self._turn = asyncio.Lock()
        self._finished: asyncio.Queue[int] = asyncio.Queue()
        self._timers: dict[str, asyncio.Task[None]] = {}
        self._pages: dict[str, str] = {}
        self.timed_runs = 0
        """Runs the page's timers asked for (live refresh checks, idle checks): what an idle screen costs."""
        self._reader = asyncio.create_task(self._read())

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, url: str) -> AsyncIterator[Session]:
        """A new session on the app at `url` (http://host:port), its first run done."""
        stream = re.sub(r"^http", "ws", url.rstrip("/")) + "/_stcore/stream"
        async with websockets.connect(stream, subprotocols=["streamlit"], max_size=None) as socket:
            session = cls(socket)
            try:
                await session.run()
                yield session
            finally:
                session._reader.cancel()
                for timer in session._timers.values():
                    timer.cancel()

    # --- what the page shows -------------------------------------------------------------------------------

    def shown(self, kind: str) -> list[Shown]:
        return [s for _, s in sorted(self._shown.items()) if s.kind == kind]

    def widget(self, kind: str, label: str | re.Pattern[str]) -> Shown:
        """The widget of that kind whose label is `label` (or matches the pattern); exactly one."""
        found = [
            s
            for s in self.shown(kind)
            if (s.widget.label == label if isinstance(label, str) else label.search(s.widget.label))
        ]
        if len(found) != 1:
            raise ProtocolError(f"{len(found)} {kind} widgets labelled {label!r} on the page")
        return found[0]

    def texts(self) -> list[str]:
        return [s.words for _, s in sorted(self._shown.items()) if s.words]

    # --- what the person does ------------------------------------------------------------------------------

    async def run(
        self, values: Iterable[WidgetState] = (), *, trigger: str | None = None, fragment_id: str = ""
    ) -> None:
        """Set widget values, press the button `trigger` (by widget id) if any, and wait for the run to end."""
        for value in values:
            self._values[value.id] = value
        async with self._turn:
            await self._send(fragment_id, trigger, auto=False)
            await self._end_of_run()

    async def open_page(self, name: str) -> None:
        """Go to the page of that name in the navigation (as a click on it in the sidebar) and wait for its run."""
        if name not in self._pages:
            raise ProtocolError(f"no page called {name!r}: {sorted(self._pages)}")
        self._page = self._pages[name]
        self._shown.clear()
        self._stale = set()
        await self.run()

    async def submit(self, button: Shown, values: Iterable[WidgetState] = ()) -> None:
        """Fill in a form and press its submit button, as one message (a form sends its values on submit)."""
        await self.run(values, trigger=button.widget.id, fragment_id=button.fragment_id)

    # --- the protocol --------------------------------------------------------------------------------------

    async def _send(self, fragment_id: str, trigger: str | None, *, auto: bool) -> None:
        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash = self._page
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        for value in self._values.values():
            state.widget_states.widgets.append(value)
        if trigger is not None:
            state.widget_states.widgets.append(WidgetState(id=trigger, trigger_value=True))
        await self._socket.send(message.SerializeToString())

    async def _read(self) -> None:
        async for data in self._socket:
            message = ForwardMsg()
            message.ParseFromString(data)  # type: ignore[arg-type]
            self._take(message)

    def _take(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if message.ref_hash:
            raise ProtocolError("the server sent a cached message by reference; this client announces no cache")
        if kind == "new_session":
            if not message.metadata.run.fragment_ids:
                self._stale = set(self._shown)  # a full run redraws the page; a fragment's run only its own part
            self._page = message.new_session.page_script_hash or self._page
        elif kind == "navigation":
            self._page = message.navigation.page_script_hash or self._page
            self._pages = {p.page_name: p.page_script_hash for p in message.navigation.app_pages}
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            path = tuple(message.metadata.delta_path)
            self._shown[path] = Shown(message.delta.new_element, message.delta.fragment_id)
            self._stale.discard(path)
        elif kind == "auto_rerun":
            self._start_timer(message.auto_rerun.fragment_id, message.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for timer in self._timers.values():
                timer.cancel()
            self._timers.clear()
        elif kind == "script_finished":
            if message.script_finished in _A_FULL_RUN_ENDED:  # one stopped for a rerun leaves it to the next
                for path in self._stale:
                    self._shown.pop(path, None)
                self._stale = set()
            self._finished.put_nowait(message.script_finished)

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        if fragment_id in self._timers:
            self._timers[fragment_id].cancel()
        self._timers[fragment_id] = asyncio.create_task(self._every(fragment_id, interval))

    async def _every(self, fragment_id: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            async with self._turn:
                await self._send(fragment_id, None, auto=True)
                await self._end_of_run()
                self.timed_runs += 1

    async def _end_of_run(self) -> None:
        while await self._finished.get() == FINISHED.FINISHED_EARLY_FOR_RERUN:
            pass  # the script asked for a rerun (st.rerun): that run's end is the one to wait for


def text(widget: Shown, value: str) -> WidgetState:
    return WidgetState(id=widget.widget.id, string_value=value)


def choice(radio: Shown, option: str) -> WidgetState:
    """A radio set to the option shown as `option` (the words on screen, which is what a radio's state holds)."""
    if option not in radio.widget.options:
        raise ProtocolError(f"{option!r} is not one of {list(radio.widget.options)}")
    return WidgetState(id=radio.widget.id, string_value=option)
