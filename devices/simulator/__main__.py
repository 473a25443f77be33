"""`python -m devices.simulator`: the same as `pump-sim`."""

import sys

from devices.simulator.cli import main

sys.exit(main())
