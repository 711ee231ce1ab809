/**
 * The three audience guides stay in step with what they describe: the models' user tasks and groups,
 * the process ids, the metric names and the images of docker-compose.yml.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { METRIC_NAMES, DEFAULT_PREFIX } from '../../platform/observability/metrics';
import { PROCESS, ROLES } from '../../domain/vocabulary';
import { ROOT, parseCompose, readComposeText } from './support/compose';

const doc = (name: string) => fs.readFileSync(path.join(ROOT, 'docs', name), 'utf8');
const staff = doc('staff.md');
const owners = doc('process-owners.md');
const admins = doc('admins.md');

const models = fs
  .readdirSync(path.join(ROOT, 'processes'))
  .filter((f) => f.endsWith('.bpmn'))
  .map((f) => fs.readFileSync(path.join(ROOT, 'processes', f), 'utf8'));

describe('production: docs for process owners, staff and admins', () => {
  it('staff.md names every user task of the models and every candidate group', function () {
    if (models.length === 0) this.skip();
    const tasks = new Set<string>();
    const groups = new Set<string>();
    for (const xml of models) {
      for (const m of xml.matchAll(/<(?:[\w-]+:)?userTask\b[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/(?:[\w-]+:)?userTask>/g)) {
        tasks.add(m[1]);
        const g = /candidateGroups="([^"]*)"/.exec(m[2]);
        for (const id of (g?.[1] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean))
          groups.add(id);
      }
    }
    expect(tasks.size).to.be.greaterThan(10);
    for (const t of tasks) expect(staff, `user task ${t}`).to.include(t);
    for (const g of groups) {
      expect(Object.keys(ROLES), `group ${g} is a role`).to.include(g);
      expect(staff, `group ${g}`).to.include(`\`${g}\``);
    }
  });

  it('staff.md states the deadline rules: 60 PRC working days, reminder, escalation, report before the 5th', () => {
    for (const s of ['60 working days', '调休', '23:59:59', 'Reminder', 'Escalation', 'before the 5th', '01:00', 'Provisional']) {
      expect(staff, s).to.include(s);
    }
  });

  it('process-owners.md covers every process, the Modeler, templates, lint and deploy, and links the contract and traceability', () => {
    for (const id of Object.values(PROCESS)) expect(owners, id).to.include(`\`${id}\``);
    for (const s of [
      'Camunda Modeler 5',
      'processes/element-templates',
      'npm run lint:bpmn',
      'npm run deploy',
      '(traceability.md)',
      '(process-contract.md)',
    ]) {
      expect(owners, s).to.include(s);
    }
  });

  it('admins.md lists exactly the metrics platform/observability/metrics.ts registers', () => {
    const listed = new Set([...admins.matchAll(/`(ot_[a-z_]+)(?:\{[^`]*\})?`/g)].map((m) => m[1]));
    for (const name of Object.values(METRIC_NAMES)) expect(listed, name).to.include(DEFAULT_PREFIX + name);
    const known = new Set(Object.values(METRIC_NAMES).map((n) => DEFAULT_PREFIX + n));
    const extra = [...listed].filter((n) => !known.has(n) && !/^ot_(process|nodejs)_/.test(n));
    expect(extra).to.deep.equal([]);
  });

  it('admins.md names the images and tags docker-compose.yml runs', () => {
    const compose = parseCompose(readComposeText());
    for (const s of Object.values(compose.services)) if (s.image && !s.build) expect(admins, s.image).to.include(`\`${s.image}\``);
  });

  it('admins.md covers Operate lookup by order number, incidents, the calendar upload, backup, restore and upgrade', () => {
    for (const s of [
      'orderNo',
      'processInstanceKey',
      'Retry',
      'POST /api/calendar',
      '国务院办公厅',
      'mysqldump',
      'pg_dump',
      '/actuator/backupRuntime',
      'bin/restore',
      'Upgrades',
    ]) {
      expect(admins, s).to.include(s);
    }
  });
});
