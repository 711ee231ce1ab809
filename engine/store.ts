// Durable state. Two implementations of one interface:
// - LogStore (default): an append-only log; each group commit appends ONE line holding every entity changed
//   and every event recorded during that event-loop turn. A torn last line (crash mid-write) is ignored on
//   load; on start the engine compacts the log into a snapshot of its state (written to a temp file, fsynced,
//   renamed), so entities deleted since (history trimmed) and their events are gone from it.
// - SqliteStore (ENGINE_STORAGE=sqlite): SQLite in WAL mode, one transaction per group commit. Entities are
//   rows (upserted/deleted as they change, so the table is always exact); events are appended in batches, and
//   the event table is rewritten from the engine's state when it has grown (compaction), which drops the event
//   record of instances the engine no longer keeps.
// Both write once per event-loop turn, so durability costs one write per batch, not one per command; the
// engine answers clients only after that write. Against a killed process (SIGKILL) both are durable as soon
// as the write returned (the data is in the OS page cache); ENGINE_SYNC=FULL adds an fsync per batch for
// power-loss durability.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface StateStore {
  /** Entities by id ("kind/key") and events in position order. */
  load(): { entities: Map<string, unknown>; events: unknown[] };
  write(changes: Map<string, unknown>, events: unknown[]): void;
  /** True when the store would like a snapshot (rewrite) of the whole state. */
  wantsCompaction?(): boolean;
  rewrite?(entities: Map<string, unknown>, events: unknown[]): void;
  /** The engine rewrites the store from its state after load (even when it dropped nothing). */
  readonly compactOnLoad?: boolean;
  close(): void;
}

/** How state is stored: passed in by the caller (engine/main.ts reads them from the environment). */
export interface StoreOptions {
  /** 'log' (append-only log, default) or 'sqlite' (SQLite WAL) */
  storage?: 'log' | 'sqlite';
  /** fsync every group commit (power-loss durability); default off */
  fullSync?: boolean;
  /** compact at runtime once the log (or SQLite's event table) has grown past this and doubled since the last compaction; default 256 MB */
  compactBytes?: number;
}
export const DEFAULT_COMPACT_BYTES = 256 * 1024 * 1024;

export class LogStore implements StateStore {
  readonly compactOnLoad = true;
  private file: string;
  private fd: number;
  private size = 0;
  private sizeAfterCompaction = 0;
  private readonly fullSync: boolean;
  /** compact at runtime once the log has grown past this and doubled since the last compaction */
  private readonly compactBytes: number;

  constructor(private dir: string, opts: StoreOptions = {}) {
    this.fullSync = !!opts.fullSync;
    this.compactBytes = opts.compactBytes ?? DEFAULT_COMPACT_BYTES;
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, 'engine.log');
    this.fd = -1;
  }

  load(): { entities: Map<string, unknown>; events: unknown[] } {
    const entities = new Map<string, unknown>();
    const events: unknown[] = [];
    if (fs.existsSync(this.file)) {
      const text = fs.readFileSync(this.file, 'utf8');
      let start = 0;
      while (start < text.length) {
        let end = text.indexOf('\n', start);
        if (end < 0) break; // torn last line: never acknowledged, ignore
        const line = text.slice(start, end);
        start = end + 1;
        if (!line) continue;
        let batch: { c?: [string, unknown][]; e?: unknown[] };
        try { batch = JSON.parse(line); } catch { continue; }
        for (const [id, v] of batch.c ?? []) { if (v === null) entities.delete(id); else entities.set(id, v); }
        for (const e of batch.e ?? []) events.push(e);
        void end;
      }
      this.size = fs.statSync(this.file).size;
    }
    // the engine rewrites the log from its state right after this (compactOnLoad)
    return { entities, events };
  }

  wantsCompaction(): boolean {
    return this.size > this.compactBytes && this.size > 2 * this.sizeAfterCompaction;
  }

  /** Write the whole state to a temp file, fsync, rename over the log, continue appending to it. */
  rewrite(entities: Map<string, unknown>, events: unknown[]): void {
    if (this.fd >= 0) { fs.closeSync(this.fd); this.fd = -1; }
    const tmp = this.file + '.tmp';
    const fd = fs.openSync(tmp, 'w');
    const all = [...entities.entries()];
    for (let i = 0; i < all.length; i += 2000) fs.writeSync(fd, JSON.stringify({ c: all.slice(i, i + 2000) }) + '\n');
    for (let i = 0; i < events.length; i += 5000) fs.writeSync(fd, JSON.stringify({ e: events.slice(i, i + 5000) }) + '\n');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, this.file);
    this.size = this.sizeAfterCompaction = fs.statSync(this.file).size;
    this.fd = fs.openSync(this.file, 'a');
  }

  write(changes: Map<string, unknown>, events: unknown[]): void {
    if (this.fd < 0) this.fd = fs.openSync(this.file, 'a');
    const line = JSON.stringify({ c: changes.size ? [...changes.entries()] : undefined, e: events.length ? events : undefined }) + '\n';
    this.size += fs.writeSync(this.fd, line);
    if (this.fullSync) fs.fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd >= 0) { fs.closeSync(this.fd); this.fd = -1; }
  }
}

