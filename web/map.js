// The registry's demo map: its own vector tiles, and its GraphQL API on click and search.
"use strict";

const KIND_NAMES = {
  ELDER_CARE_INSTITUTION: "养老机构",
  TOWNSHIP_ELDER_CENTER: "镇街综合养老服务中心",
  COMMUNITY_ELDER_FACILITY: "社区养老服务设施",
  ELDER_DINING_TABLE: "老年餐桌",
  ASSISTANCE_STATION: "社会救助转介服务驿站",
};

// The registry's published style (/map/style.json): its tiles, labels from its own
// glyphs, and the legend of its colours; the page adds what its panels draw.
const map = new maplibregl.Map({
  container: "map",
  style: "/map/style.json",
  attributionControl: { customAttribution: "Weihai registry · demo positions are synthetic" },
});
const EMPTY = { type: "FeatureCollection", features: [] };

map.on("load", () => {
  const metadata = map.getStyle().metadata || {};
  for (const id of ["coverage", "picked", "routes"]) map.addSource(id, { type: "geojson", data: EMPTY });
  const classes = metadata["registry:coverage"] || [];
  map.addLayer({
    id: "coverage-fill", type: "fill", source: "coverage",
    paint: {
      "fill-color": ["step", ["get", "share"], classes[0][1],
        ...classes.slice(1).flatMap(([floor, colour]) => [floor, colour])],
      "fill-opacity": 0.6,
    },
  }, "township-lines");
  map.addLayer({
    id: "routes", type: "line", source: "routes",
    paint: { "line-color": "#1f5fbf", "line-width": 3, "line-opacity": 0.7,
      "line-dasharray": [2, 1] },
  });
  map.addLayer({
    id: "picked", type: "circle", source: "picked",
    paint: { "circle-radius": 7, "circle-color": "#000", "circle-opacity": 0.15,
      "circle-stroke-color": "#000", "circle-stroke-width": 2 },
  });
  drawLegend(metadata["registry:legend"] || []);
  document.body.classList.add("map-loaded");
});

function drawLegend(entries) {
  const legend = document.getElementById("legend");
  legend.replaceChildren(...entries.map((entry) => {
    const row = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = `swatch ${entry.kind}`;
    swatch.style.background = entry.kind === "ramp"
      ? `linear-gradient(to right, ${entry.colours.join(", ")})` : entry.colour;
    row.append(swatch, `${entry.zh} ${entry.en}`);
    return row;
  }));
}

map.addControl(new maplibregl.NavigationControl(), "top-left");
map.addControl(new maplibregl.ScaleControl({ unit: "metric" }));
window.registryMap = map;

