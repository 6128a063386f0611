#!/bin/bash
# Issue 18's last point: negated negatives ("not bad at all", "never boring"). The candidates, each fine-tuned
# from a shipped SST model (--init-from: ftA and ftD sst-lstm, ftB sst-gru, ftC sst-rnn,
# as shipped before) on SST's phrases plus negated phrases built from SST's own predicates (seqcore.negations), selected on SST-2 dev; 10% of the predicates held out (bench/negation_heldout.py).
# No --test: the chosen one is scored once by bench/score_test_once.py. One run at a time, 1 torch thread.
# The rule that picks between candidates, and every result, are in docs/models.md ("Negated negatives").
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p runs/sst2
# The bases: the SST models as shipped before these fine-tunes (commit 39fa47a), in runs/sst2/sst-CELL-before.
for m in sst-lstm sst-gru sst-rnn; do
  if [ ! -d runs/sst2/$m-before ]; then
    mkdir -p runs/sst2/git && git archive 39fa47a models/$m | tar -x -C runs/sst2/git && mv runs/sst2/git/models/$m runs/sst2/$m-before
  fi
done
D="--task sentiment --data data/sst/train.txt --dev data/sst/dev.txt --sst-train-on phrases"
N="--sst-negations --sst-negations-context --sst-negation-holdout 0.1"
run() { name=$1; shift; python -m seqcore train $D --out runs/sst2/$name "$@" > runs/sst2/$name.log 2>&1; tail -1 runs/sst2/$name.log; }
case "${1:-all}" in
  ftA|all) run ftA --init-from runs/sst2/sst-lstm-before $N --sst-negation-weight 3 --lr 0.0005 --epochs 4 --patience 2 ;;&
  ftB|all) run ftB --init-from runs/sst2/sst-gru-before $N --sst-negation-weight 3 --lr 0.0005 --epochs 4 --patience 2 ;;&
  ftD|all) run ftD --init-from runs/sst2/sst-lstm-before $N --sst-negation-weight 1 --lr 0.0005 --epochs 4 --patience 2 ;;&
  ftE|all) run ftE --init-from runs/sst2/sst-lstm-before $N --sst-negations-contrast --sst-negation-weight 3 --lr 0.0005 --epochs 4 --patience 2 ;;&
  ftF|all) run ftF --init-from runs/sst2/sst-gru-before $N --sst-negations-contrast --sst-negation-weight 3 --lr 0.0005 --epochs 4 --patience 2 ;;&
  ftC|all) run ftC --init-from runs/sst2/sst-rnn-before $N --sst-negation-weight 3 --lr 0.0005 --epochs 4 --patience 2 ;;&
esac
