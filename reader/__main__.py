from reader.entry import main

raise SystemExit(main())
