"""The explorer's page, laid out with Panel: widgets on the left, outputs on the right.

Every output is recomputed by :func:`~symtd.explore.model.explore` when a widget changes; a
refused input shows the command line's ``symtd: error: ...`` line in an alert, never a
traceback. The partition is shown as a row of position buttons (pressed = in I): a named
partition presses its positions, and pressing a button makes the partition "positions".

Panel serves its own JavaScript and CSS (nothing is loaded from another host), and the LaTeX of
an entry is shown as source, so the page works without a network. The output panes carry the
CSS classes ``symtd-rank``, ``symtd-separation``, ``symtd-latex``, ``symtd-alert``,
``symtd-circuit`` and ``symtd-heatmap``; each widget the class ``symtd-<field>`` of the
:class:`~symtd.explore.model.Settings` field it sets (``symtd-N``, ``symtd-operator``, ...).
"""

from __future__ import annotations

import html
import io
import signal
import sys
from dataclasses import fields, replace
from typing import Any

from symtd.errors import SymtdError
from symtd.explore.model import (
    BUILDERS,
    OPERATORS,
    PARTITIONS,
    Outputs,
    Settings,
    explore,
    figures,
)

MAX_BUTTONS = 64  # position buttons shown for N up to this
MAX_FIGURE_WIDTH = 760  # pixels
PRE_STYLE = "white-space: pre-wrap; overflow-wrap: anywhere; margin: 0"  # a long entry wraps
ALERT_STYLE = {
    "background": "#f8d7da",
    "color": "#58151c",
    "border": "1px solid #f1aeb5",
    "border-radius": "4px",
    "padding": "0 12px",
}
# panel and matplotlib objects are Any: panel is imported only when an explorer is built.


