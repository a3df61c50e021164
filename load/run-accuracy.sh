#!/usr/bin/env bash
# Issue 12 accuracy runs, in the background at low priority, each step logged as it finishes:
#   bash load/run-accuracy.sh [outdir]   (default /tmp/tickcast-accuracy)
# 1. M4 Hourly zero-shot (shipped pretrained model, per-file bootstrap model) + baselines
# 2. ETTh1 univariate (S), look-back 336, default patches, seeds 1,2,3, early stopping (patience 2)
#    under a shared time budget (ACC_BUDGET_MIN, default 25) — a run cut by it says so
# 3. ETTh1 multivariate (M), same (ACC_M=1 to include; CPU-heavy)
# 4. M4 Hourly global hybrid, look-back 336, seeds from M4_SEEDS (default 1), M4_BUDGET_MIN per seed (15)
# Rows land in $out/*.out as soon as each finishes, so a run cut short still reports what finished.
set -u
out=${1:-/tmp/tickcast-accuracy}
mkdir -p "$out"
cd "$(dirname "$0")/.."
run() { nice -n 10 npx tsx "$@"; }
run load/bench-m4.ts --phases baselines,zeroshot --jsonl "$out/m4.jsonl" > "$out/m4-zeroshot.out" 2>&1
run load/bench-accuracy.ts --settings S --window 336 --d-model 32 --patch 16/8 --seeds 1,2,3 --epochs 10 --patience 2 --lr 1e-3 \
  --max-train-windows 4000 --budget-min "${ACC_BUDGET_MIN:-25}" --json "$out/etth1-S.json" > "$out/etth1-S.out" 2> "$out/etth1-S.err"
if [ "${ACC_M:-0}" = 1 ]; then
  run load/bench-accuracy.ts --settings M --window 336 --d-model 32 --patch 16/8 --seeds 1,2,3 --epochs 10 --patience 2 --lr 1e-3 \
    --max-train-windows 4000 --budget-min "${ACC_BUDGET_MIN:-25}" --json "$out/etth1-M.json" > "$out/etth1-M.out" 2> "$out/etth1-M.err"
fi
run load/bench-m4.ts --phases hybrid --seeds "${M4_SEEDS:-1}" --epochs 10 --patience 2 --stride 16 --budget-min "${M4_BUDGET_MIN:-15}" --jsonl "$out/m4.jsonl" > "$out/m4-hybrid.out" 2>&1
