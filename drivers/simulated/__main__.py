"""``python -m hrvcoach.drivers.simulated --write-examples recordings/``."""

from hrvcoach.drivers.simulated.examples import main

raise SystemExit(main())