class Explorer:
    """One explorer: its widgets (attributes named after the fields of
    :class:`~symtd.explore.model.Settings`), its output panes and its ``layout`` (a Panel
    object: display it in Jupyter, or serve it).

    Set a widget's ``value`` and the panes follow: ``rank.object`` starts "rank: k",
    ``separation.object`` "separation: lower ≤ rank* ≤ upper", ``alert.object`` holds the
    error lines (``alert.visible`` only when there are some); ``outputs`` is the last
    :class:`~symtd.explore.model.Outputs`.

    Parameters
    ----------
    settings : Settings, optional
        The initial values (default: a deep product network, N = 4, M = 2, r = 2, odd-even).

    Examples
    --------
    >>> app = Explorer()  # doctest: +SKIP
    >>> app.N.value = 8; app.rank.object[:8]  # doctest: +SKIP
    'rank: 16'
    """

    def __init__(self, settings: Settings | None = None) -> None:
        import panel as pn

        s = settings or Settings()
        self.busy = False
        self.outputs: Outputs | None = None
        w = pn.widgets
        self.builder = w.Select(**title("builder"), options=list(BUILDERS), value=s.builder)
        self.N = w.IntInput(**title("N"), value=s.N, step=1)
        self.M = w.IntInput(**title("M"), value=s.M, step=1)
        self.widths = w.TextInput(**title("widths"), value=s.widths)
        self.operator = w.Select(**title("operator"), options=list(OPERATORS), value=s.operator)
        self.partition = w.Select(**title("partition"), options=list(PARTITIONS), value=s.partition)
        self.balanced = w.IntInput(**title("balanced"), value=s.balanced, step=1)
        buttons = {str(j): j for j in range(s.N)} if 0 < s.N <= MAX_BUTTONS else {}
        self.positions = w.CheckButtonGroup(
            **title("positions"),
            options=buttons,
            value=[j for j in s.positions if j in buttons.values()],
            **pressed_colour(),
            stylesheets=[".bk-btn-group { flex-wrap: wrap; }"],  # many positions: several rows
            width=300,
        )
        self.seed = w.IntInput(**title("seed"), value=s.seed, step=1)
        self.kernel = w.IntInput(**title("kernel"), value=s.kernel, step=1)
        self.stride = w.IntInput(**title("stride"), value=s.stride, step=1)
        self.entry = w.TextInput(**title("entry"), value=s.entry, placeholder="0,0,... (0-based)")
        for f in fields(Settings):
            getattr(self, f.name).css_classes = [f"symtd-{f.name}"]
        self.alert = text_pane("symtd-alert", visible=False, styles=ALERT_STYLE)
        self.rank = text_pane("symtd-rank", styles={"font-size": "15px", "font-weight": "600"})
        self.separation = text_pane("symtd-separation", styles={"font-size": "14px"})
        self.latex = text_pane("symtd-latex")
        self.circuit = figure_pane("symtd-circuit")
        self.heatmap = figure_pane("symtd-heatmap")
        self.circuit_note = text_pane("symtd-circuit-note")
        self.heatmap_note = text_pane("symtd-heatmap-note")
        self.layout = self.arrange(pn)
        for widget in self.widgets():
            widget.param.watch(self.changed, "value")
        self.update()

    def widgets(self) -> list[Any]:
        """Every input widget, in the order of the :class:`~symtd.explore.model.Settings` fields."""
        return [getattr(self, f.name) for f in fields(Settings)]

    def arrange(self, pn: Any) -> Any:
        """The page: the controls on the left, the outputs on the right."""
        controls = pn.Column(
            pn.pane.Markdown("### symtd explorer"),
            self.builder,
            self.N,
            self.M,
            self.widths,
            self.operator,
            self.kernel,
            self.stride,
            self.partition,
            self.balanced,
            pn.pane.Markdown("I (pressed positions, 0-based):"),
            self.positions,
            self.seed,
            self.entry,
            width=320,
        )
        outputs = pn.Column(
            self.alert,
            self.rank,
            self.separation,
            pn.pane.HTML("<b>LaTeX of one grid entry</b> G[d] (symbolic weights; d: entry)"),
            self.latex,
            self.circuit_note,
            self.circuit,
            self.heatmap_note,
            self.heatmap,
            sizing_mode="stretch_width",
        )
        return pn.Row(controls, outputs, sizing_mode="stretch_width", name="symtd explorer")

    def settings(self) -> Settings:
        """The widgets' values as :class:`~symtd.explore.model.Settings`."""
        values = {f.name: getattr(self, f.name).value for f in fields(Settings)}
        values["positions"] = tuple(sorted(values["positions"] or ()))
        for key in ("N", "M", "seed", "balanced", "kernel", "stride"):  # an emptied box
            values[key] = 0 if values[key] is None else values[key]
        return replace(Settings(), **values)

    def changed(self, event: Any) -> None:
        """A widget changed: pressing a position button selects the "positions" partition;
        then every output is recomputed."""
        if self.busy:
            return
        if event.obj is self.positions:
            if self.partition.value != "positions":
                self.busy = True
                try:
                    self.partition.value = "positions"
                finally:
                    self.busy = False
        self.update()

    def update(self) -> None:
        """Recompute the outputs and show them (errors as one line each in the alert)."""
        s = self.settings()
        out = explore(s)
        self.outputs = out
        self.kernel.visible = self.stride.visible = s.builder == "overlapping"
        self.balanced.visible = s.partition == "balanced"
        self.show_positions(out)
        self.rank.object = html.escape(out.rank, quote=False)
        self.separation.object = html.escape(out.separation, quote=False)
        self.latex.object = f"<pre style='{PRE_STYLE}'>{html.escape(out.latex, quote=False)}</pre>"
        shown = figures(out)
        errors = list(out.errors)
        for name, title, pane, note in (
            ("circuit", "circuit", self.circuit, self.circuit_note),
            ("heatmap", "matricization heatmap at the seed", self.heatmap, self.heatmap_note),
        ):
            figure = shown.get(name)
            if isinstance(figure, str):
                errors.append(figure)
            picture = None if figure is None or isinstance(figure, str) else png(figure)
            if picture is not None:  # natural size, at most MAX_FIGURE_WIDTH pixels wide
                pane.width = min(MAX_FIGURE_WIDTH, int.from_bytes(picture[16:20], "big"))
            pane.object = picture
            pane.visible = pane.object is not None
            note.object = f"<b>{title}</b>" + ("" if pane.object is not None else ": —")
        unique = list(dict.fromkeys(errors))
        self.alert.object = "".join(f"<p>{html.escape(e, quote=False)}</p>" for e in unique)
        self.alert.visible = bool(unique)

    def show_positions(self, out: Outputs) -> None:
        """The position buttons: one per position (N <= MAX_BUTTONS), pressed for I; left as
        they are when the circuit was refused (the user's I survives a bad N)."""
        if out.circuit is None:
            return
        N = out.circuit.N
        self.busy = True
        try:
            options = {str(j): j for j in range(N)} if N <= MAX_BUTTONS else {}
            if self.positions.options != options:
                self.positions.options = options
            self.positions.value = [j for j in out.rows if j < len(options)]
            self.positions.visible = bool(options)
        finally:
            self.busy = False


