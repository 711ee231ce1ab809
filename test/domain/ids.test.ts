/** domain/ids.ts: record ids are UUID version 7, so their text sorts in creation order (index appends, not random inserts). */
import { expect } from 'chai';
import { newId } from '../../domain/ids';

describe('domain: record ids (UUID version 7)', () => {
  it('are RFC 9562 version-7 UUIDs, unique, and sort as text in the order they were made, also within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).to.equal(ids.length);
    expect([...ids].sort()).to.deep.equal(ids);
    // the leading 48 bits are the creation time in ms
    const ms = parseInt(ids[0].replace(/-/g, '').slice(0, 12), 16);
    expect(Math.abs(ms - Date.now())).to.be.lessThan(60_000);
  });
});
