/**
 * The Chinese names of a deployed model's elements (id → name), read from its BPMN XML with bpmn-moddle,
 * so pages name a step as the process owner named it (记录客户确认结果) instead of by its id. Moddle reads
 * any well-formed model, extension elements included; unknown extensions only produce warnings.
 */

interface Named {
  id?: string;
  name?: string;
  flowElements?: Named[];
  rootElements?: Named[];
  participants?: Named[];
}

function collect(el: Named | undefined, into: Map<string, string>): void {
  if (!el) return;
  if (el.id && el.name) into.set(el.id, el.name.replace(/\s+/g, ' ').trim());
  for (const child of [...(el.rootElements ?? []), ...(el.flowElements ?? []), ...(el.participants ?? [])]) collect(child, into);
}

export async function elementNamesOf(xml: string): Promise<Map<string, string>> {
  // loaded on first use: the API process does not carry the modeller's library until the 运维 pages ask
  const { BpmnModdle } = await import('bpmn-moddle');
  const { rootElement } = await new BpmnModdle().fromXML(xml);
  const names = new Map<string, string>();
  collect(rootElement as Named, names);
  return names;
}
