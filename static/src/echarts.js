// The parts of ECharts cryptodash draws with, and nothing else: esbuild bundles this into
// static/vendor/echarts.min.js (npm run vendor), a third of the full library's size. A chart
// type or component the Go side starts to use must be added here, or ECharts leaves it out
// silently.
import * as echarts from 'echarts/core';
import { BarChart, CandlestickChart, LineChart } from 'echarts/charts';
import {
  AxisPointerComponent,
  DataZoomInsideComponent,
  DataZoomSliderComponent,
  GridComponent,
  TooltipComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  LineChart, BarChart, CandlestickChart,
  GridComponent, TooltipComponent, AxisPointerComponent, DataZoomInsideComponent, DataZoomSliderComponent,
  CanvasRenderer,
]);

// app.js and the browser tests reach ECharts as a global, as they did with the full build.
window.echarts = echarts;
