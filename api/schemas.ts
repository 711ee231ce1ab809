/**
 * All the API's schemas in one namespace, for the modules outside the slices that read several of them
 * (openapi.ts, correction-schemas.ts, notifications/, tests). Each slice owns its own: api/<slice>/schemas.ts.
 */
export * from './common-schemas';
export * from './session/schemas';
export * from './orders/schemas';
export * from './change-orders/schemas';
export * from './contracts/schemas';
export * from './countersign/schemas';
export * from './collaboration-task-orders/schemas';
export * from './payment-bases/schemas';
export * from './communication-records/schemas';
export * from './account-monitoring/schemas';
export * from './service-requests/schemas';
export * from './working-calendar/schemas';
export * from './records/schemas';
