/**
 * A MariaDB server of the bench's own (BENCH_DB=private): a fresh data directory in a temp dir, started
 * with the system's database settings (db/mysql/online-training.cnf), on a free port, stopped at the end.
 * So the whole-system memory figure measures the database as the system ships it, not whatever the
 * machine's shared server has cached from other work.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from './free-port';

const CNF = path.join(__dirname, '..', 'db', 'mysql', 'online-training.cnf');

export interface PrivateMariadb {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const SERVER_BINARIES = ['mariadbd', 'mysqld'];
const findBinary = (names: string[]): string | undefined => {
  for (const n of names)
    for (const d of ['/usr/sbin', '/usr/bin', '/usr/local/bin']) if (fs.existsSync(path.join(d, n))) return path.join(d, n);
  return undefined;
};
const binary = (names: string[]): string => {
  const b = findBinary(names);
  if (!b) throw new Error(`BENCH_DB=private: none of ${names.join(', ')} is installed`);
  return b;
};

/** true when this machine has a MariaDB/MySQL server binary the bench can start a server of its own with */
export function canStartPrivateMariadb(): boolean {
  return findBinary(SERVER_BINARIES) !== undefined && findBinary(['mariadb-install-db', 'mysql_install_db']) !== undefined;
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });

export async function startPrivateMariadb(dir: string, database: string): Promise<PrivateMariadb> {
  const datadir = path.join(dir, 'mariadb');
  // the cnf must not be world-writable, or mysqld skips it: copy it with mode 0644
  const cnf = path.join(dir, 'online-training.cnf');
  fs.copyFileSync(CNF, cnf);
  fs.chmodSync(cnf, 0o644);
  const root = process.getuid?.() === 0 ? ['--user=root'] : [];
  execFileSync(
    binary(['mariadb-install-db', 'mysql_install_db']),
    [`--defaults-file=${cnf}`, `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...root],
    { stdio: 'ignore' },
  );
  const port = await freePort();
  const server: ChildProcess = spawn(
    binary(SERVER_BINARIES),
    [
      `--defaults-file=${cnf}`,
      `--datadir=${datadir}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${path.join(dir, 'mariadb.sock')}`,
      `--pid-file=${path.join(dir, 'mariadb.pid')}`,
      `--log-error=${path.join(dir, 'mariadb.err')}`,
      ...root,
    ],
    { stdio: 'ignore' },
  );
  let exited: number | null = null;
  server.once('exit', (c) => (exited = c ?? -1));
  // a bench that fails half-way exits without stop(): the server goes with it, not left running
  const killOnExit = () => exited === null && server.kill('SIGTERM');
  process.once('exit', killOnExit);
  for (let i = 0; !(await canConnect(port)); i++) {
    if (exited !== null || i > 300) throw new Error(`BENCH_DB=private: mariadbd did not start (see ${path.join(dir, 'mariadb.err')})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const mysql = await import('mysql2/promise');
  const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
  await c.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await c.end();
  return {
    url: `mysql://root@127.0.0.1:${port}/${database}`,
    pid: server.pid ?? 0,
    stop: () => {
      process.off('exit', killOnExit);
      return new Promise<void>((resolve) => (exited !== null ? resolve() : (server.once('exit', () => resolve()), server.kill('SIGTERM'))));
    },
  };
}
