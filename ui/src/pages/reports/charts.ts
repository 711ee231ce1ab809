/**
 * The report's charts, drawn by Chart.js (npm, bundled by esbuild): utilisation per contract, opened
 * against contracted accounts, and utilisation month over month. No animation, so the printed page and
 * the first paint show the final figures.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
} from 'chart.js';
import { h } from '../../dom';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Title, Tooltip);

export interface ReportRow {
  contractNo: string;
  customerName: string | null;
  contracted: number;
  opened: number | null;
  active: number | null;
  utilisation: number | null;
  overQuota: number;
  missingFigures: boolean;
}

const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);

function canvas(id: string, label: string, make: (el: HTMLCanvasElement) => void): HTMLElement {
  const el = h('canvas', { id, role: 'img', 'aria-label': label }) as HTMLCanvasElement;
  // drawn once the figure is in the document (Chart.js measures its parent)
  queueMicrotask(() => make(el));
  return h('figure', { class: 'report-chart' }, h('div', { class: 'chart-box' }, el), h('figcaption', {}, label));
}

export function utilisationChart(rows: ReportRow[]): HTMLElement {
  return canvas('chart-utilisation', '各合同账号使用率（%）', (el) => {
    new Chart(el, {
      type: 'bar',
      data: {
        labels: rows.map((r) => r.contractNo),
        datasets: [{ label: '使用率 %', data: rows.map((r) => pct(r.utilisation)), backgroundColor: '#2563eb' }],
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, suggestedMax: 100 } } },
    });
  });
}

export function openedChart(rows: ReportRow[]): HTMLElement {
  return canvas('chart-opened', '已开通与合同账号数', (el) => {
    new Chart(el, {
      type: 'bar',
      data: {
        labels: rows.map((r) => r.contractNo),
        datasets: [
          { label: '合同账号数', data: rows.map((r) => r.contracted), backgroundColor: '#94a3b8' },
          { label: '已开通', data: rows.map((r) => r.opened), backgroundColor: '#16a34a' },
          { label: '活跃', data: rows.map((r) => r.active), backgroundColor: '#f59e0b' },
        ],
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
    });
  });
}

/** months oldest first; utilisation = active / contracted over all contracts of the month */
export function monthOverMonthChart(months: { month: string; contracted: number; opened: number; active: number }[]): HTMLElement {
  return canvas('chart-months', '逐月账号使用情况', (el) => {
    new Chart(el, {
      type: 'line',
      data: {
        labels: months.map((m) => m.month),
        datasets: [
          { label: '合同账号数', data: months.map((m) => m.contracted), borderColor: '#94a3b8' },
          { label: '已开通', data: months.map((m) => m.opened), borderColor: '#16a34a' },
          { label: '活跃', data: months.map((m) => m.active), borderColor: '#f59e0b' },
        ],
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
    });
  });
}
