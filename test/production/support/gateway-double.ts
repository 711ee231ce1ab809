/**
 * A Zeebe gateway double on loopback, built from the gateway proto shipped in @camunda8/sdk, with the
 * deployment semantics read in Camunda's sources (zeebe/engine DeploymentCreateProcessor and
 * BpmnResourceTransformer / FormResourceTransformer):
 * - a deployment is atomic: one invalid resource rejects all (INVALID_ARGUMENT), nothing is stored;
 * - per process id (per form id), a resource whose checksum AND resource name equal those of the latest
 *   version is a duplicate: it keeps that version and key; otherwise it becomes version n+1 with a new key;
 * - the deployment key is generated after the resources' keys.
 * It also answers Topology, so readiness can be checked through the real SDK client.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO = path.join(path.dirname(require.resolve('@camunda8/sdk/package.json')), 'dist', 'proto', 'zeebe.proto');

interface Latest {
  version: number;
  key: string;
  digest: string;
  name: string;
}

export interface SeenResource {
  name: string;
  content: string;
}

export class GatewayDouble {
  private readonly server = new grpc.Server();
  private nextKey = 2251799813685248n;
  readonly latest = new Map<string, Latest>();
  readonly deployCalls: SeenResource[][] = [];
  readonly metadata: grpc.Metadata[] = [];
  /** the next Topology answers UNAVAILABLE when set */
  topologyDown = false;
  /** answers for the next DeployResource calls, before any deployment happens (e.g. UNAUTHENTICATED) */
  readonly deployRefusals: Array<{ code: grpc.status; details: string }> = [];
  port = 0;

  async start(): Promise<number> {
    const def = protoLoader.loadSync(PROTO, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const proto = grpc.loadPackageDefinition(def) as any;
    this.server.addService(proto.gateway_protocol.Gateway.service, {
      Topology: (call: any, cb: any) => {
        this.metadata.push(call.metadata);
        if (this.topologyDown) return cb({ code: grpc.status.UNAVAILABLE, details: 'broker not ready' });
        cb(null, {
          brokers: [
            {
              nodeId: 0,
              host: 'orchestration',
              port: 26501,
              version: '8.9.23',
              partitions: [{ partitionId: 1, role: 'LEADER', health: 'HEALTHY' }],
            },
          ],
          clusterSize: 1,
          partitionsCount: 1,
          replicationFactor: 1,
          gatewayVersion: '8.9.23',
        });
      },
      DeployResource: (call: any, cb: any) => {
        this.metadata.push(call.metadata);
        const refusal = this.deployRefusals.shift();
        if (refusal) return cb(refusal);
        try {
          cb(null, this.deploy(call.request.resources as Array<{ name: string; content: Buffer }>, call.request.tenantId || '<default>'));
        } catch (e) {
          cb({ code: grpc.status.INVALID_ARGUMENT, details: (e as Error).message });
        }
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    return this.port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    this.server.forceShutdown();
  }

  private deploy(resources: Array<{ name: string; content: Buffer }>, tenantId: string) {
    this.deployCalls.push(resources.map((r) => ({ name: r.name, content: Buffer.from(r.content).toString('utf8') })));
    if (resources.length === 0) throw new Error('Expected to deploy at least one resource, but none given');
    const staged = new Map(this.latest);
    const deployments: unknown[] = [];
    for (const r of resources) {
      const text = Buffer.from(r.content).toString('utf8');
      const digest = createHash('md5').update(r.content).digest('hex');
      if (r.name.endsWith('.bpmn')) {
        if (!/<(?:[\w-]+:)?definitions\b/.test(text)) throw new Error(`'${r.name}': Failed to parse BPMN`);
        const ids = [...text.matchAll(/<(?:[\w-]+:)?process\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
        for (const id of ids) {
          const v = this.version(staged, `p:${id}`, digest, r.name);
          deployments.push({
            process: { bpmnProcessId: id, version: v.version, processDefinitionKey: v.key, resourceName: r.name, tenantId },
          });
        }
      } else if (r.name.endsWith('.form')) {
        let id: string;
        try {
          id = JSON.parse(text).id;
        } catch {
          throw new Error(`'${r.name}': Failed to parse form`);
        }
        const v = this.version(staged, `f:${id}`, digest, r.name);
        deployments.push({ form: { formId: id, version: v.version, formKey: v.key, resourceName: r.name, tenantId } });
      } else {
        throw new Error(`'${r.name}': unknown resource type`);
      }
    }
    for (const [k, v] of staged) this.latest.set(k, v);
    return { key: String(this.nextKey++), deployments, tenantId };
  }

  private version(staged: Map<string, Latest>, id: string, digest: string, name: string): Latest {
    const last = staged.get(id);
    if (last && last.digest === digest && last.name === name) return last;
    const next = { version: (last?.version ?? 0) + 1, key: String(this.nextKey++), digest, name };
    staged.set(id, next);
    return next;
  }
}
