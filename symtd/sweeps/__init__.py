"""Sweeps over weight space on Dask: sweep files, running, results files and reports."""