// better-sqlite3 ships no types; the few calls used here are typed locally.
interface Statement { run(...a: unknown[]): unknown; all(...a: unknown[]): unknown[] }
interface Db { pragma(s: string): unknown; exec(s: string): void; prepare(s: string): Statement; transaction(fn: () => void): () => void; close(): void }

export class SqliteStore implements StateStore {
  private db: Db;
  private upsert: Statement;
  private del: Statement;
  private addEvents: Statement;
  /** bytes of event JSON in the table, and right after the last compaction */
  private eventBytes = 0;
  private eventBytesAfterCompaction = 0;
  private readonly compactBytes: number;

  constructor(dataDir: string, opts: StoreOptions = {}) {
    fs.mkdirSync(dataDir, { recursive: true });
    const Database = require('better-sqlite3') as new (file: string) => Db;
    this.db = new Database(path.join(dataDir, 'engine.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.fullSync ? 'FULL' : 'NORMAL'}`);
    this.compactBytes = opts.compactBytes ?? DEFAULT_COMPACT_BYTES;
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS entity (id TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS event_batch (seq INTEGER PRIMARY KEY AUTOINCREMENT, json TEXT NOT NULL);
    `);
    this.upsert = this.db.prepare('INSERT OR REPLACE INTO entity (id, json) VALUES (?, ?)');
    this.del = this.db.prepare('DELETE FROM entity WHERE id = ?');
    this.addEvents = this.db.prepare('INSERT INTO event_batch (json) VALUES (?)');
  }

  load(): { entities: Map<string, unknown>; events: unknown[] } {
    const entities = new Map<string, unknown>();
    for (const r of this.db.prepare('SELECT id, json FROM entity').all() as { id: string; json: string }[]) entities.set(r.id, JSON.parse(r.json));
    const events: unknown[] = [];
    let bytes = 0;
    for (const r of this.db.prepare('SELECT json FROM event_batch ORDER BY seq').all() as { json: string }[]) { bytes += r.json.length; for (const e of JSON.parse(r.json)) events.push(e); }
    this.eventBytes = this.eventBytesAfterCompaction = bytes;
    return { entities, events };
  }

  write(changes: Map<string, unknown>, events: unknown[]): void {
    const tx = this.db.transaction(() => {
      for (const [id, v] of changes) {
        if (v === null) this.del.run(id);
        else this.upsert.run(id, JSON.stringify(v));
      }
      if (events.length) { const j = JSON.stringify(events); this.eventBytes += j.length; this.addEvents.run(j); }
    });
    tx();
  }

  wantsCompaction(): boolean {
    return this.eventBytes > this.compactBytes && this.eventBytes > 2 * this.eventBytesAfterCompaction;
  }

  /**
   * Rewrites the event table from `events` (the engine's whole event record) in one transaction. The entity
   * table needs no rewrite: every change reached it as an upsert or delete, so it already equals `entities`.
   */
  rewrite(_entities: Map<string, unknown>, events: unknown[]): void {
    let bytes = 0;
    const tx = this.db.transaction(() => {
      this.db.exec('DELETE FROM event_batch');
      for (let i = 0; i < events.length; i += 5000) { const j = JSON.stringify(events.slice(i, i + 5000)); bytes += j.length; this.addEvents.run(j); }
    });
    tx();
    this.eventBytes = this.eventBytesAfterCompaction = bytes;
  }

  close(): void {
    this.db.close();
  }
}

export function openStore(dataDir: string, opts: StoreOptions = {}): StateStore {
  return opts.storage === 'sqlite' ? new SqliteStore(dataDir, opts) : new LogStore(dataDir, opts);
}
