import { defineAsyncComponent } from 'vue';

/** The chart component as a lazy chunk: Chart.js is downloaded when a screen first draws a chart. */
export const ChartCanvas = defineAsyncComponent(() => import('./ChartCanvas.vue'));
