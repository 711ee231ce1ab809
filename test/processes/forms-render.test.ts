/**
 * Every Camunda Form rendered by the real renderer, @bpmn-io/form-js-viewer (what Tasklist embeds), in
 * Debian's Chromium, with the variables of each path of the processes (support/form-paths.ts): what a
 * person sees must be there, what does not apply must be hidden, and no read-only field or text block
 * may show empty (a "phantom" grey box). With UI_SCREENSHOTS=1 each form's main path is written to docs/forms/<form id>.png.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import {
  type ParsedModel,
  editableKeys,
  extension,
  flowNodes,
  formFields,
  formFiles,
  inputs,
  loadForm,
  loadModels,
} from '../../processes/model';
import { START_VARIABLES, allProduced } from '../../processes/variables';
import { AP_ID, FORM_PATHS, type FormPath } from './support/form-paths';

const ROOT = path.resolve(__dirname, '..', '..');
// UI_SCREENSHOTS=1 writes each form's main path to docs/forms/<form id>.png (a test run leaves the tree as it was)
const SHOTS = process.env.UI_SCREENSHOTS ? path.join(ROOT, 'docs', 'forms') : null;
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** One visible component as a person reads it. */
interface Shown {
  kind: 'field' | 'text';
  type: string;
  label: string;
  value: string;
  readonly: boolean;
}

