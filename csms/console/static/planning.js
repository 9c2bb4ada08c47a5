// Planning pages: the plan's map (Leaflet, no tiles: Hunan's boundaries as the base layer) and its coverage
// curve (ECharts), both drawn from the plan's view.json; the compare page draws one map per plan and
// their curves together. Elements say data-ready="true" once drawn (the browser tests wait for it).
(() => {
  "use strict";
  const loaded = {};
  const getJSON = (url) => {
    if (!loaded[url]) {
      loaded[url] = fetch(url, { credentials: "same-origin" }).then((r) => {
        if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
        return r.json();
      });
    }
    return loaded[url];
  };
  const colours = ["#c0392b", "#1f6fb2", "#2e8b57", "#8e44ad", "#d35400", "#16a085"];

  const BASE_STYLE = {
    province: { color: "#5f564a", weight: 1.6, fill: false },
    prefecture: { color: "#b4aa98", weight: 0.8, dashArray: "4 3", fillColor: "#fbf8f0", fillOpacity: 1 },
    province_line: { color: "#8c8577", weight: 1, fill: false },
  };

  async function drawMap(el) {
    const view = await getJSON(el.dataset.src);
    const map = L.map(el, {
      crs: view.lonlat ? L.CRS.EPSG3857 : L.CRS.Simple,
      attributionControl: false,
      zoomSnap: 0.25,
      minZoom: view.lonlat ? 5 : -5,
    });
    const network = L.geoJSON(view.network, {
      interactive: false,
      style: (f) => (f.properties.feature === "corridor"
        ? { color: "#4f6275", weight: 2.2 } : { color: "#8a99a8", weight: 1.4 }),
    });
    map.fitBounds(network.getBounds(), { padding: [12, 12] });  // a view first: layers project onto it
    if (view.lonlat && el.dataset.base) {
      const base = await getJSON(el.dataset.base);
      L.geoJSON(base, {
        interactive: false,
        style: (f) => BASE_STYLE[f.properties.kind] || BASE_STYLE.province_line,
      }).addTo(map);
    }
    network.addTo(map);
    for (const a of view.service_areas) {
      L.circleMarker([a.y, a.x], { radius: 3, color: "#55606b", weight: 1, fillColor: "#ffffff", fillOpacity: 1 })
        .bindTooltip(`${a.name} (${view.labels.service_area})`).addTo(map);
    }
    // each label right of its station, or left when it would overlap one placed before (at the fitted zoom)
    const placed = [];
    const box = (s, side) => {
      const pt = map.latLngToContainerPoint([s.y, s.x]);
      const w = 14 + [...s.name].reduce((sum, ch) => sum + (ch.charCodeAt(0) > 0x2e80 ? 13 : 7), 0);
      const x0 = side === "right" ? pt.x + 8 : pt.x - 8 - w;
      return [x0, pt.y - 11, x0 + w, pt.y + 11];
    };
    const overlaps = (a) => placed.some((b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]);
    for (const s of [...view.stations].sort((a, b) => b.y - a.y)) {
      const side = overlaps(box(s, "right")) && !overlaps(box(s, "left")) ? "left" : "right";
      placed.push(box(s, side));
      L.circleMarker([s.y, s.x], {
        radius: 8, color: "#ffffff", weight: 2, fillOpacity: 1,
        fillColor: s.status === "new" ? "#c0392b" : "#1f6fb2", className: `station-marker ${s.status}`,
      }).bindTooltip(s.name, { permanent: true, direction: side, className: "station-label" }).addTo(map);
    }
    el.dataset.ready = "true";
  }

  function drawCurves(el, views, names) {
    const chart = echarts.init(el, null, { renderer: "canvas" });
    const series = views.map((view, i) => ({
      name: names[i] || "",
      type: "line",
      symbolSize: 7,
      data: view.curve.map((c) => [c.p, c.pct]),
      itemStyle: { color: colours[i % colours.length] },
    }));
    chart.setOption({
      animation: false,
      grid: { left: 56, right: 24, top: 40, bottom: 44 },
      legend: names.length > 1 ? { top: 4, right: 10 } : undefined,
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "value", name: el.dataset.x, nameLocation: "middle", nameGap: 28, minInterval: 1 },
      yAxis: { type: "value", name: el.dataset.y, max: 100, min: 0 },
      series,
    });
    window.addEventListener("resize", () => chart.resize());
    el.dataset.ready = "true";
  }

  function fail(el, err) {
    el.classList.add("failed");
    el.textContent = String(err.message || err);
    console.error(err);
  }

  // the plan form: the budget's fields are off unless the budget is chosen (the server ignores them then)
  function budgetToggle(form) {
    const fields = form.querySelector("#budget-fields");
    const sync = () => {
      fields.disabled = form.querySelector("input[name=mode]:checked").value !== "budget";
    };
    form.querySelectorAll("input[name=mode]").forEach((r) => r.addEventListener("change", sync));
    sync();
  }

  function start() {
    const form = document.getElementById("plan-form");
    if (form) budgetToggle(form);
    document.querySelectorAll(".plan-map[data-src]").forEach((el) => drawMap(el).catch((e) => fail(el, e)));
    const one = document.getElementById("plan-curve");
    if (one) getJSON(one.dataset.src).then((v) => drawCurves(one, [v], [])).catch((e) => fail(one, e));
    const many = document.getElementById("compare-curve");
    if (many) {
      const srcs = many.dataset.srcs.split(" ");
      Promise.all(srcs.map(getJSON))
        .then((views) => drawCurves(many, views, many.dataset.names.split("|")))
        .catch((e) => fail(many, e));
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
