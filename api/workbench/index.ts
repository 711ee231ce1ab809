/** The workbench's routes (issue #17), registered in api/routes.ts after the task routes. */
import type { RouteSpec } from '../route';
import { AUTH_CONFIG_ROUTES } from './auth-config';
import { CASE_ROUTES } from './cases';
import { INBOX_ROUTES } from './inbox';
import { PARTY_ROUTES } from './parties-routes';

export const WORKBENCH_ROUTES: RouteSpec[] = [...AUTH_CONFIG_ROUTES, ...INBOX_ROUTES, ...CASE_ROUTES, ...PARTY_ROUTES];
export { createWorkbench } from './services';
export { serveUi } from './static';
