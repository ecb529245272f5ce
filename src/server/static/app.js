// clawpatrol dashboard: the only client script, served from /static (the CSP allows no inline
// script). It draws the overview chart with uPlot from /api/series and makes the asset filter
// submit as you type. Every page works without it.

const COLOURS = {
  live: "#2563eb",
  unauthenticated: "#dc2626",
  vulnerable: "#d97706",
  everSeen: "#6b7280",
};

function drawChart(el) {
  fetch(el.dataset.series, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return r.json();
    })
    .then((s) => {
      if (s.days.length === 0) {
        el.textContent = "No daily counts yet.";
        el.dataset.ready = "empty";
        return;
      }
      const xs = s.days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
      const opts = {
        width: Math.max(320, el.clientWidth),
        height: 280,
        scales: { x: { time: true } },
        // One tick per day at most, labelled by UTC date (the counts are per UTC day).
        axes: [
          {
            space: 70,
            incrs: [86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400],
            values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(5, 10)),
          },
          {},
        ],
        series: [
          {},
          { label: "Live", stroke: COLOURS.live, width: 2 },
          { label: "Unauthenticated", stroke: COLOURS.unauthenticated, width: 2 },
          { label: "Pre-auth vulnerable", stroke: COLOURS.vulnerable, width: 2 },
          { label: "Ever seen (incl. closed)", stroke: COLOURS.everSeen, width: 1, dash: [6, 4] },
        ],
      };
      const plot = new window.uPlot(opts, [xs, s.live, s.unauthenticated, s.vulnerable, s.everSeen], el);
      window.addEventListener("resize", () =>
        plot.setSize({ width: Math.max(320, el.clientWidth), height: 280 }),
      );
      el.dataset.ready = "1";
    })
    .catch((err) => {
      el.textContent = `Chart unavailable: ${err.message}`;
      el.dataset.ready = "error";
    });
}

function liveSearch(form) {
  let timer = null;
  const submit = () => {
    clearTimeout(timer);
    timer = null;
    form.requestSubmit();
  };
  // Leave empty fields out of the URL, so a shared link names only the filters in use.
  form.addEventListener("submit", () => {
    for (const el of form.elements) if (el.name && el.value === "" && !el.disabled) el.disabled = true;
  });
  const q = form.querySelector("#q");
  if (q) {
    q.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(submit, 400);
    });
    // Back from a search: keep typing where it was.
    if (q.value !== "") {
      q.focus();
      q.setSelectionRange(q.value.length, q.value.length);
    }
  }
  for (const el of form.querySelectorAll("select, input[type=checkbox]"))
    el.addEventListener("change", submit);
}

const chart = document.getElementById("chart");
if (chart && window.uPlot) drawChart(chart);
const filters = document.getElementById("filters");
if (filters) liveSearch(filters);
