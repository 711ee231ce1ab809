/** The OpenAPI document: valid OpenAPI 3.1, every route of the table listed with its roles and schemas. */
import { expect } from 'chai';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ROUTES } from '../../api/routes';
import { startApi, type ApiHarness } from './harness';

describe('api: OpenAPI 3.1 document', function () {
  let api: ApiHarness;
  let doc: any;
  before(async () => {
    api = await startApi();
    const res = await api.request('GET', '/api/openapi.json');
    expect(res.status).to.equal(200);
    doc = res.json;
  });
  after(async () => api?.close());

  it('validates against the OpenAPI 3.1 schema', async () => {
    const validator = new Validator();
    const res = await validator.validate(structuredClone(doc));
    expect(res.errors ?? [], JSON.stringify(res.errors, null, 2)).to.deep.equal([]);
    expect(res.valid).to.equal(true);
    expect(validator.version).to.equal('3.1');
  });

  it('the validator catches a broken document (the check can fail)', async () => {
    const broken = structuredClone(doc);
    broken.paths['/api/orders'].post.responses = 'none';
    const res = await new Validator().validate(broken);
    expect(res.valid).to.equal(false);
  });

  it('lists every route of the table with its roles, summary in English and Chinese', () => {
    for (const r of ROUTES) {
      const p = '/api' + r.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const op = doc.paths[p]?.[r.method];
      expect(op, `${r.method} ${p}`).to.be.an('object');
      expect(op.operationId).to.equal(r.id);
      expect(op.summary).to.equal(r.summary.en);
      expect(op['x-summary-zh']).to.equal(r.summary.zh);
      expect(op['x-roles']).to.deep.equal(r.roles === 'public' ? [] : [...r.roles]);
      if (r.body) expect(op.requestBody.content['application/json'].schema).to.be.an('object');
      for (const name of Object.keys((r.params?.properties ?? {}) as object)) {
        expect(
          op.parameters.some((x: { in: string; name: string }) => x.in === 'path' && x.name === name),
          `${p} path ${name}`,
        ).to.equal(true);
      }
      for (const name of Object.keys((r.query?.properties ?? {}) as object)) {
        expect(
          op.parameters.some((x: { in: string; name: string }) => x.in === 'query' && x.name === name),
          `${p} query ${name}`,
        ).to.equal(true);
      }
    }
    const ops = Object.values(doc.paths).flatMap((m) => Object.keys(m as object));
    expect(ops.length).to.equal(ROUTES.length + 3); // + /health/live, /health/ready, /api/openapi.json
  });

  it('publishes the validator schemas: the order request schema is the one that rejects unknown fields', () => {
    const s = doc.components.schemas.CreateOrderRequest;
    expect(s.additionalProperties).to.equal(false);
    expect(s.required).to.include.members(['modules', 'accounts', 'openingDate']);
    expect(doc.components.schemas.Problem.properties.errors).to.be.an('object');
  });
});
