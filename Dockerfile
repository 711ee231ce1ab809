# syntax=docker/dockerfile:1
#
# One image for the application's processes: api, workers, and the one-shot migrate and deploy jobs
# (docker-compose.yml picks the entry point with `command:`).
#
# TypeScript runs through tsx (a production dependency), exactly as in development and in the tests:
# no second build configuration whose output could differ from what was tested, the package.json
# scripts (npm run migrate, npm run deploy) work unchanged inside the container, and files read next to
# the sources (processes/*.bpmn, forms, seed data) are where the code expects them. The cost is an
# esbuild transform of each module at start-up (well under a second for this code base). Type checking
# is not skipped: it runs in CI (`npm test` starts with tsc --noEmit) before an image is built.

# Base image pinned to an exact Node 20 release (written out in both FROM lines, not through an ARG, so
# that linters and people see the tag). Upgrade both lines together.

# ---- stage 1: production dependencies only -------------------------------------------------------
FROM node:20.19.5-bookworm-slim AS deps
WORKDIR /app
# compilers for native modules (better-sqlite3, when no prebuilt binary matches); they stay in this stage
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---- stage 2: runtime ------------------------------------------------------------------------------
FROM node:20.19.5-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# Files belong to root and are read-only for the process; the process runs as the image's `node` user.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY types ./types
COPY config ./config
COPY domain ./domain
COPY db ./db
COPY workers ./workers
COPY api ./api
COPY app ./app
COPY processes ./processes
USER node
EXPOSE 3000
# Readiness of the api / workers process on PORT. docker-compose.yml repeats it per service and adds a
# start period; 15 s x 5 retries here leaves a process 75 s to become ready when run without compose.
HEALTHCHECK --interval=15s --timeout=5s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "api/main.ts"]
