# The pylogen image that `pylogen k8s job` runs (README, Beyond one machine):
#   docker build -t pylogen:0.2 .
# dist/ is compiled from src/ by TypeScript, a dev dependency (`prepare` runs tsc on npm install), so
# a build stage compiles it with every dependency, and the image gets dist/ and the production
# dependencies only.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
# --ignore-scripts, then tsc once: the same as `prepare`, with the sources in place
RUN npm ci --ignore-scripts && npx tsc -p tsconfig.json

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev: no TypeScript, no test tools. --ignore-scripts: `prepare` (tsc) is a dev tool, dist/
# comes from the build stage; pkcs11js (optional, compiled from source) is left out: the PKCS#11
# CUTs need an image with build tools and the HSM's library anyway.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY cuts ./cuts
COPY profiles ./profiles
COPY scenarios ./scenarios
RUN ln -s /app/bin/pylogen.js /usr/local/bin/pylogen
USER node
# The Job's ConfigMap (./cuts, key files) is mounted at /run/pylogen and made the working folder.
WORKDIR /home/node
ENTRYPOINT ["pylogen"]
