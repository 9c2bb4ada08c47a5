// The session page's chart: active power (kW, left axis) and energy taken so far (kWh, right axis) over
// time, from the console's JSON endpoint named in data-src. Times are shown in Asia/Shanghai.
(function () {
  "use strict";
  const el = document.getElementById("session-chart");
  if (!el || !window.echarts) { return; }
  const chart = window.echarts.init(el);
  el.echarts = chart; // for tests and for the resize handler
  const clock = (ms) => new Date(ms).toLocaleString("sv-SE", { timeZone: "Asia/Shanghai" }).slice(0, 16);
  fetch(el.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error("chart data: HTTP " + r.status))))
    .then((data) => {
      chart.setOption({
        animation: false,
        tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: (v) => (v == null ? "–" : v.toFixed(2)) },
        legend: { top: 0 },
        grid: { left: 56, right: 64, top: 36, bottom: 48 },
        xAxis: { type: "time", axisLabel: { formatter: (v) => clock(v).slice(11) } },
        yAxis: [
          { type: "value", name: el.dataset.power, min: 0 },
          { type: "value", name: el.dataset.energy, min: 0, splitLine: { show: false } },
        ],
        series: [
          { id: "power", name: el.dataset.power, type: "line", step: "end", showSymbol: false, data: data.power_kw },
          { id: "energy", name: el.dataset.energy, type: "line", yAxisIndex: 1, showSymbol: false,
            areaStyle: { opacity: 0.15 }, data: data.energy_kwh },
        ],
      });
      el.dataset.ready = "1";
    })
    .catch((err) => { el.dataset.ready = "error"; console.error(err); });
  window.addEventListener("resize", () => chart.resize());
})();
