import { expect } from 'chai';
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { JOB_TYPES } from '../../domain/vocabulary';
import { type El, type ParsedModel, extension, flowNodes, inputs, jobType, loadModels, outputs, templateFiles } from '../../processes/model';

interface Template {
  id: string; version: number; name: string; appliesTo: string[];
  properties: { type: string; value?: string; label?: string; binding: { type: string; property?: string; name?: string; source?: string; key?: string } }[];
}
const loadTemplates = (): Template[] => templateFiles().map((f) => JSON.parse(readFileSync(f, 'utf8')) as Template);
const SCHEMA_PATH = require.resolve('@camunda/zeebe-element-templates-json-schema/resources/schema.json');

describe('processes: job types and element templates', () => {
  let models: ParsedModel[];
  before(async () => { models = await loadModels(); });
  const serviceTasks = () => models.flatMap((m) => flowNodes(m.process).filter((e: El) => e.$type === 'bpmn:ServiceTask').map((t: El) => ({ pid: m.process.id as string, t })));

  it('the job types of the models are exactly JOB_TYPES of domain/vocabulary (workers/registry is tested against the same list)', () => {
    const used = new Set(serviceTasks().map(({ t }) => jobType(t)));
    expect([...used].sort()).to.deep.equal([...JOB_TYPES].sort());
  });

  it('every service task: a job type, 5 retries, an ioMapping', () => {
    for (const { pid, t } of serviceTasks()) {
      const td = extension(t, 'zeebe:TaskDefinition');
      expect(td?.type, `${pid}#${t.id}`).to.be.a('string');
      expect(td.retries, `${pid}#${t.id}`).to.equal('5');
      expect(extension(t, 'zeebe:IoMapping'), `${pid}#${t.id}`).to.not.equal(undefined);
    }
  });

  it('every element template validates against @camunda/zeebe-element-templates-json-schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
    const files = templateFiles();
    expect(files).to.have.length(JOB_TYPES.length);
    for (const file of files) {
      const tpl = JSON.parse(readFileSync(file, 'utf8'));
      const ok = validate(tpl);
      expect(ok, `${path.basename(file)}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).to.equal(true);
    }
  });

  it('the schema check is real: a template without a binding is rejected', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
    expect(validate({ name: 'x', id: 'x', appliesTo: ['bpmn:ServiceTask'], properties: [{ type: 'Hidden', value: 'a' }] })).to.equal(false);
  });

  it('one template per job type: hidden task type, Chinese labels, file named after the job type', () => {
    const templates = loadTemplates();
    const typeOf = (t: Template) => t.properties.find((p) => p.binding.type === 'zeebe:taskDefinition' && p.binding.property === 'type');
    expect(templates.map((t) => typeOf(t)?.value).sort()).to.deep.equal([...JOB_TYPES].sort());
    for (const file of templateFiles()) {
      const t = JSON.parse(readFileSync(file, 'utf8')) as Template;
      expect(path.basename(file, '.json'), file).to.equal(typeOf(t)!.value);
      expect(typeOf(t)!.type, file).to.equal('Hidden');
      expect(t.appliesTo, file).to.deep.equal(['bpmn:ServiceTask']);
      expect(t.name, file).to.match(/\p{Script=Han}/u);
      for (const p of t.properties.filter((q) => q.type !== 'Hidden')) expect(p.label, `${file} ${JSON.stringify(p.binding)}`).to.match(/\p{Script=Han}/u);
    }
  });

  it('every service task links its template (zeebe:modelerTemplate) and matches it: job type, and inputs/outputs the template declares', () => {
    const byId = new Map(loadTemplates().map((t) => [t.id, t]));
    for (const { pid, t } of serviceTasks()) {
      const where = `${pid}#${t.id}`;
      const tpl = byId.get(t.modelerTemplate);
      expect(tpl, `${where} modelerTemplate ${t.modelerTemplate}`).to.not.equal(undefined);
      expect(Number(t.modelerTemplateVersion), where).to.equal(tpl!.version);
      expect(tpl!.properties.find((p) => p.binding.property === 'type')!.value, where).to.equal(jobType(t));
      const declaredIn = new Set(tpl!.properties.filter((p) => p.binding.type === 'zeebe:input').map((p) => p.binding.name));
      const declaredOut = new Set(tpl!.properties.filter((p) => p.binding.type === 'zeebe:output').map((p) => p.value));
      for (const i of inputs(t)) expect(declaredIn.has(i.target), `${where} input ${i.target}`).to.equal(true);
      for (const o of outputs(t)) expect(declaredOut.has(o.target), `${where} output ${o.target}`).to.equal(true);
    }
  });
});
