// bpmn-moddle 10 ships its types under the "./types" subpath only; expose them for the main entry.
declare module 'bpmn-moddle' {
  export const BpmnModdle: any;
}
