"""The rehearsal's clock: how long the candidate has been on a case, against a time box.

Interview cases run against the clock, so the rehearsal shows one. The server only records
when the case was opened; the browser counts the seconds (a small script, no rerun a second),
and the time taken is kept with the committed answer.
"""

from __future__ import annotations

import json

TIME_BOXES = {"no time box": None, "10 minutes": 600, "20 minutes": 1200, "30 minutes": 1800,
              "45 minutes": 2700}


def elapsed_text(seconds: float) -> str:
    """``seconds`` as "7 min 05 s" (or "45 s" under a minute)."""
    whole = max(0, int(seconds))
    minutes, secs = divmod(whole, 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def clock_html(elapsed: float, box: int | None, element_id: str) -> str:
    """A count-up clock that starts ``elapsed`` seconds in; past the ``box`` it turns red and
    says by how much. The browser ticks it, so a room of candidates costs the server nothing."""
    config = json.dumps({"id": element_id, "elapsed": float(elapsed), "box": box})
    return f"""
<div id="{element_id}" role="timer" aria-live="off"
     style="font-variant-numeric: tabular-nums; font-size: 1.05rem;">
  Time on this case: {elapsed_text(elapsed)}</div>
<script>
(function () {{
  var c = {config};
  var start = Date.now() - c.elapsed * 1000;
  window.__tradeoffClocks = window.__tradeoffClocks || {{}};
  clearInterval(window.__tradeoffClocks[c.id]);  // one ticking clock per element
  function pad(n) {{ return (n < 10 ? "0" : "") + n; }}
  function show(s) {{ return Math.floor(s / 60) + ":" + pad(s % 60); }}
  function tick() {{
    var el = document.getElementById(c.id);
    if (!el) {{ clearInterval(window.__tradeoffClocks[c.id]); return; }}
    var s = Math.floor((Date.now() - start) / 1000);
    var text = "Time on this case: " + show(s);
    if (c.box) {{
      text += s <= c.box ? " of " + show(c.box) : " (" + show(s - c.box) + " over the " +
        show(c.box) + " time box)";
    }}
    el.textContent = text;
    el.style.color = c.box && s > c.box ? "#c0392b" : "";
  }}
  tick();
  window.__tradeoffClocks[c.id] = setInterval(tick, 1000);
}})();
</script>
"""
