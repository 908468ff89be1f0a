from hrvcoach.cli import main

raise SystemExit(main())
