import { expect } from 'chai';
import Ajv from 'ajv';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { JOB, JOB_TYPES } from '../../domain/vocabulary';
import {
  type El,
  type ParsedModel,
  PROCESSES_DIR,
  TEMPLATES_DIR,
  creatingListenerTypes,
  completingListenerTypes,
  extension,
  extensions,
  flowNodes,
  inputs,
  jobType,
  loadModels,
  outputs,
  templateFiles,
} from '../../processes/model';

interface Template {
  id: string;
  version: number;
  name: string;
  description?: string;
  appliesTo: string[];
  properties: {
    type: string;
    value?: string;
    label?: string;
    optional?: boolean;
    binding: { type: string; property?: string; name?: string; source?: string; key?: string };
  }[];
}
const loadTemplates = (): Template[] => templateFiles().map((f) => JSON.parse(readFileSync(f, 'utf8')) as Template);
const SCHEMA_PATH = require.resolve('@camunda/zeebe-element-templates-json-schema/resources/schema.json');

describe('processes: job types and element templates', () => {
  let models: ParsedModel[];
  before(async () => {
    models = await loadModels();
  });
  // the job worker elements: service tasks and message throw events with a job (向AP发出实施请求, processes/README.md)
  const isMessageThrow = (e: El) =>
    (e.$type === 'bpmn:IntermediateThrowEvent' || e.$type === 'bpmn:EndEvent') &&
    (e.eventDefinitions ?? []).some((d: El) => d.$type === 'bpmn:MessageEventDefinition');
  const serviceTasks = () =>
    models.flatMap((m) =>
      flowNodes(m.process)
        .filter((e: El) => e.$type === 'bpmn:ServiceTask' || (isMessageThrow(e) && jobType(e) !== undefined))
        .map((t: El) => ({ pid: m.process.id as string, t })),
    );

  // the recordings that moved into a user task's completing listener, and the requests issued by its
  // creating listener (processes/README.md, Conventions)
  const listeners = () =>
    models.flatMap((m) =>
      flowNodes(m.process)
        .filter((e: El) => e.$type === 'bpmn:UserTask')
        .flatMap((t: El) => [
          ...creatingListenerTypes(t).map((type) => ({ pid: m.process.id as string, t, type, event: 'creating' as const })),
          ...completingListenerTypes(t).map((type) => ({ pid: m.process.id as string, t, type, event: 'completing' as const })),
        ]),
    );
  const LISTENER_NAME = { creating: '创建监听器', completing: '完成监听器' } as const;

  it('a message throw event is a job worker element here: counted with the service tasks (its job type is a JOB_TYPE)', () => {
    const throws = serviceTasks().filter(({ t }) => t.$type !== 'bpmn:ServiceTask');
    expect(throws.map(({ pid, t }) => `${pid}#${t.id}`).sort()).to.deep.equal([
      'online-training-change#request-ap-implementation',
      'online-training-provisioning#request-ap-implementation',
    ]);
    for (const { t } of throws) expect(jobType(t)).to.equal(JOB.expenseContractRequestImplementation);
  });

  it('the job types of the models (service tasks, message throw events, creating and completing task listeners) are exactly JOB_TYPES of domain/vocabulary (workers/registry is tested against the same list)', () => {
    const used = new Set([...serviceTasks().map(({ t }) => jobType(t)), ...listeners().map((l) => l.type)]);
    expect([...used].sort()).to.deep.equal([...JOB_TYPES].sort());
  });

  it('every task listener: creating or completing, 5 retries, a job type at most once per user task; a job type only listeners use has a template that says so (and which event)', () => {
    for (const { pid, t } of listeners()) {
      const all: El[] = extension(t, 'zeebe:TaskListeners')!.listeners;
      // several run one after the other in model order (e.g. 签订收入合同: the signing, then the accounts)
      expect(new Set(all.map((l) => l.type)).size, `${pid}#${t.id}`).to.equal(all.length);
      for (const l of all) {
        expect(l.eventType, `${pid}#${t.id}`).to.be.oneOf(['creating', 'completing']);
        expect(l.retries, `${pid}#${t.id}`).to.equal('5');
      }
    }
    const byService = new Set(serviceTasks().map(({ t }) => jobType(t)));
    const onlyListeners = [...new Set(listeners().map((l) => l.type))].filter((type) => !byService.has(type));
    for (const type of onlyListeners) {
      const tpl = loadTemplates().find((x) => x.properties.some((p) => p.binding.property === 'type' && p.value === type))!;
      const tasks = listeners().filter((l) => l.type === type);
      // the template stays for the service tasks of instances started before the move (their process versions)
      for (const l of tasks) {
        expect(tpl.description, `${type}: the template's description names the listener use`).to.contain(LISTENER_NAME[l.event]);
        expect(tpl.description, `${type} on ${l.t.id}`).to.contain(l.t.name);
      }
    }
  });

  it('every service task and message throw event with a job: a job type, 5 retries, an ioMapping', () => {
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
      // a template for a message throw event names the event definition, or Modeler offers it for every throw event
      const element = (t as Template & { elementType?: { value: string; eventDefinition?: string } }).elementType;
      if (t.appliesTo[0] === 'bpmn:IntermediateThrowEvent')
        expect(element, file).to.deep.equal({ value: 'bpmn:IntermediateThrowEvent', eventDefinition: 'bpmn:MessageEventDefinition' });
      else expect(t.appliesTo, file).to.deep.equal(['bpmn:ServiceTask']);
      expect(t.appliesTo, file).to.have.length(1);
      expect(t.name, file).to.match(/\p{Script=Han}/u);
      for (const p of t.properties.filter((q) => q.type !== 'Hidden'))
        expect(p.label, `${file} ${JSON.stringify(p.binding)}`).to.match(/\p{Script=Han}/u);
    }
  });

  it('every service task (message throw event) links its template (zeebe:modelerTemplate) and matches it: element type, job type, and inputs/outputs the template declares', () => {
    const byId = new Map(loadTemplates().map((t) => [t.id, t]));
    for (const { pid, t } of serviceTasks()) {
      const where = `${pid}#${t.id}`;
      const tpl = byId.get(t.modelerTemplate);
      expect(tpl, `${where} modelerTemplate ${t.modelerTemplate}`).to.not.equal(undefined);
      expect(tpl!.appliesTo, where).to.deep.equal([t.$type]);
      expect(Number(t.modelerTemplateVersion), where).to.equal(tpl!.version);
      expect(tpl!.properties.find((p) => p.binding.property === 'type')!.value, where).to.equal(jobType(t));
      const declaredIn = new Set(tpl!.properties.filter((p) => p.binding.type === 'zeebe:input').map((p) => p.binding.name));
      const declaredOut = new Set(tpl!.properties.filter((p) => p.binding.type === 'zeebe:output').map((p) => p.value));
      for (const i of inputs(t)) expect(declaredIn.has(i.target), `${where} input ${i.target}`).to.equal(true);
      for (const o of outputs(t)) expect(declaredOut.has(o.target), `${where} output ${o.target}`).to.equal(true);
    }
  });

  it("no drift: every task has each input and output its template declares (unless optional), with the template's fixed values", () => {
    const byId = new Map(loadTemplates().map((t) => [t.id, t]));
    const drift: string[] = [];
    for (const { pid, t } of serviceTasks()) {
      const tpl = byId.get(t.modelerTemplate)!;
      const where = `${pid}#${t.id} (${tpl.id})`;
      const ins = new Map(inputs(t).map((i) => [i.target, i.source]));
      const outs = new Map(outputs(t).map((o) => [o.target, o.source]));
      const headers = new Map<string, string>((extension(t, 'zeebe:TaskHeaders')?.values ?? []).map((h: El) => [h.key, h.value]));
      for (const p of tpl.properties) {
        const b = p.binding;
        const [have, name] =
          b.type === 'zeebe:input'
            ? [ins, b.name!]
            : b.type === 'zeebe:output'
              ? [outs, p.value!]
              : b.type === 'zeebe:taskHeader'
                ? [headers, b.key!]
                : [undefined, ''];
        if (!have) continue;
        if (!have.has(name) && !p.optional) drift.push(`${where} lacks ${b.type} ${name}`);
        // a Hidden property is not editable in Modeler: the task must carry exactly its value
        if (p.type === 'Hidden' && have.has(name) && b.type !== 'zeebe:output' && have.get(name) !== p.value)
          drift.push(`${where} ${name}=${have.get(name)} but the template fixes ${p.value}`);
        // an optional property has no default, or Modeler would add it to tasks that do not want it
        if (p.optional && p.value !== undefined) drift.push(`${tpl.id}: optional ${name} has a default value`);
      }
      for (const h of headers.keys())
        if (!tpl.properties.some((p) => p.binding.type === 'zeebe:taskHeader' && p.binding.key === h))
          drift.push(`${where} header ${h} not in the template`);
      expect(extensions(t, 'zeebe:TaskDefinition')).to.have.length(1);
    }
    expect(drift).to.deep.equal([]);
  });

  it('Camunda Modeler finds the templates: processes/.camunda/element-templates/ holds exactly the same files', () => {
    const dir = path.join(PROCESSES_DIR, '.camunda', 'element-templates');
    const names = readdirSync(TEMPLATES_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(readdirSync(dir).sort(), 'sync: cp processes/element-templates/*.json processes/.camunda/element-templates/').to.deep.equal(
      names,
    );
    for (const f of names)
      expect(
        readFileSync(path.join(dir, f), 'utf8'),
        `${f} differs; sync: cp processes/element-templates/*.json processes/.camunda/element-templates/`,
      ).to.equal(readFileSync(path.join(TEMPLATES_DIR, f), 'utf8'));
  });

  it('a .process-application file makes processes/ one process application (Modeler deploys models and forms together)', () => {
    const file = path.join(PROCESSES_DIR, '.process-application');
    expect(existsSync(file)).to.equal(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).to.be.an('object');
  });
});
