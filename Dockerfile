# syntax=docker/dockerfile:1.7
#
# tickcast container images. Two targets:
#   docker build -t tickcast:cpu .                      (no --target: the last stage, "cpu" = "runtime": CPU, ONNX + tfjs/wasm)
#   docker build --target gpu -t tickcast:gpu .         (CUDA: onnxruntime CUDA EP + @tensorflow/tfjs-node-gpu)
#   docker build --target replay -t tickcast:replay .   (runtime + load/ scripts, for the replay producer)
# See docs/deployment.md. Nothing here is built in this repo's CI (no Docker engine there); the
# COPY sources and the entrypoint's heap computation are checked by test/unit/deploy/.
#
# Runtime contract shared by all targets:
#   - runs as uid/gid 1000 (non-root), application files owned by root and not writable by it;
#   - Node.js 24 LTS; the service runs as compiled JavaScript (`node dist/main.js`, built by the
#     `build` stage with `npm run build`): no TypeScript transform at start;
#   - read-only root filesystem friendly: the only writable paths are the model directory
#     (TICKCAST_MODEL_DIR, a volume) and /tmp (onnxruntime scratch; mount an emptyDir/tmpfs);
#   - tini is PID 1 and forwards SIGTERM to node, which drains (HTTP 503, consumer pause,
#     in-flight inference, producer flush, offset commit) before exiting;
#   - the entrypoint sizes --max-old-space-size from the cgroup memory limit (CONTAINER_HEAP_PERCENT).
#     Its knobs are deliberately not TICKCAST_*: the config loader rejects unknown TICKCAST_ variables.
#   - only environment variables the config schema knows are set here (src/config/schema.ts);
#     model.engine/model.backend stay "auto" (the GPU image makes tensorflow-gpu/CUDA available,
#     auto picks it; pin with TICKCAST_MODEL_ENGINE / TICKCAST_MODEL_BACKEND).

ARG NODE_VERSION=24
# CUDA 12 + cuDNN 9: what onnxruntime-node's CUDA 12 execution provider is built against.
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu22.04

# ---------------------------------------------------------------------------------------------
# npm-base: what every CPU-side npm stage shares. ONNXRUNTIME_NODE_INSTALL=skip: the CPU
# onnxruntime binaries ship inside the npm package; only the CUDA provider would be downloaded.
# deps: production node_modules for the CPU image.
FROM node:${NODE_VERSION}-bookworm-slim AS npm-base
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

FROM npm-base AS deps
# The Kafka client (@confluentinc/kafka-javascript) builds its librdkafka addon against these
# Debian packages (docs/kafka-client.md); the runtime stage installs their runtime libraries.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential python3 \
      zlib1g-dev libssl-dev libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
COPY scripts/kafka-client ./scripts/kafka-client
# tickcast's native kernel addon (docs/native-kernels.md), built by the same postinstall.
COPY scripts/native ./scripts/native
COPY native/kernels/binding.gyp ./native/kernels/binding.gyp
COPY native/kernels/src ./native/kernels/src
# onnxruntime-node ships binaries for every OS (~220 MB for darwin + win32): keep Linux only.
# CI=true: a failed Kafka client build fails the image build instead of warning.
RUN --mount=type=cache,target=/root/.npm CI=true npm ci --omit=dev \
 && rm -rf node_modules/onnxruntime-node/bin/napi-v6/darwin node_modules/onnxruntime-node/bin/napi-v6/win32

# ---------------------------------------------------------------------------------------------
# build: compile src/ to dist/ (tsc + the static assets beside it). Needs the dev dependencies
# (typescript) only here; the runtime images take dist/ and the production node_modules.
# --ignore-scripts: tsc needs no install scripts, and the root postinstall (the Kafka client's
# addon build, scripts/kafka-client) is neither copied nor wanted here.
FROM npm-base AS build
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts
COPY bin ./bin
COPY scripts/build.mjs ./scripts/build.mjs
COPY src ./src
RUN npm run build

