import { expect } from 'chai';
import { Camunda8 } from '@camunda8/sdk';
import { createReadiness, zeebeCheck } from '../../platform/observability/readiness';
import { GatewayDouble } from './support/gateway-double';

describe('production: readiness through the real SDK gRPC client', () => {
  let gw: GatewayDouble;
  let zeebe: ReturnType<Camunda8['getZeebeGrpcApiClient']>;
  beforeEach(async () => {
    gw = new GatewayDouble();
    const port = await gw.start();
    zeebe = new Camunda8({
      ZEEBE_GRPC_ADDRESS: `grpc://127.0.0.1:${port}`,
      CAMUNDA_AUTH_STRATEGY: 'BASIC',
      CAMUNDA_BASIC_AUTH_USERNAME: 'ot-workers',
      CAMUNDA_BASIC_AUTH_PASSWORD: 'not-a-real-password',
      CAMUNDA_LOG_LEVEL: 'none',
      zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE', ZEEBE_GRPC_CLIENT_RETRY: false },
    }).getZeebeGrpcApiClient();
  });
  afterEach(async () => {
    await zeebe.close();
    await gw.stop();
  });

  it('is ready on a Topology with a healthy leader, as the SDK decodes it', async () => {
    const report = await createReadiness([zeebeCheck(zeebe)]).check();
    expect(report.status, JSON.stringify(report)).to.equal('ready');
    expect(report.checks.zeebe.details).to.deep.equal({ brokers: 1, partitions: 1, gatewayVersion: '8.9.23' });
  });

  it('sends the basic-auth credentials of CAMUNDA_AUTH_STRATEGY=BASIC on gRPC calls (the compose stack protects the API)', async () => {
    await zeebe.topology();
    const auth = gw.metadata.at(-1)?.get('authorization')[0];
    expect(auth).to.equal(`Basic ${Buffer.from('ot-workers:not-a-real-password').toString('base64')}`);
  });

  it('is not ready when the gateway answers UNAVAILABLE', async () => {
    gw.topologyDown = true;
    const report = await createReadiness([zeebeCheck(zeebe, { timeoutMs: 3000 })]).check();
    expect(report.status).to.equal('not_ready');
    expect(report.checks.zeebe.status).to.equal('down');
  });
});
