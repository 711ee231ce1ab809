/** Reading ./Dockerfile without Docker: instructions (continuation lines joined, comments dropped), grouped by stage. */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './compose';

export interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

export function readDockerfile(file = path.join(ROOT, 'Dockerfile')): string {
  return fs.readFileSync(file, 'utf8');
}

/** Instructions with continuation lines joined; comments and blank lines dropped. */
export function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buf = '';
  let start = 0;
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.trim();
    if (!buf && (line === '' || line.startsWith('#'))) return;
    if (buf && line.startsWith('#')) return;
    if (!buf) start = i + 1;
    if (line.endsWith('\\')) {
      buf += line.slice(0, -1) + ' ';
      return;
    }
    buf += line;
    const m = /^(\w+)\s*(.*)$/s.exec(buf)!;
    out.push({ line: start, keyword: m[1].toUpperCase(), args: m[2].trim() });
    buf = '';
  });
  return out;
}

/** The instructions of each stage, each list starting with its FROM. */
export function stagesOf(ins: Instruction[]): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const i of ins) {
    if (i.keyword === 'FROM') stages.push([]);
    if (stages.length) stages[stages.length - 1].push(i);
  }
  return stages;
}

/** The stage named `name` (FROM … AS name). */
export function stageNamed(stages: Instruction[][], name: string): Instruction[] | undefined {
  return stages.find((s) => new RegExp(`\\bAS\\s+${name}\\b`, 'i').test(s[0].args));
}
