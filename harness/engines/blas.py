"""numpy's BLAS on one thread: set by the CLI before anything imports numpy.

Apart from ``harness.engines.worker_start`` (which also gives the setting to the
workers it starts) so that the CLI's entry point sets it without importing the
worker pools' modules: ``harness diff`` starts no worker.
"""

from __future__ import annotations

import os

# Threads of OpenBLAS (numpy's and scipy's BLAS). By default it starts a thread per core
# when numpy is imported, and those threads spin for about 0.1 s of CPU before they
# sleep, in every process that imports numpy: measured on 2 cores, `harness diff A B`
# took 0.53 s of CPU with them and 0.43 s without (the same bytes out). Nothing the
# harness does is a large dense product that a second thread would speed up (the
# language identifier's products are a text's features by its classes; discovery's
# and the story features' products are scipy.sparse, which uses no BLAS), and a pool
# already has a process per core. One thread also makes a product's summation order
# independent of the machine's core count.
BLAS_THREADS = "OPENBLAS_NUM_THREADS"


def one_blas_thread() -> None:
    """This process's OpenBLAS to one thread (``BLAS_THREADS``), unless the user chose a
    number: called by the CLI before anything imports numpy (OpenBLAS reads it then)."""
    os.environ.setdefault(BLAS_THREADS, "1")
