"""One module per ``hrvcoach`` subcommand: ``add_arguments(parser)`` and ``run(args) -> int``."""
