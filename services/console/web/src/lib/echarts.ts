// ECharts, tree-shaken: only the charts and components the console draws are bundled.
import { use, init, registerMap, getMap, type EChartsType } from 'echarts/core'
import { MapChart, ScatterChart, EffectScatterChart, LineChart, BarChart } from 'echarts/charts'
import {
  GeoComponent,
  TooltipComponent,
  LegendComponent,
  GridComponent,
  TitleComponent,
} from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

use([
  MapChart,
  ScatterChart,
  EffectScatterChart,
  LineChart,
  BarChart,
  GeoComponent,
  TooltipComponent,
  LegendComponent,
  GridComponent,
  TitleComponent,
  CanvasRenderer,
])

export { init, registerMap, getMap }
export type { EChartsType }
