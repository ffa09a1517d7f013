# Node 24 runs the TypeScript sources directly (type stripping): no build step.
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000
COPY package.json package-lock.json ./
# The image has its own Node 24: skip the per-platform Node builds (optional dependencies) and dev tools.
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund
COPY src ./src
RUN mkdir -p data logs && chown -R node:node /app
USER node
EXPOSE 8000
VOLUME ["/app/data"]
HEALTHCHECK CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "src/main.ts"]
