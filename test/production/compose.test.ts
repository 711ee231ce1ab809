/**
 * docker-compose.yml and .env.example, checked without Docker.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CamundaEnvironmentVariableDictionary } from '@camunda8/sdk/dist/lib/Configuration';
import { configSchema, loadConfig } from '../../platform/config/index';
import { PROCESS } from '../../domain/vocabulary';
import {
  ROOT,
  dependsOn,
  environmentOf,
  interpolate,
  interpolateDeep,
  isJob,
  parseCompose,
  parseEnvFile,
  readComposeText,
  variablesUsed,
  type ComposeFile,
  type Service,
} from './support/compose';

const composeText = readComposeText();
const raw = parseCompose(composeText);
const envExample = parseEnvFile(fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8'));
/** the compose file as `docker compose --env-file .env.example config` would see it */
const resolved: ComposeFile = interpolateDeep(raw, envExample);

const APP_SERVICES = ['migrate', 'deploy', 'api', 'workers'];
const SDK_VARIABLES = new Set<string>(CamundaEnvironmentVariableDictionary as readonly string[]);
const SCHEMA_VARIABLES = new Set(Object.keys(configSchema.properties));

/** Published ports per service, as documented in docs/admins.md ("Ports"). */
const DOCUMENTED_PORTS: Record<string, string[]> = {
  orchestration: ['8080:8080', '26500:26500', '127.0.0.1:9600:9600'],
  api: ['3000:3000'],
  mailpit: ['127.0.0.1:8025:8025'],
};

function healthcheckArgv(s: Service): string[] {
  const t = s.healthcheck?.test;
  expect(t, 'healthcheck.test').to.be.an('array');
  return t as string[];
}

function listen(handler: http.RequestListener): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) }),
    ),
  );
}

