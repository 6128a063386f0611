#!/bin/bash
# The SST configurations compared on SST-2 dev (no --test: test is scored once, on the chosen models, by
# bench/score_test_once.py). One run at a time, 1 torch thread; each writes runs/sst/NAME and its log.
# Results (dev accuracy) are in models/README.md and the SST cards' notes.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p runs/sst
D="--task sentiment --data data/sst/train.txt --dev data/sst/dev.txt --sst-train-on phrases"
run() { name=$1; shift; python -m seqcore train $D --out runs/sst/$name "$@" > runs/sst/$name.log 2>&1; tail -1 runs/sst/$name.log; }
# The issue's measured reference, for the bidirectional side of the comparison: BiLSTM, max pooling, distinct phrases.
run bilstm-max --cell lstm --bidirectional --pooling max --dropout 0.5 --epochs 10 --patience 3
# The lesson's readout: one direction, the last state (a trajectory point is the running state), negation frames added.
run lstm-last-neg --cell lstm --pooling last --dropout 0.5 --epochs 6 --patience 2 --sst-negations
# One direction lost 4.7 points of dev: the GRU and the RNN take the BiLSTM's readout.
run bigru-max --cell gru --bidirectional --pooling max --dropout 0.5 --epochs 7 --patience 2
run birnn-max --cell rnn --bidirectional --pooling max --dropout 0.5 --epochs 6 --patience 2
