# One image for every Forge process; docker-compose picks the process with `command:`
# (api/main.ts, worker/main.ts, worker/builder-main.ts, scripts/migrate.ts). The API and the worker run
# from their compiled module, built here from the sources exactly as `npm start` builds it
# (scripts/stack/compiled-entry.ts); the builder and scripts run through tsx, as in development.
FROM node:24-slim

WORKDIR /app
ENV NODE_ENV=production

# bubblewrap: the builder service confines every tenant process with it (BUILD_SANDBOX=bwrap).
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap ca-certificates && rm -rf /var/lib/apt/lists/*

# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .
# The pinned toolchain that type-checks generated apps (the builds queue needs it).
RUN sh scripts/provision-check-deps.sh
# The workflow bundle, built once here: workers load it in milliseconds instead of running webpack,
# and its hash is the Worker Deployment build id of this image.
RUN node --import tsx scripts/bundle-workflows.ts
# The services' compiled entries (.data/dist/api-main.mjs, worker-main.mjs): about a second off each start.
RUN node scripts/stack/compiled-entry.ts api/main.ts && node scripts/stack/compiled-entry.ts worker/main.ts

# The builds volume (docker-compose) mounts here: owned by the user the processes run as.
RUN mkdir -p .data/builds && chown -R node:node .data
USER node
EXPOSE 4000
CMD ["node", "--enable-source-maps", ".data/dist/api-main.mjs"]
