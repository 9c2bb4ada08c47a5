// A site's power-flow chart: PV, battery (> 0 discharging), base load, EVs and grid import [kW] over the last
// hours, the cap as a dashed line, the DR target in force as a step line and DR events shaded. Data from the
// console's JSON endpoint in data-src; it refreshes whenever the htmx-polled "now" panel (#site-now) does.
(function () {
  "use strict";
  const el = document.getElementById("site-flow");
  if (!el || !window.echarts) { return; }
  const chart = window.echarts.init(el);
  el.echarts = chart; // for tests and for the resize handler
  const l = el.dataset;
  const clock = (ms) => new Date(ms).toLocaleString("sv-SE", { timeZone: "Asia/Shanghai" }).slice(11, 16);
  const line = (id, name, data, extra) => Object.assign(
    { id: id, name: name, type: "line", showSymbol: false, connectNulls: false, data: data }, extra || {});

  function draw(d) {
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText",
                 valueFormatter: (v) => (v == null ? "–" : v.toFixed(1) + " kW") },
      legend: { top: 0 },
      grid: { left: 56, right: 24, top: 40, bottom: 40 },
      xAxis: { type: "time", axisLabel: { formatter: clock } },
      yAxis: { type: "value", name: l.lKw },
      series: [
        line("pv", l.lPv, d.pv_kw, { color: "#e6a700", areaStyle: { opacity: 0.12 } }),
        line("battery", l.lBattery, d.battery_kw, { color: "#7b4fb3" }),
        line("base_load", l.lBase, d.base_load_kw, { color: "#8a8f98" }),
        line("ev", l.lEv, d.ev_kw, { color: "#0b6e4f", lineStyle: { width: 2.5 } }),
        line("grid_import", l.lGrid, d.grid_import_kw, { color: "#1a5fb4", lineStyle: { width: 2.5 },
          markArea: { silent: true, itemStyle: { color: "rgba(179, 92, 0, 0.10)" },
                      data: d.dr_events.map((e) => [{ name: e.id, xAxis: e.start }, { xAxis: e.end }]) } }),
        line("cap", l.lCap, d.cap, { color: "#b3261e", lineStyle: { type: "dashed", width: 2 } }),
        line("dr_target", l.lDr, d.dr_target_kw, { color: "#b35c00", step: "end", lineStyle: { type: "dotted", width: 2 } }),
      ],
    }, { replaceMerge: ["series"] });
    el.dataset.ready = String(Number(el.dataset.ready || 0) + 1);
  }

  function load() {
    fetch(el.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error("flow data: HTTP " + r.status))))
      .then(draw)
      .catch((err) => console.error(err));
  }

  load();
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target && event.detail.target.id === "site-now") { load(); }
  });
  window.addEventListener("resize", () => chart.resize());
})();
