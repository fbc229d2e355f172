// ECharts, imported chart type by chart type: only what the pages draw (bars, lines,
// the maps' points on a geo component, the cockpit's gauge and ring).
import * as echarts from 'echarts/core';
import { LineChart, BarChart, ScatterChart, PieChart, GaugeChart } from 'echarts/charts';
import {
  GridComponent,
  TooltipComponent,
  LegendComponent,
  GeoComponent,
  DataZoomComponent,
  MarkLineComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { api } from './api.js';
import { loadCity } from './city.js';

echarts.use([
  LineChart,
  BarChart,
  ScatterChart,
  PieChart,
  GaugeChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  GeoComponent,
  DataZoomComponent,
  MarkLineComponent,
  CanvasRenderer,
]);

let mapLoad;
// The city's district boundaries (GET /api/v1/public/city/districts, GeoJSON in
// lon/lat degrees), registered once as the map 'city'. Districts without a stored
// boundary are left out; with none at all the map is empty and CityMap draws the
// points on the city's extent. Resolves to {city, boundaries: number of districts drawn}.
export function loadCityMap() {
  if (!mapLoad) {
    mapLoad = Promise.all([api.get('/public/city/districts'), loadCity()]).then(([districts, city]) => {
      const features = (districts.features || []).filter((f) => f.geometry);
      echarts.registerMap('city', { type: 'FeatureCollection', features });
      return { city, boundaries: features.length };
    });
    // A failure is not remembered: a retry asks again.
    mapLoad.catch(() => (mapLoad = undefined));
  }
  return mapLoad;
}

export { echarts };
