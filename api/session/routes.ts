/** The routes of login and the calling user, with the roles that may call each. */
import { unauthorized } from '../problem';
import { route, type RouteSpec } from '../route';
import { ALL } from '../access';
import * as S from './schemas';

export const SESSION_ROUTES: RouteSpec[] = [
  // ---------------------------------------------------------------- auth & meta
  route<{}, {}, { username: string; password: string }>({
    id: 'login',
    method: 'post',
    path: '/auth/login',
    roles: 'public',
    tag: 'auth',
    summary: { en: 'Log in (local mode): demo user and password → bearer token', zh: '登录（本地模式）：演示用户与密码换取令牌' },
    body: S.LoginBody,
    response: { status: 200, schema: S.LoginResponse },
    handler: async ({ services, body }) => {
      const login = services.auth.login;
      if (!login) throw unauthorized('password login is disabled in OIDC mode: obtain a token from the identity provider');
      const token = await login(body.username, body.password);
      if (!token) throw unauthorized('unknown user or wrong password');
      return { token };
    },
  }),
  route({
    id: 'whoami',
    method: 'get',
    path: '/auth/me',
    roles: ALL,
    tag: 'auth',
    summary: { en: 'The calling user and roles', zh: '当前用户与角色' },
    response: { status: 200, schema: S.PrincipalSchema },
    handler: async ({ principal }) => principal,
  }),
];
