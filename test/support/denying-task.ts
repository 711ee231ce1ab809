/**
 * A process of a test's own: start → one user task for the customer managers with a completing listener the
 * test answers itself (approve or deny), optionally with a form → end. For the tests of what a denial does
 * (the API's 422, the task page's 未能提交) without a business rule to provoke.
 */
export function denyingTaskModel(o: {
  processId: string;
  taskId: string;
  listenerType: string;
  formId?: string;
  name?: string;
  taskName?: string;
}): string {
  const form = o.formId ? `\n        <zeebe:formDefinition formId="${o.formId}" />` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${o.processId}"${o.name ? ` name="${o.name}"` : ''} isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="${o.taskId}" />
    <bpmn:userTask id="${o.taskId}"${o.taskName ? ` name="${o.taskName}"` : ''}>
      <bpmn:extensionElements>
        <zeebe:userTask />${form}
        <zeebe:assignmentDefinition candidateGroups="customer-manager" />
        <zeebe:taskListeners><zeebe:taskListener eventType="completing" type="${o.listenerType}" retries="1" /></zeebe:taskListeners>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="${o.taskId}" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
}
