"""axe-core (Deque's accessibility engine, bundled by axe-playwright-python) run on a page as it is now.

The engine goes into every frame, so the WebRTC component's iframe (its Start button and video) is
audited with the page. Issue 42's bar: no "serious" or "critical" violation on any page or state.
"""

from __future__ import annotations

from axe_playwright_python.base import AXE_SCRIPT

BLOCKING = ("serious", "critical")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
TABLET = {"viewport": {"width": 768, "height": 1024}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
"""A phone and a tablet held upright (touch, device pixel ratio 3 and 2), as Playwright's device list has them."""


def blocking_violations(page) -> list[str]:
    """One line per serious or critical violation: rule, impact, and the elements with their HTML."""
    for frame in page.frames:
        if not frame.is_detached():
            frame.evaluate(AXE_SCRIPT)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{violation['id']} ({violation['impact']}): "
            + " | ".join(f"{node['html'][:160]} {node['any'][0].get('data') if node['any'] else ''}"
                         for node in violation["nodes"])
            for violation in results["violations"] if violation["impact"] in BLOCKING]


def wider_than_the_screen(page) -> int:
    """How many CSS pixels the page is wider than its viewport (0: nothing to scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
