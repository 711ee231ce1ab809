import { expect } from 'chai';
import { Ajv } from 'ajv';
import { ConfigError, DEV_JWT_SECRET, configSchema, loadConfig } from '../../platform/config/index';

describe('config: environment validated once', () => {
  it('defaults for an empty environment, frozen', () => {
    const c = loadConfig({});
    expect(c).to.deep.include({
      DATABASE_URL: 'sqlite:./data/online-training.sqlite',
      PORT: 3000,
      NODE_ENV: 'development',
      AUTH_MODE: 'local',
      AP_SLA_DURATION: 'P10D',
      COMPLETION_REMINDER_WORKING_DAYS: 5,
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      JWT_SECRET: DEV_JWT_SECRET,
    });
    expect(Object.isFrozen(c)).to.equal(true);
  });

  it('coerces numbers and keeps given values', () => {
    const c = loadConfig({
      PORT: '0',
      COMPLETION_REMINDER_WORKING_DAYS: '3',
      DATABASE_URL: 'mysql://u:p@db:3306/ot',
      AP_SLA_DURATION: 'P2DT12H',
    });
    expect(c).to.deep.include({
      PORT: 0,
      COMPLETION_REMINDER_WORKING_DAYS: 3,
      DATABASE_URL: 'mysql://u:p@db:3306/ot',
      AP_SLA_DURATION: 'P2DT12H',
    });
  });

  it('throws one error naming every bad variable', () => {
    let err: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        AP_SLA_DURATION: '10 days',
        LOG_LEVEL: 'loud',
        NODE_ENV: 'production',
        ZEEBE_REST_ADDRESS: 'not a url',
      });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ConfigError);
    const names = (err as ConfigError).problems.map((p) => p.variable).sort();
    expect(names).to.deep.equal(['AP_SLA_DURATION', 'AUTH_MODE', 'LOG_LEVEL', 'PORT', 'ZEEBE_REST_ADDRESS']);
    expect((err as Error).message).to.match(/AUTH_MODE must not be "local" when NODE_ENV=production/);
  });

  it('oidc mode needs issuer, audience and JWKS URL; production accepts oidc', () => {
    let err: unknown;
    try {
      loadConfig({ AUTH_MODE: 'oidc' });
    } catch (e) {
      err = e;
    }
    expect((err as ConfigError).problems.map((p) => p.variable).sort()).to.deep.equal(['OIDC_AUDIENCE', 'OIDC_ISSUER', 'OIDC_JWKS_URL']);
    const c = loadConfig({
      NODE_ENV: 'production',
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: 'https://sso.example.com/realms/ot',
      OIDC_AUDIENCE: 'online-training',
      OIDC_JWKS_URL: 'https://sso.example.com/realms/ot/protocol/openid-connect/certs',
    });
    expect(c).to.deep.include({ AUTH_MODE: 'oidc', OIDC_ROLES_CLAIM: 'roles' });
    expect(c.JWT_SECRET).to.equal(undefined);
  });

  it('configSchema is a valid JSON Schema usable on its own (e.g. against docker-compose environment)', () => {
    const ajv = new Ajv({ strict: false, coerceTypes: true });
    const validate = ajv.compile({
      ...configSchema,
      properties: Object.fromEntries(Object.entries(configSchema.properties).map(([k, v]) => [k, { ...v, format: undefined }])),
    });
    expect(validate({ PORT: '3000', AUTH_MODE: 'local', NODE_ENV: 'development' })).to.equal(true);
    expect(validate({ PORT: 'x' })).to.equal(false);
  });
});
