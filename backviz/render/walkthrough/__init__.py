"""The walkthrough: one self-contained HTML page that steps through the worked solution.

Each slide is one equation of the worked solution (formula → numbers → value, as MathML)
beside the diagram of its step and sample. The diagram shows only what has been computed so
far (a toggle shows every value), the quantity computed in one colour and everything its
formula reads in another, linked to the equation's terms; it zooms and pans, and follows the
current element. Everything — the SVG diagrams, the CSS and the script — is inside the file:
it works offline, from a USB stick. `window.backvizPage` lets a test or a course site drive it.

`slides.py` orders the slides, `linked_math.py` writes their equations, `svg_values.py`
names the diagrams' value texts, `page.py` assembles the page from `page.css` and `page.js`.
"""

from .page import PageExtension, walkthrough_page

__all__ = ["PageExtension", "walkthrough_page"]
