/**
 * One parsed Zeebe gateway protocol per process, shared by every gRPC client the SDK makes.
 *
 * The SDK gives each job worker a gRPC client of its own (ZeebeGrpcClient.createWorker), and each client
 * parses the gateway's .proto file again (GrpcClient: `protoLoader.loadSync`): with the ~35 job types of
 * workers/registry.ts the app process held 38 parsed copies, ~16 MB of its ~60 MB of live heap (heap
 * snapshot under bench:e2e), and parsed for ~8–30 ms each at start. The parse result (a package
 * definition) is plain data the SDK and grpc-js only read, so `shareGatewayProtoDefinition()` memoises
 * proto-loader's `loadSync` for identical file and options: the first client parses, the others reuse it.
 * Everything else about each client (its channel, its own service stub) stays as the SDK makes it.
 *
 * The SDK's proto (8.8.13) predates user-task listeners: it has no `ActivatedJob.kind`, no
 * `ActivatedJob.listenerEventType` and no `CompleteJobRequest.result`, so its workers could neither tell a
 * listener's job (nor which event it serves) nor deny a completion
 * (protobuf drops a field it does not know: a denial would go out as an approval). The shared parse adds
 * those fields under the gateway's own field numbers (Zeebe 8.8 gateway.proto; engine/grpc.ts serves
 * the same), which a gateway without them ignores; `listenerJobResultSupported()` tells the workers it did.
 *
 * Called by platform/camunda/zeebe-client.ts, which builds the clients of the app and of the standalone workers;
 * calling it again does nothing. Options with a function that is not a plain converter (String, Number, Boolean, Object) are
 * not memoised, as a key could not tell two such loads apart.
 */
import type * as ProtoLoader from '@grpc/proto-loader';
import path from 'node:path';
import * as protobuf from 'protobufjs';

// the module object itself (not an ES-module namespace copy): the SDK calls `proto_loader_1.loadSync(...)`
// through it at every client construction, so the memoised function must replace the property there
const protoLoader = require('@grpc/proto-loader') as typeof ProtoLoader;

const CONVERTERS = new Map<unknown, string>([
  [String, 'String'],
  [Number, 'Number'],
  [Boolean, 'Boolean'],
  [Object, 'Object'],
]);

/** how often a proto file was parsed and how often a parse was reused, since sharing was switched on */
export interface GatewayProtoLoads {
  parsed: number;
  reused: number;
}
const loads: GatewayProtoLoads = { parsed: 0, reused: 0 };
let original: typeof ProtoLoader.loadSync | undefined;

function cacheKey(filename: string | string[], options: ProtoLoader.Options | undefined): string | undefined {
  let plain = true;
  const key = JSON.stringify([filename, options ?? {}], (_k, v: unknown) => {
    if (typeof v !== 'function') return v;
    const name = CONVERTERS.get(v);
    if (!name) plain = false;
    return `function ${name}`;
  });
  return plain ? key : undefined;
}

export function shareGatewayProtoDefinition(): void {
  if (original) return;
  const parse = (original = protoLoader.loadSync);
  const cache = new Map<string, ProtoLoader.PackageDefinition>();
  protoLoader.loadSync = (filename: string | string[], options?: ProtoLoader.Options): ProtoLoader.PackageDefinition => {
    const key = cacheKey(filename, options);
    const hit = key === undefined ? undefined : cache.get(key);
    if (hit) {
      loads.reused++;
      return hit;
    }
    const def = isGatewayProto(filename) ? parseWithListenerFields(filename as string, options ?? {}) : parse(filename, options);
    loads.parsed++;
    if (key !== undefined) cache.set(key, def);
    return def;
  };
}

export function gatewayProtoLoads(): Readonly<GatewayProtoLoads> {
  return { ...loads };
}

/** true once the clients made from now on parse the gateway proto with the listener fields (shareGatewayProtoDefinition) */
export function listenerJobResultSupported(): boolean {
  return original !== undefined;
}

/**
 * Whether this client's own parse of the gateway protocol has `CompleteJobRequest.result` (a client made
 * before shareGatewayProtoDefinition, or by another path, has not). Read from the SDK client's gRPC
 * client, which keeps the package definition it was built from; unknown → false.
 */
export async function clientSendsJobResult(sdkClient: object): Promise<boolean> {
  type Def = { type?: { field?: { name?: string }[] } };
  const grpc = await (sdkClient as { grpc?: Promise<{ packageDefinition?: Record<string, Def> }> }).grpc?.catch(() => undefined);
  const request = grpc?.packageDefinition?.['gateway_protocol.CompleteJobRequest'];
  return !!request?.type?.field?.some((f) => f.name === 'result');
}

function isGatewayProto(filename: string | string[]): boolean {
  return typeof filename === 'string' && path.basename(filename) === 'zeebe.proto';
}

/** the proto with the 8.8 fields of task-listener jobs added, as proto-loader would have built it otherwise */
function parseWithListenerFields(filename: string, options: ProtoLoader.Options): ProtoLoader.PackageDefinition {
  const root = new protobuf.Root().loadSync(filename, { keepCase: options.keepCase ?? false });
  const job = root.lookupType('gateway_protocol.ActivatedJob');
  if (!job.fields.kind) {
    job.add(new protobuf.Enum('JobKind', { BPMN_ELEMENT: 0, EXECUTION_LISTENER: 1, TASK_LISTENER: 2, AD_HOC_SUB_PROCESS: 3 }));
    job.add(new protobuf.Field('kind', 16, 'JobKind'));
  }
  // which event a listener's job serves: a creating listener's job cannot be denied (Zeebe refuses it), so
  // the workers must tell it from a completing one (workers/runtime/listener.ts); the enum as the gateway
  // of engine/grpc.ts serves it
  if (!job.fields.listenerEventType) {
    job.add(
      new protobuf.Enum('ListenerEventType', {
        ASSIGNING: 0,
        CANCELING: 1,
        COMPLETING: 2,
        CREATING: 3,
        END: 4,
        START: 5,
        UNSPECIFIED: 6,
        UPDATING: 7,
      }),
    );
    job.add(new protobuf.Field('listenerEventType', 17, 'ListenerEventType'));
  }
  const complete = root.lookupType('gateway_protocol.CompleteJobRequest');
  if (!complete.fields.result) {
    const result = new protobuf.Type('JobResult');
    result.add(new protobuf.Field('denied', 1, 'bool'));
    result.add(new protobuf.Field('deniedReason', 3, 'string'));
    result.add(new protobuf.Field('type', 4, 'string'));
    (root.lookup('gateway_protocol') as protobuf.Namespace).add(result);
    complete.add(new protobuf.Field('result', 3, 'JobResult'));
  }
  return protoLoader.fromJSON(root.toJSON(), options);
}
