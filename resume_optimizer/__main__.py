from resume_optimizer.cli import main

raise SystemExit(main())
