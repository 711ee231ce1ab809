# syntax=docker/dockerfile:1
#
# One image for the application's processes: api, workers, and the one-shot migrate and deploy jobs
# (docker-compose.yml picks the entry point with `command:`).
#
# The image runs compiled JavaScript with plain node (`node dist/app/entry/api.js`): the build stage compiles
# the sources with tsc (`npm run build`: tsconfig.build.json, the compiler options of tsconfig.json, and
# the .bpmn/.form/template files copied next to the code that reads them). Why: measured on this code
# base, the application process idles at 170 MB RSS (heap used 84 MB) compiled against 243 MB (102 MB)
# under tsx, the local engine's process likewise, and the whole-system memory target of the end-to-end
# benchmark is 400 MB. tsx stays a development tool (npm start, npm test) and is a dev dependency.
# `npm run build` fails on a type error, and CI type-checks the same sources (`npm test` starts with
# tsc --noEmit over the tree, tests included) before an image is built.

# Base image pinned to an exact Node 22 LTS release (written out in every FROM line, not through an ARG, so
# that linters and people see the tag). Upgrade the three lines together.

# ---- stage 1: production dependencies only -------------------------------------------------------
FROM node:22.23.3-bookworm-slim AS deps
WORKDIR /app
# compilers for native modules (better-sqlite3, when no prebuilt binary matches); they stay in this stage
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---- stage 2: build: all dependencies, tsc -> dist/ ------------------------------------------------
FROM node:22.23.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the compiler needs no native module (better-sqlite3 is built in the deps stage)
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY types ./types
COPY platform ./platform
COPY domain ./domain
COPY db ./db
COPY workers ./workers
COPY api ./api
COPY app ./app
COPY engine ./engine
COPY processes ./processes
COPY ui ./ui
RUN npm run build

# ---- stage 3: runtime ------------------------------------------------------------------------------
FROM node:22.23.3-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# Files belong to root and are read-only for the process; the process runs as the image's `node` user.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
# the compiled folders the entry points load (the local engine, engine/, is not part of production)
COPY --from=build /app/dist/platform ./dist/platform
COPY --from=build /app/dist/domain ./dist/domain
COPY --from=build /app/dist/db ./dist/db
COPY --from=build /app/dist/workers ./dist/workers
COPY --from=build /app/dist/api ./dist/api
COPY --from=build /app/dist/app ./dist/app
COPY --from=build /app/dist/processes ./dist/processes
# the web UI the api process serves at / (bundled from npm packages by scripts/build-ui.cjs)
COPY --from=build /app/dist/ui ./dist/ui
USER node
EXPOSE 3000
# Readiness of the api / workers process on PORT. docker-compose.yml repeats it per service and adds a
# start period; 15 s x 5 retries here leaves a process 75 s to become ready when run without compose.
HEALTHCHECK --interval=15s --timeout=5s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/app/entry/api.js"]
