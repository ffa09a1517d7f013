# Gemini Balance. Node 24 runs the TypeScript sources directly (type stripping): no build step.
# Stage 1 installs the production dependencies; the image keeps only them and src/ (no tests,
# benchmarks or dev tools: see .dockerignore).
FROM node:24-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# The image has its own Node 24: skip the per-platform Node builds (optional dependencies) and dev tools.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000
# Stripped TypeScript and compiled code are cached after the first start (later starts skip the
# type stripper), and a young generation of 4 MiB semi-spaces: see docs/BENCHMARKS.md (memory).
ENV NODE_COMPILE_CACHE=/app/.cache/node-compile NODE_OPTIONS=--max-semi-space-size=4
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
RUN mkdir -p data logs .cache && chown node:node data logs .cache
# The image's own unprivileged user (uid 1000).
USER node
EXPOSE 8000
VOLUME ["/app/data", "/app/logs"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The tests start the service with exactly this command (test/helpers/start-command.ts).
CMD ["node", "src/main.ts"]
