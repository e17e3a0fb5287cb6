"""The two HTML pages the classroom server sends: the app page and "classroom full".

The app page carries the hooks textual-serve's ``textual.js`` looks for (the
``.textual-terminal`` element with its websocket URL and font size, the
``-first-byte`` and ``-closed`` body classes, ``#start``), like textual-serve's
own template, but asks nothing of other sites: the font comes from the
server's static files, so a classroom without internet looks the same and no
student's browser calls a third party.
"""

from __future__ import annotations

from html import escape
from string import Template

# What a presenter-mode page keeps room for when it picks its font: the app's 80 columns, and
# the rows presenter mode needs to draw its big step counter (nnsim.tui.style.presenter.ROOMY_ROWS).
FIT_COLUMNS, FIT_ROWS = 80, 30

_STYLE = """
  @font-face { font-family: "Roboto Mono"; font-style: normal;
    src: url("${static}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }
  @font-face { font-family: "Roboto Mono"; font-style: italic;
    src: url("${static}fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }
  html, body { margin: 0; height: 100%; background: #0c181f; }
  body { font-family: "Roboto Mono", menlo, monospace; color: rgba(255, 255, 255, 0.95); }
  .dialog-container { position: absolute; width: 100vw; height: 100vh; display: flex;
    align-items: center; justify-content: center; z-index: 10; }
  .shade { position: absolute; width: 100%; height: 100%; background: #0c181f; }
  .intro { max-width: 640px; min-height: 200px; padding: 24px 32px; font-size: 16px; z-index: 20;
    text-align: center; background-color: #12232d; display: flex; flex-direction: column;
    align-items: center; justify-content: center; margin: 32px; line-height: 1.5; }
  .intro h1 { font-size: 20px; margin: 0 0 12px 0; }
  button, a.button { padding: 12px 28px; background-color: #5e0ba7; color: rgba(255, 255, 255, 0.95);
    border: none; font-family: inherit; font-size: 16px; margin: 16px; display: inline-block;
    text-decoration: none; cursor: pointer; }
  button:hover, a.button:hover { background: #ac5af4; }
"""

_APP_PAGE = Template("""<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${title}</title>
    <link rel="stylesheet" href="${static}css/xterm.css">
    <script src="${static}js/textual.js"></script>
    <style>
""" + _STYLE + """
      #terminal { position: absolute; inset: 0; }
      body.-first-byte .intro-dialog { display: none; }
      body .textual-terminal { opacity: 0; transition: opacity 0.3s ease-out; }
      body.-first-byte .textual-terminal { opacity: 1; }
      .closed-dialog { display: none; }
      body.-closed .closed-dialog { display: flex; }
      #start { display: none; }
      #start.-delay { display: inline-block; }
    </style>
    <script>
      function getStartUrl() {
        const params = new URLSearchParams(window.location.search);
        params.delete("delay");
        return window.location.pathname + "?" + params.toString();
      }
      function refresh() { window.location.href = getStartUrl(); }
      // Presenter mode: the biggest font, up to the presenter size, at which this window still
      // holds ${columns}×${rows} cells (the rows presenter mode needs for its big step counter; a
      // Roboto Mono cell is about 0.56 × 1.3 of the font size, the margins leave room), so a
      // projected tab fills the screen with big text. textual.js reads the size at window load.
      document.addEventListener("DOMContentLoaded", () => {
        const element = document.getElementById("terminal");
        if (!element || element.dataset.fitFont !== "1") return;
        const most = Number(element.dataset.fontSize);
        const fit = Math.floor(Math.min(window.innerWidth / (${columns} * 0.6), window.innerHeight / (${rows} * 1.45)));
        element.dataset.fontSize = String(Math.max(${normal_font}, Math.min(most, fit)));
      });
      // textual.js opens each download (a saved network, an export) in a new window, which
      // browsers block as a pop-up unless a key was pressed a moment ago, and the second file
      // of an export always. A download link clicked in the page needs no pop-up.
      (() => {
        const open = window.open.bind(window);
        window.open = (url, target, features) => {
          try {
            const address = new URL(url, window.location.href);
            if (address.origin === window.location.origin && address.pathname.startsWith("/download/")) {
              const link = document.createElement("a");
              link.href = address.href;
              link.download = "";
              document.body.appendChild(link);
              link.click();
              link.remove();
              return null;
            }
          } catch (error) { /* not a URL: the browser's own open decides */ }
          return open(url, target, features);
        };
      })();
    </script>
  </head>
  <body>
    <div class="dialog-container intro-dialog">
      <div class="shade"></div>
      <div class="intro">
        <div>${title}</div>
        <div>starting…</div>
        <button type="button" onclick="refresh()" id="start">Start</button>
      </div>
    </div>
    <div class="dialog-container closed-dialog">
      <div class="shade"></div>
      <div class="intro">
        <div class="message">Session ended.</div>
        <button type="button" onclick="refresh()">Start again</button>
      </div>
    </div>
    <div id="terminal" class="textual-terminal"
         data-session-websocket-url="${websocket_url}" data-font-size="${font_size}"
         data-fit-font="${fit_font}"></div>
  </body>
</html>
""")

_DIALOG_PAGE = Template("""<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${title}</title>
    <style>
""" + _STYLE + """
    </style>
  </head>
  <body>
    <div class="dialog-container">
      <div class="intro" id="${id}">
        <h1>${heading}</h1>
        ${body}
        <a class="button" href="${href}">${button}</a>
      </div>
    </div>
  </body>
</html>
""")


def _dialog_page(*, id: str, title: str, heading: str, body: str, href: str, button: str, static_url: str) -> str:
    """A page in place of the app, saying why; ``body`` is HTML already escaped."""
    return _DIALOG_PAGE.substitute(id=id, title=escape(title), heading=escape(heading), body=body,
                                   href=escape(href), button=escape(button), static=escape(static_url))


def app_page(*, title: str, static_url: str, websocket_url: str, font_size: int, fit_font: bool = False,
             normal_font: int = 16) -> str:
    """The page whose script opens the websocket that starts one app session. With ``fit_font``
    (presenter mode) ``font_size`` is the most: the page picks the biggest that fits
    :data:`FIT_COLUMNS` × :data:`FIT_ROWS` cells, never below ``normal_font``."""
    return _APP_PAGE.substitute(
        title=escape(title), static=escape(static_url), websocket_url=escape(websocket_url),
        font_size=int(font_size), fit_font="1" if fit_font else "0", normal_font=int(normal_font),
        columns=FIT_COLUMNS, rows=FIT_ROWS,
    )


def full_page(*, max_sessions: int, static_url: str, start_url: str = "/") -> str:
    """What the browser turned away by the session cap shows instead of the app."""
    in_use = "The one session" if max_sessions == 1 else f"All {int(max_sessions)} sessions"
    verb = "is" if max_sessions == 1 else "are"
    body = (f"<p>{in_use} of this nnsim server {verb} in use, so no app was started for this tab.</p>\n"
            "        <p>Close nnsim in another tab or device and try again, or ask your teacher to allow more\n"
            "        (<code>nnsim serve --max-sessions N</code>).</p>")
    return _dialog_page(id="full", title="nnsim: this classroom is full", heading="This nnsim classroom is full",
                        body=body, href=start_url, button="Try again", static_url=static_url)


def message_page(*, title: str, text: str, static_url: str) -> str:
    """A page that says, in words, why no app (or no more app) is in this tab."""
    return _dialog_page(id="message", title=title, heading=title, body=f"<p>{escape(text)}</p>", href="/",
                        button="Start again", static_url=static_url)
