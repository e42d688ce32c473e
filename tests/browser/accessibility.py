"""Accessibility checks with axe-core, vendored in tests/browser/vendor/ (MPL-2.0)."""

from pathlib import Path
from urllib.parse import urljoin

import pytest

AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe has no 2.2 level-A rules, so no "wcag22a").
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

# The portal's Content-Security-Policy refuses inline scripts, so axe cannot go
# in as inline content (add_script_tag(path=...)) without switching the policy
# off for the test. Instead the page loads it from its own origin, at an address
# that only exists inside the browser: the policy stays on while axe runs.
_AXE_PATH = "/__browser-tests__/axe.min.js"

_RUN_AXE = """
async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}
"""


def axe_violations(page) -> list[dict]:
    """Every WCAG 2.0/2.1/2.2 A and AA violation axe finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.route(
            f"**{_AXE_PATH}",
            lambda route: route.fulfill(path=AXE_SOURCE, content_type="text/javascript"),
        )
        page.add_script_tag(url=urljoin(page.url, _AXE_PATH))
    return page.evaluate(_RUN_AXE, WCAG_TAGS)


def assert_no_serious_axe_violations(page) -> None:
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    if not blocking:
        return
    lines = [f"axe found {len(blocking)} serious or critical violation(s) on {page.url}:"]
    for violation in blocking:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}")
            summary = " ".join((node["summary"] or "").split())
            if summary:
                lines.append(f"      {summary[:300]}")
    pytest.fail("\n".join(lines), pytrace=False)
