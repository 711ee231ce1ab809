// A binary min-heap by due time: the scheduler's queue of timers, job deadlines, back-offs and message TTLs.
export class Heap<T extends { due: number }> {
  private a: T[] = [];
  push(x: T) { const a = this.a; a.push(x); let i = a.length - 1; while (i > 0) { const p = (i - 1) >> 1; if (a[p].due <= a[i].due) break; [a[p], a[i]] = [a[i], a[p]]; i = p; } }
  peek(): T | undefined { return this.a[0]; }
  pop(): T | undefined {
    const a = this.a; if (!a.length) return undefined; const top = a[0]; const last = a.pop()!;
    if (a.length) { a[0] = last; let i = 0; for (;;) { const l = 2 * i + 1, r = l + 1; let m = i; if (l < a.length && a[l].due < a[m].due) m = l; if (r < a.length && a[r].due < a[m].due) m = r; if (m === i) break; [a[m], a[i]] = [a[i], a[m]]; i = m; } }
    return top;
  }
  get size() { return this.a.length; }
}
