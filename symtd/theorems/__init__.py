"""Theorems T1-T7: one module per theorem and the registry that symtd prove reads."""
