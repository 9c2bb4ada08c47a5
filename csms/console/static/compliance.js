// The car-park map: Hunan's boundaries as the only base layer (no tiles: the console works offline), the
// car parks as dots coloured by verdict; both come from JSON endpoints named in the map's data-* attributes.
(() => {
  const el = document.getElementById("cp-map");
  if (!el || !window.L) return;
  const COLOURS = {
    compliant: "#0b6e4f", non_compliant: "#b3261e", insufficient_data: "#d68400",
    not_applicable: "#7d8a97", unchecked: "#c4ccd4",
  };
  const map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  map.setView([28.2, 112.9], 7);
  const get = (url) => fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => { if (!r.ok) throw new Error(url + ": " + r.status); return r.json(); });
  const base = get(el.dataset.boundaries).then((geo) => L.geoJSON(geo, {
    interactive: false,
    style: (f) => ({
      color: f.properties.kind === "prefecture" ? "#9fb3c8" : "#12324a",
      weight: f.properties.kind === "prefecture" ? 1 : 2,
      fill: false,
    }),
  }).addTo(map));
  const dots = get(el.dataset.points).then((data) => {
    const layer = L.featureGroup();
    for (const p of data.points) {
      const colour = COLOURS[p.verdict] || COLOURS.unchecked;
      const popup = document.createElement("div");
      const link = document.createElement("a");
      link.href = el.dataset.open + encodeURIComponent(p.id);
      link.textContent = p.name;
      const verdict = document.createElement("div");
      verdict.textContent = p.label;
      popup.append(link, verdict);
      L.circleMarker([p.lat, p.lon], { radius: 6, color: "#fff", weight: 1, fillColor: colour, fillOpacity: 0.9 })
        .bindPopup(popup).bindTooltip(p.name).addTo(layer);
    }
    layer.addTo(map);
    const count = document.getElementById("cp-map-count");
    if (count) count.textContent = el.dataset.shownText.replace("{shown}", data.shown).replace("{total}", data.total);
    return layer;
  });
  Promise.all([base, dots]).then(([boundaries, layer]) => {
    const bounds = layer.getLayers().length ? layer.getBounds() : boundaries.getBounds();
    map.fitBounds(bounds.pad(0.1), { maxZoom: 10, animate: false });
    el.dataset.ready = "1";  // drawn and framed (the browser tests wait for it)
  }).catch((err) => console.error(err));
})();
