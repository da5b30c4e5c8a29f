# syntax=docker/dockerfile:1
# The Sluice LLM gateway (apps/llm): the OpenAI API under /v1 over the LLM module, port 3100, health at
# /health/live and /health/ready, Prometheus metrics at /metrics.
# Build from the repository root:  docker build -f docker/llm.Dockerfile -t sluice-llm .
# Needs LLM_GATEWAY_TOKEN (or LLM_GATEWAY_TOKENS) and an upstream (OLLAMA_BASE_URL, VLLM_BASE_URL, ...).

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- base: Node 24 with npm 11 (package.json's `allowScripts` and --strict-allow-scripts need it).
FROM ${NODE_IMAGE} AS base
ARG NPM_VERSION=11.19.1
RUN --mount=type=cache,target=/root/.npm npm install --global --no-audit --no-fund npm@${NPM_VERSION}
WORKDIR /app

# ---- deps: every dependency from the lockfile. Manifests only, so this layer is rebuilt only when
#      package.json, the lockfile or a workspace's package.json changes (shared with the API's image).
FROM base AS deps
COPY package.json package-lock.json ./
COPY libs/contracts/package.json libs/contracts/
COPY libs/llm-provider/package.json libs/llm-provider/
COPY libs/rate-limit/package.json libs/rate-limit/
RUN --mount=type=cache,target=/root/.npm npm ci --strict-allow-scripts --no-audit --no-fund

# ---- build: the project's own build command (apps/llm/project.json); output in dist/apps/llm.
FROM deps AS build
COPY tsconfig.base.json tsconfig.spec.json ./
COPY libs/contracts libs/contracts
COPY libs/llm-provider libs/llm-provider
COPY libs/rate-limit libs/rate-limit
COPY apps/llm apps/llm
RUN npx tsc -p apps/llm/tsconfig.app.json && npx tsc-alias -p apps/llm/tsconfig.app.json

# ---- prod-deps: production dependencies only; optional peers that only the dev tree satisfies
#      (typeorm's typescript) and the workspace links go too (the build inlines the libs).
FROM base AS prod-deps
COPY package.json package-lock.json ./
COPY libs/contracts/package.json libs/contracts/
COPY libs/llm-provider/package.json libs/llm-provider/
COPY libs/rate-limit/package.json libs/rate-limit/
COPY docker/prune-dev-optional.mjs docker/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --strict-allow-scripts --no-audit --no-fund \
 && node docker/prune-dev-optional.mjs

# ---- runtime: node, the production node_modules and the compiled gateway; root owns the files, the
#      process runs as `node` (uid 1000, numeric so Kubernetes' runAsNonRoot can verify it).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3100
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/apps/llm ./dist/apps/llm
USER 1000:1000
EXPOSE 3100
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3100) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# A larger young generation: a streaming gateway allocates many short-lived objects per token, and
# 64 MB semi-spaces cut its CPU per stream by about a tenth (bench/, which starts it with these flags).
CMD ["node", "--enable-source-maps", "--max-semi-space-size=64", "dist/apps/llm/apps/llm/src/main.js"]
