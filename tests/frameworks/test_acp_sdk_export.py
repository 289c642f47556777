"""The static copy of a turn built with the real ``agent-client-protocol`` SDK's helpers
(``tests/frameworks/test_acp_sdk.py`` ``turn``): its ``acp.tool_diff_content`` edit drawn as a
diff with its file and counts, its ``UsageUpdate`` as the context gauge and the session's cost
on the status line, in the HTML, text and markdown exports."""

from __future__ import annotations

from nbagent.transcript.transcript import Transcript
from tests.frameworks.test_acp_sdk import events_of, turn, wire


def test_an_sdk_turns_edit_and_context_in_the_exports() -> None:
    for items in (turn(), [wire(i) for i in turn()]):
        t = Transcript.from_events(events_of(items))
        html = t.to_html()
        head = html[html.index('<div class="nba-diff-head">') :]
        assert head.startswith(
            '<div class="nba-diff-head"><code>/p/c.py</code> '
            '<span class="nba-diff-add">+1</span> <span class="nba-diff-del">\u22121</span></div>'
        )
        assert "<del>-return int(x)\n</del><ins>+return float(x)\n</ins>" in head
        status = html[html.index('<div class="nba-status') :]
        status = status[: status.index("</div>")]
        assert " · $0.010 · " in status
        assert (
            '<span class="nba-gauge"><meter min="0" max="200000" value="1000" '
            'title="context window"></meter> 1,000 / 200,000 tokens (1%)</span>'
        ) in status
        assert "done · +1 \u22121 · " in t.to_text()
        # The context window's words, then the session's (its title and mode).
        assert t.to_text().endswith(" · 1,000 / 200,000 tokens (1%) · Parser fix · mode: code")
        assert "Parser fix · mode: code" in status
        assert "```diff\n--- /p/c.py\n+++ /p/c.py\n" in t.to_markdown()
