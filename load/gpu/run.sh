#!/usr/bin/env bash
# The GPU check (docs/gpu.md), run on a lent GPU machine by the device tool, from the repository
# root, after `npm run bench:gpu:prepare -- tmp/gpu` here (that machine has no Node.js):
#   device run, carry ["tmp/gpu"]:  bash load/gpu/run.sh tmp/gpu
# Writes JSON per part to $OUT (or ./gpu-out) and a log; every part runs even if one before failed.
set -u
DIR=${1:-tmp/gpu}
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
PY=${PYTHON:-python3}
export PYTHONUNBUFFERED=1
log() { echo "## $(date -u +%H:%M:%S) $*"; }
{
  log facts
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1
  nproc; grep -m1 'model name' /proc/cpuinfo
  $PY -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), "gpu", torch.cuda.is_available() and torch.cuda.get_device_name(0))' 2>&1
  $PY -c 'import onnxruntime as o; print("onnxruntime", o.__version__, o.get_device(), o.get_available_providers())' 2>&1
  echo "onnxruntime CUDA provider libraries on this machine:"; find / -xdev \( -name 'libonnxruntime_providers_cuda.so*' -o -name 'libonnxruntime_providers_tensorrt.so*' \) 2>/dev/null | head -5
  echo "libtensorflow on this machine:"; find / -xdev -name 'libtensorflow*.so*' 2>/dev/null | head -5
  which node nodejs 2>&1 | head -2

  log "onnxruntime: tickcast's ONNX graphs (CPU 1 thread, CPU all cores, CUDA/TensorRT if built in)"
  $PY load/gpu/ort_bench.py "$DIR" > "$OUT/ort.json"
  log "onnxruntime scale-out as tickcast serves: N processes × 1 intra-op thread"
  $PY load/gpu/ort_parallel.py "$DIR" "1,8,$(nproc)" > "$OUT/ort-parallel.json"

  for m in serving ett336; do
    log "pytorch reference of the same weights, $m, cuda"
    $PY load/pytorch/reference.py --dir "$DIR/$m" --device cuda --batches 1,64,1024,8192,65536 --seconds 1.5 --latency-runs 200 > "$OUT/ref-$m-cuda.json"
    cat "$OUT/ref-$m-cuda.json"
    log "pytorch reference, $m, cuda, plain fp32 (no TF32)"
    $PY load/pytorch/reference.py --dir "$DIR/$m" --device cuda --no-tf32 --batches 1,64,1024,8192,65536 --seconds 1.5 --latency-runs 200 > "$OUT/ref-$m-cuda-fp32.json"
    cat "$OUT/ref-$m-cuda-fp32.json"
    log "pytorch reference of the same weights, $m, cpu all cores"
    $PY load/pytorch/reference.py --dir "$DIR/$m" --device cpu --threads "$(nproc)" --batches 1,64,1024 --seconds 1.5 --latency-runs 100 > "$OUT/ref-$m-cpu.json"
    cat "$OUT/ref-$m-cpu.json"
  done

  log "training step (bench:train shapes), cuda"
  S='[{"window":96,"horizon":96,"patchLength":1,"patchStride":1,"batch":64},{"window":96,"horizon":96,"patchLength":16,"patchStride":8,"batch":64},{"window":336,"horizon":96,"patchLength":1,"patchStride":1,"batch":64},{"window":336,"horizon":96,"patchLength":16,"patchStride":8,"batch":64},{"window":336,"horizon":96,"patchLength":16,"patchStride":8,"batch":1024},{"window":336,"horizon":96,"patchLength":1,"patchStride":1,"batch":1024}]'
  I='[{"window":64,"horizon":8,"patchLength":16,"patchStride":8,"batch":8192},{"window":336,"horizon":96,"patchLength":16,"patchStride":8,"batch":8192}]'
  $PY load/pytorch/train_bench.py "{\"threads\":1,\"minSeconds\":3,\"device\":\"cuda\",\"shapes\":$S,\"infer\":$I}" > "$OUT/train-cuda.json"
  cat "$OUT/train-cuda.json"
  log "training step, cpu: 1 thread and all cores, patched shapes"
  P='[{"window":96,"horizon":96,"patchLength":16,"patchStride":8,"batch":64},{"window":336,"horizon":96,"patchLength":16,"patchStride":8,"batch":64}]'
  for t in 1 "$(nproc)"; do
    $PY load/pytorch/train_bench.py "{\"threads\":$t,\"minSeconds\":3,\"shapes\":$P}" > "$OUT/train-cpu-$t.json"
    cat "$OUT/train-cpu-$t.json"
  done
  log done
} 2>&1 | tee "$OUT/log.txt"
