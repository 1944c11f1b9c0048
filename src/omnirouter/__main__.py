"""``python -m omnirouter``: the same command line as the ``omnirouter`` script."""

import sys

from omnirouter.cli import main

if __name__ == "__main__":
    sys.exit(main())
