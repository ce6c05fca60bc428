"""`python -m taikong_cli` runs the `taikong` command."""

import sys

from taikong_cli.main import main

sys.exit(main())
