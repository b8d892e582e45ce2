# One image for every Forge process; docker-compose picks the process with `command:`
# (api/main.ts, worker/main.ts, worker/builder-main.ts, scripts/migrate.ts). TypeScript runs through tsx, a runtime
# dependency, exactly as in development: no separate build output to drift from the source.
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

# The builds volume (docker-compose) mounts here: owned by the user the processes run as.
RUN mkdir -p .data/builds && chown -R node:node .data
USER node
EXPOSE 4000
CMD ["node", "--import", "tsx", "api/main.ts"]
