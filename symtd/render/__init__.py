"""Rendering: LaTeX of decompositions, entries and matricizations, drawings, tables and
reports, with escaping of untrusted text."""
