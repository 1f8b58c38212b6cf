"""`python -m claudecli` runs the CLI."""

from claudecli.cli import main

if __name__ == "__main__":
    main()
