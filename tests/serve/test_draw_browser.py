"""The draw screen under ``nnsim serve`` in headless Chromium: d on the home screen opens it,
t trains a network, and a drag with the browser's mouse draws a digit the network then reads."""

from __future__ import annotations

import re


from tests.serve.browser import CHROMIUM, READ_TERMINAL, chromium, needs_chromium, nnsim_serve

pytestmark = needs_chromium

# The terminal's cell size and where its screen sits in the page, in CSS pixels.
GEOMETRY = """
(() => {
  const t = window.__terminals && window.__terminals[0];
  if (!t) return null;
  const box = t.element.querySelector('.xterm-screen').getBoundingClientRect();
  return {left: box.left, top: box.top, width: box.width / t.cols, height: box.height / t.rows};
})()
"""


async def test_drawing_with_the_browsers_mouse(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSIM_DATA_DIR", str(tmp_path / "no-data"))  # no MNIST: the sample it is
    with nnsim_serve() as (url, served), chromium(CHROMIUM) as browser:
        async with browser.new_page() as page:
            await page.call("Page.navigate", url=url + "/")
            await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "Draw a digit" in t, what="the home screen")
            await page.press("d")
            await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "t trains one now" in t,
                                what="the draw screen offering to train a network")
            await page.press("t")
            text = await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "test digits" in t, timeout=90,
                                       what="the network trained on the offline sample")
            geometry = await page.evaluate(GEOMETRY)
            lines = text.splitlines()
            top = next(i for i, line in enumerate(lines) if "draw a digit ─" in line)
            left = lines[top].index("╭")

            def point(row, column):  # the middle of the cell over pixel (row, column)
                x = left + 1 + 2 * column
                y = top + 1 + row // 2
                return {"x": geometry["left"] + (x + 0.5) * geometry["width"],
                        "y": geometry["top"] + (y + 0.5) * geometry["height"]}

            stroke = [(r, 14) for r in range(4, 24, 2)]
            await page.call("Input.dispatchMouseEvent", type="mousePressed", button="left", clickCount=1,
                            buttons=1, **point(*stroke[0]))
            for pixel in stroke[1:]:
                await page.call("Input.dispatchMouseEvent", type="mouseMoved", button="left", buttons=1,
                                **point(*pixel))
            await page.call("Input.dispatchMouseEvent", type="mouseReleased", button="left", clickCount=1,
                            buttons=0, **point(*stroke[-1]))
            text = await page.wait_for(READ_TERMINAL, lambda t: bool(t) and re.search(r"reads \d", t) is not None,
                                       what="the network's reading of the drawn stroke")
            await page.screenshot(tmp_path / "serve-draw.png")
    assert re.search(r"margin \d\.\d\d over \d", text)
