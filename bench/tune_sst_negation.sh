#!/bin/bash
# Issue 18's last point: negated negatives ("not bad at all", "never boring"). The candidates, each fine-tuned
# from a shipped SST model (--init-from: ftA sst-lstm, ftB sst-gru, ftC sst-rnn) on SST's phrases plus negated phrases built from SST's own predicates
# (seqcore.negations), selected on SST-2 dev; 10% of the predicates held out (bench/negation_heldout.py).
# No --test: the chosen one is scored once by bench/score_test_once.py. One run at a time, 1 torch thread.
# The rule that picks between candidates, and every result, are in docs/models.md ("Negated negatives").
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p runs/sst2
D="--task sentiment --data data/sst/train.txt --dev data/sst/dev.txt --sst-train-on phrases"
N="--sst-negations --sst-negations-context --sst-negation-holdout 0.1"
run() { name=$1; shift; python -m seqcore train $D --out runs/sst2/$name "$@" > runs/sst2/$name.log 2>&1; tail -1 runs/sst2/$name.log; }
case "${1:-all}" in
  ftA|all) run ftA --init-from models/sst-lstm $N --sst-negation-weight 3 --lr 0.0005 --epochs 4 --patience 2 ;;&
  ftB|all) run ftB --init-from models/sst-gru $N --sst-negation-weight 3 --lr 0.0005 --epochs 4 --patience 2 ;;&
  ftC|all) run ftC --init-from models/sst-rnn $N --sst-negation-weight 3 --lr 0.0005 --epochs 4 --patience 2 ;;&
esac
