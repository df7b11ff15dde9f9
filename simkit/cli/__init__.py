"""The command line: ``simkit`` and its subcommands."""
