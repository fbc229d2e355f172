// ECharts, imported chart type by chart type: only what the pages draw (bars, lines,
// the maps' points and rivers on a geo component, the cockpit's gauge and ring).
import * as echarts from 'echarts/core';
import { LineChart, BarChart, ScatterChart, LinesChart, PieChart, GaugeChart } from 'echarts/charts';
import {
  GridComponent,
  TooltipComponent,
  LegendComponent,
  GeoComponent,
  DataZoomComponent,
  MarkLineComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  LineChart,
  BarChart,
  ScatterChart,
  LinesChart,
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

let geoLoad;
// The city's districts (public/geo/beijing-districts.json, lon/lat degrees) and
// rivers, registered once as the map 'city'.
export function loadCityMap() {
  if (!geoLoad) {
    const json = (r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status} ${new URL(r.url).pathname}`);
      return r.json();
    };
    geoLoad = Promise.all([
      fetch('/geo/beijing-districts.json').then(json),
      fetch('/geo/beijing-rivers.json').then(json),
    ]).then(([districts, rivers]) => {
      echarts.registerMap('city', districts);
      return { districts, rivers };
    });
    // A failure is not remembered: a retry asks again.
    geoLoad.catch(() => (geoLoad = undefined));
  }
  return geoLoad;
}

export { echarts };
