# syntax=docker/dockerfile:1
# The Sluice web app (apps/web): the Vite build served by nginx on port 8080, which also proxies /api
# and /health to the API (API_UPSTREAM, default api:3000), streaming the chat's SSE through unbuffered.
# Build from the repository root:  docker build -f docker/web.Dockerfile -t sluice-web .

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- base: Node 24 with npm 11 (package.json's `allowScripts` and --strict-allow-scripts need it).
FROM ${NODE_IMAGE} AS base
ARG NPM_VERSION=11.19.1
RUN --mount=type=cache,target=/root/.npm npm install --global --no-audit --no-fund npm@${NPM_VERSION}
WORKDIR /app

# ---- deps: the web packages are devDependencies (Vite bundles them), so the full install; the same
#      layer as the API's and the gateway's images.
FROM base AS deps
COPY package.json package-lock.json ./
COPY libs/contracts/package.json libs/contracts/
COPY libs/llm-provider/package.json libs/llm-provider/
COPY libs/rate-limit/package.json libs/rate-limit/
RUN --mount=type=cache,target=/root/.npm npm ci --strict-allow-scripts --no-audit --no-fund

# ---- build: the project's own build command (apps/web/project.json) into dist/apps/web (no source
#      maps: vite.config.ts writes none).
FROM deps AS build
COPY tsconfig.base.json tsconfig.spec.json ./
COPY libs/contracts libs/contracts
COPY apps/web apps/web
RUN npx vite build --config apps/web/vite.config.ts

# ---- runtime: nginx as uid 101 (the unprivileged image: pid and temp files under /tmp, port 8080).
#      At start the image's entrypoint renders /etc/nginx/templates/*.template into conf.d with envsubst.
FROM nginxinc/nginx-unprivileged:1.27-alpine AS runtime
ENV API_UPSTREAM=api:3000 NGINX_LISTEN_HOST=0.0.0.0 NGINX_LISTEN_PORT=8080
COPY docker/nginx/nginx.conf /etc/nginx/nginx.conf
COPY docker/nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY docker/nginx/security-headers.conf /etc/nginx/snippets/security-headers.conf
COPY --from=build /app/dist/apps/web /usr/share/nginx/html
USER 101
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD wget -q --spider "http://127.0.0.1:${NGINX_LISTEN_PORT}/" || exit 1
