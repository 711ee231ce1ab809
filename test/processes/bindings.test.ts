import { expect } from 'chai';
import { type ParsedModel, extension, flowNodes, loadModels } from '../../processes/model';

describe('processes: bindings', () => {
  let models: ParsedModel[];
  before(async () => {
    models = await loadModels();
  });

  it('every call activity and form link binds to its own deployment (a running instance keeps its countersign and forms)', () => {
    const links = models.flatMap((m) =>
      flowNodes(m.process).flatMap((n) =>
        ['zeebe:CalledElement', 'zeebe:FormDefinition']
          .map((t) => extension(n, t))
          .filter(Boolean)
          .map((x) => ({ where: `${m.process.id}#${n.id}`, bindingType: x.bindingType })),
      ),
    );
    expect(links.length).to.be.greaterThan(20);
    expect(links.filter((l) => l.bindingType !== 'deployment').map((l) => l.where)).to.deep.equal([]);
  });
});