describe('production: docker-compose.yml', () => {
  it('has exactly the services of the single-host stack', () => {
    expect(Object.keys(raw.services)).to.have.members([
      'orchestration-init',
      'orchestration',
      'camunda-db',
      'mysql',
      'migrate',
      'deploy',
      'api',
      'workers',
      'mailpit',
    ]);
  });

  it('every service has a build or an image with a pinned tag (no latest, no missing tag)', () => {
    for (const [name, s] of Object.entries(resolved.services)) {
      if (s.build) {
        expect(s.build, name).to.deep.include({ context: '.', dockerfile: 'Dockerfile' });
        continue;
      }
      expect(s.image, `${name}: image`).to.be.a('string');
      const m = /^(?<repo>[a-z0-9]+(?:[._/-][a-z0-9]+)*):(?<tag>[\w][\w.-]{0,127})(?:@sha256:[a-f0-9]{64})?$/.exec(s.image as string);
      expect(m, `${name}: "${s.image}" has no tag`).to.not.equal(null);
      expect(m!.groups!.tag, `${name}: tag`).to.not.equal('latest');
      // a real version, not a floating major: at least major.minor
      expect(m!.groups!.tag, `${name}: tag`).to.match(/^v?\d+\.\d+/);
    }
    // the application services share one image, built from ./Dockerfile
    const images = new Set(APP_SERVICES.map((n) => resolved.services[n].image));
    expect(images.size).to.equal(1);
  });

  it('uses the Camunda 8.9 tag of camunda-distributions versions/camunda-8.9/.env for every Camunda container', () => {
    expect(resolved.services.orchestration.image).to.equal('camunda/camunda:8.9.23');
    expect(resolved.services['orchestration-init'].image).to.equal(resolved.services.orchestration.image);
    expect(resolved.services.mysql.image).to.match(/^mysql:8\.4\.\d+$/);
    // Camunda's RDBMS support policy: PostgreSQL 14 (deprecated) to 18; new deployments on one of the latest two
    expect(resolved.services['camunda-db'].image).to.match(/^postgres:1[78]\.\d+/);
  });

  it('long-running services have a healthcheck; one-shot jobs have none and are awaited with service_completed_successfully', () => {
    const awaitedJobs = new Set<string>();
    for (const [name, s] of Object.entries(raw.services)) {
      if (isJob(s)) {
        expect(s.healthcheck, `${name} is a job`).to.equal(undefined);
        continue;
      }
      expect(s.restart, `${name}: restart`).to.equal('unless-stopped');
      const argv = healthcheckArgv(s);
      expect(argv[0], name).to.be.oneOf(['CMD', 'CMD-SHELL']);
      expect(argv.length, name).to.be.greaterThan(1);
      expect(s.healthcheck!.disable, name).to.not.equal(true);
      for (const k of ['interval', 'timeout', 'retries'] as const) expect(s.healthcheck![k], `${name}: ${k}`).to.not.equal(undefined);
    }
    for (const [name, s] of Object.entries(raw.services)) {
      for (const [dep, { condition }] of Object.entries(dependsOn(s))) {
        const target = raw.services[dep];
        expect(target, `${name} depends on unknown ${dep}`).to.not.equal(undefined);
        if (isJob(target)) {
          expect(condition, `${name} → ${dep}`).to.equal('service_completed_successfully');
          awaitedJobs.add(dep);
        } else {
          expect(condition, `${name} → ${dep}`).to.equal('service_healthy');
        }
      }
    }
    const jobs = Object.entries(raw.services)
      .filter(([, s]) => isJob(s))
      .map(([n]) => n);
    expect(jobs).to.have.members(['orchestration-init', 'migrate', 'deploy']);
    expect([...awaitedJobs]).to.have.members(jobs);
  });

  it('starts in a sensible order: databases, then the cluster and the migration, then deploy, then api and workers', () => {
    const deps = (n: string) => Object.keys(dependsOn(raw.services[n]));
    expect(deps('orchestration')).to.have.members(['orchestration-init', 'camunda-db']);
    expect(deps('migrate')).to.deep.equal(['mysql']);
    expect(deps('deploy')).to.deep.equal(['orchestration']);
    for (const n of ['api', 'workers']) expect(deps(n)).to.have.members(['mysql', 'orchestration', 'migrate', 'deploy']);
    // no cycle
    const seen = new Set<string>();
    const visit = (n: string, stack: string[]): void => {
      expect(stack, `cycle through ${n}`).to.not.include(n);
      if (seen.has(n)) return;
      for (const d of deps(n)) visit(d, [...stack, n]);
      seen.add(n);
    };
    for (const n of Object.keys(raw.services)) visit(n, []);
  });

  it('publishes exactly the documented ports, the unauthenticated management port on loopback only', () => {
    const admins = fs.readFileSync(path.join(ROOT, 'docs', 'admins.md'), 'utf8');
    for (const [name, s] of Object.entries(resolved.services)) {
      const ports = (s.ports ?? []).map(String);
      expect(ports, name).to.deep.equal(DOCUMENTED_PORTS[name] ?? []);
      for (const p of ports) expect(admins, `docs/admins.md documents ${p}`).to.include(p.split(':').slice(-2, -1)[0]);
    }
    expect(admins).to.include('127.0.0.1:9600');
  });

  it('passes the mysql service exactly the server settings of db/mysql/online-training.cnf, as flags', () => {
    // option names: MySQL treats - and _ alike; "loose-" keeps its meaning (ignored when unknown)
    const norm = (name: string) => name.trim().replace(/_/g, '-');
    const cnf = fs
      .readFileSync(path.join(ROOT, 'db', 'mysql', 'online-training.cnf'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('['))
      .map((l) => {
        const [k, v] = l.split('=');
        return `--${norm(k)}=${v.trim()}`;
      });
    expect(cnf).to.include('--innodb-buffer-pool-size=32M');
    const flags = (raw.services.mysql.command as string[]).filter((f) => !/^--(character-set-server|collation-server)=/.test(f));
    expect(flags.map((f) => f.replace(/^--([^=]+)=/, (_, k: string) => `--${norm(k)}=`))).to.deep.equal(cnf);
  });

  it('keeps state in named volumes only (no bind mounts), each declared', () => {
    const declared = Object.keys(raw.volumes ?? {});
    const mounts: Record<string, string> = {};
    for (const [name, s] of Object.entries(raw.services)) {
      for (const v of s.volumes ?? []) {
        const [source, target] = typeof v === 'string' ? v.split(':') : [v.source ?? '', v.target ?? ''];
        expect(source, `${name}: ${String(source)}`).to.match(/^[a-z][a-z0-9-]*$/);
        expect(declared, `${name}: volume ${source}`).to.include(source);
        mounts[`${name}:${target}`] = source;
      }
    }
    expect(mounts['mysql:/var/lib/mysql']).to.equal('app-mysql-data');
    expect(mounts['camunda-db:/var/lib/postgresql/data']).to.equal('camunda-db-data');
    const orch = environmentOf(resolved.services.orchestration);
    expect(mounts[`orchestration:${orch.CAMUNDA_DATA_PRIMARYSTORAGE_DIRECTORY}`]).to.equal('zeebe-data');
    expect(mounts[`orchestration:${orch.CAMUNDA_DATA_PRIMARYSTORAGE_BACKUP_FILESYSTEM_BASEPATH}`]).to.equal('zeebe-backups');
    expect(mounts['orchestration-init:/usr/local/camunda/backups']).to.equal('zeebe-backups');
  });

  it('runs the broker in Asia/Shanghai, so the monthly cron 0 0 1 1 * * fires at 01:00 Shanghai time', () => {
    const env = environmentOf(resolved.services.orchestration);
    expect(env.TZ).to.equal('Asia/Shanghai');
    expect(env.JAVA_TOOL_OPTIONS.split(/\s+/)).to.include('-Duser.timezone=Asia/Shanghai');
    const bpmn = path.join(ROOT, 'processes', `${PROCESS.monthlyReport}.bpmn`);
    if (fs.existsSync(bpmn)) {
      // the model's timer is the one this time zone was set for (process-contract.md)
      const cycles = [...fs.readFileSync(bpmn, 'utf8').matchAll(/<(?:[\w-]+:)?timeCycle\b[^>]*>([^<]*)</g)].map((m) => m[1].trim());
      expect(cycles).to.deep.equal(['0 0 1 1 * *']);
    }
  });

  it('turns authentication on: Camunda basic auth with a protected API and authorizations; the app API in oidc mode', () => {
    const orch = environmentOf(resolved.services.orchestration);
    expect(orch.CAMUNDA_SECURITY_AUTHENTICATION_METHOD).to.equal('basic');
    expect(orch.CAMUNDA_SECURITY_AUTHENTICATION_UNPROTECTEDAPI).to.equal('false');
    expect(orch.CAMUNDA_SECURITY_AUTHORIZATIONS_ENABLED).to.equal('true');
    const app = environmentOf(resolved.services.api);
    expect(app.CAMUNDA_AUTH_STRATEGY).to.equal('BASIC');
    // the app authenticates to the cluster as the user the cluster creates for it
    expect(app.CAMUNDA_BASIC_AUTH_USERNAME).to.equal(orch.CAMUNDA_SECURITY_INITIALIZATION_USERS_1_USERNAME);
    expect(app.CAMUNDA_BASIC_AUTH_PASSWORD).to.equal(orch.CAMUNDA_SECURITY_INITIALIZATION_USERS_1_PASSWORD);
    expect(app.AUTH_MODE).to.equal('oidc');
    expect(app.NODE_ENV).to.equal('production');
  });

  it('configures PostgreSQL secondary storage through the bundled driver, matching the camunda-db service', () => {
    const orch = environmentOf(resolved.services.orchestration);
    const db = environmentOf(resolved.services['camunda-db']);
    expect(orch.CAMUNDA_DATA_SECONDARYSTORAGE_TYPE).to.equal('rdbms');
    expect(orch.CAMUNDA_DATA_SECONDARYSTORAGE_RDBMS_URL).to.equal(`jdbc:postgresql://camunda-db:5432/${db.POSTGRES_DB}`);
    expect(orch.CAMUNDA_DATA_SECONDARYSTORAGE_RDBMS_USERNAME).to.equal(db.POSTGRES_USER);
    expect(orch.CAMUNDA_DATA_SECONDARYSTORAGE_RDBMS_PASSWORD).to.equal(db.POSTGRES_PASSWORD);
    // no JDBC driver mount is needed for PostgreSQL (MySQL's would be: ./driver-lib)
    expect(JSON.stringify(raw.services.orchestration.volumes)).to.not.include('driver-lib');
  });

  it('gives the application services one environment, every variable known to platform/config/index.ts or to the Camunda SDK', () => {
    const first = environmentOf(resolved.services.api);
    for (const n of APP_SERVICES) {
      const env = environmentOf(resolved.services[n]);
      expect(env, n).to.deep.equal(first);
      for (const k of Object.keys(env)) {
        expect(SCHEMA_VARIABLES.has(k) || SDK_VARIABLES.has(k), `${n}: ${k} is neither in configSchema nor an SDK variable`).to.equal(true);
      }
    }
  });

  it('sets every variable the start-up validation requires: loadConfig accepts each app environment', () => {
    for (const n of APP_SERVICES) {
      const config = loadConfig(environmentOf(resolved.services[n]));
      expect(config.NODE_ENV, n).to.equal('production');
      expect(config.AUTH_MODE, n).to.equal('oidc');
      expect(config.DATABASE_URL, n).to.match(/^mysql:\/\/[^:]+:[^@]+@mysql:3306\/\w+$/);
      expect(config.ZEEBE_GRPC_ADDRESS, n).to.equal('grpc://orchestration:26500');
    }
    // and it would refuse them without the OIDC settings (so the check above is not vacuous)
    const env = environmentOf(resolved.services.api);
    delete env.OIDC_ISSUER;
    expect(() => loadConfig(env)).to.throw(/OIDC_ISSUER/);
  });

  it('points the SDK at the orchestration service and its gRPC and REST ports', () => {
    const app = environmentOf(resolved.services.workers);
    const grpc = new URL(app.ZEEBE_GRPC_ADDRESS.replace(/^grpc:/, 'http:'));
    const rest = new URL(app.ZEEBE_REST_ADDRESS);
    expect(grpc.hostname).to.equal('orchestration');
    expect(grpc.port).to.equal('26500');
    expect(rest.hostname).to.equal('orchestration');
    expect(rest.port).to.equal('8080');
  });

  it('holds no secret: every password is a ${VAR:?} reference without default, and the file fails without them', () => {
    const secretName = /PASSWORD|SECRET|TOKEN|PRIVATE_KEY/i;
    for (const [name, s] of Object.entries(raw.services)) {
      for (const [k, v] of Object.entries(environmentOf(s))) {
        if (!secretName.test(k) || k === 'MYSQL_PWD') continue;
        expect(v, `${name}.${k}`).to.match(/^\$\{[A-Z0-9_]+:\?[^}]*\}$/);
      }
      const url = environmentOf(s).DATABASE_URL;
      if (url) expect(url, `${name}.DATABASE_URL`).to.match(/^mysql:\/\/\$\{[A-Z_]+:\?[^}]*\}:\$\{APP_DB_PASSWORD:\?[^}]*\}@/);
    }
    // with no .env the stack does not start on empty passwords
    expect(() => interpolateDeep(raw, {})).to.throw(/required variable \w+ is missing a value/);
    // .env.example's passwords are placeholders, visibly
    for (const [k, v] of Object.entries(envExample)) if (/PASSWORD/.test(k)) expect(v, k).to.match(/^change-me/);
  });

  it('.env.example names every variable the compose file uses, and only those', () => {
    const used = variablesUsed(composeText);
    expect(Object.keys(envExample)).to.have.members([...used]);
  });

  it('interpolation helper behaves like compose (defaults, required, $$)', () => {
    expect(interpolate('a${X:-d}b', {})).to.equal('adb');
    expect(interpolate('a${X:-d}b', { X: '' })).to.equal('adb');
    expect(interpolate('a${X-d}b', { X: '' })).to.equal('ab');
    expect(interpolate('$${X} $X', { X: '1' })).to.equal('${X} 1');
    expect(() => interpolate('${X:?need X}', { X: '' })).to.throw(/need X/);
  });

  describe('healthcheck commands, run against stand-ins on loopback', () => {
    it('orchestration: healthy on 200 from /actuator/health/readiness, unhealthy on 503 or no listener', async function () {
      if (spawnSync('bash', ['-c', 'true']).status !== 0) this.skip();
      const argv = healthcheckArgv(resolved.services.orchestration);
      expect(argv[0]).to.equal('CMD-SHELL');
      expect(argv[1]).to.include('/dev/tcp/127.0.0.1/9600').and.include('GET /actuator/health/readiness ');
      let status = 200;
      const paths: string[] = [];
      const srv = await listen((req, res) => {
        paths.push(String(req.url));
        res.writeHead(status, { 'content-type': 'application/json' }).end('{"status":"UP"}');
      });
      const run = (port: number) =>
        new Promise<number>((resolve) => {
          const cmd = argv[1].replace('/dev/tcp/127.0.0.1/9600', `/dev/tcp/127.0.0.1/${port}`);
          const child = spawn('/bin/sh', ['-c', cmd], { stdio: 'ignore' });
          child.on('exit', (code: number) => resolve(code));
        });
      try {
        expect(await run(srv.port)).to.equal(0);
        status = 503;
        expect(await run(srv.port)).to.not.equal(0);
        expect(paths).to.deep.equal(['/actuator/health/readiness', '/actuator/health/readiness']);
      } finally {
        await srv.close();
      }
      expect(await run(srv.port)).to.not.equal(0);
    });

    it('api and workers: healthy on 200 from /health/ready on PORT, unhealthy on 503', async () => {
      for (const n of ['api', 'workers']) {
        const argv = healthcheckArgv(resolved.services[n]);
        expect(argv.slice(0, 3)).to.deep.equal(['CMD', 'node', '-e']);
        let status = 200;
        const srv = await listen((req, res) => {
          res.writeHead(req.url === '/health/ready' ? status : 404).end();
        });
        const run = () =>
          new Promise<number>((resolve) => {
            const script = argv[3].replace('127.0.0.1:3000', `127.0.0.1:${srv.port}`);
            const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
            child.on('exit', (code: number) => resolve(code));
          });
        try {
          expect(await run(), n).to.equal(0);
          status = 503;
          expect(await run(), n).to.equal(1);
        } finally {
          await srv.close();
        }
      }
    });

    it('mysql: mysqladmin ping over TCP succeeds against a running server and fails without one', function () {
      const argv = healthcheckArgv(resolved.services.mysql);
      const probe = spawnSync('mysqladmin', ['--protocol=tcp', '-h127.0.0.1', '-P3306', '-uroot', 'ping'], { encoding: 'utf8' });
      if (probe.error || probe.status !== 0) this.skip(); // no MySQL/MariaDB client or server on this machine
      const env = { ...process.env, MYSQL_USER: 'root', MYSQL_PASSWORD: '' };
      expect(spawnSync('/bin/sh', ['-c', argv[1]], { env }).status).to.equal(0);
      const dead = argv[1].replace('-h 127.0.0.1', '-h 127.0.0.1 -P 1');
      expect(spawnSync('/bin/sh', ['-c', dead], { env }).status).to.not.equal(0);
    });
  });
});
