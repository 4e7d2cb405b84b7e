import sys

from interop.run import main

sys.exit(main())