async function bundleViewer(): Promise<string> {
  const out = await build({
    stdin: { contents: "import { Form } from '@bpmn-io/form-js-viewer'; globalThis.FormJs = { Form };", resolveDir: ROOT, loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    minify: true,
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  return out.outputFiles[0].text;
}

/** The part of the DOM the page function reads (the project compiles without the DOM library). */
interface PageEl {
  className: string;
  textContent: string | null;
  id: string;
  innerHTML: string;
  value?: string;
  type?: string;
  checked?: boolean;
  readOnly?: boolean;
  disabled?: boolean;
  querySelector(selector: string): PageEl | null;
  querySelectorAll(selector: string): ArrayLike<PageEl>;
  closest(selector: string): PageEl | null;
}

/** Runs in the page: renders a schema with data and reads back what is visible. */
async function renderInPage(page: Page, schema: unknown, data: Record<string, unknown>): Promise<{ shown: Shown[]; warnings: string[] }> {
  return page.evaluate(
    async ({ schema, data }) => {
      type FormApi = { importSchema(s: unknown, d: unknown): Promise<{ warnings: unknown[] }>; destroy(): void };
      const w = globalThis as unknown as {
        FormJs: { Form: new (o: object) => FormApi };
        current?: FormApi;
        document: { getElementById(id: string): PageEl };
      };
      w.current?.destroy();
      const container = w.document.getElementById('form');
      container.innerHTML = '';
      w.current = new w.FormJs.Form({ container });
      const { warnings } = await w.current.importSchema(schema, data);
      await new Promise((r) => setTimeout(r, 50));
      const shown: Shown[] = [];
      for (const el of Array.from(container.querySelectorAll('.fjs-form-field:not(.fjs-powered-by)'))) {
        const classes = el.className.split(/\s+/);
        const type =
          classes.find((c) => c.startsWith('fjs-form-field-') && c !== 'fjs-form-field-label')?.slice('fjs-form-field-'.length) ?? '';
        if (!type || type === 'default') {
          shown.push({ kind: 'field', type: `?${el.className}`, label: '', value: '', readonly: false });
          continue;
        }
        if (type === 'text') {
          shown.push({ kind: 'text', type, label: '', value: (el.textContent ?? '').trim(), readonly: true });
          continue;
        }
        const label = (el.querySelector('.fjs-form-field-label')?.textContent ?? '').replace(/\s+/g, '').replace(/\*$/, '');
        // the date picker's calendar (flatpickr) has inputs of its own (the year), the select a hidden one
        const controls = Array.from(el.querySelectorAll('input, textarea')).filter(
          (c) => !c.closest('.flatpickr-calendar') && !c.className.includes('fjs-select-hidden-input'),
        );
        const choices = controls.filter((c) => c.type === 'radio' || c.type === 'checkbox');
        let value: string;
        if (choices.length)
          value = choices
            .filter((c) => c.checked)
            .map((c) => (el.querySelector(`label[for="${c.id}"]`)?.textContent ?? c.value ?? '').trim())
            .join(' ');
        else if (type === 'select') value = (el.querySelector('.fjs-select-display')?.textContent ?? controls[0]?.value ?? '').trim();
        else
          value = controls
            .map((c) => c.value ?? '')
            .join(' ')
            .trim();
        const readonly = classes.includes('fjs-readonly') || controls.some((c) => c.readOnly === true || c.disabled === true);
        shown.push({ kind: 'field', type, label, value, readonly });
      }
      return { shown, warnings: warnings.map((x) => String((x as { message?: string }).message ?? x)) };
    },
    { schema, data },
  );
}

const describeShown = (shown: Shown[]) =>
  shown
    .map((s) =>
      s.kind === 'text' ? `[text] ${s.value}` : `[${s.type}${s.readonly ? ', readonly' : ''}] ${s.label} = ${JSON.stringify(s.value)}`,
    )
    .join('\n  ');

describe('processes: every form rendered in form-js in Chromium, per path', function () {
  this.timeout(120_000);
  let models: ParsedModel[];
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;

  before(async () => {
    models = await loadModels();
    const [script, css] = [await bundleViewer(), readFileSync(require.resolve('@bpmn-io/form-js-viewer/dist/assets/form-js.css'), 'utf8')];
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'forms-render-'));
    // Chromium runs without libfaketime (CI's second pass preloads it; under it Chromium loads no page, as
    // test/ui/support/browser.ts notes); the forms show only the variables given, no browser date
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        (e): e is [string, string] => e[1] !== undefined && e[0] !== 'LD_PRELOAD' && !e[0].startsWith('FAKETIME'),
      ),
    );
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ARGS,
      headless: true,
      viewport: { width: 760, height: 900 },
      env,
    });
    page = await context.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent(
      `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>${css}</style><style>body{margin:0;background:#fff;font-family:"WenQuanYi Micro Hei",sans-serif}#form{width:720px;padding:8px 20px}</style></head><body><div id="form"></div></body></html>`,
    );
    await page.addScriptTag({ content: script });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  const taskOf = (p: FormPath) => {
    const [pid, tid] = p.task.split('#');
    const model = models.find((m) => m.process.id === pid);
    const task = model && flowNodes(model.process).find((n) => n.id === tid && n.$type === 'bpmn:UserTask');
    return { pid, model, task };
  };

  it('the paths cover all 17 forms, each with one screenshot path, at tasks that use the form', () => {
    const ids = formFiles().map((f) => path.basename(f, '.form'));
    expect(ids).to.have.length(17);
    expect([...new Set(FORM_PATHS.map((p) => p.form))].sort()).to.deep.equal(ids);
    for (const id of ids)
      expect(
        FORM_PATHS.filter((p) => p.form === id && p.shot),
        id,
      ).to.have.length(1);
    for (const p of FORM_PATHS) {
      const { task } = taskOf(p);
      expect(task, p.task).to.not.equal(undefined);
      expect(extension(task, 'zeebe:FormDefinition')?.formId, p.task).to.equal(p.form);
    }
  });

  it('a path names only variables its process can have at that task; a form shows only variables some process using it has', () => {
    const possibleAt = (pid: string, model: ParsedModel, task: unknown) =>
      new Set([...(START_VARIABLES[pid] ?? []), ...allProduced(model), ...inputs(task).map((i) => i.target)]);
    for (const p of FORM_PATHS) {
      const { pid, model, task } = taskOf(p);
      const possible = possibleAt(pid, model!, task);
      for (const v of Object.keys(p.vars))
        expect(possible.has(v), `${p.form} · ${p.path}: ${v} does not exist in ${p.task}`).to.equal(true);
    }
    for (const file of formFiles()) {
      const id = path.basename(file, '.form');
      const somewhere = new Set<string>();
      for (const m of models)
        for (const t of flowNodes(m.process))
          if (t.$type === 'bpmn:UserTask' && extension(t, 'zeebe:FormDefinition')?.formId === id)
            for (const v of possibleAt(m.process.id, m, t)) somewhere.add(v);
      for (const c of formFields(loadForm(id)!))
        if (c.readonly) expect(somewhere.has(c.key!), `${id}.${c.key}: no process using the form has it`).to.equal(true);
    }
  });

  for (const p of FORM_PATHS) {
    it(`${p.form} · ${p.path}: shows the case, hides what does not apply, no empty field`, async () => {
      const form = loadForm(p.form)!;
      const { shown, warnings } = await renderInPage(page, form, p.vars);
      const all = `\n  ${describeShown(shown)}`;
      expect(warnings, `${p.form}: import warnings`).to.deep.equal([]);
      for (const s of shown) {
        if (s.kind === 'text') expect(s.value, `${p.form}: an empty text block (a FEEL expression that failed?)${all}`).to.not.equal('');
        else if (s.readonly) expect(s.value, `${p.form}: phantom read-only field ${s.label}${all}`).to.not.equal('');
      }
      // an input asked for on one choice only (conditional hide `=<choice> != "<value>"`) shows on that choice
      // alone, one asked for when a box is ticked (`=<box> != true`) only then
      const onOtherChoice = (key: string) => {
        const hide = formFields(form).find((c) => c.key === key)?.conditional?.hide ?? '';
        const m = /^=([A-Za-z]+) != "([A-Z_]+)"$/.exec(hide);
        const tick = /^=([A-Za-z]+) != true$/.exec(hide);
        return (!!m && p.vars[m[1]] !== m[2]) || (!!tick && p.vars[tick[1]] !== true);
      };
      const editable = editableKeys(form).filter((k) => !onOtherChoice(k));
      expect(shown.filter((s) => s.kind === 'field' && !s.readonly).length, `${p.form}: every editable field shows${all}`).to.equal(
        editable.length,
      );
      for (const [label, value] of Object.entries(p.shows)) {
        const hit = shown.some((s) =>
          s.kind === 'text' ? s.value.includes(label) && s.value.includes(value) : s.label.includes(label) && s.value.includes(value),
        );
        expect(hit, `${p.form} · ${p.path}: ${label} showing ${JSON.stringify(value)}${all}`).to.equal(true);
      }
      for (const label of p.hides) {
        const hit = shown.some((s) => (s.kind === 'text' ? s.value.includes(label) : s.label.includes(label)));
        expect(hit, `${p.form} · ${p.path}: ${label} should be hidden${all}`).to.equal(false);
      }
      for (const s of shown) expect(s.value, `${p.form}: a raw ISO date-time is shown${all}`).to.not.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
      // the AP is read by its name: its UUID shows nowhere, not in a text block, a read-only field or an input
      // (修改业务订单's AP is a select of names whose values are the ids)
      for (const s of shown) expect(s.value, `${p.form}: the AP's UUID is shown${all}`).to.not.include(AP_ID);
      if (p.shot && SHOTS) await page.locator('#form').screenshot({ path: path.join(SHOTS, `${p.form}.png`) });
    });
  }

  it('a summary without the partner name (an instance started before names) shows the id; a task AP other than the summary one shows its id', async () => {
    const p = FORM_PATHS.find((x) => x.form === 'payment-basis-check' && x.shot)!;
    const summary = p.vars.orderSummary as Record<string, unknown>;
    const { apPartnerName: _n, apPartnerCode: _c, ...unnamed } = summary;
    const old = await renderInPage(page, loadForm(p.form)!, { ...p.vars, orderSummary: unnamed });
    const texts = old.shown.filter((s) => s.kind === 'text').map((s) => s.value);
    expect(texts.find((t) => t.includes('订单概要'))).to.include(`AP：${AP_ID}`);
    expect(texts.find((t) => t.startsWith('AP：'))).to.equal(`AP： ${AP_ID}`);
    // a change order naming another AP than the order's: the summary's name is not that AP's
    const other = await renderInPage(page, loadForm(p.form)!, { ...p.vars, apPartnerId: 'p-other' });
    const otherTexts = other.shown.filter((s) => s.kind === 'text').map((s) => s.value);
    expect(otherTexts.find((t) => t.startsWith('AP：'))).to.equal('AP： p-other');
    expect(otherTexts.find((t) => t.includes('订单概要'))).to.include('AP：阿尔法教育科技（alpha）');
  });

  it('the check is real: the old `= null` condition leaves a phantom box on a first round', async () => {
    const form = loadForm('collaboration-task-order-reply')!;
    const old = JSON.parse(JSON.stringify(form)) as typeof form;
    for (const c of old.components) if (c.key === 'acceptanceOpinion') c.conditional = { hide: '=acceptanceOpinion = null' };
    const first = FORM_PATHS.find((p) => p.form === 'collaboration-task-order-reply' && p.shot)!;
    const { shown } = await renderInPage(page, old, first.vars);
    expect(shown.some((s) => s.kind === 'field' && s.readonly && s.label.includes('上次验收退回意见') && s.value === '')).to.equal(true);
  });
});
