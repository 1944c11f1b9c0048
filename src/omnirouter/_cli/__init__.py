"""Sub-commands of the ``omnirouter`` command line (private)."""