async function graphql(query, variables, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch("/graphql", {
    method: "POST", headers, body: JSON.stringify({ query, variables }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || body.errors) {
    const error = (body.errors && body.errors[0]) || { message: `HTTP ${response.status}` };
    throw new Error(error.message);
  }
  return body.data;
}

function item(html, onClick) {
  const li = document.createElement("li");
  li.innerHTML = html;
  if (onClick) li.addEventListener("click", onClick);
  return li;
}

const escape = (text) => String(text ?? "").replace(/[&<>"]/g,
  (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

function metres(value) {
  return value < 1000 ? `${Math.round(value)} m` : `${(value / 1000).toFixed(2)} km`;
}

function firstPosition(geometry) {
  let c = geometry.coordinates;
  while (Array.isArray(c[0])) c = c[0];
  return c;
}

// --- nearest services on click --------------------------------------------------------

// Both distances, ranked by road, with the way there.
const NEAREST = `query ($lon: Float!, $lat: Float!) {
  nearestServices(near: {lon: $lon, lat: $lat}, first: 5, by: BOTH) {
    distanceMeters roadDistanceMeters route
    service { id name kind geometry area { name } }
  }
}`;

map.on("click", async (event) => {
  const { lng, lat } = event.lngLat;
  const list = document.getElementById("nearest-results");
  const hint = document.getElementById("nearest-hint");
  hint.textContent = `Nearest by road 按道路距离 to ${lng.toFixed(5)}, ${lat.toFixed(5)}:`;
  list.replaceChildren();
  try {
    const data = await graphql(NEAREST, { lon: lng, lat });
    const points = data.nearestServices.map((hit) => ({
      type: "Feature", geometry: hit.service.geometry, properties: {},
    }));
    map.getSource("picked").setData({ type: "FeatureCollection", features: points });
    const routes = data.nearestServices.filter((hit) => hit.route).map((hit) => ({
      type: "Feature", geometry: hit.route, properties: {},
    }));
    map.getSource("routes").setData({ type: "FeatureCollection", features: routes });
    for (const hit of data.nearestServices) {
      const s = hit.service;
      const road = hit.roadDistanceMeters === null
        ? "no road 无道路" : `road 道路 ${metres(hit.roadDistanceMeters)}`;
      list.append(item(
        `<span class="distance">${metres(hit.distanceMeters)}</span> ${escape(s.name)}
         <span class="kind">${road} · ${KIND_NAMES[s.kind] || s.kind} · ${escape(s.area.name)}</span>`,
        () => map.flyTo({ center: s.geometry.coordinates, zoom: 15 }),
      ));
    }
    list.classList.add("loaded");
  } catch (error) {
    hint.textContent = `Could not ask: ${error.message}`;
  }
});

// --- place-name search ----------------------------------------------------------------

const SEARCH = `query ($q: String!) {
  searchPlaceNames(query: $q, first: 10) { id standardName pinyin category geometry }
}`;

document.getElementById("search-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const query = document.getElementById("search-input").value.trim();
  const list = document.getElementById("search-results");
  list.replaceChildren();
  list.classList.remove("loaded");
  if (!query) return;
  try {
    const data = await graphql(SEARCH, { q: query });
    if (!data.searchPlaceNames.length) list.append(item("No place name matches."));
    for (const place of data.searchPlaceNames) {
      list.append(item(
        `${escape(place.standardName)} <span class="kind">${escape(place.pinyin)}</span>`,
        () => map.flyTo({ center: firstPosition(place.geometry), zoom: 14 }),
      ));
    }
    list.classList.add("loaded");
  } catch (error) {
    list.append(item(`Search failed: ${escape(error.message)}`));
  }
});

// --- coverage choropleth (planners) ----------------------------------------------------

document.getElementById("coverage-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = document.getElementById("coverage-status");
  const kind = document.getElementById("coverage-kind").value;
  const radius = Number(document.getElementById("coverage-radius").value);
  const mode = document.getElementById("coverage-mode").value;
  const token = document.getElementById("coverage-token").value.trim();
  status.textContent = "Computing…";
  try {
    const counties = (await graphql('{ area(code: "3710") { children { code } } }'))
      .area.children.map((c) => c.code);
    // One request: a coverage report per county, each split by township.
    const parts = counties.map((code, i) =>
      `c${i}: coverage(areaCode: "${code}", kinds: [${kind}], ${mode}: $r) ` +
      "{ coveredElderly elderly byAreaGeoJSON }");
    const data = await graphql(`query ($r: Float!) { ${parts.join(" ")} }`, { r: radius }, token);
    const reports = Object.values(data);
    const features = reports.flatMap((report) => report.byAreaGeoJSON.features);
    map.getSource("coverage").setData({ type: "FeatureCollection", features });
    const covered = reports.reduce((sum, r) => sum + r.coveredElderly, 0);
    const elderly = reports.reduce((sum, r) => sum + r.elderly, 0);
    status.textContent = `${(100 * covered / elderly).toFixed(1)} % of residents aged 60+ ` +
      `live within ${metres(radius)}${mode === "roadDistanceMeters" ? " by road" : ""} ` +
      `of a ${KIND_NAMES[kind]} (${features.length} townships).`;
  } catch (error) {
    status.textContent = `Could not compute coverage: ${error.message}`;
  }
});

