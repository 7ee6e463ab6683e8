// ECharts, registered once with only what the wall draws: line and bar charts on a grid, with a
// legend, rendered as SVG (crisp when the 1920×1080 stage is scaled up to a 4K screen).
import { use } from 'echarts/core'
import { BarChart, LineChart } from 'echarts/charts'
import { GridComponent, LegendComponent } from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'

use([LineChart, BarChart, GridComponent, LegendComponent, SVGRenderer])

export { default as VChart } from 'vue-echarts'
