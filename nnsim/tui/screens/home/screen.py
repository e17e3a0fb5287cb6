"""The home screen: the chapter's lessons by section, each with its description, and
"open a file" for a lesson of one's own."""

from __future__ import annotations


from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from nnsim.errors import NnsimError
from nnsim.sanitize import sanitize
from nnsim.tui.screens import KIND_NAMES, has_screen
from nnsim.tui.style.shading import MUTED

TAGLINE = "Neural Networks and Deep Learning, chapter 1, step by step"


class HomeScreen(Screen):
    """Lists ``bundled_scenarios()`` under the chapter's section titles; Enter opens
    the highlighted lesson, and the input at the bottom opens a scenario file (or
    a bundled lesson by name)."""

    CSS_PATH = "home.tcss"
    AUTO_FOCUS = "#lessons"

    BINDINGS = [
        Binding("slash,o", "open_file", "Open a file", key_display="/"),
        Binding("d", "draw", "Draw a digit", tooltip="Draw a digit and watch a network read it"),
        Binding("escape", "lessons", "Lessons", show=False),
        Binding("t", "app.toggle_dark", "Light/dark"),
        Binding("p", "app.toggle_presenter", "Present"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, message: str = "") -> None:
        super().__init__()
        self.scenarios: dict[str, object] = {}
        self.first_message = message
        self.message = ""
        """The status line's text."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="home-bar"):
            yield Static(Content.assemble(("nnsim", "bold"), "  ", (TAGLINE, MUTED)), id="home-title")
        with Horizontal(id="home-body"):
            lessons = OptionList(id="lessons")
            lessons.border_title = "lessons"
            yield lessons
            with VerticalScroll(id="lesson-info", can_focus=False) as info:
                info.border_title = "about this lesson"
                yield Static("", id="info-text")
        with Horizontal(id="open-file"):
            yield Label("Open a file:", id="open-label")
            yield Input(placeholder="a lesson's name" if self.app.host.served
                        else "path/to/lesson.toml, or a lesson's name", id="path", compact=True)
        yield Static("", id="home-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if not getattr(self.app, "cursor_blink", True):
            self.query_one("#path", Input).cursor_blink = False
        if self.first_message:
            self.say(self.first_message, "warning")

    def on_screen_resume(self) -> None:
        # The lessons are read when the list is first on top: ``nnsim open LESSON`` starts with
        # this screen underneath, and its first frame need not wait for every lesson file.
        if not self.scenarios and self.app.screen is self:
            self.load_lessons()
        # Back home, keys go to the list the footer describes (q quits), not to the file box
        # that was focused when a lesson was opened from it.
        if self.app.screen is self:
            self.query_one("#lessons", OptionList).focus()

    def load_lessons(self) -> None:
        try:
            scenarios = self.app.host.library()
        except NnsimError as error:
            self.say(f"the bundled lessons could not be read: {error}", "error")
            return
        options: list[Option | None] = []
        section = None
        for s in scenarios:
            if s.section != section:
                section = s.section
                options.append(Option(Content.styled(section, "bold"), id=f"section:{s.section_id}", disabled=True))
            self.scenarios[s.name] = s
            # Lessons whose screen is still to come are dimmed; the panel on the right says why.
            style = "" if has_screen(s.kind) else MUTED
            options.append(Option(Content.styled(f"  {sanitize(s.title, single_line=True)}", style), id=s.name))
        lessons = self.query_one("#lessons", OptionList)
        lessons.clear_options()
        lessons.add_options(options)
        first = next((i for i, o in enumerate(options) if o is not None and not o.disabled), None)
        if first is not None:
            lessons.highlighted = first

    def say(self, message: str, severity: str = "information") -> None:
        self.message = message = sanitize(message, single_line=True)
        style = {"error": "bold $text-error", "warning": "$text-warning"}.get(severity, MUTED)
        self.query_one("#home-status", Static).update(Content.styled(message, style))

    def describe(self, scenario) -> Content:
        if has_screen(scenario.kind):
            action = Content.styled("Enter opens it.", "$text-success")
        else:
            action = Content.styled(
                f"{KIND_NAMES.get(scenario.kind, 'its screen').capitalize()} is coming in a later version; "
                f"play it now in a terminal with: nnsim run {scenario.name}", "$text-warning")
        return Content("\n").join([
            Content.styled(sanitize(scenario.title, single_line=True), "bold"),
            Content.styled(f"{scenario.section} · {scenario.kind} · {scenario.name}", MUTED),
            Content(""),
            Content(sanitize(" ".join(scenario.description.split()))),
            Content(""),
            action,
        ])

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        scenario = self.scenarios.get(event.option.id or "")
        if scenario is not None:
            self.query_one("#info-text", Static).update(self.describe(scenario))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        scenario = self.scenarios.get(event.option.id or "")
        if scenario is not None:
            self.open(scenario)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.say("type a lesson's name" if self.app.host.served
                     else "type a scenario file's path, or a bundled lesson's name", "warning")
            return
        try:  # the host decides what a typed name may open (under nnsim serve: lesson names only)
            scenario = self.app.host.open_lesson(text)
        except NnsimError as error:
            self.say(str(error), "error")
            return
        self.open(scenario)

    def open(self, scenario) -> None:
        message = self.app.open_lesson(scenario)
        if message:
            self.say(message, "warning")
        else:
            self.say("")

    def action_draw(self) -> None:
        from nnsim.tui.screens.draw.screen import DrawScreen

        self.app.push_screen(DrawScreen())

    def action_open_file(self) -> None:
        self.query_one("#path", Input).focus()

    def action_lessons(self) -> None:
        self.query_one("#lessons", OptionList).focus()
