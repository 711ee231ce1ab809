/**
 * GET /api/docs: the OpenAPI document (GET /api/openapi.json) browsable in swagger-ui, whose files come
 * from the npm package swagger-ui-dist and are served by the API process itself (nothing from a CDN).
 * The page and its start script are ours, so the content security policy allows scripts from 'self' only.
 */
import path from 'node:path';
import express, { type Router } from 'express';

const DIST = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

const PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>在线培训业务流程系统 API 文档</title>
  <link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/swagger-ui-bundle.js"></script>
  <script src="/api/docs/start.js"></script>
</body>
</html>
`;
const START = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true, tryItOutEnabled: false });\n`;

export function serveApiDocs(): Router {
  const router = express.Router({ strict: false });
  const send = (body: string, type: string) => (_req: express.Request, res: express.Response) => {
    res.setHeader('content-security-policy', CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.type(type).send(body);
  };
  router.get('/', send(PAGE, 'text/html; charset=utf-8'));
  router.get('/start.js', send(START, 'text/javascript; charset=utf-8'));
  // only the two files the page needs, not the package's sample index.html and initializer
  for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js']) {
    router.get(`/${file}`, (_req, res) => res.sendFile(path.join(DIST, file), { headers: { 'x-content-type-options': 'nosniff' } }));
  }
  return router;
}
