import sys

from symtd.cli import main

sys.exit(main())
