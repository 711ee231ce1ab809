// Durable state: SQLite (WAL) holding one row per entity plus an append-only event table.
// The engine batches every change made during one event-loop turn into a single transaction
// (group commit); replies to clients are sent only after that transaction committed.
// better-sqlite3 ships no types; the few calls used here are typed locally.
interface Statement { run(...a: unknown[]): unknown; all(...a: unknown[]): unknown[] }
interface Db { pragma(s: string): unknown; exec(s: string): void; prepare(s: string): Statement; transaction(fn: () => void): () => void; close(): void }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require('better-sqlite3') as new (file: string) => Db;
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface StoredEvent { position: number; piKey: string; json: string }

export class Store {
  private db: Db;
  private upsert: Statement;
  private del: Statement;
  private addEvent: Statement;

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.db = new Database(path.join(dataDir, 'engine.sqlite'));
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a crash of the process (SIGKILL); only an OS crash or power
    // loss may drop the last transactions. Set ENGINE_SYNC=FULL for an fsync per group commit.
    this.db.pragma(`synchronous = ${process.env.ENGINE_SYNC === 'FULL' ? 'FULL' : 'NORMAL'}`);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS entity (id TEXT PRIMARY KEY, json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS event (position INTEGER PRIMARY KEY, pi TEXT NOT NULL, json TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS event_pi ON event(pi, position);
    `);
    this.upsert = this.db.prepare('INSERT INTO entity (id, json) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json');
    this.del = this.db.prepare('DELETE FROM entity WHERE id = ?');
    this.addEvent = this.db.prepare('INSERT INTO event (position, pi, json) VALUES (?, ?, ?)');
  }

  loadEntities(): { id: string; json: string }[] {
    return this.db.prepare('SELECT id, json FROM entity').all() as { id: string; json: string }[];
  }

  loadEvents(): StoredEvent[] {
    return (this.db.prepare('SELECT position, pi, json FROM event ORDER BY position').all() as { position: number; pi: string; json: string }[]).map((r) => ({ position: r.position, piKey: r.pi, json: r.json }));
  }

  write(changes: Map<string, unknown>, events: StoredEvent[]): void {
    const tx = this.db.transaction(() => {
      for (const [id, v] of changes) {
        if (v === null) this.del.run(id);
        else this.upsert.run(id, JSON.stringify(v));
      }
      for (const e of events) this.addEvent.run(e.position, e.piKey, e.json);
    });
    tx();
  }

  close(): void {
    this.db.close();
  }
}
