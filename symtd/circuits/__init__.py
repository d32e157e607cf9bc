"""Circuits: activation-pooling operators and their expressions, the Circuit DAG, builders of
every architecture, the network file formats (v1, v2) and partitions of the positions."""
