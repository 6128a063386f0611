"""A Streamlit session without a browser: Streamlit's own websocket protocol, spoken from Python.

The browser and a Streamlit server talk over one websocket (`/_stcore/stream`, subprotocol
"streamlit") in protobuf messages that ship with the streamlit package (`streamlit.proto`):

- the browser sends `BackMsg`s; a rerun is `BackMsg.rerun_script`, a `ClientState` carrying every
  widget's value (`WidgetStates`), the page to run (`page_script_hash`, or `page_name` from the
  URL on the first run), the URL's query string and the hashes of the messages it has cached;
- the server answers with `ForwardMsg`s: `new_session`, `navigation` (the pages and their hashes),
  `delta`s (one element or block each, placed by `metadata.delta_path`), `page_info_changed` (the
  query string), and `script_finished` when the run is over.

This module does what the frontend does with them (streamlit/static's App and ConnectionManager),
as far as a benchmark needs: it keeps each widget's value the way the widget manager does (the
default from the element on first sight, the server's value when it sets one, the user's value once
changed) and sends them all on every rerun; it keeps the forward-message cache (a message marked
`cacheable` is kept, a `ref_hash` message is answered from it, entries older than the server's
`max_cached_message_age` runs are dropped) and reports the cached hashes so the server sends
references instead of repeats; and it follows the query string the app writes. What it does not do
is draw: time here is the server's answer, from the request sent to `script_finished` received.

Used by bench/bench_class.py (a class of simulated students) and its `--bytes` table.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = ForwardMsg.ScriptFinishedStatus
DONE = {FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_WITH_COMPILE_ERROR, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
# element types that are widgets whose value this client can hold and send (buttons are triggers: sent only when pressed)
VALUED = {"text_input", "text_area", "selectbox", "radio", "slider", "checkbox", "multiselect", "number_input", "button_group"}


class ProtocolError(RuntimeError):
    """The server sent something the browser would not accept (a reference to a message it never sent)."""


@dataclass
class Widget:
    """One widget as the last run drew it: its element type, label, key (if the app gave one) and element."""

    id: str
    kind: str
    label: str
    element: Any  # the widget's protobuf (TextInput, Selectbox, Slider, ...)
    sidebar: bool
    fragment_id: str = ""  # the st.fragment that drew it: a change reruns only that fragment

    @property
    def key(self) -> str | None:
        """The app's key: Streamlit's widget ids end in `-<key>` when the app passed one (`$$ID-<hash>-<key>`)."""
        head, _, rest = self.id.partition("-")
        if head != "$$ID" or "-" not in rest:
            return None
        return rest.split("-", 1)[1] or None

    @property
    def options(self) -> list[str]:
        if self.kind == "slider" and self.element.type == Slider.SELECT_SLIDER:
            return list(self.element.options)
        return list(getattr(self.element, "options", []))


@dataclass
class Rerun:
    """What one rerun cost: seconds from the request to `script_finished`, messages and bytes received."""

    seconds: float
    messages: int
    bytes: int
    status: str
    exceptions: list[str] = field(default_factory=list)  # st.exception / uncaught errors drawn by Streamlit
    errors: list[str] = field(default_factory=list)  # st.error alerts the page drew
    elements: list[tuple[tuple[int, ...], Element]] = field(default_factory=list)  # (delta path, element) drawn


def default_state(kind: str, el: Any) -> WidgetState | None:
    """The value the frontend's widget holds when it first draws `el` (None: nothing to send yet)."""
    ws = WidgetState(id=el.id)
    if kind in ("text_input", "text_area"):
        ws.string_value = el.value if el.HasField("value") else (el.default if el.HasField("default") else "")
        if not el.HasField("value") and not el.HasField("default"):
            return None
    elif kind in ("selectbox", "radio"):
        if el.HasField("raw_value"):
            ws.string_value = el.raw_value
        elif el.HasField("default") and 0 <= el.default < len(el.options):
            ws.string_value = el.options[el.default]
        else:
            return None
    elif kind == "slider":
        values = list(el.value) if el.set_value and el.value else list(el.default)
        if el.type == Slider.SELECT_SLIDER:
            ws.string_array_value.data.extend(el.options[int(v)] for v in values)
        else:
            ws.double_array_value.data.extend(values)
    elif kind == "checkbox":
        ws.bool_value = el.value if el.set_value else el.default
    elif kind == "multiselect":
        ws.string_array_value.data.extend(list(el.raw_values) if el.set_value else [el.options[i] for i in el.default])
    elif kind == "number_input":
        if el.set_value and el.HasField("value"):
            ws.double_value = el.value
        elif el.HasField("default"):
            ws.double_value = el.default
        else:
            return None
    elif kind == "button_group":
        ws.string_array_value.data.extend(list(el.raw_values) if el.set_value else [el.options[i].content for i in el.default])
    else:
        return None
    return ws


