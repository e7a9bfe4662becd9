"""Allow ``python -m photofind``."""

from photofind.app import main

raise SystemExit(main())
