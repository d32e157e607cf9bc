"""Training companion: PyTorch models of the architectures symtd builds, exact export, a study.

:mod:`symtd.learn.models` is the trainable network (deep binary-tree or shallow pooling,
product, max, avg or sum), :mod:`symtd.learn.export` turns its float32 weights into a
:class:`~symtd.circuits.circuit.Circuit` with the *exact* dyadic rationals they are (and
writes ONNX), :mod:`symtd.learn.data` makes teacher–student and digits data,
:mod:`symtd.learn.train` trains, and :mod:`symtd.learn.study` puts accuracy next to exact
ranks of the learned functions and the architecture's proven bounds.

PyTorch (the ``learn`` extra) is imported only when one of these modules is used:
``import symtd`` never loads it.
"""