# ---------------------------------------------------------------------------------------------
# runtime (default target): CPU image.
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# tini, the shared libraries the Kafka client's librdkafka links against, and OpenBLAS, which the
# native kernel addon loads at run time for the training's matrix products (docs/native-kernels.md).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
      zlib1g libssl3 libzstd1 liblz4-1 libsasl2-2 libcurl4 ca-certificates libopenblas0-pthread \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    TICKCAST_HTTP_PORT=8080 \
    TICKCAST_MODEL_DIR=/var/lib/tickcast/models \
    CONTAINER_HEAP_PERCENT=60
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/native/kernels/build/Release/tickcast_kernels.node ./native/kernels/build/Release/tickcast_kernels.node
COPY package.json package-lock.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
# The shipped pretrained model (src/model/pretrained.ts reads <app>/models/pretrained): without it
# the service trains a bootstrap model at start instead and saves it as v1 in the model store.
COPY models/pretrained ./models/pretrained
COPY --chmod=0755 deploy/docker/entrypoint.sh /usr/local/bin/tickcast-entrypoint
RUN mkdir -p /var/lib/tickcast/models && chown 1000:1000 /var/lib/tickcast/models
# The "node" user of the base image is uid/gid 1000; numeric so runAsNonRoot can verify it.
USER 1000:1000
VOLUME ["/var/lib/tickcast/models"]
EXPOSE 8080
STOPSIGNAL SIGTERM
# No curl in the image: Node's fetch checks liveness (/healthz, not /readyz: a container that is
# draining or waiting for partitions is alive and must not be restarted for it). HTTP listens
# only after the model is ready, which includes bootstrap training when the model directory is
# empty and the shipped pretrained model does not fit the configuration (another model.dModel,
# model.pretrained false): the long start period keeps that from counting as
# failures (a success ends it early).
HEALTHCHECK --interval=15s --timeout=3s --start-period=180s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.TICKCAST_HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/tickcast-entrypoint"]
CMD ["node", "dist/main.js"]

# ---------------------------------------------------------------------------------------------
# replay: the CPU runtime plus load/ (the replay/ingest producer used by deploy/compose). The load
# scripts are TypeScript run through tsx (a production dependency for this reason) and import the
# sources, so src/ and tsconfig.json come along here only.
FROM runtime AS replay
COPY tsconfig.json ./
COPY src ./src
COPY load ./load
CMD ["node", "--import", "tsx", "load/produce.ts"]

# ---------------------------------------------------------------------------------------------
# deps-gpu: node_modules with onnxruntime's CUDA 12 provider (downloaded from NuGet by its
# postinstall) and @tensorflow/tfjs-node-gpu (prebuilt addon + libtensorflow downloaded from
# storage.googleapis.com; node-gyp fallback needs the toolchain of the full node image).
# Needs internet at build time; meant for the user's CI.
FROM node:${NODE_VERSION}-bookworm AS deps-gpu
ARG WITH_TFJS_NODE_GPU=true
ARG TFJS_NODE_GPU_VERSION=4.22.0
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=cuda12 \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
RUN apt-get update \
 && apt-get install -y --no-install-recommends zlib1g-dev libssl-dev libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
COPY scripts/kafka-client ./scripts/kafka-client
COPY scripts/native ./scripts/native
COPY native/kernels/binding.gyp ./native/kernels/binding.gyp
COPY native/kernels/src ./native/kernels/src
# package.json's allowScripts denies onnxruntime-node's install script (a CPU install needs
# nothing it downloads), so npm >= 11.19 skips it: run it here, where its CUDA provider is wanted
# (older npm has already run it during npm ci: then the file is there and this step is a no-op).
RUN --mount=type=cache,target=/root/.npm CI=true npm ci --omit=dev \
 && { test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so \
      || (cd node_modules/onnxruntime-node && node script/install.js); } \
 && test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so \
 && rm -rf node_modules/onnxruntime-node/bin/napi-v6/darwin node_modules/onnxruntime-node/bin/napi-v6/win32 \
 && if [ "$WITH_TFJS_NODE_GPU" = "true" ]; then \
      npm install --no-save --omit=dev "@tensorflow/tfjs-node-gpu@${TFJS_NODE_GPU_VERSION}"; \
    fi

