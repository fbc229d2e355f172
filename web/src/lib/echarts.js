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
  if (!geoLoad)
    geoLoad = Promise.all([
      fetch('/geo/beijing-districts.json').then((r) => r.json()),
      fetch('/geo/beijing-rivers.json').then((r) => r.json()),
    ]).then(([districts, rivers]) => {
      echarts.registerMap('city', districts);
      return { districts, rivers };
    });
  return geoLoad;
}

export { echarts };
