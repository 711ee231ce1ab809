/** What bench:e2e reads about a process of the system under test from /proc (Linux): memory and CPU. */
import fs from 'node:fs';

/** the p-th percentile of sorted values (nearest rank) */
export const pct = (xs: number[], p: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] : NaN);
export const rssOf = (pid: number): { rss: number; hwm: number } => {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
};
/**
 * Proportional set size: a page shared by n processes counts 1/n in each, so the sum over the system's
 * processes is the physical memory they hold together. RSS sums count the node binary's pages (~45 MB)
 * once per node process.
 */
export const pssOf = (pid: number): number => {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
};
/** user+system CPU seconds of a process (/proc/<pid>/stat, clock ticks of 1/100 s) */
export const cpuOf = (pid: number): number => {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
};
export const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
