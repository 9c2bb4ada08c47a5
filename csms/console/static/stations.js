// The operator's station pages. Live status needs no code here: the htmx sse extension swaps the fragments the
// stream sends into the elements named by sse-swap. This file marks a live region as connected (tests and the
// reader can tell) and draws the station map: Hunan's boundaries as the base layer (no tiles) and the stations.
"use strict";

document.addEventListener("htmx:sseOpen", (event) => {
  const region = event.detail.elt.closest("[sse-connect]") || event.detail.elt;
  region.dataset.live = "open";
});
document.addEventListener("htmx:sseError", (event) => {
  const region = event.detail.elt.closest("[sse-connect]") || event.detail.elt;
  region.dataset.live = "closed";
});

function boundaryStyle(feature) {
  const kind = feature.properties.kind;
  if (kind === "province") return { color: "#12324a", weight: 2.5, fill: true, fillColor: "#ffffff", fillOpacity: 0.6 };
  if (kind === "prefecture") return { color: "#5b6775", weight: 1, fill: false };
  return { color: "#9aa6b2", weight: 1, dashArray: "4 4", fill: false };
}

async function drawMap(box) {
  const map = L.map(box, { zoomSnap: 0.25, attributionControl: false }).setView([27.6, 111.7], 7);
  const [borders, stations] = await Promise.all([
    fetch(box.dataset.boundaries, { credentials: "same-origin" }).then((r) => r.json()),
    fetch(box.dataset.stations, { credentials: "same-origin" }).then((r) => r.json()),
  ]);
  const base = L.geoJSON(borders, {
    style: boundaryStyle,
    onEachFeature: (feature, layer) => {
      const p = feature.properties;
      if (p.kind === "prefecture") layer.bindTooltip(box.dataset.lang === "zh" ? p.name_zh : p.name_en, { sticky: true });
    },
  }).addTo(map);
  const hunan = base.getLayers().filter((layer) => layer.feature.properties.kind === "province");
  map.fitBounds((hunan.length ? L.featureGroup(hunan) : base).getBounds(), { padding: [12, 12] });
  const points = L.geoJSON(stations, {
    pointToLayer: (feature, latlng) => {
      const p = feature.properties;
      const colour = p.faulted ? "#b3261e" : p.online ? "#0b6e4f" : "#7d8a97";
      return L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 1.5, fillColor: colour, fillOpacity: 0.95 });
    },
    onEachFeature: (feature, layer) => {
      const p = feature.properties;
      const popup = document.createElement("div");
      const link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.id;
      const state = document.createElement("div");
      state.textContent = p.faulted ? box.dataset.labelFaulted : p.online ? box.dataset.labelOnline : box.dataset.labelOffline;
      popup.append(link, state);
      layer.bindPopup(popup);
    },
  }).addTo(map);
  const count = document.getElementById("map-count");
  if (count) count.textContent = box.dataset.labelCount.replace("{n}", String(stations.features.length));
  box.dataset.ready = String(points.getLayers().length);
}

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("station-map");
  if (box && window.L) drawMap(box).catch((error) => console.error(error));
});
