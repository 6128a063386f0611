"""seqcore: train and look inside GRU, LSTM and plain RNN models on real text."""

__version__ = "0.1.0"
