/**
 * A Zeebe gateway on loopback built from the proto shipped in @camunda8/sdk: it hands out queued jobs
 * through ActivateJobs (long-poll) and records every CompleteJob / FailJob / ThrowError request, so a
 * test can drive the real worker start-up without an engine.
 */
import path from 'node:path';
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export interface QueuedJob {
  key: string;
  type: string;
  variables: string; // raw JSON text (may be deliberately broken)
  customHeaders?: string;
  processInstanceKey?: string;
  elementId?: string;
  retries?: number;
}

export type Ack =
  | { rpc: 'CompleteJob'; jobKey: string; variables: unknown }
  | { rpc: 'FailJob'; jobKey: string; retries: number; errorMessage: string; retryBackOff: number }
  | { rpc: 'ThrowError'; jobKey: string; errorCode: string; errorMessage: string; variables: unknown };

export interface ActivateRequestSeen {
  type: string;
  worker: string;
  maxJobsToActivate: number;
  fetchVariable: string[];
  timeout: string;
}

const PROTO = path.join(path.dirname(require.resolve('@camunda8/sdk/package.json')), 'dist', 'proto', 'zeebe.proto');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return { __unparseable: text };
  }
}

export class FakeGateway {
  private readonly server = new grpc.Server();
  private readonly queue: QueuedJob[] = [];
  private readonly events = (() => {
    const e = new EventEmitter();
    e.setMaxListeners(0); // one long-poll listener per worker
    return e;
  })();
  readonly acks: Ack[] = [];
  readonly activations: ActivateRequestSeen[] = [];
  /** PublishMessage requests seen; the RPC answers UNIMPLEMENTED unless `acceptPublish` is set */
  readonly published: { name: string; correlationKey: string; messageId: string; timeToLive: string; variables: unknown }[] = [];
  acceptPublish = false;
  port = 0;

  async start(): Promise<number> {
    const def = protoLoader.loadSync(PROTO, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const proto = grpc.loadPackageDefinition(def) as any;
    const service = proto.gateway_protocol.Gateway.service;
    this.server.addService(service, {
      Topology: (_call: any, cb: any) =>
        cb(null, {
          brokers: [
            {
              nodeId: 0,
              host: '127.0.0.1',
              port: 26501,
              partitions: [{ partitionId: 1, role: 'LEADER', health: 'HEALTHY' }],
              version: '8.9.0',
            },
          ],
          clusterSize: 1,
          partitionsCount: 1,
          replicationFactor: 1,
          gatewayVersion: '8.9.0',
        }),
      ActivateJobs: (call: grpc.ServerWritableStream<any, any>) => this.activate(call),
      CompleteJob: (call: any, cb: any) => {
        this.record({ rpc: 'CompleteJob', jobKey: String(call.request.jobKey), variables: parseJson(call.request.variables) });
        cb(null, {});
      },
      FailJob: (call: any, cb: any) => {
        const r = call.request;
        this.record({
          rpc: 'FailJob',
          jobKey: String(r.jobKey),
          retries: r.retries,
          errorMessage: r.errorMessage,
          retryBackOff: Number(r.retryBackOff),
        });
        cb(null, {});
      },
      PublishMessage: (call: any, cb: any) => {
        if (!this.acceptPublish) return cb({ code: grpc.status.UNIMPLEMENTED, details: 'PublishMessage is off in this gateway double' });
        const r = call.request;
        this.published.push({
          name: r.name,
          correlationKey: r.correlationKey,
          messageId: r.messageId,
          timeToLive: String(r.timeToLive),
          variables: parseJson(r.variables),
        });
        cb(null, { key: String(2251799813700000 + this.published.length), tenantId: '<default>' });
      },
      ThrowError: (call: any, cb: any) => {
        const r = call.request;
        this.record({
          rpc: 'ThrowError',
          jobKey: String(r.jobKey),
          errorCode: r.errorCode,
          errorMessage: r.errorMessage,
          variables: parseJson(r.variables),
        });
        cb(null, {});
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    return this.port;
  }

  enqueue(...jobs: QueuedJob[]): void {
    this.queue.push(...jobs);
    this.events.emit('job');
  }

  /** resolves with the acknowledgement of jobKey (first one) */
  waitForAck(jobKey: string, timeoutMs = 10_000): Promise<Ack> {
    const found = this.acks.find((a) => a.jobKey === jobKey);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.events.off('ack', on);
        reject(new Error(`no acknowledgement for job ${jobKey} within ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (a: Ack) => {
        if (a.jobKey === jobKey) {
          clearTimeout(t);
          this.events.off('ack', on);
          resolve(a);
        }
      };
      this.events.on('ack', on);
    });
  }

  async stop(): Promise<void> {
    this.events.emit('closing');
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    this.server.forceShutdown();
  }

  private record(a: Ack): void {
    this.acks.push(a);
    this.events.emit('ack', a);
  }

  private take(type: string, max: number): QueuedJob[] {
    const out: QueuedJob[] = [];
    for (let i = 0; i < this.queue.length && out.length < max; ) {
      if (this.queue[i].type === type) out.push(...this.queue.splice(i, 1));
      else i++;
    }
    return out;
  }

  private activate(call: grpc.ServerWritableStream<any, any>): void {
    const req = call.request;
    this.activations.push({
      type: req.type,
      worker: req.worker,
      maxJobsToActivate: req.maxJobsToActivate,
      fetchVariable: req.fetchVariable,
      timeout: String(req.timeout),
    });
    const send = (): boolean => {
      const jobs = this.take(req.type, req.maxJobsToActivate || 32);
      if (jobs.length === 0) return false;
      call.write({
        jobs: jobs.map((j) => ({
          key: j.key,
          type: j.type,
          processInstanceKey: j.processInstanceKey ?? '2251799813685000',
          bpmnProcessId: 'test-process',
          processDefinitionVersion: 1,
          processDefinitionKey: '2251799813684000',
          elementId: j.elementId ?? 'test-element',
          elementInstanceKey: '2251799813686000',
          customHeaders: j.customHeaders ?? '{}',
          worker: req.worker,
          retries: j.retries ?? 5,
          deadline: String(Date.now() + 60_000),
          variables: j.variables,
          tenantId: '<default>',
        })),
      });
      return true;
    };
    if (send()) return void call.end();
    // long poll: hold the request until a job of this type arrives or the request time-out passes
    const limit = Math.min(Number(req.requestTimeout) > 0 ? Number(req.requestTimeout) : 10_000, 10_000);
    const finish = () => {
      clearTimeout(timer);
      this.events.off('job', onJob);
      this.events.off('closing', finish);
      call.end();
    };
    const onJob = () => {
      if (send()) finish();
    };
    const timer = setTimeout(finish, limit);
    this.events.on('job', onJob);
    this.events.on('closing', finish);
    call.on('cancelled', finish);
  }
}
