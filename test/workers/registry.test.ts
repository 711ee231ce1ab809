import { expect } from 'chai';
import { JOB_TYPES } from '../../domain/vocabulary';
import { REGISTRY, handlerFor } from '../../workers/registry';

describe('workers: registry', () => {
  it('holds exactly the job types of domain/vocabulary JOB_TYPES, each once', () => {
    expect(Object.keys(REGISTRY).sort()).to.deep.equal([...JOB_TYPES].sort());
    for (const [type, def] of Object.entries(REGISTRY)) expect(def.type, type).to.equal(type);
  });

  it('every handler declares an object schema for its variables', () => {
    for (const type of JOB_TYPES) {
      const def = handlerFor(type);
      expect(def, type).to.not.equal(undefined);
      expect(def!.variables, type).to.include({ type: 'object' });
      expect(typeof def!.handle, type).to.equal('function');
    }
    expect(handlerFor('no.such-type')).to.equal(undefined);
  });
});
