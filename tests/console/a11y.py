"""Keyboard and screen-reader checks shared by the browser tests of the console's areas."""

UNNAMED = """() => [...document.querySelectorAll(
        'button, input:not([type=hidden]), select, textarea, a[href]')]
    .filter(el => !(el.innerText || el.getAttribute('aria-label') || (el.labels && el.labels.length)
                    || el.getAttribute('title')))
    .map(el => el.outerHTML)"""
"""``page.evaluate(UNNAMED)``: the controls without a name a screen reader can say (none, on every page)."""
