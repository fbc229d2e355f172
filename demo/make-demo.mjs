// Writes a demo city's registry files, demo/<city>/enterprises.csv and sites.csv, from
// its demo/<city>/city.json and districts.geojson. The files are in the registry
// import's template format: `serve --demo --demo-city <city>` registers them through
// `registry import`, the path a bureau takes, and a bureau can read them as examples.
//
//   node demo/make-demo.mjs beijing
//
// Everything the script makes up is deterministic (the same files every run) and marked
// simulated, except the stations city.json lists as real (dataset stations). Codes:
// air stations AIR-*, surface-water sections WAT-nn, noise stations NOI-nn, outlets
// DA-nn-k (gas) and DW-nn-k (water) of enterprise nn.
import { readFileSync, writeFileSync } from 'node:fs';

const city = process.argv[2];
if (!city) throw new Error('usage: node demo/make-demo.mjs <city directory name>');
const dir = new URL(`./${city}/`, import.meta.url);
const seed = JSON.parse(readFileSync(new URL('city.json', dir), 'utf8'));
const geo = JSON.parse(readFileSync(new URL('districts.geojson', dir), 'utf8'));

// A deterministic unit value per integer (splitmix64's finaliser).
function unit(i) {
  let x = (BigInt(i) + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  x ^= x >> 31n;
  return Number(x >> 11n) / 2 ** 53;
}
const jitter = (i, scale) => (unit(i * 7919 + 17) - 0.5) * scale;
const fixed = (x) => Number(x.toFixed(5));

// A district's centre: the area-weighted centroid of its largest ring.
function centre(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let best = null;
  for (const [outer] of polygons) {
    let a = 0, cx = 0, cy = 0;
    for (let i = 0; i < outer.length - 1; ++i) {
      const [x0, y0] = outer[i], [x1, y1] = outer[i + 1];
      const cross = x0 * y1 - x1 * y0;
      a += cross;
      cx += (x0 + x1) * cross;
      cy += (y0 + y1) * cross;
    }
    if (!best || Math.abs(a) > Math.abs(best.a)) best = { a, lon: cx / (3 * a), lat: cy / (3 * a) };
  }
  return best;
}
const districts = geo.features.map((f) => ({
  code: f.properties.code,
  name: f.properties.name,
  ...centre(f.geometry),
}));
const districtOf = (code) => {
  const d = districts.find((x) => x.code === code);
  if (!d) throw new Error(`city.json names district ${code}, which districts.geojson lacks`);
  return d;
};
// "秦都区" -> "秦都", "三原县" -> "三原", "兴平市" -> "兴平": a district's short name.
const short = (name) => (name.length > 2 ? name.replace(/(区|县|市)$/, '') : name);

// GB 11714 check digit of an organisation code's first eight characters, and GB 32100's
// check character of a credit code's first seventeen.
const kAlphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
function creditCode(first16) {
  const value = (c) => (c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 55);
  const weights = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 8; ++i) sum += value(first16[8 + i]) * weights[i];
  const org = 11 - (sum % 11);
  let code = first16 + (org === 10 ? 'X' : org === 11 ? '0' : String(org));
  sum = 0;
  for (let i = 0, w = 1; i < 17; ++i, w = (w * 3) % 31) sum += kAlphabet.indexOf(code[i]) * w;
  return code + kAlphabet[(31 - (sum % 31)) % 31];
}