class Session:
    """One browser tab's worth of Streamlit session, without the browser.

    `await Session.open(url, page)` connects and runs the first page; `rerun()` sends the widgets'
    values (after `set_*` calls) and waits for the run to finish; `switch(page)` runs another page.
    """

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.widgets: dict[str, Widget] = {}
        self.states: dict[str, WidgetState] = {}
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.page_hash = ""
        self.query = ""
        self.cache: dict[str, tuple[bytes, int, str]] = {}  # hash -> (message, run count when last used, fragment id)
        self.runs = 0
        self.max_age = 2
        self._seen: dict[str, tuple[Widget, int]] = {}  # widget id -> (widget, run that drew it)
        self._finished: asyncio.Queue[tuple[str, float]] = asyncio.Queue()
        self._count = [0, 0]
        self._exceptions: list[str] = []
        self._errors: list[str] = []
        self._elements: list[tuple[tuple[int, ...], Element]] = []
        self._reader = asyncio.create_task(self._read())
        self.closed_by_server: str | None = None

    @classmethod
    async def open(cls, url: str, page: str = "", timeout: float = 120, cookie: str | None = None) -> tuple[Session, Rerun]:
        """Connect to the server at `url` (http://host:port) and run `page` (its URL path; "" = the default page).
        `cookie` is sent as a browser sends its cookies (a load balancer's sticky-session cookie)."""
        ws_url = url.replace("http://", "ws://").replace("https://", "wss://").rstrip("/") + "/_stcore/stream"
        headers = {"Cookie": cookie} if cookie else None
        ws = await websockets.connect(
            ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout, additional_headers=headers
        )
        session = cls(ws)
        first = await session._run(BackMsg(rerun_script={"page_name": page, "query_string": ""}), timeout)
        return session, first

    # ------------------------------------------------------------------ receiving

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                self._count[0] += 1
                self._count[1] += len(raw)
                self._take(raw)
        except websockets.ConnectionClosed as e:
            self.closed_by_server = f"connection closed: {e}"
        except ProtocolError as e:
            self.closed_by_server = str(e)
        finally:
            self._finished.put_nowait(("closed", time.perf_counter()))

    def _take(self, raw: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self.cache.get(msg.ref_hash)
            if cached is None:
                raise ProtocolError(f"the server referred to a message this session never cached ({msg.ref_hash})")
            full = ForwardMsg()
            full.ParseFromString(cached[0])
            full.metadata.CopyFrom(msg.metadata)
            self.cache[msg.ref_hash] = (cached[0], self.runs, cached[2])
            msg, kind = full, full.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash and msg.hash not in self.cache:
            self.cache[msg.hash] = (raw, self.runs, msg.delta.fragment_id)
        if kind == "new_session":
            self.max_age = msg.new_session.config.max_cached_message_age or self.max_age
            self.page_hash = msg.new_session.page_script_hash
        elif kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element, list(msg.metadata.delta_path), msg.delta.fragment_id)
        elif kind == "script_finished":
            status = FINISHED.Name(msg.script_finished)
            if msg.script_finished != FINISHED.FINISHED_EARLY_FOR_RERUN:
                fragment = msg.script_finished == FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                self._end_run(set(msg.metadata.run.fragment_ids) if fragment else set())
            self._finished.put_nowait((status, time.perf_counter()))

    def _element(self, el: Element, path: list[int], fragment_id: str) -> None:
        self._elements.append((tuple(path), el))
        kind = el.WhichOneof("type")
        if kind == "exception":
            self._exceptions.append(f"{el.exception.type}: {el.exception.message}"[:300])
        elif kind == "alert" and el.alert.format == el.alert.ERROR:
            self._errors.append(el.alert.body[:300])
        elif kind in VALUED or kind == "button":
            proto = getattr(el, kind)
            widget = Widget(proto.id, kind, getattr(proto, "label", ""), proto, bool(path) and path[0] == 1, fragment_id)
            self._seen[proto.id] = (widget, self.runs)
            if kind in VALUED:
                fresh = default_state(kind, proto)
                setter = getattr(proto, "set_value", False)
                if fresh is not None and (proto.id not in self.states or setter):
                    self.states[proto.id] = fresh

    def _end_run(self, fragments: set[str]) -> None:
        """After a run: widgets it did not draw are gone (a fragment run keeps the rest); old cache entries expire
        (after a fragment run, only that fragment's: the frontend's ForwardMsgCache.incrementRunCount)."""
        if not fragments:
            self._seen = {k: v for k, v in self._seen.items() if v[1] == self.runs}
            self.states = {k: v for k, v in self.states.items() if k in self._seen}
        self.widgets = {k: w for k, (w, _) in self._seen.items()}
        self.runs += 1
        self.cache = {
            h: v for h, v in self.cache.items() if (fragments and v[2] not in fragments) or self.runs - v[1] <= self.max_age
        }

    # ------------------------------------------------------------------ sending

    async def _run(self, back: BackMsg, timeout: float) -> Rerun:
        while not self._finished.empty():  # a status from before (a fragment's own run) is not this run's end
            self._finished.get_nowait()
        self._count = [0, 0]
        self._exceptions, self._errors, self._elements = [], [], []
        back.rerun_script.cached_message_hashes.extend(self.cache)
        start = time.perf_counter()
        await self.ws.send(back.SerializeToString())
        while True:
            status, at = await asyncio.wait_for(self._finished.get(), timeout)
            if status != "FINISHED_EARLY_FOR_RERUN":
                break
        if status == "closed":
            raise ProtocolError(self.closed_by_server or "the connection closed during a run")
        return Rerun(at - start, self._count[0], self._count[1], status, self._exceptions, self._errors, self._elements)

    def _back(self, page_hash: str | None = None, trigger: WidgetState | None = None, fragment_id: str = "") -> BackMsg:
        back = BackMsg()
        rs = back.rerun_script
        rs.query_string = "" if page_hash else self.query
        rs.page_script_hash = page_hash or self.page_hash
        rs.fragment_id = fragment_id
        rs.widget_states.widgets.extend(self.states.values())
        if trigger is not None:
            rs.widget_states.widgets.append(trigger)
        rs.context_info.timezone = "UTC"
        rs.context_info.locale = "en-US"
        return back

    async def rerun(self, changed: Widget | None = None, timeout: float = 120, trigger: WidgetState | None = None) -> Rerun:
        """Send every widget's value (what the browser does after `changed` changed) and wait for the run to finish.

        A widget drawn inside an st.fragment reruns that fragment only, as in the browser."""
        return await self._run(self._back(trigger=trigger, fragment_id=changed.fragment_id if changed else ""), timeout)

    async def switch(self, page: str, timeout: float = 120) -> Rerun:
        """Run the page at URL path `page` (a sidebar navigation link)."""
        target = self.pages[page]
        self.page_hash = target
        return await self._run(self._back(page_hash=target), timeout)

    async def send_and_leave(self) -> None:
        """Send a rerun and close the connection without waiting for it (a tab closed mid-run)."""
        back = self._back()
        back.rerun_script.cached_message_hashes.extend(self.cache)
        await self.ws.send(back.SerializeToString())
        await self.close()

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._reader

    # ------------------------------------------------------------------ widgets

    def find(self, key: str | None = None, label: str | None = None, kind: str | None = None) -> Widget | None:
        """The widget drawn in the last run with this key (or whose label starts with `label`), of this kind."""
        for w in self.widgets.values():
            if kind and w.kind != kind:
                continue
            if key is not None and w.key == key:
                return w
            if label is not None and w.label.startswith(label):
                return w
        return None

    def set_text(self, w: Widget, text: str) -> None:
        self.states[w.id] = WidgetState(id=w.id, string_value=text)

    def set_option(self, w: Widget, option: str) -> None:
        """A selectbox or radio's option (its label as drawn), or a select_slider's."""
        if w.kind == "slider":
            ws = WidgetState(id=w.id)
            ws.string_array_value.data.append(option)
            self.states[w.id] = ws
        else:
            self.states[w.id] = WidgetState(id=w.id, string_value=option)

    def set_number(self, w: Widget, value: float) -> None:
        ws = WidgetState(id=w.id)
        if w.kind == "slider":
            ws.double_array_value.data.append(value)
        else:
            ws.double_value = value
        self.states[w.id] = ws

    def set_bool(self, w: Widget, value: bool) -> None:
        self.states[w.id] = WidgetState(id=w.id, bool_value=value)

    def value(self, w: Widget) -> Any:
        """The value this session holds for a widget (what it would send)."""
        ws = self.states.get(w.id)
        if ws is None:
            return None
        which = ws.WhichOneof("value")
        got = getattr(ws, which) if which else None
        return list(got.data) if hasattr(got, "data") else got