# The official Node 24 binary needs glibc >= 2.28 and libstdc++ (GLIBCXX_3.4.21): both are in
# Ubuntu 22.04, so copying the binary onto the CUDA base is enough (npm is not needed at runtime).
FROM node:${NODE_VERSION}-bookworm-slim AS node-bin

# ---------------------------------------------------------------------------------------------
# gpu: CUDA runtime base + the Node binary + GPU node_modules.
# @tensorflow/tfjs-node-gpu 4.x links libtensorflow 2.9 (CUDA 11 / cuDNN 8 sonames) while the
# onnxruntime CUDA 12 provider needs CUDA 12 / cuDNN 9: the CUDA 11.8 runtime libraries and
# cuDNN 8 are installed beside the base's CUDA 12 from NVIDIA's apt repository (already
# configured in nvidia/cuda images). Build with --build-arg WITH_TFJS_NODE_GPU=false for an
# ONNX-only GPU image without them (an estimated 1.5-2 GB smaller; training then runs on tfjs/wasm).
FROM ${CUDA_IMAGE} AS gpu
ARG WITH_TFJS_NODE_GPU=true
ARG CUDNN8_VERSION=8.9.7.29-1+cuda11.8
# The Kafka client's addon is built on bookworm (glibc 2.36) in deps-gpu; its shared libraries
# come from Ubuntu here (same sonames). Not built in this repo's CI: check `node -e
# "require('@confluentinc/kafka-javascript')"` in the image (docs/kafka-client.md).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates zlib1g libssl3 libzstd1 liblz4-1 libsasl2-2 libcurl4 libopenblas0-pthread \
 && if [ "$WITH_TFJS_NODE_GPU" = "true" ]; then \
      apt-get install -y --no-install-recommends \
        cuda-cudart-11-8 libcublas-11-8 libcufft-11-8 libcurand-11-8 libcusolver-11-8 libcusparse-11-8 \
        "libcudnn8=${CUDNN8_VERSION}"; \
    fi \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1000 tickcast \
 && useradd --uid 1000 --gid 1000 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin tickcast
COPY --from=node-bin /usr/local/bin/node /usr/local/bin/node
WORKDIR /app
ENV NODE_ENV=production \
    TICKCAST_HTTP_PORT=8080 \
    TICKCAST_MODEL_DIR=/var/lib/tickcast/models \
    CONTAINER_HEAP_PERCENT=60 \
    LD_LIBRARY_PATH=/usr/local/cuda-11.8/targets/x86_64-linux/lib:/usr/local/nvidia/lib:/usr/local/nvidia/lib64 \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
COPY --from=deps-gpu /app/node_modules ./node_modules
COPY --from=deps-gpu /app/native/kernels/build/Release/tickcast_kernels.node ./native/kernels/build/Release/tickcast_kernels.node
COPY package.json package-lock.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
# The shipped pretrained model (src/model/pretrained.ts reads <app>/models/pretrained): without it
# the service trains a bootstrap model at start instead and saves it as v1 in the model store.
COPY models/pretrained ./models/pretrained
COPY --chmod=0755 deploy/docker/entrypoint.sh /usr/local/bin/tickcast-entrypoint
RUN mkdir -p /var/lib/tickcast/models && chown 1000:1000 /var/lib/tickcast/models
USER 1000:1000
VOLUME ["/var/lib/tickcast/models"]
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=180s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.TICKCAST_HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/tickcast-entrypoint"]
CMD ["node", "dist/main.js"]

# ---------------------------------------------------------------------------------------------
# cpu: the runtime image again, last, because `docker build` without --target builds the last
# stage: `docker build -t tickcast:0.1.0 .` is the CPU image (until 7 Dec 2026 it built `gpu`).
# No instructions of its own: the image is runtime's, user, entrypoint and healthcheck included.
FROM runtime AS cpu
