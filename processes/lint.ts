/**
 * npm run lint:bpmn — lints every processes/*.bpmn with bpmnlint's Linter API on a tree parsed by
 * bpmn-moddle WITH zeebe-bpmn-moddle registered (the bpmnlint CLI parses without the Zeebe extension
 * and would report every zeebe:* element as missing). Config: processes/.bpmnlintrc (the same file
 * the Camunda Modeler picks up). Exits non-zero on any error or warning, and on moddle import warnings.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Linter } from 'bpmnlint';
import NodeResolver from 'bpmnlint/lib/resolver/node-resolver';
import { PROCESSES_DIR, bpmnFiles, parseBpmn } from './model';

export interface Finding {
  file: string;
  rule: string;
  id?: string;
  message: string;
  category: string;
}

export const LINT_CONFIG = JSON.parse(readFileSync(path.join(PROCESSES_DIR, '.bpmnlintrc'), 'utf8'));

export async function lintFiles(files = bpmnFiles()): Promise<Finding[]> {
  const req = createRequire(path.join(PROCESSES_DIR, 'lint.ts'));
  const findings: Finding[] = [];
  for (const file of files) {
    // one Linter per file: some rules (no-duplicate-sequence-flows) keep state in the rule instance,
    // which a shared Linter would carry from one file into the next.
    const linter = new Linter({ config: LINT_CONFIG, resolver: new NodeResolver({ require: req }) });
    const rel = path.relative(process.cwd(), file);
    const model = await parseBpmn(readFileSync(file, 'utf8'), file);
    for (const w of model.warnings) findings.push({ file: rel, rule: 'moddle-import', message: w.message, category: 'error' });
    const reports = await linter.lint(model.definitions);
    for (const [rule, list] of Object.entries(reports)) {
      for (const r of list) findings.push({ file: rel, rule, id: r.id, message: r.message, category: r.category });
    }
  }
  return findings;
}

async function main(): Promise<void> {
  const files = bpmnFiles();
  const findings = await lintFiles(files);
  for (const f of findings) console.log(`${f.file}: ${f.category} ${f.id ?? ''} ${f.message} (${f.rule})`);
  const errors = findings.filter((f) => f.category !== 'warn' && f.category !== 'info').length;
  const warnings = findings.filter((f) => f.category === 'warn').length;
  console.log(`lint:bpmn: ${files.length} files, ${errors} errors, ${warnings} warnings`);
  if (findings.length) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
