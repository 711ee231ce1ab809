/** Sign-in: local mode, the demo users (password demo); OIDC mode, one button to the identity provider. */
import { ApiProblem, post, session } from '../api';
import { field, h } from '../dom';
import { ROLES } from '../labels';
import { oidcMode, signInAtProvider, signInFailure } from '../oidc';
import { notice, page } from '../shell';

export function loginPage(next: () => void) {
  if (oidcMode()) return providerLogin();
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, list: 'demo-users', autofocus: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const msg = h('div', { 'aria-live': 'polite' });
  const users = h(
    'datalist',
    { id: 'demo-users' },
    Object.keys(ROLES)
      .filter((r) => r !== 'ap-partner')
      .map((r) => h('option', { value: r })),
  );
  const form = h(
    'form',
    {
      class: 'card narrow',
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        msg.replaceChildren();
        try {
          const { token } = await post<{ token: string }>('/auth/login', { username: user.value.trim(), password: pass.value });
          session.set(token);
          next();
        } catch (e) {
          msg.append(
            notice(e instanceof ApiProblem && e.status === 401 ? '用户名或密码不正确' : `登录失败：${(e as Error).message}`, 'error'),
          );
        }
      },
    },
    field('用户名', user, '演示用户以角色命名，例如 customer-manager、dept-manager；AP 用户为 ap-<代码>'),
    field('密码', pass, '演示密码：demo'),
    users,
    h('button', { type: 'submit' }, '登录'),
    msg,
  );
  page('登录', form);
}

/** OIDC mode: the organisation's sign-in page; the password never reaches this server */
function providerLogin() {
  const msg = h('div', { 'aria-live': 'polite' });
  const failed = signInFailure();
  if (failed) msg.append(notice(`登录未完成：${failed}`, 'error'));
  const button = h(
    'button',
    {
      type: 'button',
      onclick: () =>
        void signInAtProvider().catch((e: Error) => msg.replaceChildren(notice(`无法连接统一身份认证：${e.message}`, 'error'))),
    },
    '通过统一身份认证登录',
  );
  page('登录', h('div', { class: 'card narrow' }, h('p', {}, '本系统使用单位的统一身份认证（OIDC）登录。'), button, msg));
}