def title(text: str) -> dict[str, str]:
    """A widget's title option: ``label`` (Panel >= 1.5), else ``name``."""
    import panel as pn

    return {"label" if "label" in pn.widgets.IntInput.param else "name": text}


def pressed_colour() -> dict[str, str]:
    """Pressed buttons solid, the others outlined, in the primary colour: ``color`` and
    ``variant`` (Panel >= 1.8), else ``button_type`` and ``button_style``."""
    import panel as pn

    if "color" in pn.widgets.CheckButtonGroup.param:
        return {"color": "primary", "variant": "outline"}
    return {"button_type": "primary", "button_style": "outline"}


def text_pane(css: str, **options: Any) -> Any:
    """An HTML pane (its object: HTML-escaped text) with the CSS class ``css``."""
    import panel as pn

    return pn.pane.HTML("", css_classes=[css], sizing_mode="stretch_width", **options)


def figure_pane(css: str) -> Any:
    """An empty PNG pane with the CSS class ``css`` (for :func:`png` pictures)."""
    import panel as pn

    return pn.pane.PNG(None, css_classes=[css], width=MAX_FIGURE_WIDTH)


def png(figure: Any) -> bytes:
    """A matplotlib figure as PNG bytes (96 dpi, cropped to its content), rendered once and
    then closed in pyplot."""
    from symtd.render.draw import pyplot

    data = io.BytesIO()
    try:
        figure.savefig(data, format="png", dpi=96, bbox_inches="tight")
    finally:
        pyplot().close(figure)
    return data.getvalue()


def explorer(settings: Settings | None = None) -> Any:
    """The explorer's page, a Panel layout: in Jupyter, run ``import panel;
    panel.extension()`` and show the returned object; :func:`~symtd.explore.app.serve` serves it.

    Parameters
    ----------
    settings : Settings, optional
        The initial widget values.

    Returns
    -------
    panel.Row
        The layout of a new :class:`~symtd.explore.app.Explorer`.
    """
    return Explorer(settings).layout


def quiet_on_closed_tabs(loop: Any, context: dict[str, Any]) -> None:
    """The event loop's error handler: a tab closed while the server was still writing to it
    (tornado's StreamClosedError, WebSocketClosedError) is not an error; anything else is
    reported as usual."""
    from tornado.iostream import StreamClosedError
    from tornado.websocket import WebSocketClosedError

    if not isinstance(context.get("exception"), (StreamClosedError, WebSocketClosedError)):
        loop.default_exception_handler(context)


def serve(port: int = 5006, open_browser: bool = True) -> None:
    """Serve the explorer at http://127.0.0.1:PORT/ (this machine only) until Ctrl-C; every
    browser tab gets its own :class:`~symtd.explore.app.Explorer`. Prints the address first.

    Parameters
    ----------
    port : int
        The TCP port, 1..65535.
    open_browser : bool
        Whether to open the page in the default browser.

    Raises
    ------
    SymtdError
        For a port outside 1..65535 or one already in use (one line).
    KeyboardInterrupt
        After Ctrl-C has stopped the server (the command line exits with status 130).
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise SymtdError(f"the port must be an integer in 1..65535, got {port!r}")
    import panel as pn

    try:
        server = pn.serve(
            {"/": explorer},
            port=port,
            address="127.0.0.1",
            websocket_origin=[f"127.0.0.1:{port}", f"localhost:{port}"],
            show=False,
            start=False,
            title="symtd explorer",
            verbose=False,
        )
    except OSError as exc:
        raise SymtdError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror}") from None
    interrupted = []

    def stop(*_: Any) -> None:
        interrupted.append(True)
        server.io_loop.asyncio_loop.call_soon_threadsafe(server.io_loop.stop)

    signal.signal(signal.SIGINT, stop)
    server.io_loop.asyncio_loop.set_exception_handler(quiet_on_closed_tabs)
    url = f"http://127.0.0.1:{port}/"
    print(f"symtd explore: serving on {url} (Ctrl-C to stop)", flush=True)
    server.start()
    if open_browser:
        server.io_loop.add_callback(lambda: server.show("/"))
    try:
        server.io_loop.start()
    finally:
        server.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if interrupted:
        sys.stdout.flush()
        raise KeyboardInterrupt
