/**
 * The web UI at `/`, served by the API process: the files scripts/build-ui.cjs bundled into ui/dist from
 * npm packages (nothing from a CDN). Resolved next to this module, so the compiled image (dist/) serves
 * the copy that `npm run build` places at dist/ui/dist.
 */
import path from 'node:path';
import fs from 'node:fs';
import express, { type RequestHandler } from 'express';
import type { BrowserSignIn } from '../auth';

export const UI_DIR = path.resolve(__dirname, '../../ui/dist');

/** signIn: OIDC mode's provider, which the page calls (discovery, token, JWKS): allowed by the CSP */
export function serveUi(opts: { dir?: string; signIn?: BrowserSignIn } = {}): RequestHandler {
  const dir = opts.dir ?? UI_DIR;
  const connect = ["'self'", ...(opts.signIn ? [new URL(opts.signIn.issuer).origin] : [])].join(' ');
  const files = express.static(dir, {
    index: 'index.html',
    // the bundle keeps its name from build to build: the browser revalidates (Last-Modified) every time
    cacheControl: true,
    maxAge: 0,
    etag: false,
    setHeaders: (res) => {
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader(
        'content-security-policy',
        `default-src 'self'; connect-src ${connect}; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; frame-ancestors 'none'`,
      );
    },
  });
  const router = express.Router();
  router.use((req, res, next) => {
    if (req.path === '/' && !fs.existsSync(path.join(dir, 'index.html'))) {
      res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('工作台界面尚未构建：请用 npm start（或 node scripts/build-ui.cjs）构建后再打开。');
      return;
    }
    files(req, res, next);
  });
  return router;
}