// CSV (RFC 4180) with the template's headers: "中文 [field]".
function csv(columns, rows) {
  const cell = (v) => {
    const s = v === undefined || v === null ? '' : typeof v === 'string' ? v : String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [columns.map(([field, label]) => `${label} [${field}]`).join(',')];
  for (const r of rows) lines.push(columns.map(([field]) => cell(r[field])).join(','));
  return lines.join('\r\n') + '\r\n';
}

// The industries of the simulated enterprises and what they discharge.
const kIndustries = [
  { name: '热电', water: false }, { name: '水泥', water: false },
  { name: '污水处理', water: true }, { name: '制药', water: true },
  { name: '印染', water: true }, { name: '汽车涂装', water: false },
  { name: '食品', water: false }, { name: '化工', water: false },
  { name: '造纸', water: true }, { name: '垃圾焚烧', water: false },
];
// Outlet limits as a discharge permit writes them: the ultra-low emission values of
// coal-fired power (超低排放) for flue gas, GB 18918-2002 class 1A for waste water.
const kGasLimits = {
  limits: {
    a21026: { value: 35, unit: 'mg/m3', basis: 'permit' },
    a21002: { value: 50, unit: 'mg/m3', basis: 'permit' },
    a34013: { value: 10, unit: 'mg/m3', basis: 'permit' },
  },
};
const kWaterLimits = {
  limits: {
    w01018: { value: 50, unit: 'mg/L', basis: 'permit' },
    w21003: { value: 5, unit: 'mg/L', basis: 'permit' },
    w21011: { value: 0.5, unit: 'mg/L', basis: 'permit' },
  },
};

// The standard each limit comes from, and annual quantities a little above what the
// simulator's flows and concentrations emit in a year (tonnes).
const kGasStandard = '超低排放限值 (环发〔2015〕164号)';
const kWaterStandard = 'GB 18918-2002 表1 一级A';
const kGasQuantities = { a21026: 30, a21002: 60, a34013: 8 };
const kWaterQuantities = { w01018: 10, w21003: 0.5, w21011: 0.08 };
const permitLimits = (limits, standard) =>
  Object.entries(limits.limits).map(([factor, l]) => ({ factor, value: l.value, unit: l.unit, standard }));

const sites = [];
const permits = [];
let n = 0;
for (const s of seed.real_air_stations ?? []) {
  sites.push({
    code: s.code, name: s.name, kind: 'air', district: s.district, lon: s.lon, lat: s.lat,
    level: 'national', simulated: false, attrs: s.dataset ? JSON.stringify({ dataset: s.dataset }) : '',
  });
  ++n;
}
// Simulated stations: every district one, the first ones a second, up to the seed's total.
for (let i = 0; sites.length < seed.air_stations; ++i) {
  const d = districts[i % districts.length];
  sites.push({
    code: `AIR-S${String(i + 1).padStart(2, '0')}`,
    name: short(d.name) + (i < districts.length ? '监测站' : '二站'),
    kind: 'air', district: d.code,
    lon: fixed(d.lon + jitter(n, 0.08)), lat: fixed(d.lat + jitter(n + 1, 0.06)),
    level: 'city', simulated: true,
  });
  n += 2;
}
seed.sections.forEach((s, i) => {
  const d = districtOf(s.district);
  sites.push({
    code: `WAT-${String(i + 1).padStart(2, '0')}`,
    name: s.river + short(d.name) + '断面',
    kind: 'water', district: d.code,
    // Where the seed gives no place: near the district's centre.
    lon: s.lon ?? fixed(d.lon + jitter(100 + i, 0.06)), lat: s.lat ?? fixed(d.lat + jitter(150 + i, 0.05)),
    water_type: 'river', river: s.river, target_class: ['II', 'III', 'IV'][i % 3], simulated: true,
  });
});
const enterprises = [];
for (let i = 0; i < seed.enterprises; ++i) {
  const d = districts[(i * 5 + 3) % districts.length];
  const industry = kIndustries[i % kIndustries.length];
  const word = seed.firm_words[i % seed.firm_words.length];
  const name = seed.firm_prefix + word + industry.name + (i < seed.enterprises / 2 ? '有限公司' : '股份有限公司');
  // 9 (工商), 1 (企业), the district's area code, then an organisation code of our own.
  const org = String(Math.floor(unit(i) * 1e8)).padStart(8, '0');
  const credit = creditCode(`91${d.code}${org}`);
  const outlets = i < seed.enterprises / 2 ? 2 : 1;
  const key = i % 4 !== 3;
  const media = [];
  const lon = fixed(d.lon + jitter(300 + i, 0.12)), lat = fixed(d.lat + jitter(400 + i, 0.1));
  for (let k = 0; k < outlets; ++k) {
    const gas = outlets === 2 ? k === 0 : !industry.water;
    media.push(gas ? 'air' : 'water');
    const code = `${gas ? 'DA' : 'DW'}-${String(i + 1).padStart(2, '0')}-${k + 1}`;
    sites.push({
      code, name: `${name} ${gas ? '废气排放口' : '废水总排口'}${k + 1}`,
      kind: gas ? 'outlet_gas' : 'outlet_water', district: d.code, enterprise: credit,
      lon: fixed(lon + jitter(500 + i * 2 + k, 0.004)), lat: fixed(lat + jitter(600 + i * 2 + k, 0.004)),
      simulated: true, attrs: JSON.stringify(gas ? kGasLimits : kWaterLimits),
    });
  }
  if (key) {
    const outletsOf = sites.filter((s) => s.enterprise === credit);
    const quantities = {};
    for (const s of outletsOf)
      Object.assign(quantities, s.kind === 'outlet_gas' ? kGasQuantities : kWaterQuantities);
    permits.push({
      number: `${credit}001P`, enterprise: credit, valid_from: '2024-01-01', valid_to: '2028-12-31',
      issuer: `${seed.name}生态环境局`,
      outlets: outletsOf.map((s) => ({
        site: s.code,
        limits: s.kind === 'outlet_gas' ? permitLimits(kGasLimits, kGasStandard) : permitLimits(kWaterLimits, kWaterStandard),
      })),
      quantities: Object.entries(quantities).map(([factor, tonnes_per_year]) => ({ factor, tonnes_per_year })),
    });
  }
  enterprises.push({
    credit_code: credit, name, district: d.code, industry: industry.name,
    address: `${d.name}${word}路${10 + (i % 90)}号`, lon, lat,
    key_media: key ? media.join(',') : '',
    permit_no: key ? `${credit}001P` : '',
  });
}
// Noise stations, one per functional zone class, last: device i of a demo reports for
// site i (modulo their number), so that the sites before keep their devices.
const kZones = [['1', '居住区'], ['2', '商住混合区'], ['3', '工业区'], ['4a', '交通干线']];
kZones.forEach(([zone, what], i) => {
  const d = districts[i % districts.length];
  sites.push({
    code: `NOI-${String(i + 1).padStart(2, '0')}`,
    name: short(d.name) + what + '声环境站',
    kind: 'noise', district: d.code,
    lon: fixed(d.lon + jitter(200 + i, 0.05)), lat: fixed(d.lat + jitter(250 + i, 0.04)),
    zone, simulated: true,
  });
});

const enterpriseColumns = [
  ['credit_code', '统一社会信用代码'], ['name', '企业名称'], ['district', '区县代码'],
  ['industry', '行业代码'], ['address', '地址'], ['lon', '经度'], ['lat', '纬度'],
  ['key_media', '重点排污单位类别'], ['permit_no', '排污许可证编号'],
];
const siteColumns = [
  ['code', '站点编码'], ['name', '站点名称'], ['kind', '类型'], ['district', '区县代码'],
  ['enterprise', '企业统一社会信用代码'], ['lon', '经度'], ['lat', '纬度'], ['level', '级别'],
  ['water_type', '水体类型'], ['river', '河流'], ['target_class', '目标水质类别'],
  ['zone', '声环境功能区'], ['simulated', '模拟数据'], ['attrs', '其他属性'],
];
writeFileSync(new URL('enterprises.csv', dir), csv(enterpriseColumns, enterprises));
writeFileSync(new URL('sites.csv', dir), csv(siteColumns, sites));
// The permits as POST /api/v1/permits bodies, their enterprise by credit code and their
// outlets by site code (the demo looks the ids up once they are registered).
writeFileSync(new URL('permits.json', dir), JSON.stringify(permits, null, 1) + '\n');
console.log(`${city}: ${districts.length} districts, ${enterprises.length} enterprises, ${sites.length} sites, ${permits.length} permits`);
