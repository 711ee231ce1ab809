import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseBpmn as parseForEngine } from '../../engine/model';
import { bpmnFiles } from '../../processes/model';

// The local engine (engine/) executes a subset of BPMN and rejects models outside it at deployment.
describe('processes: the local engine accepts every model', () => {
  for (const file of bpmnFiles()) {
    it(path.basename(file), async () => {
      const models = await parseForEngine(readFileSync(file, 'utf8'));
      expect(models).to.have.length(1);
    });
  }
});
